"""Users' MFA: software tokens, MFA preferences, and the MFA challenges after a correct password.

Operations: AssociateSoftwareToken and VerifySoftwareToken (with an AccessToken, or with the
Session of an MFA_SETUP challenge), SetUserMFAPreference, AdminSetUserMFAPreference, and the MFA
members of GetUser / AdminGetUser (``UserMFASettingList``, ``PreferredMfaSetting``), which this
module adds at the ``USER_DESCRIPTION`` extension point (:mod:`.hooks`).

Sign-in (:func:`after_password`, called by :mod:`.auth` once the password, and any
NEW_PASSWORD_REQUIRED, is done): a pool whose mode is OFF issues tokens. Otherwise the user's
usable methods are those switched on for them (a verified software token; SMS with a phone
number in a pool with SMS MFA; email with an address in a pool with email MFA). A preferred
usable method is challenged; a single one is challenged; several give SELECT_MFA_TYPE. With none:
an ON pool falls back to SMS (phone number) or email (address) when the pool has that factor, as
Cognito texts every user of a required-SMS pool, else MFA_SETUP; an OPTIONAL pool issues tokens.

Every challenge answers with a fresh Session in the same table as NEW_PASSWORD_REQUIRED's. A wrong
code leaves the Session usable until it expires (real Cognito lets a client retry, observed in
robor-systems/tokapi-beta#27); a correct answer consumes it. SMS and email codes go to the
outbox (purpose ``Authentication``) and live 3 minutes; only their SHA-256 is kept in the
session. A software-token code is accepted once (RFC 6238 §5.2): a code of a time step not later
than the last one accepted for the user is refused like a wrong one. TOTP secrets live in the
store's ``user_mfa`` table (keyed by the user's ``sub`` so a re-created user does not inherit
them) and never appear in a repr, log or message.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp import hooks, outbox, totp
from pyamplify.local.idp import pool_mfa as idp_pool_mfa
from pyamplify.local.idp.caller import Caller
from pyamplify.local.idp.challenges import answered_challenge, open_session
from pyamplify.local.idp.common import (
    authenticate_access_token,
    check_secret_hash,
    opt_str,
    pool_or_error,
    required_answer,
    str_param,
    user_or_error,
)
from pyamplify.local.idp.registry import OPERATIONS
from pyamplify.local.idp.tokens import Finish, sign_in_result
from pyamplify.local.store.userpools import UserRecord

SMS_MFA = "SMS_MFA"
SOFTWARE_TOKEN_MFA = "SOFTWARE_TOKEN_MFA"
EMAIL_OTP = "EMAIL_OTP"
#: UserMFASettingList order, and the order of MFAS_CAN_CHOOSE / MFAS_CAN_SETUP.
METHODS = (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP)
SELECT_MFA_TYPE = "SELECT_MFA_TYPE"
MFA_SETUP = "MFA_SETUP"
#: The challenges :func:`respond` answers (idp_auth dispatches these names here).
CHALLENGES = frozenset({*METHODS, SELECT_MFA_TYPE, MFA_SETUP})

#: Messages seen on real Cognito (reference §1; aws-samples/aws-amplify-auth-starters#15;
#: amazon-archives/amazon-cognito-identity-js#630; aws/aws-sdk-js-v3#4645; the TOTP guide).
MFA_CODE_MISMATCH = "Invalid code or auth state for the user."
TOTP_SETUP_MISMATCH = "Code mismatch and fail enable Software Token MFA"
TOTP_OFF_IN_POOL = "Software Token MFA has not been enabled by the userPool."
TOTP_NOT_FOUND = "Software Token MFA does not exist for the user."
#: SMS and email MFA codes are valid for 3 minutes (Cognito developer guide, MFA).
MFA_CODE_LIFETIME = 180.0
#: How an SMS or email code is recorded in the outbox (Cognito's trigger source suffix).
OUTBOX_PURPOSE = "Authentication"

_SETTINGS = (
    ("SMSMfaSettings", SMS_MFA),
    ("SoftwareTokenMfaSettings", SOFTWARE_TOKEN_MFA),
    ("EmailMfaSettings", EMAIL_OTP),
)
#: The ChallengeResponses key that carries each method's code.
_CODE_ANSWER = {
    SMS_MFA: "SMS_MFA_CODE",
    SOFTWARE_TOKEN_MFA: "SOFTWARE_TOKEN_MFA_CODE",
    EMAIL_OTP: "EMAIL_OTP_CODE",
}
#: Where SMS and email codes go.
_CONTACT = {SMS_MFA: "phone_number", EMAIL_OTP: "email"}
#: SELECT_MFA_TYPE answers: the model documents EMAIL_MFA, Amplify sends EMAIL_OTP.
_SELECT_ANSWERS = {
    SMS_MFA: SMS_MFA,
    SOFTWARE_TOKEN_MFA: SOFTWARE_TOKEN_MFA,
    EMAIL_OTP: EMAIL_OTP,
    "EMAIL_MFA": EMAIL_OTP,
}


def no_delivery_config(method: str) -> str:
    """Cognito's refusal to switch on a method the user cannot receive (aws-sdk-js-v3#4645)."""
    return f"User does not have delivery config set to turn on {method}"


# ---------------------------------------------------------------------- per-user state


@dataclass
class UserMfa:
    """One user's MFA state: which methods are on, the preferred one, the software token."""

    pool_id: str
    sub: str
    secret: str | None = field(default=None, repr=False)
    pending_secret: str | None = field(default=None, repr=False)
    device_name: str | None = None
    enabled: set[str] = field(default_factory=set)
    preferred: str | None = None

    def setting_list(self) -> list[str]:
        """``UserMFASettingList``: the methods switched on, in Cognito's order."""
        return [method for method in METHODS if method in self.enabled]


def load(backend: Backend, user: UserRecord) -> UserMfa:
    """The user's MFA state (all off for a user never configured)."""
    row = backend.store.get_user_mfa(user.pool_id, user.sub)
    state = UserMfa(user.pool_id, user.sub)
    if row is not None:
        state.secret, state.pending_secret, state.device_name = row[0], row[1], row[2]
        state.enabled = {method for method, on in zip(METHODS, row[3:6], strict=True) if on}
        state.preferred = row[6]
    return state


def save(backend: Backend, state: UserMfa) -> None:
    """Store the user's MFA state."""
    sms, software, email = (method in state.enabled for method in METHODS)
    backend.store.put_user_mfa(
        state.pool_id,
        state.sub,
        (
            state.secret,
            state.pending_secret,
            state.device_name,
            sms,
            software,
            email,
            state.preferred,
        ),
    )


# ---------------------------------------------------------------------- the pool's factors


@dataclass(frozen=True)
class PoolFactors:
    """The pool's MFA mode and which factors it offers."""

    mode: str
    sms: bool
    totp: bool
    email: bool

    def offers(self, method: str) -> bool:
        """Whether the pool offers ``method``."""
        return {SMS_MFA: self.sms, SOFTWARE_TOKEN_MFA: self.totp, EMAIL_OTP: self.email}[method]


def pool_factors(backend: Backend, pool: dict[str, Any]) -> PoolFactors:
    """Read the pool's MFA configuration (the same answer GetUserPoolMfaConfig gives)."""
    config = idp_pool_mfa.describe_mfa(backend, pool)
    totp_config = config.get("SoftwareTokenMfaConfiguration") or {}
    return PoolFactors(
        mode=str(config["MfaConfiguration"]),
        sms="SmsMfaConfiguration" in config,
        totp=totp_config.get("Enabled") is True,
        email="EmailMfaConfiguration" in config,
    )


def _can_receive(method: str, user: UserRecord, state: UserMfa) -> bool:
    if method == SOFTWARE_TOKEN_MFA:
        return state.secret is not None
    return bool(user.attributes.get(_CONTACT[method]))


def _usable(factors: PoolFactors, user: UserRecord, state: UserMfa) -> list[str]:
    """Methods the user has on and can receive; a verified token works even if the pool stopped
    offering TOTP (Cognito's TOTP guide says so); SMS and email need the pool's factor."""
    usable = []
    for method in METHODS:
        offered = method == SOFTWARE_TOKEN_MFA or factors.offers(method)
        if method in state.enabled and offered and _can_receive(method, user, state):
            usable.append(method)
    return usable


# ---------------------------------------------------------------------- sign-in


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def send_session_code(
    caller: Caller, user: UserRecord, attribute: str, destination: str | None = None
) -> dict[str, Any]:
    """Send a sign-in code (to the outbox, purpose ``Authentication``) that comes back as the
    answer to a Session's challenge: MFA codes, and USER_AUTH's EMAIL_OTP / SMS_OTP. Returns
    what the Session's state keeps of it: only its hash, and when it expires
    (:func:`check_session_code`)."""
    code = outbox.new_code()
    outbox.record(
        caller.backend,
        caller.pool,
        user,
        attribute,
        code,
        OUTBOX_PURPOSE,
        caller.client_id,
        destination=destination,
    )
    return {
        "code_hash": _code_hash(code),
        "code_expires_at": caller.backend.now() + MFA_CODE_LIFETIME,
    }


def check_session_code(backend: Backend, state: dict[str, Any], code: str) -> None:
    """Accept ``code`` against the Session state :func:`send_session_code` made: ExpiredCode
    once it expired, else CodeMismatch when it is not the code sent."""
    if backend.now() > float(state.get("code_expires_at", 0)):
        raise errors.ExpiredCodeException(errors.CODE_EXPIRED)
    if not hmac.compare_digest(_code_hash(code), str(state.get("code_hash"))):
        raise errors.CodeMismatchException(MFA_CODE_MISMATCH)


def choose_challenge(
    factors: PoolFactors, user: UserRecord, state: UserMfa, *, trusted_device: bool = False
) -> tuple[str, list[str]] | None:
    """The challenge after a correct password and its options, or ``None`` for tokens.

    ``trusted_device``: the sign-in is on a remembered device that proved itself, in a pool whose
    DeviceConfiguration.ChallengeRequiredOnNewDevice lets such devices go without MFA."""
    if factors.mode == "OFF" or trusted_device:
        return None
    methods = _usable(factors, user, state)
    if not methods and factors.mode == "ON":
        # Required MFA with nothing switched on: text (or e-mail) the contact the pool can use,
        # else have the user set a method up.
        fallback = [m for m in (SMS_MFA, EMAIL_OTP) if factors.offers(m)]
        methods = [m for m in fallback if _can_receive(m, user, state)][:1]
        if not methods:
            return MFA_SETUP, [method for method in METHODS if factors.offers(method)]
    if not methods:
        return None
    if state.preferred in methods:
        return str(state.preferred), [str(state.preferred)]
    if len(methods) == 1:
        return methods[0], methods
    return SELECT_MFA_TYPE, methods


def after_password(
    caller: Caller,
    user: UserRecord,
    *,
    source: str = "Authentication",
    finish: Finish = sign_in_result,
    trusted_device: bool = False,
    carry: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Tokens (``finish``), or the MFA challenge the pool's mode and the user's methods call for.

    ``source`` is the token-generation occasion when no challenge follows (``Authentication``,
    ``NewPasswordChallenge`` right after NEW_PASSWORD_REQUIRED, ``AuthenticateDevice`` after a
    device's SRP). ``trusted_device``: see :func:`choose_challenge`. ``carry`` is sign-in state
    (the device in use) that every MFA challenge keeps in its Session, for :func:`carried`.
    """
    if trusted_device or (caller.pool.get("MfaConfiguration") or "OFF") == "OFF":
        # No MFA: no extra query on the hot path.
        return finish(caller, user, source=source)
    state = load(caller.backend, user)
    choice = choose_challenge(pool_factors(caller.backend, caller.pool), user, state)
    if choice is None:
        return finish(caller, user, source=source)
    return _challenge(caller, user, state, *choice, carry=carry)


def carried(backend: Backend, session_id: str | None) -> dict[str, Any] | None:
    """The ``carry`` of the MFA challenge ``session_id`` names (read before it is answered)."""
    row = backend.store.peek_session(session_id) if session_id else None
    if row is None or row[0] not in CHALLENGES:
        return None
    carry = row[4].get("carry")
    return dict(carry) if isinstance(carry, dict) else None


def code_challenge(
    caller: Caller,
    user: UserRecord,
    method: str,
    *,
    enrol: tuple[str, str],
    carry: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An SMS or email code challenge that sets ``method`` up: the code goes to the contact
    ``enrol`` = ``(attribute, value)``, which a right answer stores (verified) on the user with
    ``method`` switched on (MFA_SETUP answered with an address, :mod:`.mfa_setup`)."""
    return _challenge(
        caller, user, load(caller.backend, user), method, [method], carry=carry, enrol=enrol
    )


def _challenge(
    caller: Caller,
    user: UserRecord,
    state: UserMfa,
    name: str,
    options: list[str],
    *,
    carry: dict[str, Any] | None = None,
    enrol: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """Issue challenge ``name`` with a new Session (and send the code for SMS / email, to the
    user's contact or to the one being set up, ``enrol``)."""
    parameters = {"USER_ID_FOR_SRP": user.username}
    session_state: dict[str, Any] = {"options": options}
    if carry is not None:
        session_state["carry"] = carry
    if name == SOFTWARE_TOKEN_MFA and state.device_name:
        parameters["FRIENDLY_DEVICE_NAME"] = state.device_name
    elif name in _CONTACT:
        attribute = _CONTACT[name]
        destination = user.attributes.get(attribute, "")
        if enrol is not None:
            destination = enrol[1]
            session_state["enrol"] = {"attribute": attribute, "value": destination}
        session_state.update(send_session_code(caller, user, attribute, destination))
        details = outbox.delivery_details(attribute, destination)
        parameters["CODE_DELIVERY_DELIVERY_MEDIUM"] = details["DeliveryMedium"]
        parameters["CODE_DELIVERY_DESTINATION"] = details["Destination"]
    elif name == SELECT_MFA_TYPE:
        parameters["MFAS_CAN_CHOOSE"] = json.dumps(options)
    elif name == MFA_SETUP:
        parameters["MFAS_CAN_SETUP"] = json.dumps(options)
    session = open_session(caller, name, user.username, session_state)
    return {"ChallengeName": name, "Session": session, "ChallengeParameters": parameters}


def respond(
    caller: Caller,
    challenge: str,
    responses: dict[str, str],
    session_id: str | None,
    finish: Finish = sign_in_result,
) -> dict[str, Any]:
    """(Admin)RespondToAuthChallenge for the MFA challenges: tokens (``finish``) or the next
    challenge."""
    typed = required_answer(responses, "USERNAME")
    check_secret_hash(caller.client, typed, responses.get("SECRET_HASH"))
    challenge_state = answered_challenge(caller, typed, session_id, CHALLENGES)
    kind, state, user = challenge_state.kind, challenge_state.state, challenge_state.known_user()
    if not user.enabled:
        raise errors.NotAuthorizedException(errors.USER_DISABLED)
    if kind != challenge:
        # Answering another challenge than the one issued (amplify-js#11069).
        raise errors.CodeMismatchException(MFA_CODE_MISMATCH)
    if kind == SELECT_MFA_TYPE:
        return _select(caller, user, responses, str(session_id), state)
    if kind == MFA_SETUP:
        if not state.get("verified"):
            raise errors.InvalidParameterException(
                "MFA setup is not complete: call AssociateSoftwareToken and VerifySoftwareToken "
                "with this Session first, then answer MFA_SETUP with the Session they return."
            )
    else:
        _check_code(
            caller.backend, user, kind, required_answer(responses, _CODE_ANSWER[kind]), state
        )
        if isinstance(state.get("enrol"), dict):
            _enrol(caller.backend, user, kind, state["enrol"])
    challenge_state.close(caller.backend)
    return finish(caller, user, source="Authentication")


def _check_code(
    backend: Backend, user: UserRecord, method: str, code: str, state: dict[str, Any]
) -> None:
    """Accept the answer to an SMS, email or TOTP challenge, or raise CodeMismatch."""
    if method == SOFTWARE_TOKEN_MFA:
        secret = load(backend, user).secret
        if secret is None:
            raise errors.SoftwareTokenMFANotFoundException(TOTP_NOT_FOUND)
        step = totp.matching_step(secret, code, backend.now())
        # A code is good once: a replay within its window is a mismatch, like a wrong code.
        if step is None or not backend.store.claim_totp_step(user.pool_id, user.sub, step):
            raise errors.CodeMismatchException(MFA_CODE_MISMATCH)
        return
    check_session_code(backend, state, code)
    if method == SMS_MFA and user.attributes.get("phone_number_verified") != "true":
        # "When a user successfully goes through the SMS MFA flow, their phone number is also
        # marked as verified" (Cognito developer guide, MFA).
        user.attributes["phone_number_verified"] = "true"
        user.modified = backend.now()
        backend.store.save_user(user)


def _select(
    caller: Caller,
    user: UserRecord,
    responses: dict[str, str],
    session_id: str,
    state: dict[str, Any],
) -> dict[str, Any]:
    answer = required_answer(responses, "ANSWER")
    method = _SELECT_ANSWERS.get(answer)
    if method is None or method not in state.get("options", []):
        raise errors.MFAMethodNotFoundException(
            f"The MFA method {answer[:40]} is not available to this user."
        )
    caller.backend.store.delete_session(session_id)
    carry = state.get("carry")
    return _challenge(caller, user, load(caller.backend, user), method, [method], carry=carry)


def _enrol(backend: Backend, user: UserRecord, method: str, enrol: dict[str, Any]) -> None:
    """A code sent to a contact being set up came back: the contact is the user's, verified, and
    ``method`` is switched on."""
    attribute, value = str(enrol["attribute"]), str(enrol["value"])
    user.attributes[attribute] = value
    user.attributes[f"{attribute}_verified"] = "true"
    user.modified = backend.now()
    backend.store.save_user(user)
    state = load(backend, user)
    state.enabled.add(method)
    save(backend, state)


# ---------------------------------------------------------------------- software tokens


@dataclass(frozen=True)
class _Setup:
    """A live MFA_SETUP challenge that AssociateSoftwareToken / VerifySoftwareToken continue."""

    session: str = field(repr=False)
    client: dict[str, Any] = field(repr=False)
    state: dict[str, Any] = field(repr=False)

    def advance(self, backend: Backend, pool: dict[str, Any], user: UserRecord, step: str) -> str:
        """Consume this Session and return the next one, remembering ``step`` as done."""
        backend.store.delete_session(self.session)
        state = {**self.state, step: True}
        caller = Caller(backend, pool, self.client)
        return open_session(caller, MFA_SETUP, user.username, state)


def _subject(
    backend: Backend, body: dict[str, Any]
) -> tuple[dict[str, Any], UserRecord, _Setup | None]:
    """The pool and user of an AccessToken, or of an MFA_SETUP Session (exactly one is given)."""
    token, session = opt_str(body, "AccessToken"), opt_str(body, "Session")
    if (token is None) == (session is None):
        raise errors.InvalidParameterException(
            "Give exactly one of AccessToken (a signed-in user) or Session (an MFA_SETUP "
            "challenge)."
        )
    if token is not None:
        pool, user, _claims = authenticate_access_token(backend, token)
        return pool, user, None
    row = backend.store.peek_session(str(session))
    if row is None or row[0] != MFA_SETUP or backend.now() > row[5]:
        raise errors.NotAuthorizedException(errors.INVALID_SESSION)
    _kind, pool_id, client_id, username, state, _expires = row
    found_pool = backend.store.get_pool(pool_id)
    client = backend.store.get_client(client_id)
    found_user = backend.store.get_user(pool_id, username)
    if found_pool is None or client is None or found_user is None or not found_user.enabled:
        raise errors.NotAuthorizedException(errors.INVALID_SESSION)
    return found_pool, found_user, _Setup(str(session), client, state)


@OPERATIONS.operation("AssociateSoftwareToken")
def associate_software_token(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AssociateSoftwareToken: a new secret, pending until VerifySoftwareToken accepts a code.

    With an AccessToken the answer has no Session (amazon-cognito-identity-js#627); with an
    MFA_SETUP Session it has the next one.
    """
    pool, user, setup = _subject(backend, body)
    if not pool_factors(backend, pool).totp:
        raise errors.SoftwareTokenMFANotFoundException(TOTP_OFF_IN_POOL)
    state = load(backend, user)
    state.pending_secret = totp.new_secret()
    save(backend, state)
    result: dict[str, Any] = {"SecretCode": state.pending_secret}
    if setup is not None:
        result["Session"] = setup.advance(backend, pool, user, "associated")
    return result


@OPERATIONS.operation("VerifySoftwareToken")
def verify_software_token(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """VerifySoftwareToken: a correct code makes the pending secret the user's token, switched on.

    A wrong code is ``EnableSoftwareTokenMFAException`` and changes nothing (a Session stays
    usable, so the client can retry: aws-amplify/amplify-flutter#4532). Without a pending secret
    the current token is checked again. The code is used up either way: a new token's codes
    start at its step, and the current token's code must be one not accepted before.
    """
    code = str_param(body, "UserCode")
    pool, user, setup = _subject(backend, body)
    state = load(backend, user)
    candidate = state.pending_secret or state.secret
    if candidate is None:
        raise errors.SoftwareTokenMFANotFoundException(TOTP_NOT_FOUND)
    step = totp.matching_step(candidate, code, backend.now())
    if step is None:
        raise errors.EnableSoftwareTokenMFAException(TOTP_SETUP_MISMATCH)
    if state.pending_secret is not None:
        backend.store.reset_totp_steps(user.pool_id, user.sub, step)
    elif not backend.store.claim_totp_step(user.pool_id, user.sub, step):
        raise errors.EnableSoftwareTokenMFAException(TOTP_SETUP_MISMATCH)
    state.secret, state.pending_secret = candidate, None
    state.device_name = opt_str(body, "FriendlyDeviceName") or state.device_name
    state.enabled.add(SOFTWARE_TOKEN_MFA)
    save(backend, state)
    result: dict[str, Any] = {"Status": "SUCCESS"}
    if setup is not None:
        result["Session"] = setup.advance(backend, pool, user, "verified")
    return result


# ---------------------------------------------------------------------- preferences


def _apply_preferences(backend: Backend, user: UserRecord, body: dict[str, Any]) -> None:
    """Switch methods on/off and set the preferred one; settings left out are kept."""
    state = load(backend, user)
    given = [(method, body[key]) for key, method in _SETTINGS if isinstance(body.get(key), dict)]
    if sum(1 for _, settings in given if settings.get("PreferredMfa") is True) > 1:
        raise errors.InvalidParameterException("Only one MFA method can be the preferred one.")
    for method, settings in given:
        enabled, preferred = settings.get("Enabled"), settings.get("PreferredMfa")
        if (enabled is True or preferred is True) and not _can_receive(method, user, state):
            raise errors.InvalidParameterException(no_delivery_config(method))
        if enabled is True or preferred is True:
            state.enabled.add(method)
        elif enabled is False:
            state.enabled.discard(method)
        if preferred is True:
            state.preferred = method
        elif state.preferred == method and (preferred is False or method not in state.enabled):
            state.preferred = None
    save(backend, state)


@OPERATIONS.operation("SetUserMFAPreference")
def set_user_mfa_preference(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """SetUserMFAPreference (the signed-in user, by AccessToken)."""
    _pool, user, _claims = authenticate_access_token(backend, str_param(body, "AccessToken"))
    _apply_preferences(backend, user, body)
    return {}


@OPERATIONS.operation("AdminSetUserMFAPreference")
def admin_set_user_mfa_preference(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminSetUserMFAPreference (SigV4)."""
    pool = pool_or_error(backend, str_param(body, "UserPoolId"))
    user = user_or_error(backend, pool, str_param(body, "Username"))
    _apply_preferences(backend, user, body)
    return {}


@hooks.USER_DESCRIPTION.register
def _describe_mfa(backend: Backend, user: UserRecord, answer: dict[str, Any]) -> None:
    """GetUser / AdminGetUser: ``UserMFASettingList`` / ``PreferredMfaSetting`` when set."""
    state = load(backend, user)
    if state.setting_list():
        answer["UserMFASettingList"] = state.setting_list()
    if state.preferred in state.enabled:
        answer["PreferredMfaSetting"] = state.preferred
