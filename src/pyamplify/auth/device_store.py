"""The devices this computer remembers: per user, the device key, group key and device password.

A sign-in in a device-tracking pool ends with ``NewDeviceMetadata``; the client makes a random
device password, registers its salt and verifier with ConfirmDevice, and keeps the three values
to prove the device at later sign-ins (DEVICE_SRP_AUTH) and to name it at every refresh. They
outlive sign-out (a remembered device is the point), so they are not in the session record but in
one record per user pool, app client and profile, :func:`device_book_key`, as Amplify JS keeps
them per app client and user. The record maps each user's internal username to their device,
and each name the user signed in with (``login_id``: an e-mail address, an alias) to that
username, because a password sign-in must name the device before Cognito says who the user is.

The device password is a secret (a long-lived second factor): it is only in the store, never in
a repr, log or message. A record that cannot be read is treated as empty (the next sign-in just
gets a new device).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

#: Layout version of the stored record.
FORMAT = 1


@dataclass(frozen=True, repr=False)
class RememberedDevice:
    """One user's device as the client keeps it."""

    device_key: str
    device_group_key: str
    device_password: str

    def __repr__(self) -> str:
        return f"RememberedDevice({self.device_key!r}, device_password=<secret>)"

    def to_dict(self) -> dict[str, str]:
        """The stored form."""
        return {
            "device_key": self.device_key,
            "device_group_key": self.device_group_key,
            "device_password": self.device_password,
        }

    @classmethod
    def from_dict(cls, data: Any) -> RememberedDevice | None:
        """The device of a stored entry, or ``None`` for a malformed one."""
        if not isinstance(data, dict):
            return None
        key, group, password = (
            data.get(name) for name in ("device_key", "device_group_key", "device_password")
        )
        if not (isinstance(key, str) and isinstance(group, str) and isinstance(password, str)):
            return None
        if not (key and group and password):
            return None
        return cls(key, group, password)


def _empty() -> Mapping[str, Any]:
    return MappingProxyType({})


@dataclass(frozen=True)
class DeviceBook:
    """Every remembered device of one (user pool, app client, profile)."""

    #: Internal username -> device.
    devices: Mapping[str, RememberedDevice] = field(default_factory=_empty)
    #: A name the user signed in with -> internal username.
    logins: Mapping[str, str] = field(default_factory=_empty)

    def find(self, name: str) -> RememberedDevice | None:
        """The device of the user called ``name`` (internal username or a name they signed in
        with), or ``None``."""
        device = self.devices.get(name)
        if device is None and name in self.logins:
            device = self.devices.get(self.logins[name])
        return device

    def with_device(self, username: str, login_id: str, device: RememberedDevice) -> DeviceBook:
        """This book with ``device`` as ``username``'s (found under ``login_id`` too)."""
        devices = {**self.devices, username: device}
        logins = {**self.logins, login_id: username} if login_id != username else dict(self.logins)
        return DeviceBook(MappingProxyType(devices), MappingProxyType(logins))

    def without(self, name: str) -> DeviceBook:
        """This book without the device of the user called ``name`` (either kind of name)."""
        username = name if name in self.devices else self.logins.get(name, name)
        devices = {user: device for user, device in self.devices.items() if user != username}
        logins = {login: user for login, user in self.logins.items() if user != username}
        return DeviceBook(MappingProxyType(devices), MappingProxyType(logins))

    def to_dict(self) -> dict[str, Any]:
        """The stored form."""
        return {
            "format": FORMAT,
            "devices": {user: device.to_dict() for user, device in self.devices.items()},
            "logins": dict(self.logins),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> DeviceBook:
        """The book of a stored record; entries that cannot be read are left out."""
        if not data or data.get("format") != FORMAT:
            return cls()
        raw_devices = data.get("devices")
        raw_logins = data.get("logins")
        devices: dict[str, RememberedDevice] = {}
        if isinstance(raw_devices, dict):
            for user, entry in raw_devices.items():
                device = RememberedDevice.from_dict(entry)
                if isinstance(user, str) and device is not None:
                    devices[user] = device
        logins: dict[str, str] = {}
        if isinstance(raw_logins, dict):
            logins = {
                login: user
                for login, user in raw_logins.items()
                if isinstance(login, str) and isinstance(user, str) and user in devices
            }
        return cls(MappingProxyType(devices), MappingProxyType(logins))


def device_book_key(user_pool_id: str, client_id: str, profile: str) -> str:
    """The store key of the device record: ``devices/<pool>/<client>/<profile>`` (the parts
    quoted as in the session's key, which this mirrors under another prefix)."""
    from pyamplify.storage import session_key

    return "devices/" + session_key(user_pool_id, client_id, profile).removeprefix("session/")
