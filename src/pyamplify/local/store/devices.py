"""Remembered devices: each device's SRP salt and verifier, its status, and the token families
(sign-ins and their refreshes) that belong to it.

A device row is made, unconfirmed, when a sign-in in a device-tracking pool hands out
``NewDeviceMetadata``; ConfirmDevice stores its salt and verifier (never its password, which only
the client has) and whether it is remembered. Rows are keyed by the owner's ``sub``, not the
username, so a user deleted and created again under the same name does not inherit the old
user's devices.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyamplify.local.store.database import Database
from pyamplify.local.store.records import Columns


@dataclass
class DeviceRecord:
    """One device of one user."""

    pool_id: str
    device_key: str
    sub: str
    #: The DeviceGroupKey: the "pool name" of the device's SRP (its user id is the device key).
    group_key: str = field(repr=False)
    created: float
    modified: float
    #: Hex of the salt ConfirmDevice registered (``None`` until then).
    salt: str | None = field(default=None, repr=False)
    #: Hex of the SRP verifier ConfirmDevice registered (``None`` until then).
    verifier: str | None = field(default=None, repr=False)
    name: str | None = None
    #: ``True`` remembered, ``False`` not remembered, ``None`` before ConfirmDevice.
    remembered: bool | None = None
    confirmed: bool = False
    last_authenticated: float | None = None


def _optional_bool(value: object) -> bool | None:
    return None if value is None else bool(value)


def _optional_int(value: bool | None) -> int | None:
    return None if value is None else int(value)


_DEVICES = Columns(
    DeviceRecord,
    (
        "pool_id",
        "device_key",
        "sub",
        "group_key",
        "created",
        "modified",
        "salt",
        "verifier",
        "name",
        "remembered",
        "confirmed",
        "last_authenticated",
    ),
    encode={"remembered": _optional_int, "confirmed": int},
    decode={"remembered": _optional_bool, "confirmed": bool},
)
_CONFIRMATION = ("salt", "verifier", "name", "remembered", "confirmed", "modified")


class DeviceTables(Database):
    """Data access for remembered devices and the device of each token family."""

    def insert_device(self, device: DeviceRecord) -> None:
        """Store a new (unconfirmed) device."""
        self.execute(
            f"INSERT INTO devices ({_DEVICES}) VALUES ({_DEVICES.placeholders})",
            _DEVICES.values(device),
        )

    def get_device(self, pool_id: str, device_key: str) -> DeviceRecord | None:
        """A device of the pool, or ``None``."""
        return self.record(
            _DEVICES, "devices", "pool_id = ? AND device_key = ?", (pool_id, device_key)
        )

    def confirm_device(self, device: DeviceRecord) -> bool:
        """Record ConfirmDevice's salt, verifier, name and status on an unconfirmed device;
        ``False`` when it was confirmed already (two confirmations racing: one wins)."""
        changed = self.execute(
            f"UPDATE devices SET {_DEVICES.assignments(_CONFIRMATION)} "
            "WHERE pool_id = ? AND device_key = ? AND confirmed = 0",
            (*_DEVICES.values(device, _CONFIRMATION), device.pool_id, device.device_key),
        )
        return changed == 1

    def set_device_remembered(
        self, pool_id: str, device_key: str, remembered: bool, now: float
    ) -> None:
        """UpdateDeviceStatus: remembered or not."""
        self.execute(
            "UPDATE devices SET remembered = ?, modified = ? WHERE pool_id = ? AND device_key = ?",
            (int(remembered), now, pool_id, device_key),
        )

    def device_authenticated(self, pool_id: str, device_key: str, now: float) -> None:
        """A sign-in proved the device (DEVICE_PASSWORD_VERIFIER)."""
        self.execute(
            "UPDATE devices SET last_authenticated = ? WHERE pool_id = ? AND device_key = ?",
            (now, pool_id, device_key),
        )

    def delete_device(self, pool_id: str, device_key: str) -> bool:
        """Forget a device; ``False`` when there was none."""
        changed = self.execute(
            "DELETE FROM devices WHERE pool_id = ? AND device_key = ?", (pool_id, device_key)
        )
        return changed == 1

    def list_devices(self, pool_id: str, sub: str) -> list[DeviceRecord]:
        """A user's confirmed devices, oldest first (unconfirmed ones are not listed)."""
        return self.records(
            _DEVICES,
            "devices",
            "pool_id = ? AND sub = ? AND confirmed = 1 ORDER BY created, device_key",
            (pool_id, sub),
        )

    # ------------------------------------------------------------------ token families

    def bind_family_device(self, origin_jti: str, device_key: str) -> None:
        """The token family ``origin_jti`` belongs to ``device_key``: its refreshes need it."""
        self.execute(
            "UPDATE token_families SET device_key = ? WHERE origin_jti = ?",
            (device_key, origin_jti),
        )

    def family_device(self, origin_jti: str) -> str | None:
        """The device a token family belongs to, or ``None``."""
        row = self.query_one(
            "SELECT device_key FROM token_families WHERE origin_jti = ?", (origin_jti,)
        )
        return None if row is None or row[0] is None else str(row[0])
