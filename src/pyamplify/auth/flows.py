"""Every Auth conversation with Cognito as a sans-I/O generator.

A flow yields :class:`~pyamplify.wire.Call` values, receives their results and has Cognito's
errors thrown in at the ``yield``; it holds no transport, store or lock, so ``Auth`` and
``AsyncAuth`` share every line and tests drive it with canned answers. Sign-in's next steps come
from one table, :data:`CHALLENGES` (a row per challenge: how it is shown, how it is answered), so
a new challenge is a row, not a branch. See docs/architecture.md ("Auth", "Auth: MFA").
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any, TypeVar

from pyamplify import srp
from pyamplify.auth.device_flows import continue_on_device, device_is_gone
from pyamplify.auth.device_store import RememberedDevice
from pyamplify.auth.errors import AuthValidationError, UnsupportedChallengeError
from pyamplify.auth.password_claim import claim_answers
from pyamplify.auth.refresh_support import RefreshFallback, lacks_operation
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
from pyamplify.errors import PyamplifyError
from pyamplify.wire.call import Call, idp
from pyamplify.wire.errors import (
    CognitoServiceError,
    PasswordResetRequiredException,
    ProtocolError,
    ResourceNotFoundException,
    RetryableError,
    UserNotConfirmedException,
)

T = TypeVar("T")
#: A flow: yields calls, receives their results, returns ``T``.
Flow = Generator[Call, dict[str, Any], T]

USER_SRP_AUTH = "USER_SRP_AUTH"
USER_PASSWORD_AUTH = "USER_PASSWORD_AUTH"
#: Custom authentication (the pool's Define/Create/VerifyAuthChallenge Lambda triggers), after
#: a password checked with SRP first, or from the first challenge (Amplify JS v6's names).
CUSTOM_WITH_SRP = "CUSTOM_WITH_SRP"
CUSTOM_WITHOUT_SRP = "CUSTOM_WITHOUT_SRP"
#: Choice-based sign-in: the first factor (password, one-time code, passkey) is chosen by
#: ``preferred_challenge`` or at the first-factor selection (:mod:`.user_auth_flows`).
USER_AUTH = "USER_AUTH"


@dataclass(frozen=True)
class FlowKind:
    """How one sign-in flow starts: its AuthFlow on the wire and what it sends."""

    auth_flow: str
    #: Whether the password is proved with SRP (SRP_A now, PASSWORD_VERIFIER next).
    srp: bool
    needs_password: bool
    #: AuthParameters beyond USERNAME, SRP_A / PASSWORD and SECRET_HASH.
    extra: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


#: The sign-in flows, by the name ``sign_in(flow=...)`` takes.
FLOWS: Mapping[str, FlowKind] = MappingProxyType(
    {
        USER_SRP_AUTH: FlowKind("USER_SRP_AUTH", srp=True, needs_password=True),
        USER_PASSWORD_AUTH: FlowKind("USER_PASSWORD_AUTH", srp=False, needs_password=True),
        CUSTOM_WITH_SRP: FlowKind(
            "CUSTOM_AUTH",
            srp=True,
            needs_password=True,
            extra=MappingProxyType({"CHALLENGE_NAME": "SRP_A"}),
        ),
        CUSTOM_WITHOUT_SRP: FlowKind("CUSTOM_AUTH", srp=False, needs_password=False),
        USER_AUTH: FlowKind("USER_AUTH", srp=False, needs_password=False),
    }
)
SIGN_IN_FLOWS = tuple(FLOWS)
#: A remembered device by the name of its user (internal username or login id), if any.
DeviceLookup = Callable[[str], "RememberedDevice | None"]

#: Configuration spellings (Amplify Swift/Android) of the custom flows.
_FLOW_ALIASES = {
    "CUSTOM_AUTH_WITH_SRP": CUSTOM_WITH_SRP,
    "CUSTOM_AUTH_WITHOUT_SRP": CUSTOM_WITHOUT_SRP,
}


def resolve_flow(flow: str, password: str | None) -> str:
    """The flow to run for ``flow`` (a name of :data:`FLOWS`, or a configuration spelling).

    ``CUSTOM_AUTH`` picks as Amplify JS and Flutter do: with a password, custom auth after SRP;
    without one, custom auth from the first challenge.
    """
    if flow == "CUSTOM_AUTH":
        return CUSTOM_WITH_SRP if password else CUSTOM_WITHOUT_SRP
    return _FLOW_ALIASES.get(flow, flow)


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
    result, _session = yield from confirm_sign_up_with_session_flow(
        ctx,
        username,
        code,
        force_alias_creation=force_alias_creation,
        client_metadata=client_metadata,
    )
    return result


def confirm_sign_up_with_session_flow(
    ctx: ClientContext,
    username: str,
    code: str,
    *,
    force_alias_creation: bool = False,
    client_metadata: Mapping[str, str] | None = None,
) -> Flow[tuple[SignUpResult, str | None]]:
    """ConfirmSignUp with the code; also returns the Session Cognito answers with, which signs
    the user in once with USER_AUTH (:mod:`.user_auth_flows`)."""
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
    response = yield idp("ConfirmSignUp", payload)
    returned = response.get("Session")
    result = SignUpResult(True, SignUpNextStep(SignUpStep.DONE))
    return result, returned if isinstance(returned, str) and returned else None


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


# --------------------------------------------------------------------------- sign-in state


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
    #: The remembered device this sign-in names (it proves itself if Cognito asks).
    device: RememberedDevice | None = None
    #: SELECT_CHALLENGE: Cognito's AvailableChallenges, and the password factor chosen
    #: (``PASSWORD`` / ``PASSWORD_SRP``) while the password is asked for.
    available_challenges: tuple[str, ...] = ()
    first_factor: str | None = None

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
    #: The name whose remembered device Cognito no longer knows (forgotten elsewhere): the
    #: sign-in went on without it, and the caller drops it.
    forgotten_device: str | None = None

    def __repr__(self) -> str:
        return f"SignInOutcome({self.result.next_step.sign_in_step.value})"


def _leave(step: SignInStep, login_id: str, flow_type: str) -> SignInOutcome:
    return SignInOutcome(SignInResult(False, SignInNextStep(step)), login_id, flow_type)


def _waiting(pending: PendingChallenge, step: SignInNextStep) -> SignInOutcome:
    """The outcome of a step that waits for ``confirm_sign_in`` to answer ``pending``."""
    return SignInOutcome(
        SignInResult(False, step),
        pending.login_id,
        pending.auth_flow_type,
        pending=pending,
        username=pending.username,
    )


# --------------------------------------------------------------------------- the challenge table


@dataclass(frozen=True)
class Shown:
    """How a challenge is shown to the caller: its next step, and what only some steps carry."""

    step: SignInStep
    #: MFA_SETUP: the factors that may be set up (the step's ``allowed_mfa_types`` too).
    setup_types: tuple[str, ...] = ()
    #: The step's ``additional_info`` (CUSTOM_CHALLENGE: the Lambda's public parameters).
    additional_info: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, repr=False)
class Reply:
    """What the caller gave ``confirm_sign_in`` (the text may be a new password)."""

    text: str
    attributes: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    friendly_device_name: str | None = None

    def __repr__(self) -> str:
        return "Reply(<hidden>)"


@dataclass(frozen=True, repr=False)
class SrpProof:
    """What answers the PASSWORD_VERIFIER an answer with ``SRP_A`` leads to."""

    ephemeral: srp.ClientEphemeral
    password: str


@dataclass(frozen=True, repr=False)
class Responses:
    """An answer to send with RespondToAuthChallenge: the ChallengeResponses (USERNAME and
    SECRET_HASH are added when it is sent) and the Session, when not the challenge's own.
    ``srp``: the answer carries ``SRP_A`` (choice-based PASSWORD_SRP), so the PASSWORD_VERIFIER
    it leads to is answered at once."""

    values: Mapping[str, str]
    session: str | None = None
    srp: SrpProof | None = None

    def __repr__(self) -> str:
        return f"Responses({sorted(self.values)})"


#: The first column: the challenge's ChallengeParameters -> how it is shown.
ShowRule = Callable[[Mapping[str, str]], Shown]
#: The second column: the caller's reply -> the answer to send. A flow, since an answer may need
#: a call first (MFA_SETUP's TOTP code is VerifySoftwareToken's); an outcome instead of
#: ``Responses`` is a step taken without telling Cognito (choosing the factor to set up).
AnswerBuilder = Callable[[PendingChallenge, Reply], Flow["Responses | SignInOutcome"]]


@dataclass(frozen=True)
class Transition:
    """One row of :data:`CHALLENGES`: how the challenge is shown and how it is answered."""

    shows: ShowRule
    answer: AnswerBuilder


def _shown_as(step: SignInStep) -> ShowRule:
    """A challenge that is always shown as ``step``."""
    shown = Shown(step)
    return lambda params: shown


def _as_given(text: str) -> str:
    return text


def _answer_with(key: str, convert: Callable[[str], str] = _as_given) -> AnswerBuilder:
    """An answer that is the reply under ``key`` (after ``convert``), with any
    ``userAttributes.<name>`` the caller gave."""

    def build(pending: PendingChallenge, reply: Reply) -> Flow[Responses | SignInOutcome]:
        yield from ()  # no call to make first
        attributes = {f"userAttributes.{n}": str(v) for n, v in reply.attributes.items()}
        return Responses({key: convert(reply.text), **attributes})

    return build


def _cognito_mfa_name(text: str) -> str:
    """SELECT_MFA_TYPE's answer: Cognito's name for the Amplify type chosen (any case)."""
    return COGNITO_MFA_NAMES.get(text.upper(), text)


def _custom_challenge_shown(params: Mapping[str, str]) -> Shown:
    """CUSTOM_CHALLENGE carries the Lambda's public parameters to the caller."""
    return Shown(
        SignInStep.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE,
        additional_info=MappingProxyType(dict(params)),
    )


#: MFA_SETUP has no fixed step: it depends on the factors the user may set up, and so does its
#: answer (a choice, an e-mail address, or a TOTP code verified first).
MFA_SETUP = "MFA_SETUP"
#: Factors Amplify JS v6 sets up during sign-in (an SMS factor needs a verified phone number,
#: which sign-in cannot provide, so Amplify offers only these two).
SETUP_TYPES = ("TOTP", "EMAIL")


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


def _mfa_setup_shown(params: Mapping[str, str]) -> Shown:
    """MFA_SETUP: the factors of ``MFAS_CAN_SETUP`` that sign-in can set up decide the step."""
    offered = (AMPLIFY_MFA_NAMES.get(item, item) for item in _mfa_list(params, "MFAS_CAN_SETUP"))
    setup_types = tuple(kind for kind in offered if kind in SETUP_TYPES)
    return Shown(_setup_step(setup_types), setup_types=setup_types)


def _choose_setup(pending: PendingChallenge, reply: Reply) -> Flow[Responses | SignInOutcome]:
    """CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION: the factor chosen becomes the next step;
    Cognito hears of it only with the setup's answer."""
    yield from ()  # no call
    choice = reply.text.strip().upper()
    if choice not in pending.setup_types:
        raise AuthValidationError(
            f"{reply.text!r} cannot be set up here; answer one of: {', '.join(pending.setup_types)}"
        )
    step = _setup_step((choice,))
    return _waiting(replace(pending, step=step, setup_types=(choice,)), SignInNextStep(step))


def _answer_email_setup(pending: PendingChallenge, reply: Reply) -> Flow[Responses | SignInOutcome]:
    """CONTINUE_SIGN_IN_WITH_EMAIL_SETUP: the reply is the address to send codes to."""
    yield from ()  # no call
    return Responses({"EMAIL": reply.text})


def _answer_totp_setup(pending: PendingChallenge, reply: Reply) -> Flow[Responses | SignInOutcome]:
    """CONTINUE_SIGN_IN_WITH_TOTP_SETUP: VerifySoftwareToken with the code, then MFA_SETUP is
    answered (USERNAME alone) with the Session VerifySoftwareToken returned."""
    verify: dict[str, Any] = {
        "Session": pending.session,
        "UserCode": reply.text.strip(),
        **_optional(FriendlyDeviceName=reply.friendly_device_name),
    }
    verified = yield idp("VerifySoftwareToken", verify)
    if verified.get("Status") == "ERROR":
        raise ProtocolError("VerifySoftwareToken answered Status ERROR without an error code")
    return Responses({}, session=verified.get("Session"))


#: MFA_SETUP's answer, by the step it was shown as.
SETUP_ANSWERS: Mapping[SignInStep, AnswerBuilder] = MappingProxyType(
    {
        SignInStep.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION: _choose_setup,
        SignInStep.CONTINUE_SIGN_IN_WITH_EMAIL_SETUP: _answer_email_setup,
        SignInStep.CONTINUE_SIGN_IN_WITH_TOTP_SETUP: _answer_totp_setup,
    }
)


def _answer_mfa_setup(pending: PendingChallenge, reply: Reply) -> Flow[Responses | SignInOutcome]:
    """MFA_SETUP: the answer of the step it was shown as (see :data:`SETUP_ANSWERS`)."""
    step = pending.step or SignInStep.CONTINUE_SIGN_IN_WITH_TOTP_SETUP
    return (yield from SETUP_ANSWERS[step](pending, reply))


#: Choice-based sign-in's first factors that take a password (asked for after the choice).
PASSWORD_FACTORS = ("PASSWORD", "PASSWORD_SRP")


def _first_factor_shown(params: Mapping[str, str]) -> Shown:
    """SELECT_CHALLENGE: the factors come with the response (``AvailableChallenges``), which
    :func:`_outcome` adds to the step."""
    return Shown(SignInStep.CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION)


def _answer_first_factor(
    pending: PendingChallenge, reply: Reply
) -> Flow[Responses | SignInOutcome]:
    """CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION: the reply names a factor. A password factor
    becomes CONFIRM_SIGN_IN_WITH_PASSWORD without telling Cognito (as Amplify JS v6 does); the
    password then answers SELECT_CHALLENGE with ``PASSWORD`` or ``SRP_A``. A code or passkey
    factor is the ANSWER (Cognito then sends the code, or the passkey challenge)."""
    yield from ()  # no call first
    if pending.step is SignInStep.CONFIRM_SIGN_IN_WITH_PASSWORD:
        if pending.first_factor == "PASSWORD":
            return Responses({"ANSWER": "PASSWORD", "PASSWORD": reply.text})
        ephemeral = srp.new_client_ephemeral()
        proof = SrpProof(ephemeral, reply.text)
        return Responses({"ANSWER": "PASSWORD_SRP", "SRP_A": ephemeral.srp_a}, srp=proof)
    choice = reply.text.strip().upper()
    if choice not in pending.available_challenges:
        raise AuthValidationError(
            f"{reply.text[:40]!r} is not an available first factor; answer one of: "
            f"{', '.join(pending.available_challenges)}"
        )
    if choice in PASSWORD_FACTORS:
        step = SignInStep.CONFIRM_SIGN_IN_WITH_PASSWORD
        chosen = replace(pending, step=step, first_factor=choice)
        return _waiting(chosen, SignInNextStep(step))
    return Responses({"ANSWER": choice})


def _passkey_shown(params: Mapping[str, str]) -> Shown:
    """WEB_AUTHN: the request options travel to whoever answers (normally the operation, with
    the passkey authenticator)."""
    options = params.get("CREDENTIAL_REQUEST_OPTIONS", "")
    return Shown(
        SignInStep.CONFIRM_SIGN_IN_WITH_PASSKEY,
        additional_info=MappingProxyType({"CREDENTIAL_REQUEST_OPTIONS": options}),
    )


#: Cognito challenge -> how it is shown and how the caller's reply answers it. A new challenge
#: is one row here (and its functions); ``_outcome`` and ``confirm_sign_in_flow`` only read it.
CHALLENGES: Mapping[str, Transition] = MappingProxyType(
    {
        "NEW_PASSWORD_REQUIRED": Transition(
            _shown_as(SignInStep.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED),
            _answer_with("NEW_PASSWORD"),
        ),
        "SMS_MFA": Transition(
            _shown_as(SignInStep.CONFIRM_SIGN_IN_WITH_SMS_CODE), _answer_with("SMS_MFA_CODE")
        ),
        "SMS_OTP": Transition(
            _shown_as(SignInStep.CONFIRM_SIGN_IN_WITH_SMS_CODE), _answer_with("SMS_OTP_CODE")
        ),
        "EMAIL_OTP": Transition(
            _shown_as(SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE), _answer_with("EMAIL_OTP_CODE")
        ),
        "SOFTWARE_TOKEN_MFA": Transition(
            _shown_as(SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE),
            _answer_with("SOFTWARE_TOKEN_MFA_CODE"),
        ),
        "CUSTOM_CHALLENGE": Transition(_custom_challenge_shown, _answer_with("ANSWER")),
        "SELECT_MFA_TYPE": Transition(
            _shown_as(SignInStep.CONTINUE_SIGN_IN_WITH_MFA_SELECTION),
            _answer_with("ANSWER", _cognito_mfa_name),
        ),
        MFA_SETUP: Transition(_mfa_setup_shown, _answer_mfa_setup),
        "SELECT_CHALLENGE": Transition(_first_factor_shown, _answer_first_factor),
        "WEB_AUTHN": Transition(_passkey_shown, _answer_with("CREDENTIAL")),
    }
)

#: Sign-in errors that are next steps rather than failures, as Amplify JS turns them.
ERROR_STEPS: Mapping[type[CognitoServiceError], SignInStep] = MappingProxyType(
    {
        UserNotConfirmedException: SignInStep.CONFIRM_SIGN_UP,
        PasswordResetRequiredException: SignInStep.RESET_PASSWORD,
    }
)
_NEXT_STEP_ERRORS = tuple(ERROR_STEPS)


def _transition_of(name: str) -> Transition:
    """The row for challenge ``name``, or the error that says it cannot be answered yet."""
    row = CHALLENGES.get(name)
    if row is None:
        raise UnsupportedChallengeError(
            f"Cognito asked for the {name} challenge, which this version of pyamplify cannot "
            "answer yet; use another sign-in flow or change the pool's settings"
        )
    return row


# --------------------------------------------------------------------------- sign-in flows


#: SRP exchanges a sign-in makes at most: a PASSWORD_VERIFIER answer that failed transiently
#: (5xx, a lost connection) is not repeated but the exchange is started afresh.
SRP_EXCHANGES = 3


def sign_in_flow(
    ctx: ClientContext,
    username: str,
    password: str | None,
    *,
    flow_type: str = USER_SRP_AUTH,
    client_metadata: Mapping[str, str] | None = None,
    now: Callable[[], datetime],
    devices: DeviceLookup | None = None,
    preferred_challenge: str | None = None,
    session: str | None = None,
) -> Flow[SignInOutcome]:
    """InitiateAuth with the chosen flow; for SRP also answer PASSWORD_VERIFIER. USER_AUTH
    (with ``preferred_challenge``, or ConfirmSignUp's ``session``) is
    :func:`~pyamplify.auth.user_auth_flows.user_auth_flow`'s.

    A password sign-in names the user's remembered device (``devices``), which then proves
    itself when Cognito asks (DEVICE_SRP_AUTH); a device Cognito no longer knows is dropped from
    the sign-in, which goes on without it (``forgotten_device`` says so)."""
    if flow_type == USER_AUTH:
        from pyamplify.auth.user_auth_flows import user_auth_flow

        return (
            yield from user_auth_flow(
                ctx,
                username,
                password,
                preferred_challenge=preferred_challenge,
                session=session,
                client_metadata=client_metadata,
                now=now,
            )
        )
    if preferred_challenge is not None:
        raise AuthValidationError("preferred_challenge needs flow='USER_AUTH'")
    flow_type = resolve_flow(flow_type, password)
    kind = FLOWS.get(flow_type)
    if kind is None:
        raise AuthValidationError(
            f"sign-in flow {flow_type!r} is not supported; use one of: {', '.join(SIGN_IN_FLOWS)}"
        )
    if not username:
        raise AuthValidationError("sign_in needs a username")
    if kind.needs_password and not password:
        raise AuthValidationError(f"{flow_type} needs a password")
    metadata = dict(client_metadata or {})
    lookup = devices if kind.needs_password else None
    device = lookup(username) if lookup is not None else None
    forgotten: str | None = None
    for exchange in range(1, SRP_EXCHANGES + 1):
        ephemeral = srp.new_client_ephemeral() if kind.srp else None
        secret_params: dict[str, str] = {}
        if ephemeral is not None:
            secret_params["SRP_A"] = ephemeral.srp_a
        elif password and kind.needs_password:
            secret_params["PASSWORD"] = password
        auth_parameters = {
            "USERNAME": username,
            **secret_params,
            **kind.extra,
            **ctx.secret_hash(username),
        }
        if device is not None and not kind.srp:  # USER_PASSWORD_AUTH names it at once
            auth_parameters["DEVICE_KEY"] = device.device_key
        payload: dict[str, Any] = {
            "AuthFlow": kind.auth_flow,
            "ClientId": ctx.client_id,
            "AuthParameters": auth_parameters,
            **_optional(ClientMetadata=metadata),
        }
        answered = False
        try:
            try:
                response = yield idp("InitiateAuth", payload)
            except ResourceNotFoundException as error:
                if "DEVICE_KEY" not in auth_parameters or not device_is_gone(error):
                    raise
                forgotten, device = username, None
                del auth_parameters["DEVICE_KEY"]
                response = yield idp("InitiateAuth", payload)
            verifier = response.get("ChallengeName") == "PASSWORD_VERIFIER"
            if ephemeral is not None and password is not None and verifier:
                params = response.get("ChallengeParameters") or {}
                user_id = str(params.get("USER_ID_FOR_SRP", ""))
                device = (lookup(user_id) if lookup is not None and user_id else None) or device
                call = _password_verifier_call(ctx, ephemeral, password, response, metadata, now)
                answered = True
                try:
                    response = yield _naming(call, device)
                except ResourceNotFoundException as error:
                    if device is None or not device_is_gone(error):
                        raise
                    # The same PASSWORD_VERIFIER answer again without the device (as Amplify
                    # does): a refused device leaves the secret block unspent.
                    forgotten, device = username, None
                    response = yield call
        except _NEXT_STEP_ERRORS as error:
            step = next(step for kind, step in ERROR_STEPS.items() if isinstance(error, kind))
            return _leave(step, username, flow_type)
        except RetryableError:
            # The PASSWORD_VERIFIER answer may have been used before its answer was lost: never
            # repeat it (its secret block is spent), start a fresh SRP exchange instead.
            if not answered or exchange == SRP_EXCHANGES:
                raise
            continue
        break
    response = yield from continue_on_device(
        ctx, response, device, username, client_metadata=metadata, now=now
    )
    outcome = _outcome(
        response, login_id=username, flow_type=flow_type, fallback_username=username, device=device
    )
    if forgotten is not None:
        outcome = replace(outcome, forgotten_device=forgotten)
    return (yield from _begin_totp_setup(outcome))


def _naming(call: Call, device: RememberedDevice | None) -> Call:
    """``call`` (a RespondToAuthChallenge) with the device's ``DEVICE_KEY`` among its answers."""
    if device is None:
        return call
    answers = {**call.payload["ChallengeResponses"], "DEVICE_KEY": device.device_key}
    return idp(call.operation, {**call.payload, "ChallengeResponses": answers})


def _password_verifier_call(
    ctx: ClientContext,
    ephemeral: srp.ClientEphemeral,
    password: str,
    response: Mapping[str, Any],
    metadata: Mapping[str, str],
    now: Callable[[], datetime],
) -> Call:
    params = response.get("ChallengeParameters") or {}
    user_id = params.get("USER_ID_FOR_SRP")
    if user_id is None:
        raise ProtocolError("PASSWORD_VERIFIER challenge without 'USER_ID_FOR_SRP'")
    answers = {
        "USERNAME": user_id,
        **claim_answers(
            ephemeral,
            "PASSWORD_VERIFIER",
            params,
            pool_name=srp.pool_name_of(ctx.user_pool_id),
            user_id=user_id,
            password=password,
            now=now(),
        ),
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


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _json_list(text: str | None) -> tuple[str, ...]:
    import json

    if not text:
        return ()
    try:
        value = json.loads(text)
    except ValueError:
        return ()
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def _mfa_list(params: Mapping[str, str], key: str) -> tuple[str, ...]:
    return _json_list(params.get(key))


def _outcome(
    response: Mapping[str, Any],
    *,
    login_id: str,
    flow_type: str,
    fallback_username: str,
    device: RememberedDevice | None = None,
) -> SignInOutcome:
    """Tokens, or the next step of the challenge Cognito answered with (its table row)."""
    authentication = response.get("AuthenticationResult")
    if authentication:
        return SignInOutcome(DONE, login_id, flow_type, authentication=authentication)
    name = str(response.get("ChallengeName"))
    params: Mapping[str, str] = response.get("ChallengeParameters") or {}
    shown = _transition_of(name).shows(params)
    available = tuple(str(item) for item in response.get("AvailableChallenges") or ())
    pending = PendingChallenge(
        name=name,
        parameters=MappingProxyType(dict(params)),
        session=response.get("Session"),
        username=params.get("USER_ID_FOR_SRP") or params.get("USERNAME") or fallback_username,
        login_id=login_id,
        auth_flow_type=flow_type,
        step=shown.step,
        setup_types=shown.setup_types,
        device=device,
        available_challenges=available,
    )
    step = SignInNextStep(
        shown.step,
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
        additional_info=shown.additional_info,
        allowed_mfa_types=shown.setup_types
        or tuple(
            AMPLIFY_MFA_NAMES.get(item, item) for item in _mfa_list(params, "MFAS_CAN_CHOOSE")
        ),
        available_challenges=available,
    )
    return _waiting(pending, step)


def _begin_totp_setup(outcome: SignInOutcome) -> Flow[SignInOutcome]:
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
    return _waiting(pending, step)


def _respond(
    ctx: ClientContext,
    pending: PendingChallenge,
    answer: Responses,
    client_metadata: Mapping[str, str] | None,
    now: Callable[[], datetime] | None = None,
) -> Flow[SignInOutcome]:
    """RespondToAuthChallenge for ``pending`` with ``answer`` (USERNAME and SECRET_HASH added);
    an answer with ``SRP_A`` also answers the PASSWORD_VERIFIER it leads to, and a remembered
    device asked to prove itself next does so at once."""
    payload: dict[str, Any] = {
        "ChallengeName": pending.name,
        "ClientId": ctx.client_id,
        "ChallengeResponses": {
            "USERNAME": pending.username,
            **answer.values,
            **ctx.secret_hash(pending.username),
        },
        **_optional(
            Session=answer.session or pending.session,
            ClientMetadata=dict(client_metadata or {}),
        ),
    }
    response = yield idp("RespondToAuthChallenge", payload)
    clock = now or _utc_now
    if answer.srp is not None and response.get("ChallengeName") == "PASSWORD_VERIFIER":
        metadata = dict(client_metadata or {})
        proof = answer.srp
        response = yield _password_verifier_call(
            ctx, proof.ephemeral, proof.password, response, metadata, clock
        )
    response = yield from continue_on_device(
        ctx, response, pending.device, pending.username, client_metadata=client_metadata, now=clock
    )
    outcome = _outcome(
        response,
        login_id=pending.login_id,
        flow_type=pending.auth_flow_type,
        fallback_username=pending.username,
        device=pending.device,
    )
    return (yield from _begin_totp_setup(outcome))


def confirm_sign_in_flow(
    ctx: ClientContext,
    pending: PendingChallenge,
    challenge_response: str,
    *,
    attributes: Mapping[str, str] | None = None,
    client_metadata: Mapping[str, str] | None = None,
    friendly_device_name: str | None = None,
    now: Callable[[], datetime] | None = None,
) -> Flow[SignInOutcome]:
    """Answer the pending challenge with ``challenge_response`` as its table row says (``now``:
    the clock of a remembered device's proof, when one follows)."""
    if not challenge_response:
        raise AuthValidationError(f"confirm_sign_in needs an answer to {pending.name}")
    reply = Reply(challenge_response, dict(attributes or {}), friendly_device_name)
    answer = yield from _transition_of(pending.name).answer(pending, reply)
    if isinstance(answer, SignInOutcome):  # a step taken here, Cognito not told
        return (yield from _begin_totp_setup(answer))
    return (yield from _respond(ctx, pending, answer, client_metadata, now))


# --------------------------------------------------------------------------- tokens


def refresh_flow(
    ctx: ClientContext,
    refresh_token: str,
    *,
    device_key: str | None = None,
    client_metadata: Mapping[str, str] | None = None,
    username: str | None = None,
    fallback: RefreshFallback | None = None,
) -> Flow[dict[str, Any]]:
    """GetTokensFromRefreshToken, the call all three Amplify libraries now make.

    It takes the client secret itself (no SECRET_HASH, so no username is needed) and, when the
    app client rotates refresh tokens, answers with a new refresh token, which the caller stores
    in place of the old one (the old one stops working after the grace period).

    ``client_metadata`` reaches the pre-token-generation trigger (Amplify JS v6's
    ``setTokenRefreshClientMetadata``).

    ``fallback`` (custom endpoints only, :mod:`~pyamplify.auth.refresh_support`): an endpoint
    that does not implement it is asked ``InitiateAuth REFRESH_TOKEN_AUTH`` instead (with the
    SECRET_HASH of ``username``), and remembered when that works.
    """
    if fallback is None or not fallback.known:
        payload: dict[str, Any] = {
            "RefreshToken": refresh_token,
            "ClientId": ctx.client_id,
            **_optional(
                ClientSecret=ctx.client_secret,
                DeviceKey=device_key,
                ClientMetadata=dict(client_metadata or {}),
            ),
        }
        try:
            response = yield idp("GetTokensFromRefreshToken", payload)
        except PyamplifyError as error:
            if fallback is None or not lacks_operation(error):
                raise
            try:
                result = yield from _refresh_token_auth(ctx, refresh_token, device_key, username)
            except PyamplifyError:
                raise error from None  # the probe failed too: report what happened first
            fallback.remember()
            return result
        return _authentication_result(response)
    return (yield from _refresh_token_auth(ctx, refresh_token, device_key, username))


def _refresh_token_auth(
    ctx: ClientContext, refresh_token: str, device_key: str | None, username: str | None
) -> Flow[dict[str, Any]]:
    """The older refresh: InitiateAuth REFRESH_TOKEN_AUTH (SECRET_HASH of the internal name)."""
    parameters = {
        "REFRESH_TOKEN": refresh_token,
        **(ctx.secret_hash(username) if username else {}),
        **_optional(DEVICE_KEY=device_key),
    }
    payload = {"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": ctx.client_id}
    response = yield idp("InitiateAuth", {**payload, "AuthParameters": parameters})
    return _authentication_result(response)


def _authentication_result(response: Mapping[str, Any]) -> dict[str, Any]:
    result = response.get("AuthenticationResult")
    if not isinstance(result, dict):  # tokens are checked by the caller, after it keeps a
        raise ProtocolError("the refresh answer has no AuthenticationResult")  # rotated one
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
