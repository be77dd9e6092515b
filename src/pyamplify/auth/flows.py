"""Every Auth conversation with Cognito as a sans-I/O generator.

A flow yields :class:`~pyamplify.wire.Call` values and receives each call's JSON result through
``send()``; a Cognito error is thrown into it (``throw()``) at the ``yield`` so a flow can turn
an error into a next step (``UserNotConfirmedException`` -> ``CONFIRM_SIGN_UP``). The flow's
return value is its result. Flows hold no transport, store or lock: the drivers in
:mod:`pyamplify.auth.drivers` run them over a sync or an async transport, so ``Auth`` and
``AsyncAuth`` share every line here, and tests drive them with canned responses.

Sign-in is a chain of steps: ``sign_in_flow`` (InitiateAuth, and for SRP the
PASSWORD_VERIFIER answer) ends either in tokens or in a :class:`PendingChallenge`;
``confirm_sign_in_flow`` answers one challenge and ends the same way. New challenges (MFA
setup, device SRP, custom auth with SRP) are new entries in ``CHALLENGES`` or new branches in
these two functions.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, TypeVar

from pyamplify import srp
from pyamplify.auth.errors import AuthValidationError, UnsupportedChallengeError
from pyamplify.auth.results import (
    DONE,
    CodeDeliveryDetails,
    SignInNextStep,
    SignInResult,
    SignInStep,
    SignUpNextStep,
    SignUpResult,
    SignUpStep,
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
#: Amplify's MFA type names -> Cognito's, for SELECT_MFA_TYPE answers (Amplify sends these).
_MFA_ANSWERS = {"SMS": "SMS_MFA", "TOTP": "SOFTWARE_TOKEN_MFA", "EMAIL": "EMAIL_OTP"}
_MFA_NAMES = {cognito: amplify for amplify, cognito in _MFA_ANSWERS.items()}
_MFA_NAMES["EMAIL_MFA"] = "EMAIL"


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
    return _outcome(response, login_id=username, flow_type=flow_type, fallback_username=username)


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


def _outcome(
    response: Mapping[str, Any], *, login_id: str, flow_type: str, fallback_username: str
) -> SignInOutcome:
    authentication = response.get("AuthenticationResult")
    if authentication:
        return SignInOutcome(DONE, login_id, flow_type, authentication=authentication)
    name = response.get("ChallengeName")
    params: Mapping[str, str] = response.get("ChallengeParameters") or {}
    spec = CHALLENGES.get(str(name))
    if spec is None:
        raise UnsupportedChallengeError(
            f"Cognito asked for the {name} challenge, which this version of pyamplify cannot "
            "answer yet; use another sign-in flow or change the pool's settings"
        )
    username = params.get("USER_ID_FOR_SRP") or params.get("USERNAME") or fallback_username
    pending = PendingChallenge(
        name=str(name),
        parameters=MappingProxyType(dict(params)),
        session=response.get("Session"),
        username=username,
        login_id=login_id,
        auth_flow_type=flow_type,
    )
    step = SignInNextStep(
        spec.step,
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
        allowed_mfa_types=tuple(
            _MFA_NAMES.get(item, item) for item in _json_list(params.get("MFAS_CAN_CHOOSE"))
        ),
    )
    return SignInOutcome(
        SignInResult(False, step), login_id, flow_type, pending=pending, username=username
    )


def confirm_sign_in_flow(
    ctx: ClientContext,
    pending: PendingChallenge,
    challenge_response: str,
    *,
    attributes: Mapping[str, str] | None = None,
    client_metadata: Mapping[str, str] | None = None,
) -> Flow[SignInOutcome]:
    """RespondToAuthChallenge: answer the pending challenge with ``challenge_response``."""
    if not challenge_response:
        raise AuthValidationError(f"confirm_sign_in needs an answer to {pending.name}")
    spec = CHALLENGES[pending.name]
    answer = challenge_response
    if pending.name == "SELECT_MFA_TYPE":
        answer = _MFA_ANSWERS.get(challenge_response, challenge_response)
    answers: dict[str, str] = {
        "USERNAME": pending.username,
        spec.answer_key: answer,
        **ctx.secret_hash(pending.username),
    }
    for name, value in (attributes or {}).items():
        answers[f"userAttributes.{name}"] = str(value)
    payload: dict[str, Any] = {
        "ChallengeName": pending.name,
        "ClientId": ctx.client_id,
        "ChallengeResponses": answers,
        **_optional(Session=pending.session, ClientMetadata=dict(client_metadata or {})),
    }
    response = yield idp("RespondToAuthChallenge", payload)
    return _outcome(
        response,
        login_id=pending.login_id,
        flow_type=pending.auth_flow_type,
        fallback_username=pending.username,
    )


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
