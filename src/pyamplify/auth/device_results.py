"""``fetch_devices``' result: Amplify JS v6's ``AuthDevice`` in Python's spelling."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from pyamplify.auth.results import empty_mapping, epoch_datetime


@dataclass(frozen=True)
class AuthDevice:
    """One of the signed-in user's remembered devices.

    ``id`` is the device key (what ``forget_device`` takes), ``name`` the name it was confirmed
    with (``device_name``), ``attributes`` all of Cognito's ``DeviceAttributes`` (for example
    ``dev:device_remembered_status``: ``remembered`` or ``not_remembered``).
    """

    id: str
    name: str | None = None
    attributes: Mapping[str, str] = field(default_factory=empty_mapping)
    create_date: datetime | None = None
    last_authenticated_date: datetime | None = None
    last_modified_date: datetime | None = None

    @property
    def remembered(self) -> bool:
        """Whether Cognito remembers the device (it may then sign in without MFA)."""
        return self.attributes.get("dev:device_remembered_status") == "remembered"

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> AuthDevice:
        """Read Cognito's ``DeviceType``."""
        attributes = {
            str(item.get("Name")): str(item.get("Value", ""))
            for item in data.get("DeviceAttributes") or []
            if isinstance(item, Mapping) and item.get("Name")
        }
        return cls(
            id=str(data.get("DeviceKey", "")),
            name=attributes.get("device_name"),
            attributes=MappingProxyType(attributes),
            create_date=epoch_datetime(data.get("DeviceCreateDate")),
            last_authenticated_date=epoch_datetime(data.get("DeviceLastAuthenticatedDate")),
            last_modified_date=epoch_datetime(data.get("DeviceLastModifiedDate")),
        )
