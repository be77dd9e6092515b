"""Remembered devices in sign-in: DEVICE_SRP_AUTH, the MFA they may skip, NewDeviceMetadata, and
the device a sign-in's tokens (and their refreshes) belong to.

In a pool that tracks devices (:mod:`.device_tracking`), once the password is right:

* a ``DEVICE_KEY`` the user does not have (never confirmed, forgotten, someone else's) is
  ``ResourceNotFoundException: Device does not exist.``; for SRP it is checked before the
  SECRET_BLOCK is used, so a client may drop the key and answer the same PASSWORD_VERIFIER
  again, as Amplify JS does (``retryOnResourceNotFoundException``);
* a remembered device must prove itself: ``DEVICE_SRP_AUTH`` (Session) answered with ``SRP_A``,
  then ``DEVICE_PASSWORD_VERIFIER`` (``SRP_B``, ``SALT``, ``SECRET_BLOCK``, ``USERNAME``)
  answered with a claim, checked with the same SRP engine as passwords (:mod:`pyamplify.srp`)
  where the pool name is the device group key, the user id the device key and the verifier the
  one ConfirmDevice registered. A wrong claim ends the sign-in (``Incorrect username or
  password.``). Then, when ``ChallengeRequiredOnNewDevice`` is set, no MFA: the device was the
  second factor; otherwise MFA as usual. Tokens issued right after the device's proof have the
  PreTokenGeneration source ``TokenGeneration_AuthenticateDevice``;
* a device confirmed but not remembered signs in with MFA as usual, no device SRP;
* no device key: MFA as usual, then a new device whose key and group key come back as
  ``AuthenticationResult.NewDeviceMetadata`` (every flow, admin ones included: AWS's developer
  guide says an admin sign-in "succeeds, but any call to refresh the access token fails", which
  is what an unconfirmed device's refresh does here).

The access token of a device's sign-in carries ``device_key``, and its token family belongs to
the device: a refresh must name it (REFRESH_TOKEN_AUTH's ``DEVICE_KEY``, GetTokensFromRefreshToken's
``DeviceKey``) and it must still be confirmed; otherwise ``NotAuthorizedException: Invalid
Refresh Token.``, what clients report for a missing or wrong key on device-tracking pools
(aws/aws-sdk-java#2841, aws-amplify/amplify-android#2506: "cognito mandates all new devices ...
to be confirmed ... otherwise they will not let the refresh token refresh"). A forgotten
device's tokens therefore stop refreshing (AWS's "Tracking and remembering devices" blog post).

The device a sign-in is on travels through its MFA challenges in their Sessions (the ``carry``
of :func:`pyamplify.local.idp.mfa.after_password`); while the sign-in's tokens are made, it is in
a context variable that the ``TOKEN_GENERATION`` and ``SIGN_IN_RESULT`` contributors below read.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from pyamplify import srp
from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp import hooks
from pyamplify.local.idp import mfa as idp_mfa
from pyamplify.local.idp.caller import Caller
from pyamplify.local.idp.challenges import OpenChallenge, answered_challenge, open_session
from pyamplify.local.idp.common import check_secret_hash, find_user, required_answer
from pyamplify.local.idp.device_tracking import (
    DEVICE_NOT_FOUND,
    confirmed_device_of,
    new_device,
    settings_of,
)
from pyamplify.local.idp.srp_flow import (
    ServerProof,
    claim_signed,
    parse_srp_a,
    timestamp_fresh,
)
from pyamplify.local.idp.tokens import Finish, family_of_refresh_token, sign_in_result
from pyamplify.local.store.devices import DeviceRecord
from pyamplify.local.store.userpools import UserRecord

DEVICE_SRP_AUTH = "DEVICE_SRP_AUTH"
DEVICE_PASSWORD_VERIFIER = "DEVICE_PASSWORD_VERIFIER"
#: The challenges :func:`respond` answers.
CHALLENGES = frozenset({DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER})
#: PreTokenGeneration's source after a device proved itself (``TokenGeneration_...``).
AUTHENTICATE_DEVICE = "AuthenticateDevice"


@dataclass
class _SignIn:
    """The device of the sign-in whose tokens are being made (``None``: a new one)."""

    device_key: str | None
    #: Set once a new device was made for it: ``NewDeviceMetadata``.
    new_device: dict[str, str] | None = None


_SIGNING: ContextVar[_SignIn | None] = ContextVar("pyamplify_local_device_sign_in", default=None)


@contextmanager
def _signing_on(device_key: str | None) -> Iterator[None]:
    token = _SIGNING.set(_SignIn(device_key))
    try:
        yield
    finally:
        _SIGNING.reset(token)


def on_device(finish: Finish, device_key: str | None) -> Finish:
    """``finish`` for a sign-in on ``device_key`` (``None``: on a device new to the pool)."""

    def finish_on_device(caller: Caller, user: UserRecord, *, source: str) -> dict[str, Any]:
        with _signing_on(device_key):
            return finish(caller, user, source=source)

    return finish_on_device


# ---------------------------------------------------------------------- after the password


def check_presented(caller: Caller, typed: str, device_key: str | None) -> None:
    """Before a PASSWORD_VERIFIER answer uses its SECRET_BLOCK: a device key the user does not
    have is ResourceNotFoundException (so the same answer may come again without it). An unknown
    user is left to the password check."""
    if not device_key or settings_of(caller.pool) is None:
        return
    user = find_user(caller.backend, caller.pool, typed)
    if user is not None:
        confirmed_device_of(caller.backend, user, device_key)


def after_password(
    caller: Caller,
    user: UserRecord,
    device_key: str | None,
    *,
    source: str = "Authentication",
    finish: Finish = sign_in_result,
) -> dict[str, Any]:
    """Once the password is right: DEVICE_SRP_AUTH for a remembered device, else the MFA
    decision (:func:`pyamplify.local.idp.mfa.after_password`) on this device or a new one."""
    if settings_of(caller.pool) is None:
        return idp_mfa.after_password(caller, user, source=source, finish=finish)
    device = confirmed_device_of(caller.backend, user, device_key) if device_key else None
    if device is not None and device.remembered:
        state = {"device_key": device.device_key}
        session = open_session(caller, DEVICE_SRP_AUTH, user.username, state)
        return {
            "ChallengeName": DEVICE_SRP_AUTH,
            "Session": session,
            # The internal username, which the answers and their SECRET_HASH use (Amplify JS
            # takes it from here after a USER_PASSWORD_AUTH start, where it knew only the alias).
            "ChallengeParameters": {"USERNAME": user.username},
        }
    key = device.device_key if device is not None else None
    return idp_mfa.after_password(
        caller,
        user,
        source=source,
        finish=on_device(finish, key),
        carry={"device_key": key} if key else None,
    )


def resume(caller: Caller, session_id: str | None) -> Finish:
    """The ``finish`` of an MFA challenge's answer: on the device its sign-in carries."""
    if settings_of(caller.pool) is None:
        return sign_in_result
    carry = idp_mfa.carried(caller.backend, session_id) or {}
    key = carry.get("device_key")
    return on_device(sign_in_result, key if isinstance(key, str) else None)


# ---------------------------------------------------------------------- device SRP


def respond(
    caller: Caller, challenge: str, responses: dict[str, str], session_id: str | None
) -> dict[str, Any]:
    """(Admin)RespondToAuthChallenge for DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER."""
    typed = required_answer(responses, "USERNAME")
    check_secret_hash(caller.client, typed, responses.get("SECRET_HASH"))
    device_key = required_answer(responses, "DEVICE_KEY")
    opened = answered_challenge(caller, typed, session_id, (challenge,))
    answer = _DeviceAnswer(opened, opened.known_user(), device_key, responses)
    if challenge == DEVICE_SRP_AUTH:
        return _device_password_verifier(caller, answer)
    return _device_claim(caller, answer)


@dataclass(frozen=True)
class _DeviceAnswer:
    """An answer to a device challenge: the challenge it opens, its user, the device it names."""

    opened: OpenChallenge
    user: UserRecord
    device_key: str
    responses: dict[str, str] = field(repr=False)


def _device_password_verifier(caller: Caller, answer: _DeviceAnswer) -> dict[str, Any]:
    """DEVICE_SRP_AUTH answered with ``SRP_A``: DEVICE_PASSWORD_VERIFIER, the session key derived
    now and kept (with its SECRET_BLOCK) in the next Session's state."""
    user, device_key = answer.user, answer.device_key
    if not user.enabled:
        raise errors.NotAuthorizedException(errors.USER_DISABLED)
    if device_key != answer.opened.state.get("device_key"):
        raise errors.NotAuthorizedException(errors.INVALID_SESSION)
    srp_a = required_answer(answer.responses, "SRP_A")
    parse_srp_a(srp_a)
    device = _remembered_device(caller.backend, user, device_key)
    answer.opened.close(caller.backend)
    proof = ServerProof.start(srp_a, int(str(device.verifier), 16))
    state = {"device_key": device_key, "key": proof.key.hex(), "block": proof.block}
    session = open_session(caller, DEVICE_PASSWORD_VERIFIER, user.username, state)
    return {
        "ChallengeName": DEVICE_PASSWORD_VERIFIER,
        "Session": session,
        "ChallengeParameters": {
            "SRP_B": proof.server.srp_b,
            "SALT": str(device.salt),
            "SECRET_BLOCK": proof.block,
            "USERNAME": user.username,
        },
    }


def _device_claim(caller: Caller, answer: _DeviceAnswer) -> dict[str, Any]:
    """DEVICE_PASSWORD_VERIFIER answered with a claim: checked (single use), then the MFA
    decision with the device as a second factor where the pool says so, then tokens."""
    user, device_key, responses = answer.user, answer.device_key, answer.responses
    block = required_answer(responses, "PASSWORD_CLAIM_SECRET_BLOCK")
    claim = srp.PasswordClaim(
        timestamp=required_answer(responses, "TIMESTAMP"),
        signature=required_answer(responses, "PASSWORD_CLAIM_SIGNATURE"),
    )
    answer.opened.close(caller.backend)  # one claim per proof: a wrong one ends this sign-in
    if not user.enabled:
        raise errors.NotAuthorizedException(errors.USER_DISABLED)
    device = _remembered_device(caller.backend, user, device_key)
    state = answer.opened.state
    valid = (
        device_key == state.get("device_key")
        and hmac.compare_digest(block, str(state.get("block")))
        and timestamp_fresh(caller.backend, claim.timestamp)
        and _signature_ok(state, claim, device.group_key, block, device_key)
    )
    if not valid:
        raise errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)
    caller.backend.store.device_authenticated(user.pool_id, device_key, caller.backend.now())
    settings = settings_of(caller.pool)
    return idp_mfa.after_password(
        caller,
        user,
        source=AUTHENTICATE_DEVICE,
        finish=on_device(sign_in_result, device_key),
        trusted_device=settings is not None and settings.challenge_required_on_new_device,
        carry={"device_key": device_key},
    )


def _remembered_device(backend: Backend, user: UserRecord, device_key: str) -> DeviceRecord:
    device = confirmed_device_of(backend, user, device_key)
    if not device.remembered or device.verifier is None or device.salt is None:
        raise errors.ResourceNotFoundException(DEVICE_NOT_FOUND)
    return device


def _signature_ok(
    state: dict[str, Any], claim: srp.PasswordClaim, group_key: str, block: str, device_key: str
) -> bool:
    """The claim signed with the session key: pool name := group key, user id := device key."""
    try:
        key = bytes.fromhex(str(state["key"]))
        return claim_signed(key, claim, pool_name=group_key, user_id=device_key, block=block)
    except (KeyError, ValueError):
        return False


# ---------------------------------------------------------------------- tokens and refresh


def check_refresh(caller: Caller, refresh_token: str, device_key: str | None) -> None:
    """A refresh of a device's sign-in must name that device, still confirmed."""
    if settings_of(caller.pool) is None:
        return
    origin = family_of_refresh_token(caller.backend, refresh_token)
    bound = caller.backend.store.family_device(origin) if origin else None
    if bound is None:
        return  # not a device's sign-in (or not a token of ours: the refresh refuses it)
    device = caller.backend.store.get_device(caller.pool_id, bound)
    if device_key != bound or device is None or not device.confirmed:
        raise errors.NotAuthorizedException(errors.INVALID_REFRESH_TOKEN)


@hooks.TOKEN_GENERATION.register
def _device_key_claim(backend: Backend, generation: hooks.TokenGeneration) -> None:
    """The access token's ``device_key``; a sign-in on a new device makes the device here, and
    every sign-in's token family is bound to its device."""
    if settings_of(generation.pool) is None:
        return
    origin = str(generation.access_claims.get("origin_jti") or "")
    signing = _SIGNING.get()
    if signing is None or generation.source == "RefreshTokens":
        key = backend.store.family_device(origin) if origin else None
    else:
        key = signing.device_key
        if key is None:
            device = new_device(backend, str(generation.pool["Id"]), generation.user)
            key = device.device_key
            signing.new_device = {"DeviceKey": key, "DeviceGroupKey": device.group_key}
        if origin:
            backend.store.bind_family_device(origin, key)
    if key:
        generation.access_claims["device_key"] = key


@hooks.SIGN_IN_RESULT.register
def _new_device_metadata(backend: Backend, sign_in: hooks.SignIn, result: dict[str, Any]) -> None:
    """``NewDeviceMetadata`` of a sign-in that made a new device."""
    signing = _SIGNING.get()
    if signing is not None and signing.new_device is not None:
        result["NewDeviceMetadata"] = dict(signing.new_device)
