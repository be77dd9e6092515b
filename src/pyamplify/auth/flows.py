"""Every Auth conversation with Cognito as a sans-I/O generator.

A flow yields :class:`~pyamplify.wire.Call` values and receives each call's JSON result through
``send()``; a Cognito error is thrown into it (``throw()``) at the ``yield`` so a flow can turn
an error into a next step (``UserNotConfirmedException`` -> ``CONFIRM_SIGN_UP``). The flow's
return value is its result. Flows hold no transport, store or lock: the drivers in
:mod:`pyamplify.auth.drivers` run them over a sync or an async transport, so ``Auth`` and
``AsyncAuth`` share every line here, and tests drive them with canned responses.

Sign-in is a chain of steps: ``sign_in_flow`` (InitiateAuth, and for SRP the
PASSWORD_VERIFIER answer) ends either in tokens or in a :class:`PendingChallenge`;
``confirm_sign_in_flow`` answers one challenge and ends the same way. MFA_SETUP is the one
challenge whose step varies (TOTP setup, e-mail setup or a choice between them); for TOTP setup
the flow calls AssociateSoftwareToken itself so the step carries the shared secret. New
challenges (device SRP, custom auth with SRP) are new entries in ``CHALLENGES`` or new branches
in these two functions.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType
from typing import Any, TypeVar

from pyamplify import srp
from pyamplify.auth.errors import AuthValidationError, UnsupportedChallengeError
from pyamplify.auth.results import (
    AMPLIFY_MFA_NAMES,
    COGNITO_MFA_NAMES,
    DONE,
    CodeDeliveryDetails,
    SignInNextStep,
    SignInResult,
    SignInStep,
    SignUpNextStep,
    SignUpResult,
    SignUpStep,
    TOTPSetupDetails,
)
from pyamplify.wire.call import Call, idp
from pyamplify.wire.errors import (
    PasswordResetRequiredException,
    ProtocolError,
    UserNotConfirmedException,
)

T = TypeVar("T")
#: A flow: yields calls, receives their results, returns ``T``.
Flow = Generator[Call, dict[str, Any], T]

USER_SRP_AUTH = "USER_SRP_AUTH"
USER_PASSWORD_AUTH = "USER_PASSWORD_AUTH"
#: Sign-in flows implemented so far (CUSTOM_AUTH and USER_AUTH come with MFA and devices).
SIGN_IN_FLOWS = (USER_SRP_AUTH, USER_PASSWORD_AUTH)


@dataclass(frozen=True, repr=False)
class ClientContext:
    """What every flow needs to know about the app client."""

    user_pool_id: str
    client_id: str
    client_secret: str | None = None

    def secret_hash(self, username: str) -> dict[str, str]:
        """``{"SECRET_HASH": ...}`` for ``username`` when the client has a secret, else ``{}``."""
        if not self.client_secret:
            return {}
        return {
            "SECRET_HASH": srp.compute_secret_hash(username, self.client_id, self.client_secret)
        }

    def __repr__(self) -> str:
        secret = ", client_secret=<secret>" if self.client_secret else ""
        return f"ClientContext({self.user_pool_id!r}, {self.client_id!r}{secret})"


def _optional(**fields: Any) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value}


def _attribute_list(attributes: Mapping[str, str] | None) -> list[dict[str, str]]:
    return [{"Name": name, "Value": str(value)} for name, value in (attributes or {}).items()]


# --------------------------------------------------------------------------- sign-up


def sign_up_flow(
    ctx: ClientContext,
    username: str,
    password: str | None,
    *,
    attributes: Mapping[str, str] | None = None,
    validation_data: Mapping[str, str] | None = None,
    client_metadata: Mapping[str, str] | None = None,
) -> Flow[SignUpResult]:
    """SignUp: create the user; the result says whether a confirmation code is needed."""
    payload: dict[str, Any] = {
        "ClientId": ctx.client_id,
        "Username": username,
        **_optional(
            Password=password,
            UserAttributes=_attribute_list(attributes),
            ValidationData=_attribute_list(validation_data),
            ClientMetadata=dict(client_metadata or {}),
            SecretHash=ctx.secret_hash(username).get("SECRET_HASH"),
        ),
    }
    response = yield idp("SignUp", payload)
    user_id = response.get("UserSub")
    if response.get("UserConfirmed"):
        return SignUpResult(True, SignUpNextStep(SignUpStep.DONE), user_id)
    details = CodeDeliveryDetails.from_wire(response.get("CodeDeliveryDetails"))
    return SignUpResult(False, SignUpNextStep(SignUpStep.CONFIRM_SIGN_UP, details), user_id)


def confirm_sign_up_flow(
    ctx: ClientContext,
    username: str,
    code: str,
    *,
    force_alias_creation: bool = False,
    client_metadata: Mapping[str, str] | None = None,
) -> Flow[SignUpResult]:
    """ConfirmSignUp with the code the user received."""
    payload: dict[str, Any] = {
        "ClientId": ctx.client_id,
        "Username": username,
        "ConfirmationCode": code,
        **_optional(
            ForceAliasCreation=force_alias_creation,
            ClientMetadata=dict(client_metadata or {}),
            SecretHash=ctx.secret_hash(username).get("SECRET_HASH"),
        ),
    }
    yield idp("ConfirmSignUp", payload)
    return SignUpResult(True, SignUpNextStep(SignUpStep.DONE))


def resend_sign_up_code_flow(
    ctx: ClientContext, username: str, *, client_metadata: Mapping[str, str] | None = None
) -> Flow[CodeDeliveryDetails | None]:
    """ResendConfirmationCode: send the sign-up code again."""
    payload: dict[str, Any] = {
        "ClientId": ctx.client_id,
        "Username": username,
        **_optional(
            ClientMetadata=dict(client_metadata or {}),
            SecretHash=ctx.secret_hash(username).get("SECRET_HASH"),
        ),
    }
    response = yield idp("ResendConfirmationCode", payload)
    return CodeDeliveryDetails.from_wire(response.get("CodeDeliveryDetails"))


# --------------------------------------------------------------------------- sign-in


@dataclass(frozen=True)
class ChallengeSpec:
    """How one Cognito challenge maps to an Amplify next step and which response key answers it."""

    step: SignInStep
    answer_key: str


CHALLENGES: Mapping[str, ChallengeSpec] = MappingProxyType(
    {
        "NEW_PASSWORD_REQUIRED": ChallengeSpec(
            SignInStep.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED, "NEW_PASSWORD"
        ),
        "SMS_MFA": ChallengeSpec(SignInStep.CONFIRM_SIGN_IN_WITH_SMS_CODE, "SMS_MFA_CODE"),
        "SMS_OTP": ChallengeSpec(SignInStep.CONFIRM_SIGN_IN_WITH_SMS_CODE, "SMS_OTP_CODE"),
        "EMAIL_OTP": ChallengeSpec(SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE, "EMAIL_OTP_CODE"),
        "SOFTWARE_TOKEN_MFA": ChallengeSpec(
            SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE, "SOFTWARE_TOKEN_MFA_CODE"
        ),
        "CUSTOM_CHALLENGE": ChallengeSpec(
            SignInStep.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE, "ANSWER"
        ),
        "SELECT_MFA_TYPE": ChallengeSpec(SignInStep.CONTINUE_SIGN_IN_WITH_MFA_SELECTION, "ANSWER"),
    }
)
#: MFA_SETUP has no fixed step: it depends on the factors the user may set up (see
#: :func:`_setup_step`), and its answer is a VerifySoftwareToken call or an e-mail address.
MFA_SETUP = "MFA_SETUP"
#: Factors Amplify JS v6 sets up during sign-in (an SMS factor needs a verified phone number,
#: which sign-in cannot provide, so Amplify offers only these two).
SETUP_TYPES = ("TOTP", "EMAIL")


@dataclass(frozen=True, repr=False)
class PendingChallenge:
    """A sign-in waiting for ``confirm_sign_in``: Cognito's challenge and its Session."""

    name: str
    parameters: Mapping[str, str]
    session: str | None
    #: The internal username (USER_ID_FOR_SRP) that answers and SECRET_HASH must use.
    username: str
    login_id: str
    auth_flow_type: str
    #: The next step this challenge was shown as (it varies only for MFA_SETUP).
    step: SignInStep | None = None
    #: MFA_SETUP: the factors the user may choose between (``TOTP``, ``EMAIL``).
    setup_types: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"PendingChallenge({self.name!r}, username={self.username!r})"


@dataclass(frozen=True, repr=False)
class SignInOutcome:
    """Where a sign-in step ended: tokens (``authentication`` set), a challenge, or neither
    (a next step such as CONFIRM_SIGN_UP that leaves the sign-in)."""

    result: SignInResult
    login_id: str
    auth_flow_type: str
    authentication: Mapping[str, Any] | None = None
    pending: PendingChallenge | None = None
    username: str | None = None
    extras: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def __repr__(self) -> str:
        return f"SignInOutcome({self.result.next_step.sign_in_step.value})"


def _leave(step: SignInStep, login_id: str, flow_type: str) -> SignInOutcome:
    return SignInOutcome(SignInResult(False, SignInNextStep(step)), login_id, flow_type)


def sign_in_flow(
    ctx: ClientContext,
    username: str,
    password: str | None,
    *,
    flow_type: str = USER_SRP_AUTH,
    client_metadata: Mapping[str, str] | None = None,
    now: Callable[[], datetime],
) -> Flow[SignInOutcome]:
    """InitiateAuth with the chosen flow; for SRP also answer PASSWORD_VERIFIER."""
    if flow_type not in SIGN_IN_FLOWS:
        raise AuthValidationError(
            f"sign-in flow {flow_type!r} is not supported; use one of: {', '.join(SIGN_IN_FLOWS)}"
        )
    if not username:
        raise AuthValidationError("sign_in needs a username")
    if not password:
        raise AuthValidationError(f"{flow_type} needs a password")
    metadata = dict(client_metadata or {})
    ephemeral = srp.new_client_ephemeral() if flow_type == USER_SRP_AUTH else None
    secret_params: dict[str, str] = (
        {"SRP_A": ephemeral.srp_a} if ephemeral is not None else {"PASSWORD": password}
    )
    auth_parameters = {"USERNAME": username, **secret_params, **ctx.secret_hash(username)}
    payload: dict[str, Any] = {
        "AuthFlow": flow_type,
        "ClientId": ctx.client_id,
        "AuthParameters": auth_parameters,
        **_optional(ClientMetadata=metadata),
    }
    try:
        response = yield idp("InitiateAuth", payload)
        if ephemeral is not None and response.get("ChallengeName") == "PASSWORD_VERIFIER":
            call = _password_verifier_call(ctx, ephemeral, password, response, metadata, now)
            response = yield call
    except UserNotConfirmedException:
        return _leave(SignInStep.CONFIRM_SIGN_UP, username, flow_type)
    except PasswordResetRequiredException:
        return _leave(SignInStep.RESET_PASSWORD, username, flow_type)
    outcome = _outcome(response, login_id=username, flow_type=flow_type, fallback_username=username)
    return (yield from _begin_totp_setup(ctx, outcome))


def _password_verifier_call(
    ctx: ClientContext,
    ephemeral: srp.ClientEphemeral,
    password: str,
    response: Mapping[str, Any],
    metadata: Mapping[str, str],
    now: Callable[[], datetime],
) -> Call:
    params = response.get("ChallengeParameters") or {}
    try:
        user_id = params["USER_ID_FOR_SRP"]
        claim = srp.password_claim(
            ephemeral,
            pool_name=srp.pool_name_of(ctx.user_pool_id),
            user_id=user_id,
            password=password,
            srp_b_hex=params["SRP_B"],
            salt_hex=params["SALT"],
            secret_block_b64=params["SECRET_BLOCK"],
            now=now(),
        )
    except KeyError as missing:
        raise ProtocolError(f"PASSWORD_VERIFIER challenge without {missing}") from None
    except srp.SrpError as error:
        raise ProtocolError(f"the server's SRP values are unsafe or malformed: {error}") from None
    answers = {
        "USERNAME": user_id,
        "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
        "PASSWORD_CLAIM_SIGNATURE": claim.signature,
        "TIMESTAMP": claim.timestamp,
        **ctx.secret_hash(user_id),
    }
    return idp(
        "RespondToAuthChallenge",
        {
            "ChallengeName": "PASSWORD_VERIFIER",
            "ClientId": ctx.client_id,
            "ChallengeResponses": answers,
            **_optional(Session=response.get("Session"), ClientMetadata=dict(metadata)),
        },
    )


def _json_list(text: str | None) -> tuple[str, ...]:
    import json

    if not text:
        return ()
    try:
        value = json.loads(text)
    except ValueError:
        return ()
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def _setup_step(setup_types: tuple[str, ...]) -> SignInStep:
    """The next step for MFA_SETUP, as Amplify JS v6 picks it from the settable factors."""
    if "TOTP" in setup_types and "EMAIL" in setup_types:
        return SignInStep.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION
    if "EMAIL" in setup_types:
        return SignInStep.CONTINUE_SIGN_IN_WITH_EMAIL_SETUP
    if "TOTP" in setup_types:
        return SignInStep.CONTINUE_SIGN_IN_WITH_TOTP_SETUP
    raise UnsupportedChallengeError(
        "Cognito asks to set up MFA, but offers only factors that cannot be set up during "
        f"sign-in ({', '.join(setup_types) or 'none'}); enable TOTP or email MFA on the pool, "
        "or give the user a verified phone number"
    )


def _outcome(
    response: Mapping[str, Any], *, login_id: str, flow_type: str, fallback_username: str
) -> SignInOutcome:
    authentication = response.get("AuthenticationResult")
    if authentication:
        return SignInOutcome(DONE, login_id, flow_type, authentication=authentication)
    name = str(response.get("ChallengeName"))
    params: Mapping[str, str] = response.get("ChallengeParameters") or {}
    setup_types: tuple[str, ...] = ()
    if name == MFA_SETUP:
        offered = (
            AMPLIFY_MFA_NAMES.get(item, item) for item in _mfa_list(params, "MFAS_CAN_SETUP")
        )
        setup_types = tuple(kind for kind in offered if kind in SETUP_TYPES)
        step_name = _setup_step(setup_types)
    elif name in CHALLENGES:
        step_name = CHALLENGES[name].step
    else:
        raise UnsupportedChallengeError(
            f"Cognito asked for the {name} challenge, which this version of pyamplify cannot "
            "answer yet; use another sign-in flow or change the pool's settings"
        )
    username = params.get("USER_ID_FOR_SRP") or params.get("USERNAME") or fallback_username
    pending = PendingChallenge(
        name=name,
        parameters=MappingProxyType(dict(params)),
        session=response.get("Session"),
        username=username,
        login_id=login_id,
        auth_flow_type=flow_type,
        step=step_name,
        setup_types=setup_types,
    )
    step = SignInNextStep(
        step_name,
        missing_attributes=tuple(
            attr.removeprefix("userAttributes.")
            for attr in _json_list(params.get("requiredAttributes"))
        ),
        code_delivery_details=CodeDeliveryDetails.from_wire(
            {
                "Destination": params.get("CODE_DELIVERY_DESTINATION"),
                "DeliveryMedium": params.get("CODE_DELIVERY_DELIVERY_MEDIUM"),
            }
            if "CODE_DELIVERY_DESTINATION" in params
            else None
        ),
        additional_info=MappingProxyType(dict(params))
        if name == "CUSTOM_CHALLENGE"
        else MappingProxyType({}),
        allowed_mfa_types=setup_types
        or tuple(
            AMPLIFY_MFA_NAMES.get(item, item) for item in _mfa_list(params, "MFAS_CAN_CHOOSE")
        ),
    )
    return SignInOutcome(
        SignInResult(False, step), login_id, flow_type, pending=pending, username=username
    )


def _mfa_list(params: Mapping[str, str], key: str) -> tuple[str, ...]:
    return _json_list(params.get(key))


def _with_step(
    outcome: SignInOutcome, pending: PendingChallenge, step: SignInNextStep
) -> SignInOutcome:
    return SignInOutcome(
        SignInResult(False, step),
        outcome.login_id,
        outcome.auth_flow_type,
        pending=pending,
        username=outcome.username,
    )


def _begin_totp_setup(ctx: ClientContext, outcome: SignInOutcome) -> Flow[SignInOutcome]:
    """For CONTINUE_SIGN_IN_WITH_TOTP_SETUP: AssociateSoftwareToken with the MFA_SETUP Session,
    so the next step carries the shared secret (as Amplify JS v6 does before returning)."""
    pending = outcome.pending
    if pending is None or pending.step is not SignInStep.CONTINUE_SIGN_IN_WITH_TOTP_SETUP:
        return outcome
    response = yield idp("AssociateSoftwareToken", {"Session": pending.session})
    secret = response.get("SecretCode")
    if not secret:
        raise ProtocolError("AssociateSoftwareToken answered without a SecretCode")
    pending = replace(pending, session=response.get("Session") or pending.session)
    details = TOTPSetupDetails(shared_secret=str(secret), username=pending.username)
    step = SignInNextStep(SignInStep.CONTINUE_SIGN_IN_WITH_TOTP_SETUP, totp_setup_details=details)
    return _with_step(outcome, pending, step)


def _respond(
    ctx: ClientContext,
    pending: PendingChallenge,
    answers: Mapping[str, str],
    client_metadata: Mapping[str, str] | None,
    session: str | None = None,
) -> Flow[SignInOutcome]:
    """RespondToAuthChallenge for ``pending`` with ``answers`` (USERNAME and SECRET_HASH added)."""
    payload: dict[str, Any] = {
        "ChallengeName": pending.name,
        "ClientId": ctx.client_id,
        "ChallengeResponses": {
            "USERNAME": pending.username,
            **answers,
            **ctx.secret_hash(pending.username),
        },
        **_optional(Session=session or pending.session, ClientMetadata=dict(client_metadata or {})),
    }
    response = yield idp("RespondToAuthChallenge", payload)
    outcome = _outcome(
        response,
        login_id=pending.login_id,
        flow_type=pending.auth_flow_type,
        fallback_username=pending.username,
    )
    return (yield from _begin_totp_setup(ctx, outcome))


def confirm_sign_in_flow(
    ctx: ClientContext,
    pending: PendingChallenge,
    challenge_response: str,
    *,
    attributes: Mapping[str, str] | None = None,
    client_metadata: Mapping[str, str] | None = None,
    friendly_device_name: str | None = None,
) -> Flow[SignInOutcome]:
    """RespondToAuthChallenge: answer the pending challenge with ``challenge_response``."""
    if not challenge_response:
        raise AuthValidationError(f"confirm_sign_in needs an answer to {pending.name}")
    if pending.name == MFA_SETUP:
        return (
            yield from _confirm_mfa_setup(
                ctx, pending, challenge_response, client_metadata, friendly_device_name
            )
        )
    spec = CHALLENGES[pending.name]
    answer = challenge_response
    if pending.name == "SELECT_MFA_TYPE":
        answer = COGNITO_MFA_NAMES.get(challenge_response.upper(), challenge_response)
    answers = {spec.answer_key: answer}
    for name, value in (attributes or {}).items():
        answers[f"userAttributes.{name}"] = str(value)
    return (yield from _respond(ctx, pending, answers, client_metadata))


def _confirm_mfa_setup(
    ctx: ClientContext,
    pending: PendingChallenge,
    challenge_response: str,
    client_metadata: Mapping[str, str] | None,
    friendly_device_name: str | None,
) -> Flow[SignInOutcome]:
    """The three MFA_SETUP steps: choose a factor, verify a TOTP code, or give an address."""
    outcome = SignInOutcome(
        SignInResult(False, SignInNextStep(SignInStep.DONE)),
        pending.login_id,
        pending.auth_flow_type,
        pending=pending,
        username=pending.username,
    )
    if pending.step is SignInStep.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION:
        choice = challenge_response.strip().upper()
        if choice not in pending.setup_types:
            raise AuthValidationError(
                f"{challenge_response!r} cannot be set up here; answer one of: "
                f"{', '.join(pending.setup_types)}"
            )
        step = _setup_step((choice,))
        chosen = replace(pending, step=step, setup_types=(choice,))
        return (
            yield from _begin_totp_setup(ctx, _with_step(outcome, chosen, SignInNextStep(step)))
        )
    if pending.step is SignInStep.CONTINUE_SIGN_IN_WITH_EMAIL_SETUP:
        return (yield from _respond(ctx, pending, {"EMAIL": challenge_response}, client_metadata))
    verify: dict[str, Any] = {
        "Session": pending.session,
        "UserCode": challenge_response.strip(),
        **_optional(FriendlyDeviceName=friendly_device_name),
    }
    verified = yield idp("VerifySoftwareToken", verify)
    if verified.get("Status") == "ERROR":
        raise ProtocolError("VerifySoftwareToken answered Status ERROR without an error code")
    return (yield from _respond(ctx, pending, {}, client_metadata, verified.get("Session")))


# --------------------------------------------------------------------------- tokens


def refresh_flow(
    ctx: ClientContext,
    refresh_token: str,
    *,
    device_key: str | None = None,
) -> Flow[dict[str, Any]]:
    """GetTokensFromRefreshToken, the call all three Amplify libraries now make.

    It takes the client secret itself (no SECRET_HASH, so no username is needed) and, when the
    app client rotates refresh tokens, answers with a new refresh token, which the caller stores
    in place of the old one (the old one stops working after the grace period).
    """
    payload: dict[str, Any] = {
        "RefreshToken": refresh_token,
        "ClientId": ctx.client_id,
        **_optional(ClientSecret=ctx.client_secret, DeviceKey=device_key),
    }
    response = yield idp("GetTokensFromRefreshToken", payload)
    result = response.get("AuthenticationResult")
    if not isinstance(result, dict) or "AccessToken" not in result or "IdToken" not in result:
        raise ProtocolError("the refresh answer has no AuthenticationResult with tokens")
    return result


def get_user_flow(access_token: str) -> Flow[dict[str, Any]]:
    """GetUser: the user's name and attributes."""
    return (yield idp("GetUser", {"AccessToken": access_token}))


def global_sign_out_flow(access_token: str) -> Flow[None]:
    """GlobalSignOut: revoke every token of the user, on every device."""
    yield idp("GlobalSignOut", {"AccessToken": access_token})


def revoke_token_flow(ctx: ClientContext, refresh_token: str) -> Flow[None]:
    """RevokeToken: revoke this refresh token and the access tokens issued from it."""
    payload = {
        "Token": refresh_token,
        "ClientId": ctx.client_id,
        **_optional(ClientSecret=ctx.client_secret),
    }
    yield idp("RevokeToken", payload)
