"""Device tracking's rules that sign-in and the device operations share.

A pool tracks devices when its ``DeviceConfiguration`` is set (any member: the console's
"Always" and "User opt-in"; "Don't remember" leaves it out). Every sign-in on a new device then
gets ``NewDeviceMetadata`` (a device key and a device group key) and a device row, unconfirmed,
until ConfirmDevice registers the device's SRP salt and verifier; from then on the device can
prove itself with DEVICE_SRP_AUTH. ``DeviceOnlyRememberedOnUserPrompt`` leaves a confirmed device
not remembered until UpdateDeviceStatus says so; ``ChallengeRequiredOnNewDevice`` lets a
remembered device sign in without MFA.

Device keys look like Cognito's (``<region>_<uuid>``, the model's ``[\\w-]+_[0-9a-f-]+``); group
keys like the ones Cognito hands out (``-`` and eight URL-safe characters).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.store.devices import DeviceRecord
from pyamplify.local.store.userpools import UserRecord

#: ResourceNotFoundException's message for a device the pool does not know for the user; Amplify
#: JS, Swift, Android and Flutter match on it to forget their copy and sign in again.
DEVICE_NOT_FOUND = "Device does not exist."


@dataclass(frozen=True)
class DeviceSettings:
    """A device-tracking pool's ``DeviceConfiguration``."""

    #: A remembered device may sign in without MFA.
    challenge_required_on_new_device: bool
    #: ConfirmDevice leaves the device not remembered until the user says otherwise.
    only_remembered_on_user_prompt: bool


def settings_of(pool: dict[str, Any]) -> DeviceSettings | None:
    """The pool's device tracking, or ``None`` when it does not track devices."""
    config = pool.get("DeviceConfiguration")
    if not isinstance(config, dict):
        return None
    return DeviceSettings(
        challenge_required_on_new_device=config.get("ChallengeRequiredOnNewDevice") is True,
        only_remembered_on_user_prompt=config.get("DeviceOnlyRememberedOnUserPrompt") is True,
    )


def new_device(backend: Backend, pool_id: str, user: UserRecord) -> DeviceRecord:
    """A new, unconfirmed device of ``user`` (stored)."""
    now = backend.now()
    device = DeviceRecord(
        pool_id=pool_id,
        device_key=f"{backend.region}_{uuid.uuid4()}",
        sub=user.sub,
        group_key="-" + secrets.token_urlsafe(6),
        created=now,
        modified=now,
        last_authenticated=now,
    )
    backend.store.insert_device(device)
    return device


def device_of(backend: Backend, user: UserRecord, device_key: str) -> DeviceRecord:
    """``user``'s device ``device_key`` (confirmed or not), or ResourceNotFoundException."""
    device = backend.store.get_device(user.pool_id, device_key)
    if device is None or device.sub != user.sub:
        raise errors.ResourceNotFoundException(DEVICE_NOT_FOUND)
    return device


def confirmed_device_of(backend: Backend, user: UserRecord, device_key: str) -> DeviceRecord:
    """``user``'s confirmed device ``device_key``, or ResourceNotFoundException (a device
    never confirmed cannot be listed, read, remembered or used to sign in)."""
    device = device_of(backend, user, device_key)
    if not device.confirmed:
        raise errors.ResourceNotFoundException(DEVICE_NOT_FOUND)
    return device
