"""Remembered devices: ConfirmDevice, GetDevice, ListDevices, UpdateDeviceStatus, ForgetDevice
and their Admin twins (AdminGetDevice, AdminListDevices, AdminUpdateDeviceStatus,
AdminForgetDevice).

The user's calls are authorised with their access token; the Admin calls are SigV4 with the pool
and a user name (or alias). A device the pool does not know for the user, or one never
confirmed, is ``ResourceNotFoundException: Device does not exist.`` everywhere (sign-in too: the
Amplify libraries match on that message to forget their copy and sign in again).

``DeviceType`` is what AWS returns (its API reference's example): ``DeviceKey``, the dates in
epoch seconds, and ``DeviceAttributes`` ``device_status`` (``valid``), ``device_name`` (when
ConfirmDevice gave one), ``dev:device_arn``, ``dev:device_owner`` (``<username>.<pool id>``) and
``dev:device_remembered_status`` (``remembered`` / ``not_remembered``). AWS also lists
``last_ip_used`` and ``dev:device_sdk``; the local Cognito leaves those two out. ListDevices
returns confirmed devices, oldest first, ``Limit`` at a time (0 or none: 60, the model's most).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp import device_tracking
from pyamplify.local.idp.common import (
    authenticate_access_token,
    int_param,
    list_page,
    opt_str,
    pool_or_error,
    str_param,
    user_or_error,
)
from pyamplify.local.idp.registry import OPERATIONS
from pyamplify.local.store.devices import DeviceRecord
from pyamplify.local.store.userpools import UserRecord

#: ListDevices' ``Limit`` when none (or 0) is given: the model's maximum.
DEFAULT_LIMIT = 60
#: ``DeviceRememberedStatus`` values.
REMEMBERED = "remembered"
NOT_REMEMBERED = "not_remembered"
#: DeviceKeyExistsException's message (a device confirmed twice).
ALREADY_CONFIRMED = "Device has already been confirmed."


def device_type(backend: Backend, user: UserRecord, device: DeviceRecord) -> dict[str, Any]:
    """A device as Cognito's ``DeviceType``."""
    owner = f"{user.username}.{user.pool_id}"
    arn_prefix = backend.pool_arn(user.pool_id).rsplit(":", 1)[0]
    arn = f"{arn_prefix}:owner/{owner}/device/{device.device_key}"
    attributes = [{"Name": "device_status", "Value": "valid"}]
    if device.name:
        attributes.append({"Name": "device_name", "Value": device.name})
    attributes += [
        {"Name": "dev:device_arn", "Value": arn},
        {"Name": "dev:device_owner", "Value": owner},
        {
            "Name": "dev:device_remembered_status",
            "Value": REMEMBERED if device.remembered else NOT_REMEMBERED,
        },
    ]
    answer: dict[str, Any] = {
        "DeviceKey": device.device_key,
        "DeviceAttributes": attributes,
        "DeviceCreateDate": device.created,
        "DeviceLastModifiedDate": device.modified,
    }
    if device.last_authenticated is not None:
        answer["DeviceLastAuthenticatedDate"] = device.last_authenticated
    return answer


def _verifier_config(body: dict[str, Any]) -> tuple[str, str]:
    """``(salt hex, verifier hex)`` of ``DeviceSecretVerifierConfig`` (both base64 on the wire)."""
    config = body.get("DeviceSecretVerifierConfig")
    if not isinstance(config, dict):
        raise errors.InvalidParameterException(
            "DeviceSecretVerifierConfig is required: the device's SRP salt and password verifier "
            "(base64), which DEVICE_SRP_AUTH checks the device against."
        )
    decoded = []
    for name in ("Salt", "PasswordVerifier"):
        value = config.get(name)
        try:
            raw = base64.b64decode(str(value), validate=True) if value else b""
        except (binascii.Error, ValueError):
            raw = b""
        if not raw or not any(raw):
            raise errors.InvalidParameterException(
                f"DeviceSecretVerifierConfig.{name} must be a non-zero base64 value."
            )
        decoded.append(raw.hex())
    return decoded[0], decoded[1]


# ---------------------------------------------------------------------- the user's calls


@OPERATIONS.operation("ConfirmDevice")
def confirm_device(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """ConfirmDevice: register a new device's SRP salt and verifier (and name); it is remembered
    at once, or (DeviceOnlyRememberedOnUserPrompt) when the user says so: then
    ``UserConfirmationNecessary`` is true."""
    pool, user, _claims = authenticate_access_token(backend, str_param(body, "AccessToken"))
    device = device_tracking.device_of(backend, user, str_param(body, "DeviceKey"))
    if device.confirmed:
        raise errors.DeviceKeyExistsException(ALREADY_CONFIRMED)
    salt, verifier = _verifier_config(body)
    settings = device_tracking.settings_of(pool)
    prompt = settings is not None and settings.only_remembered_on_user_prompt
    device.salt, device.verifier = salt, verifier
    device.name = opt_str(body, "DeviceName") or None
    device.remembered = not prompt
    device.confirmed = True
    device.modified = backend.now()
    if not backend.store.confirm_device(device):
        raise errors.DeviceKeyExistsException(ALREADY_CONFIRMED)
    return {"UserConfirmationNecessary": prompt}


def _set_status(backend: Backend, user: UserRecord, body: dict[str, Any]) -> dict[str, Any]:
    device = device_tracking.confirmed_device_of(backend, user, str_param(body, "DeviceKey"))
    status = str_param(body, "DeviceRememberedStatus")
    if status not in (REMEMBERED, NOT_REMEMBERED):  # the model checks it too
        raise errors.InvalidParameterException(
            "DeviceRememberedStatus must be remembered or not_remembered."
        )
    backend.store.set_device_remembered(
        user.pool_id, device.device_key, status == REMEMBERED, backend.now()
    )
    return {}


def _forget(backend: Backend, user: UserRecord, device_key: str) -> dict[str, Any]:
    """Delete the device: it can no longer sign in, and the refresh tokens of its sign-ins stop
    working (AWS's "Tracking and remembering devices" blog post: a stolen device's tokens)."""
    device = device_tracking.device_of(backend, user, device_key)
    backend.store.delete_device(user.pool_id, device.device_key)
    return {}


def _list(backend: Backend, user: UserRecord, body: dict[str, Any]) -> dict[str, Any]:
    devices = [
        device_type(backend, user, device)
        for device in backend.store.list_devices(user.pool_id, user.sub)
    ]
    limit = int_param(body, "Limit", DEFAULT_LIMIT)
    return list_page(body, devices, "Devices", limit, token="PaginationToken")


@OPERATIONS.operation("GetDevice")
def get_device(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """GetDevice: one of the signed-in user's devices."""
    _pool, user, _claims = authenticate_access_token(backend, str_param(body, "AccessToken"))
    device = device_tracking.confirmed_device_of(backend, user, str_param(body, "DeviceKey"))
    return {"Device": device_type(backend, user, device)}


@OPERATIONS.operation("ListDevices")
def list_devices(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """ListDevices: the signed-in user's devices, a page at a time."""
    _pool, user, _claims = authenticate_access_token(backend, str_param(body, "AccessToken"))
    return _list(backend, user, body)


@OPERATIONS.operation("UpdateDeviceStatus")
def update_device_status(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """UpdateDeviceStatus: remember a device (it may then skip MFA) or stop remembering it."""
    _pool, user, _claims = authenticate_access_token(backend, str_param(body, "AccessToken"))
    return _set_status(backend, user, body)


@OPERATIONS.operation("ForgetDevice")
def forget_device(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """ForgetDevice: delete one of the signed-in user's devices."""
    _pool, user, _claims = authenticate_access_token(backend, str_param(body, "AccessToken"))
    return _forget(backend, user, str_param(body, "DeviceKey"))


# ---------------------------------------------------------------------- the Admin calls


def _admin_user(backend: Backend, body: dict[str, Any]) -> UserRecord:
    pool = pool_or_error(backend, str_param(body, "UserPoolId"))
    return user_or_error(backend, pool, str_param(body, "Username"))


@OPERATIONS.operation("AdminGetDevice")
def admin_get_device(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminGetDevice (SigV4)."""
    user = _admin_user(backend, body)
    device = device_tracking.confirmed_device_of(backend, user, str_param(body, "DeviceKey"))
    return {"Device": device_type(backend, user, device)}


@OPERATIONS.operation("AdminListDevices")
def admin_list_devices(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminListDevices (SigV4)."""
    return _list(backend, _admin_user(backend, body), body)


@OPERATIONS.operation("AdminUpdateDeviceStatus")
def admin_update_device_status(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminUpdateDeviceStatus (SigV4)."""
    return _set_status(backend, _admin_user(backend, body), body)


@OPERATIONS.operation("AdminForgetDevice")
def admin_forget_device(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminForgetDevice (SigV4)."""
    return _forget(backend, _admin_user(backend, body), str_param(body, "DeviceKey"))
