"""Remembered devices as sans-I/O flows: the device's SRP during sign-in, and the signed-in user's
device calls (Amplify JS v6's ``rememberDevice``, ``forgetDevice``, ``fetchDevices``).

A sign-in that names a remembered device (``DEVICE_KEY``) may be answered with DEVICE_SRP_AUTH:
the client then proves the device with SRP, exactly as it proves a password, with the pool name
replaced by the device group key, the user id by the device key and the password by the device
password (:func:`device_srp_flow`, :func:`continue_on_device`). Like :mod:`pyamplify.auth.flows`
these only yield :class:`~pyamplify.wire.Call` values, so ``Auth`` and ``AsyncAuth`` share them.
"""

from __future__ import annotations

import platform
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pyamplify import srp
from pyamplify.auth.device_results import AuthDevice
from pyamplify.auth.device_store import RememberedDevice
from pyamplify.auth.password_claim import claim_answers
from pyamplify.wire.call import Call, idp
from pyamplify.wire.errors import ProtocolError, ResourceNotFoundException

if TYPE_CHECKING:
    from pyamplify.auth.flows import ClientContext, Flow

DEVICE_SRP_AUTH = "DEVICE_SRP_AUTH"
DEVICE_PASSWORD_VERIFIER = "DEVICE_PASSWORD_VERIFIER"
#: ListDevices' largest page (the model's ``Limit`` maximum, what Amplify JS asks for).
PAGE = 60


def device_is_gone(error: Exception) -> bool:
    """Whether Cognito no longer knows the device named in a sign-in (forgotten, never confirmed,
    another user's): ``ResourceNotFoundException: Device does not exist.``, the answer the
    Amplify libraries drop their copy of the device on and sign in again without it."""
    return isinstance(error, ResourceNotFoundException) and "device" in str(error).lower()


def default_device_name() -> str:
    """The name ConfirmDevice gives this computer (Amplify JS gives the browser's user agent)."""
    return platform.node() or "pyamplify"


def device_srp_flow(
    ctx: ClientContext,
    device: RememberedDevice,
    username: str,
    session: str | None,
    *,
    client_metadata: Mapping[str, str] | None,
    now: Callable[[], datetime],
) -> Flow[dict[str, Any]]:
    """Answer DEVICE_SRP_AUTH (``SRP_A``) and then DEVICE_PASSWORD_VERIFIER (the device's claim);
    returns Cognito's answer to the claim (tokens, or the MFA that still follows)."""
    ephemeral = srp.new_client_ephemeral()
    metadata = dict(client_metadata or {})
    started = yield _respond(
        ctx,
        DEVICE_SRP_AUTH,
        username,
        {"DEVICE_KEY": device.device_key, "SRP_A": ephemeral.srp_a},
        session,
        metadata,
    )
    if started.get("ChallengeName") != DEVICE_PASSWORD_VERIFIER:
        raise ProtocolError(
            f"DEVICE_SRP_AUTH was answered with {started.get('ChallengeName')!r}, "
            "not DEVICE_PASSWORD_VERIFIER"
        )
    params: Mapping[str, str] = started.get("ChallengeParameters") or {}
    answers = {
        "DEVICE_KEY": device.device_key,
        **claim_answers(
            ephemeral,
            DEVICE_PASSWORD_VERIFIER,
            params,
            pool_name=device.device_group_key,
            user_id=device.device_key,
            password=device.device_password,
            now=now(),
        ),
    }
    user = params.get("USERNAME") or username
    return (
        yield _respond(
            ctx, DEVICE_PASSWORD_VERIFIER, user, answers, started.get("Session"), metadata
        )
    )


def continue_on_device(
    ctx: ClientContext,
    response: dict[str, Any],
    device: RememberedDevice | None,
    username: str,
    *,
    client_metadata: Mapping[str, str] | None,
    now: Callable[[], datetime],
) -> Flow[dict[str, Any]]:
    """``response`` itself, unless it is DEVICE_SRP_AUTH: then the device's proof and what
    Cognito answers to it (the caller never sees the device's challenges)."""
    if response.get("ChallengeName") != DEVICE_SRP_AUTH:
        return response
    if device is None:
        raise ProtocolError("Cognito asked a device to prove itself, but none was named")
    params: Mapping[str, str] = response.get("ChallengeParameters") or {}
    user = params.get("USERNAME") or username
    return (
        yield from device_srp_flow(
            ctx,
            device,
            user,
            response.get("Session"),
            client_metadata=client_metadata,
            now=now,
        )
    )


def _respond(
    ctx: ClientContext,
    challenge: str,
    username: str,
    answers: Mapping[str, str],
    session: str | None,
    metadata: Mapping[str, str],
) -> Call:
    payload: dict[str, Any] = {
        "ChallengeName": challenge,
        "ClientId": ctx.client_id,
        "ChallengeResponses": {"USERNAME": username, **answers, **ctx.secret_hash(username)},
    }
    if session:
        payload["Session"] = session
    if metadata:
        payload["ClientMetadata"] = dict(metadata)
    return idp("RespondToAuthChallenge", payload)


# ---------------------------------------------------------------------- the user's devices


def confirm_device_flow(
    access_token: str,
    new_device_metadata: Mapping[str, Any],
    device_name: str | None = None,
) -> Flow[tuple[RememberedDevice, bool]]:
    """ConfirmDevice for a sign-in's ``NewDeviceMetadata``: a random device password whose salt
    and verifier Cognito keeps. Returns the device to remember and ``UserConfirmationNecessary``
    (the pool remembers devices only when the user says so: see ``remember_device``)."""
    try:
        key = str(new_device_metadata["DeviceKey"])
        group = str(new_device_metadata["DeviceGroupKey"])
    except KeyError as missing:
        raise ProtocolError(f"NewDeviceMetadata without {missing}") from None
    secret = srp.new_device_secret(group, key)
    response = yield idp(
        "ConfirmDevice",
        {
            "AccessToken": access_token,
            "DeviceKey": key,
            "DeviceName": device_name or default_device_name(),
            "DeviceSecretVerifierConfig": {
                "PasswordVerifier": secret.verifier_b64,
                "Salt": secret.salt_b64,
            },
        },
    )
    device = RememberedDevice(key, group, secret.password)
    return device, response.get("UserConfirmationNecessary") is True


def update_device_status_flow(access_token: str, device_key: str, remembered: bool) -> Flow[None]:
    """UpdateDeviceStatus: remembered (it may sign in without MFA) or not."""
    status = "remembered" if remembered else "not_remembered"
    yield idp(
        "UpdateDeviceStatus",
        {"AccessToken": access_token, "DeviceKey": device_key, "DeviceRememberedStatus": status},
    )


def forget_device_flow(access_token: str, device_key: str) -> Flow[None]:
    """ForgetDevice: Cognito deletes the device (its tokens stop refreshing)."""
    yield idp("ForgetDevice", {"AccessToken": access_token, "DeviceKey": device_key})


def fetch_devices_flow(access_token: str) -> Flow[list[AuthDevice]]:
    """ListDevices, every page: the user's devices, oldest first."""
    found: list[AuthDevice] = []
    token: str | None = None
    while True:
        payload: dict[str, Any] = {"AccessToken": access_token, "Limit": PAGE}
        if token:
            payload["PaginationToken"] = token
        response = yield idp("ListDevices", payload)
        found += [AuthDevice.from_wire(item) for item in response.get("Devices") or []]
        following = response.get("PaginationToken")
        if not following or following == token:
            return found
        token = str(following)
