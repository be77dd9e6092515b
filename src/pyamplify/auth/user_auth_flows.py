"""Choice-based sign-in (``USER_AUTH``) and sign-in right after sign-up, as sans-I/O flows.

As Amplify JS v6 (``handleUserAuthFlow.ts``, ``signInWithUserAuth.ts``) does it:
InitiateAuth(USER_AUTH) with ``USERNAME`` and, when a first factor is preferred,
``PREFERRED_CHALLENGE``: ``PASSWORD`` also sends the password, ``PASSWORD_SRP`` sends ``SRP_A``
and answers the PASSWORD_VERIFIER that follows; ``EMAIL_OTP`` / ``SMS_OTP`` lead to the code
steps (CONFIRM_SIGN_IN_WITH_EMAIL_CODE / _SMS_CODE), ``WEB_AUTHN`` to the passkey challenge.
Without a preference Cognito answers SELECT_CHALLENGE (CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION,
the table row in :mod:`.flows`). With ConfirmSignUp's ``Session`` the same InitiateAuth signs a
just-confirmed user in (Amplify's ``autoSignIn`` for USER_AUTH). ConfirmSignUp's Session is read by
:func:`.flows.confirm_sign_up_with_session_flow`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from pyamplify import srp
from pyamplify.auth.errors import AuthValidationError
from pyamplify.auth.flows import (
    _NEXT_STEP_ERRORS,
    ERROR_STEPS,
    PASSWORD_FACTORS,
    USER_AUTH,
    ClientContext,
    Flow,
    SignInOutcome,
    _begin_totp_setup,
    _leave,
    _optional,
    _outcome,
    _password_verifier_call,
)
from pyamplify.wire.call import idp

#: The first factors ``preferred_challenge`` may name (Amplify JS's AuthFactorType).
FIRST_FACTORS = ("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN")
#: Friendlier spellings accepted for ``preferred_challenge`` (CLI ``--passwordless email``).
_ALIASES = {"EMAIL": "EMAIL_OTP", "SMS": "SMS_OTP", "PASSKEY": "WEB_AUTHN", "SRP": "PASSWORD_SRP"}


def preferred_factor(name: str | None) -> str | None:
    """``name`` as USER_AUTH's PREFERRED_CHALLENGE (any case; ``email``, ``sms``, ``passkey``)."""
    if name is None:
        return None
    factor = name.strip().upper().replace("-", "_")
    factor = _ALIASES.get(factor, factor)
    if factor not in FIRST_FACTORS:
        raise AuthValidationError(
            f"preferred_challenge {name[:40]!r} is not a first factor; use one of: "
            f"{', '.join(FIRST_FACTORS)}"
        )
    return factor


def user_auth_flow(
    ctx: ClientContext,
    username: str,
    password: str | None,
    *,
    preferred_challenge: str | None,
    session: str | None,
    client_metadata: Mapping[str, str] | None,
    now: Callable[[], datetime],
) -> Flow[SignInOutcome]:
    """InitiateAuth(USER_AUTH), and PASSWORD_VERIFIER when the preferred factor is SRP."""
    if not username:
        raise AuthValidationError("sign_in needs a username")
    preferred = preferred_factor(preferred_challenge)
    if preferred in PASSWORD_FACTORS and not password:
        raise AuthValidationError(f"preferred_challenge {preferred} needs a password")
    parameters: dict[str, str] = {"USERNAME": username}
    ephemeral: srp.ClientEphemeral | None = None
    if preferred == "PASSWORD" and password:
        parameters["PASSWORD"] = password
    elif preferred == "PASSWORD_SRP":
        ephemeral = srp.new_client_ephemeral()
        parameters["SRP_A"] = ephemeral.srp_a
    if preferred is not None:
        parameters["PREFERRED_CHALLENGE"] = preferred
    metadata = dict(client_metadata or {})
    payload: dict[str, Any] = {
        "AuthFlow": USER_AUTH,
        "ClientId": ctx.client_id,
        "AuthParameters": {**parameters, **ctx.secret_hash(username)},
        **_optional(Session=session, ClientMetadata=metadata),
    }
    try:
        response = yield idp("InitiateAuth", payload)
        verifier = response.get("ChallengeName") == "PASSWORD_VERIFIER"
        if ephemeral is not None and password is not None and verifier:
            response = yield _password_verifier_call(
                ctx, ephemeral, password, response, metadata, now
            )
    except _NEXT_STEP_ERRORS as error:
        step = next(step for kind, step in ERROR_STEPS.items() if isinstance(error, kind))
        return _leave(step, username, USER_AUTH)
    outcome = _outcome(response, login_id=username, flow_type=USER_AUTH, fallback_username=username)
    return (yield from _begin_totp_setup(outcome))
