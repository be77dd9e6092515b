"""Sign-in: InitiateAuth, RespondToAuthChallenge (and their Admin twins), token refresh.

USER_SRP_AUTH is verified for real (:mod:`pyamplify.srp`): InitiateAuth computes ``B`` from a
fresh ``b`` and the stored verifier, derives the session key from the client's ``A`` right away
and keeps only that key server-side, under a random SECRET_BLOCK. The block is opaque to the
client, single use (taken from the store before anything is checked), bound to pool, client
and user, and lives for the client's AuthSessionValidity. As on AWS, PASSWORD_VERIFIER comes
with no Session.

Checks run in Cognito's order: client, flow allowed, SECRET_HASH, user exists (or, with
PreventUserExistenceErrors, a simulated challenge with a stable fake salt), disabled, not
confirmed (before any password check), lockout, password, then the user's status decides
between tokens and NEW_PASSWORD_REQUIRED.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

from pyamplify import srp
from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp import hooks, passwords
from pyamplify.local.idp import mfa as idp_mfa
from pyamplify.local.idp.accounts import check_attribute_values, missing_required
from pyamplify.local.idp.common import (
    auth_session_lifetime,
    check_attributes_exist,
    check_client_secret,
    check_secret_hash,
    client_or_error,
    find_user,
    pool_client_or_error,
    pool_or_error,
    prevents_user_existence_errors,
    str_map,
    str_param,
)
from pyamplify.local.idp.pools import effective_auth_flows
from pyamplify.local.idp.registry import OPERATIONS
from pyamplify.local.idp.srp_server import g_pow, new_server_ephemeral
from pyamplify.local.idp.tokens import (
    Finish,
    family_of_refresh_token,
    refresh_tokens,
    rotation_enabled,
    sign_in_result,
)
from pyamplify.local.store.userpools import UserRecord

_FLOW_GATES = {
    "USER_SRP_AUTH": "ALLOW_USER_SRP_AUTH",
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "REFRESH_TOKEN_AUTH": "ALLOW_REFRESH_TOKEN_AUTH",
    "REFRESH_TOKEN": "ALLOW_REFRESH_TOKEN_AUTH",
    "CUSTOM_AUTH": "ALLOW_CUSTOM_AUTH",
    "USER_AUTH": "ALLOW_USER_AUTH",
    "ADMIN_USER_PASSWORD_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
}
_ADMIN_ONLY_FLOWS = ("ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH")
_SECRET_BLOCK_BYTES = 64


def _required(params: dict[str, str], name: str) -> str:
    value = params.get(name)
    if not value:
        raise errors.InvalidParameterException(f"Missing required parameter {name}")
    return value


def _check_flow(client: dict[str, Any], flow: str) -> None:
    gate = _FLOW_GATES.get(flow)
    if gate is None or gate not in effective_auth_flows(client):
        raise errors.InvalidParameterException(f"{flow} flow not enabled for this client")


def _check_account(user: UserRecord) -> None:
    """The refusals that come before any password check."""
    if not user.enabled:
        raise errors.NotAuthorizedException(errors.USER_DISABLED)
    if user.status == "UNCONFIRMED":
        raise errors.UserNotConfirmedException(errors.USER_NOT_CONFIRMED)
    if user.status == "RESET_REQUIRED":
        raise errors.PasswordResetRequiredException(errors.PASSWORD_RESET_REQUIRED)


def _before_password_check(
    backend: Backend, pool: dict[str, Any], client: dict[str, Any], user: UserRecord
) -> None:
    """Let ``AUTHENTICATION`` contributors refuse a known user (Cognito's PreAuthentication)."""
    if hooks.AUTHENTICATION:
        sign_in = hooks.SignIn(pool, client, user)
        for contributor in hooks.AUTHENTICATION:
            contributor(backend, sign_in)


def _unknown_user(client: dict[str, Any]) -> errors.CognitoError:
    if prevents_user_existence_errors(client):
        return errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)
    return errors.UserNotFoundException(errors.USER_DOES_NOT_EXIST)


# ---------------------------------------------------------------------- after the password


def _after_password(
    backend: Backend,
    pool: dict[str, Any],
    client: dict[str, Any],
    user: UserRecord,
    finish: Finish = sign_in_result,
) -> dict[str, Any]:
    """NEW_PASSWORD_REQUIRED for a user still on a temporary password, else MFA or ``finish``."""
    now = backend.now()
    passwords.record_success(user)
    backend.store.save_user(user)
    if user.status == "FORCE_CHANGE_PASSWORD":
        validity_days = passwords.policy_of(pool)["TemporaryPasswordValidityDays"]
        if (
            user.password_set_at is not None
            and now > user.password_set_at + float(validity_days) * 86400
        ):
            raise errors.NotAuthorizedException(errors.TEMPORARY_PASSWORD_EXPIRED)
        session = secrets.token_urlsafe(96)
        backend.store.put_session(
            session,
            "NEW_PASSWORD_REQUIRED",
            pool["Id"],
            client["ClientId"],
            user.username,
            {},
            now + auth_session_lifetime(client),
        )
        required = [f"userAttributes.{name}" for name in missing_required(pool, user.attributes)]
        return {
            "ChallengeName": "NEW_PASSWORD_REQUIRED",
            "Session": session,
            "ChallengeParameters": {
                "USER_ID_FOR_SRP": user.username,
                "requiredAttributes": json.dumps(required),
                "userAttributes": json.dumps(user.attributes),
            },
        }
    return idp_mfa.after_password(backend, pool, client, user, finish=finish)


def _password_failure(backend: Backend, user: UserRecord) -> errors.CognitoError:
    passwords.record_failure(user, backend.now())
    backend.store.save_user(user)
    return errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)


# ---------------------------------------------------------------------- SRP


def _fake_salt_and_verifier(backend: Backend, pool_id: str, username: str) -> tuple[str, int]:
    """A stable salt (same per user name and pool, as AWS) and a verifier for a ghost user."""
    digest = hmac.new(backend.server_secret, f"{pool_id}/{username}".encode(), "sha256").digest()
    salt = srp.pad_hex(int.from_bytes(digest[:16], "big") or 1)
    return salt, g_pow(int.from_bytes(digest[16:], "big") | 1)


def _start_srp(
    backend: Backend,
    pool: dict[str, Any],
    client: dict[str, Any],
    typed_username: str,
    srp_a: str,
) -> dict[str, Any]:
    try:
        big_a = int(srp_a, 16)
    except ValueError:
        raise errors.InvalidParameterException("SRP_A must be a hexadecimal number.") from None
    if big_a % srp.N == 0:
        raise errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)
    user = find_user(backend, pool, typed_username)
    if user is None:
        if not prevents_user_existence_errors(client):
            raise errors.UserNotFoundException(errors.USER_DOES_NOT_EXIST)
        username, fake = typed_username, True
        salt, verifier = _fake_salt_and_verifier(backend, pool["Id"], typed_username)
    else:
        _check_account(user)
        _before_password_check(backend, pool, client, user)
        username, fake = user.username, False
        salt, verifier_or_none = user.salt or "", passwords.verifier_of(user)
        if verifier_or_none is None:
            raise errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)
        verifier = verifier_or_none
    server = new_server_ephemeral(verifier)
    try:
        key = srp.server_session_key(srp_a, server, verifier)
    except srp.SrpError:
        raise errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS) from None
    block = base64.b64encode(secrets.token_bytes(_SECRET_BLOCK_BYTES)).decode()
    state = {
        "key": key.hex(),
        "fake": fake,
        "verifier_hash": hashlib.sha256(format(verifier, "x").encode()).hexdigest(),
    }
    backend.store.put_session(
        block,
        "PASSWORD_VERIFIER",
        pool["Id"],
        client["ClientId"],
        username,
        state,
        backend.now() + auth_session_lifetime(client),
    )
    return {
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeParameters": {
            "SALT": salt,
            "SRP_B": server.srp_b,
            "SECRET_BLOCK": block,
            "USERNAME": username,
            "USER_ID_FOR_SRP": username,
        },
    }


def _timestamp_fresh(backend: Backend, text: str) -> bool:
    try:
        moment = srp.parse_timestamp(text)
    except srp.SrpError:
        return False
    now = datetime.fromtimestamp(backend.now(), timezone.utc)
    return srp.timestamp_is_fresh(moment, now, timedelta(seconds=backend.timestamp_tolerance))


def _password_verifier(
    backend: Backend, pool: dict[str, Any], client: dict[str, Any], responses: dict[str, str]
) -> dict[str, Any]:
    typed = _required(responses, "USERNAME")
    block = _required(responses, "PASSWORD_CLAIM_SECRET_BLOCK")
    signature = _required(responses, "PASSWORD_CLAIM_SIGNATURE")
    timestamp = _required(responses, "TIMESTAMP")
    check_secret_hash(client, typed, responses.get("SECRET_HASH"))
    taken = backend.store.take_session(block)
    if taken is None or taken[0] != "PASSWORD_VERIFIER":
        raise errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)
    _kind, pool_id, client_id, username, state, expires_at = taken
    if pool_id != pool["Id"] or client_id != client["ClientId"]:
        raise errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)
    if backend.now() > expires_at:
        raise errors.NotAuthorizedException(errors.INVALID_SESSION)
    if state.get("fake"):
        raise errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)
    user = find_user(backend, pool, typed)
    if user is None or user.username != username:
        raise errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)
    _check_account(user)
    if passwords.is_locked_out(user, backend.now()):
        raise errors.NotAuthorizedException(errors.PASSWORD_ATTEMPTS_EXCEEDED)
    current = hashlib.sha256((user.verifier or "").encode()).hexdigest()
    claim = srp.PasswordClaim(timestamp=timestamp, signature=signature)
    valid = (
        hmac.compare_digest(current, str(state.get("verifier_hash")))
        and _timestamp_fresh(backend, timestamp)
        and _signature_ok(pool, user, block, claim, bytes.fromhex(str(state["key"])))
    )
    if not valid:
        raise _password_failure(backend, user)
    return _after_password(backend, pool, client, user)


def _signature_ok(
    pool: dict[str, Any], user: UserRecord, block: str, claim: srp.PasswordClaim, key: bytes
) -> bool:
    try:
        return srp.verify_signature(
            key,
            claim,
            pool_name=srp.pool_name_of(pool["Id"]),
            user_id=user.username,
            secret_block_b64=block,
        )
    except srp.SrpError:
        return False


# ---------------------------------------------------------------------- password flows


def password_sign_in(
    backend: Backend,
    pool: dict[str, Any],
    client: dict[str, Any],
    typed: str,
    password: str,
    finish: Finish = sign_in_result,
) -> dict[str, Any]:
    """A sign-in with a typed name and password (USER_PASSWORD_AUTH; the Hosted UI's form):
    every check in Cognito's order, then a challenge or ``finish``."""
    user = find_user(backend, pool, typed)
    if user is None:
        raise _unknown_user(client)
    _check_account(user)
    _before_password_check(backend, pool, client, user)
    if passwords.is_locked_out(user, backend.now()):
        raise errors.NotAuthorizedException(errors.PASSWORD_ATTEMPTS_EXCEEDED)
    if not passwords.password_matches(pool["Id"], user, password):
        raise _password_failure(backend, user)
    return _after_password(backend, pool, client, user, finish)


def new_password_answer(
    backend: Backend,
    pool: dict[str, Any],
    client: dict[str, Any],
    responses: dict[str, str],
    session_id: str | None,
    finish: Finish = sign_in_result,
) -> dict[str, Any]:
    """The answer to NEW_PASSWORD_REQUIRED (API and Hosted UI): then MFA or ``finish``."""
    typed = _required(responses, "USERNAME")
    new_password = _required(responses, "NEW_PASSWORD")
    check_secret_hash(client, typed, responses.get("SECRET_HASH"))
    session = backend.store.peek_session(session_id) if session_id else None
    if session is None or session[0] != "NEW_PASSWORD_REQUIRED":
        raise errors.NotAuthorizedException(errors.INVALID_SESSION)
    _kind, pool_id, client_id, username, _state, expires_at = session
    user = find_user(backend, pool, typed)
    if (
        pool_id != pool["Id"]
        or client_id != client["ClientId"]
        or user is None
        or user.username != username
        or backend.now() > expires_at
    ):
        raise errors.NotAuthorizedException(errors.INVALID_SESSION)
    passwords.check_policy(pool, new_password)
    updates = {
        name.removeprefix("userAttributes."): value
        for name, value in responses.items()
        if name.startswith("userAttributes.")
    }
    check_attributes_exist(pool, updates)
    check_attribute_values(updates)
    attributes = {**user.attributes, **updates}
    missing = missing_required(pool, attributes)
    if missing:
        raise errors.InvalidParameterException(
            f"Attributes did not conform to the schema: {missing[0]}: The attribute is required"
        )
    backend.store.delete_session(str(session_id))
    user.attributes = attributes
    passwords.set_password(pool["Id"], user, new_password, backend.now())
    user.status = "CONFIRMED"
    backend.store.save_user(user)
    return idp_mfa.after_password(
        backend, pool, client, user, source="NewPasswordChallenge", finish=finish
    )


def _refresh_flow(
    backend: Backend, pool: dict[str, Any], client: dict[str, Any], params: dict[str, str]
) -> dict[str, Any]:
    token = _required(params, "REFRESH_TOKEN")
    if client.get("ClientSecret"):
        _check_refresh_secret_hash(backend, pool, client, token, params.get("SECRET_HASH"))
    result = refresh_tokens(backend, pool, client, token, rotate=False)
    return {"ChallengeParameters": {}, "AuthenticationResult": result}


def _check_refresh_secret_hash(
    backend: Backend,
    pool: dict[str, Any],
    client: dict[str, Any],
    token: str,
    secret_hash: str | None,
) -> None:
    """SECRET_HASH on refresh must use the token owner's *internal* username, as on AWS.

    That is the ``sub`` in pools with email or phone as username; a hash of the typed email or
    an alias is refused with "Unable to verify secret hash" (NabuCasa/pycognito#18).
    """
    origin = family_of_refresh_token(backend, token)
    family = backend.store.get_family(origin) if origin else None
    if family is None:
        raise errors.NotAuthorizedException(errors.INVALID_REFRESH_TOKEN)
    check_secret_hash(client, family[2], secret_hash)


# ---------------------------------------------------------------------- operations


def _initiate(
    backend: Backend, pool: dict[str, Any], client: dict[str, Any], body: dict[str, Any]
) -> dict[str, Any]:
    flow = str_param(body, "AuthFlow")
    params = str_map(body, "AuthParameters")
    _check_flow(client, flow)
    if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        return _refresh_flow(backend, pool, client, params)
    if flow == "CUSTOM_AUTH":
        raise errors.NotAuthorizedException(
            "Custom auth lambda trigger is not configured for the user pool."
        )
    if flow == "USER_AUTH":
        raise errors.UnsupportedOperationException(
            "The local Cognito does not implement the USER_AUTH flow yet; use USER_SRP_AUTH."
        )
    typed = _required(params, "USERNAME")
    if flow == "USER_SRP_AUTH":
        srp_a = _required(params, "SRP_A")
        check_secret_hash(client, typed, params.get("SECRET_HASH"))
        return _start_srp(backend, pool, client, typed, srp_a)
    password = _required(params, "PASSWORD")
    check_secret_hash(client, typed, params.get("SECRET_HASH"))
    return password_sign_in(backend, pool, client, typed, password)


@OPERATIONS.operation("InitiateAuth")
def initiate_auth(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """InitiateAuth (user plane, unsigned)."""
    client = client_or_error(backend, str_param(body, "ClientId"))
    pool = pool_or_error(backend, client["UserPoolId"])
    if body.get("AuthFlow") in _ADMIN_ONLY_FLOWS:
        raise errors.InvalidParameterException("Initiate Auth method not supported.")
    return _initiate(backend, pool, client, body)


@OPERATIONS.operation("AdminInitiateAuth")
def admin_initiate_auth(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminInitiateAuth (SigV4): also ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH."""
    pool, client = pool_client_or_error(
        backend, str_param(body, "UserPoolId"), str_param(body, "ClientId")
    )
    return _initiate(backend, pool, client, body)


def _respond(
    backend: Backend, pool: dict[str, Any], client: dict[str, Any], body: dict[str, Any]
) -> dict[str, Any]:
    challenge = str_param(body, "ChallengeName")
    responses = str_map(body, "ChallengeResponses")
    if challenge == "PASSWORD_VERIFIER":
        return _password_verifier(backend, pool, client, responses)
    if challenge == "NEW_PASSWORD_REQUIRED":
        session = body.get("Session") if isinstance(body.get("Session"), str) else None
        return new_password_answer(backend, pool, client, responses, session)
    if challenge in idp_mfa.CHALLENGES:
        session = body.get("Session") if isinstance(body.get("Session"), str) else None
        return idp_mfa.respond(backend, pool, client, challenge, responses, session)
    raise errors.InvalidParameterException(
        f"The local Cognito does not issue the {challenge} challenge, so it cannot answer it."
    )


@OPERATIONS.operation("RespondToAuthChallenge")
def respond_to_auth_challenge(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """RespondToAuthChallenge (user plane, unsigned)."""
    client = client_or_error(backend, str_param(body, "ClientId"))
    pool = pool_or_error(backend, client["UserPoolId"])
    return _respond(backend, pool, client, body)


@OPERATIONS.operation("AdminRespondToAuthChallenge")
def admin_respond_to_auth_challenge(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminRespondToAuthChallenge (SigV4)."""
    pool, client = pool_client_or_error(
        backend, str_param(body, "UserPoolId"), str_param(body, "ClientId")
    )
    return _respond(backend, pool, client, body)


@OPERATIONS.operation("GetTokensFromRefreshToken")
def get_tokens_from_refresh_token(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """GetTokensFromRefreshToken: rotates the refresh token when the client enables rotation."""
    client = client_or_error(backend, str_param(body, "ClientId"))
    pool = pool_or_error(backend, client["UserPoolId"])
    token = str_param(body, "RefreshToken")
    secret = body.get("ClientSecret")
    check_client_secret(client, secret if isinstance(secret, str) else None)
    _check_flow(client, "REFRESH_TOKEN_AUTH")
    result = refresh_tokens(backend, pool, client, token, rotate=rotation_enabled(client))
    return {"AuthenticationResult": result}
