"""Choice-based sign-in: the ``USER_AUTH`` flow, its first factors, and sign-in after sign-up.

InitiateAuth / AdminInitiateAuth with ``AuthFlow=USER_AUTH`` (reference §2; the model's
documentation of AuthParameters and ChallengeResponses):

- ``PREFERRED_CHALLENGE`` names the first factor: ``PASSWORD`` (with ``PASSWORD``),
  ``PASSWORD_SRP`` (with ``SRP_A``, answered by PASSWORD_VERIFIER), ``EMAIL_OTP`` or ``SMS_OTP``
  (a code goes to the outbox, CustomMessage source ``Authentication``; the next challenge takes
  it), ``WEB_AUTHN`` (``CREDENTIAL_REQUEST_OPTIONS``, answered with ``CREDENTIAL``).
- Without one, or when the preferred factor is not available to the user, the answer is
  ``SELECT_CHALLENGE`` with ``AvailableChallenges``; the choice (``ANSWER``) is made once (the
  Session is spent, as Amplify's own UI learnt: amplify-ui-android#285), and a password factor
  may carry its ``PASSWORD`` / ``SRP_A`` in the same answer.
- Available: the factors of the pool's ``SignInPolicy.AllowedFirstAuthFactors`` the user can
  use: a password (PASSWORD, PASSWORD_SRP), an e-mail address (EMAIL_OTP), a phone number
  (SMS_OTP), a registered passkey (WEB_AUTHN). The client needs ``ALLOW_USER_AUTH`` and the pool
  the Essentials tier or higher (``FeatureUnavailableInTierException`` on Lite).
- MFA as Cognito applies it: the pool's MFA factors are "additional factors ... for users who have
  passwords as their primary authentication factor" (developer guide, "Adding MFA to a user
  pool"), so after PASSWORD and PASSWORD_SRP the MFA decision of :mod:`.mfa` runs, and after a
  one-time code or a passkey tokens follow. A pool that requires MFA therefore offers no
  passwordless factor, except passkeys when its ``WebAuthnConfiguration.FactorConfiguration`` is
  ``MULTI_FACTOR_WITH_USER_VERIFICATION`` (a user-verified passkey then satisfies MFA, and user
  verification is required).
- A one-time code lives 3 minutes, as MFA codes do; a wrong code leaves the Session usable, an
  expired one is ``ExpiredCodeException``. A correct code marks the address or number verified
  ("when a user completes their first MFA, Amazon Cognito marks their email address or phone
  number as verified", developer guide, SMS and email MFA).
- The ``Session`` ConfirmSignUp returns signs the new user in with ``USER_AUTH``: "Amazon Cognito
  assumes the ... one-time verification password from ConfirmSignUp as the primary
  authentication factor ... only valid for users who have confirmed their sign-up and are signing
  in for the first time within the authentication flow session duration" (InitiateAuth.Session).
  It is used once, for the client's AuthSessionValidity, and gives tokens with no MFA (the first
  sign-in after confirmation gets tokens "even if your user pool requires MFA", "Adding MFA").

Account refusals follow the password flows (:mod:`.auth`): LEGACY clients hear them at the start,
PreventUserExistenceErrors clients after the factor passed; an unknown user then gets the same
challenges as a real one (no code is sent, no passkey can answer), which fail at the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp import device_auth, outbox
from pyamplify.local.idp import mfa as idp_mfa
from pyamplify.local.idp import webauthn as idp_webauthn
from pyamplify.local.idp.caller import Caller
from pyamplify.local.idp.challenges import OpenChallenge, answered_challenge, open_session
from pyamplify.local.idp.common import (
    auth_session_lifetime,
    check_secret_hash,
    find_user,
    prevents_user_existence_errors,
    required_answer,
)
from pyamplify.local.idp.tokens import sign_in_result
from pyamplify.local.store.userpools import UserRecord

SELECT_CHALLENGE = "SELECT_CHALLENGE"
PASSWORD = "PASSWORD"
PASSWORD_SRP = "PASSWORD_SRP"
EMAIL_OTP = "EMAIL_OTP"
SMS_OTP = "SMS_OTP"
WEB_AUTHN = idp_webauthn.WEB_AUTHN
#: The first factors, in the order ``AvailableChallenges`` lists them.
FACTORS = (PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP, WEB_AUTHN)
#: Sessions of the one-time-code factors (not the MFA challenges of the same names).
_OTP_KINDS = {EMAIL_OTP: "FIRST_FACTOR_EMAIL_OTP", SMS_OTP: "FIRST_FACTOR_SMS_OTP"}
_CONTACT = {EMAIL_OTP: "email", SMS_OTP: "phone_number"}
_CODE_ANSWER = {EMAIL_OTP: "EMAIL_OTP_CODE", SMS_OTP: "SMS_OTP_CODE"}
#: The Session ConfirmSignUp returns, good for one USER_AUTH sign-in.
SIGN_UP_KIND = "SIGN_UP_CONFIRMED"
#: Challenge names answered here; EMAIL_OTP too when its Session is a first factor's.
_ANSWERED = frozenset({SELECT_CHALLENGE, PASSWORD, PASSWORD_SRP, SMS_OTP, WEB_AUTHN})
NEEDS_ESSENTIALS = (
    "The USER_AUTH flow needs the Essentials or Plus feature plan; this user pool is on Lite."
)


@dataclass(frozen=True)
class PasswordSteps:
    """What choice-based sign-in borrows from the password flows (:mod:`.auth` passes them, as
    it imports this module): the password sign-in, the SRP start, the account refusals and the
    PreAuthentication extension point."""

    password_sign_in: Callable[[Caller, str, str], dict[str, Any]]
    start_srp: Callable[[Caller, str, str], dict[str, Any]]
    check_account: Callable[[UserRecord], None]
    before_sign_in: Callable[[Caller, UserRecord], None]


@dataclass(frozen=True)
class _Turn:
    """One call of a choice-based sign-in (InitiateAuth or an answer): the caller, the name
    typed, its AuthParameters or ChallengeResponses, and what it borrows from the password
    flows. Made once the SECRET_HASH fits the name."""

    caller: Caller
    typed: str
    params: dict[str, str] = field(repr=False)
    steps: PasswordSteps = field(repr=False)

    @classmethod
    def of(cls, caller: Caller, params: dict[str, str], steps: PasswordSteps) -> _Turn:
        """Read ``USERNAME`` and check the ``SECRET_HASH`` that goes with it."""
        typed = required_answer(params, "USERNAME")
        check_secret_hash(caller.client, typed, params.get("SECRET_HASH"))
        return cls(caller, typed, params, steps)


def _mfa_required(pool: dict[str, Any]) -> bool:
    return (pool.get("MfaConfiguration") or "OFF") == "ON"


def _passkey_party(backend: Backend, pool: dict[str, Any]) -> idp_webauthn.RelyingParty | None:
    try:
        return idp_webauthn.relying_party(backend, pool)
    except errors.WebAuthnConfigurationMissingException:
        return None


def available_factors(backend: Backend, pool: dict[str, Any], user: UserRecord | None) -> list[str]:
    """The first factors the pool allows and ``user`` can use (``None``: a user who does not
    exist, offered what the pool allows, so the list does not tell who exists)."""
    allowed = set(idp_webauthn.first_factors(pool))
    mfa_required = _mfa_required(pool)
    available = []
    for factor in FACTORS:
        if (PASSWORD if factor == PASSWORD_SRP else factor) not in allowed:
            continue
        if factor in (EMAIL_OTP, SMS_OTP) and mfa_required:
            continue
        if factor == WEB_AUTHN:
            party = _passkey_party(backend, pool)
            if party is None or (mfa_required and not party.satisfies_mfa):
                continue
        if user is None or _user_can_use(backend, pool, user, factor):
            available.append(factor)
    return available


def _user_can_use(backend: Backend, pool: dict[str, Any], user: UserRecord, factor: str) -> bool:
    if factor in (PASSWORD, PASSWORD_SRP):
        return user.verifier is not None
    if factor in _CONTACT:
        return bool(user.attributes.get(_CONTACT[factor]))
    return idp_webauthn.has_passkeys(backend, pool, user)


# ---------------------------------------------------------------------- InitiateAuth


def start(
    caller: Caller, params: dict[str, str], session: str | None, steps: PasswordSteps
) -> dict[str, Any]:
    """InitiateAuth(USER_AUTH): the preferred factor's challenge, SELECT_CHALLENGE, or (with
    ConfirmSignUp's Session) tokens."""
    backend, pool, client = caller.backend, caller.pool, caller.client
    if pool.get("UserPoolTier") == "LITE":
        raise errors.FeatureUnavailableInTierException(NEEDS_ESSENTIALS)
    turn = _Turn.of(caller, params, steps)
    if session is not None:
        return _sign_in_after_sign_up(caller, turn.typed, session)
    preferred = params.get("PREFERRED_CHALLENGE")
    if preferred is not None and preferred not in FACTORS:
        raise errors.InvalidParameterException(
            f"PREFERRED_CHALLENGE must be one of {', '.join(FACTORS)}."
        )
    user = find_user(backend, pool, turn.typed)
    if user is None and not prevents_user_existence_errors(client):
        raise errors.UserNotFoundException(errors.USER_DOES_NOT_EXIST)
    if user is not None and not prevents_user_existence_errors(client):
        steps.check_account(user)
    available = available_factors(backend, pool, user)
    if preferred in available:
        return _begin(turn, user, str(preferred))
    return _select(caller, turn.typed, user, available)


def _select(
    caller: Caller, typed: str, user: UserRecord | None, available: list[str]
) -> dict[str, Any]:
    if not available:
        raise errors.NotAuthorizedException(
            "The user has no sign-in method this user pool allows (no password, e-mail "
            "address, phone number or passkey among its first factors)."
        )
    name = user.username if user else typed
    state = {"available": available, "user_not_found": user is None}
    session = open_session(caller, SELECT_CHALLENGE, name, state)
    return {
        "ChallengeName": SELECT_CHALLENGE,
        "Session": session,
        "ChallengeParameters": {"USERNAME": name},
        "AvailableChallenges": available,
    }


def _begin(turn: _Turn, user: UserRecord | None, factor: str) -> dict[str, Any]:
    """Start ``factor`` (the password factors run to their end here)."""
    caller, typed, steps = turn.caller, turn.typed, turn.steps
    if factor == PASSWORD:
        return steps.password_sign_in(caller, typed, required_answer(turn.params, "PASSWORD"))
    if factor == PASSWORD_SRP:
        return steps.start_srp(caller, typed, required_answer(turn.params, "SRP_A"))
    if user is not None:
        steps.before_sign_in(caller, user)
    name = user.username if user else typed
    if factor == WEB_AUTHN:
        options, state = idp_webauthn.request_options(
            caller.backend, caller.pool, user, auth_session_lifetime(caller.client)
        )
        state["user_not_found"] = user is None
        session = open_session(caller, WEB_AUTHN, name, state)
        return {
            "ChallengeName": WEB_AUTHN,
            "Session": session,
            "ChallengeParameters": {"USERNAME": name, "CREDENTIAL_REQUEST_OPTIONS": options},
        }
    return _send_code(caller, typed, user, factor)


def _send_code(caller: Caller, typed: str, user: UserRecord | None, factor: str) -> dict[str, Any]:
    """EMAIL_OTP / SMS_OTP: a code to the outbox (none for a user who does not exist)."""
    attribute = _CONTACT[factor]
    state: dict[str, Any] = {"user_not_found": user is None}
    if user is not None:
        destination = user.attributes.get(attribute, "")
        state.update(idp_mfa.send_session_code(caller, user, attribute))
    else:
        destination = typed if "@" in typed or attribute == "phone_number" else f"{typed}@x.com"
    details = outbox.delivery_details(attribute, destination)
    name = user.username if user else typed
    session = open_session(caller, _OTP_KINDS[factor], name, state)
    return {
        "ChallengeName": factor,
        "Session": session,
        "ChallengeParameters": {
            "USERNAME": name,
            "CODE_DELIVERY_DELIVERY_MEDIUM": details["DeliveryMedium"],
            "CODE_DELIVERY_DESTINATION": details["Destination"],
        },
    }


def _on_new_device(caller: Caller, user: UserRecord) -> dict[str, Any]:
    """Tokens for a passwordless factor. A pool that tracks devices gives the sign-in a new device
    (``NewDeviceMetadata``), as it does every sign-in that names none: no client remembers a
    device through USER_AUTH, whose factors take no ``DEVICE_KEY``."""
    return device_auth.on_device(sign_in_result, None)(caller, user, source="Authentication")


# ---------------------------------------------------------------------- sign-up's Session


def sign_up_session(caller: Caller, user: UserRecord) -> str:
    """The Session ConfirmSignUp returns: one USER_AUTH sign-in of the confirmed user."""
    return open_session(caller, SIGN_UP_KIND, user.username, {})


def _sign_in_after_sign_up(caller: Caller, typed: str, session: str) -> dict[str, Any]:
    challenge = answered_challenge(caller, typed, session, (SIGN_UP_KIND,))
    user = challenge.known_user()
    challenge.close(caller.backend)
    if user.status != "CONFIRMED" or not user.enabled:
        raise errors.NotAuthorizedException(errors.INVALID_SESSION)
    return _on_new_device(caller, user)


# ---------------------------------------------------------------------- RespondToAuthChallenge


def answers(backend: Backend, challenge: str, session: str | None) -> bool:
    """Whether ``challenge`` (with its Session) is a choice-based sign-in step answered here."""
    if challenge in _ANSWERED:
        return True
    if challenge == EMAIL_OTP and session:
        row = backend.store.peek_session(session)
        return row is not None and row[0] == _OTP_KINDS[EMAIL_OTP]
    return False


def respond(
    caller: Caller,
    challenge: str,
    responses: dict[str, str],
    session: str | None,
    steps: PasswordSteps,
) -> dict[str, Any]:
    """(Admin)RespondToAuthChallenge for a choice-based step."""
    turn = _Turn.of(caller, responses, steps)
    if challenge in (SELECT_CHALLENGE, PASSWORD, PASSWORD_SRP):
        choice = challenge
        if challenge == SELECT_CHALLENGE:
            choice = required_answer(responses, "ANSWER")
        return _choose(turn, session, choice)
    if challenge == WEB_AUTHN:
        return _answer_passkey(turn, session)
    return _answer_code(turn, session, challenge)


def _choose(turn: _Turn, session: str | None, answer: str) -> dict[str, Any]:
    caller = turn.caller
    selection = answered_challenge(
        caller, turn.typed, session, (SELECT_CHALLENGE,), allow_unknown_user=True
    )
    available = list(selection.state.get("available", []))
    if answer not in available:
        raise errors.InvalidParameterException(
            f"ANSWER must be one of the AvailableChallenges: {', '.join(available)}."
        )
    selection.close(caller.backend)
    return _begin(turn, selection.user, answer)


def _after_factor(caller: Caller, user: UserRecord, steps: PasswordSteps) -> dict[str, Any]:
    """A passwordless factor passed: the account refusals PreventUserExistenceErrors held back,
    then tokens."""
    if prevents_user_existence_errors(caller.client):
        if user.status == "RESET_REQUIRED":
            raise errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)
        steps.check_account(user)
    elif not user.enabled:  # disabled while the challenge was open
        raise errors.NotAuthorizedException(errors.USER_DISABLED)
    return _on_new_device(caller, user)


def _answer_code(turn: _Turn, session: str | None, challenge: str) -> dict[str, Any]:
    caller = turn.caller
    backend = caller.backend
    kinds = tuple(_OTP_KINDS.values())
    opened = answered_challenge(caller, turn.typed, session, kinds, allow_unknown_user=True)
    if opened.kind != _OTP_KINDS[challenge]:
        raise errors.CodeMismatchException(idp_mfa.MFA_CODE_MISMATCH)
    code = required_answer(turn.params, _CODE_ANSWER[challenge])
    user = _check_code(backend, opened, code)
    opened.close(backend)
    attribute = _CONTACT[challenge]
    if user.attributes.get(f"{attribute}_verified") != "true":
        user.attributes[f"{attribute}_verified"] = "true"
        user.modified = backend.now()
        backend.store.save_user(user)
    return _after_factor(caller, user, turn.steps)


def _check_code(backend: Backend, opened: OpenChallenge, code: str) -> UserRecord:
    state = opened.state
    if opened.user is None:  # nobody was sent a code
        raise errors.CodeMismatchException(idp_mfa.MFA_CODE_MISMATCH)
    idp_mfa.check_session_code(backend, state, code)
    return opened.user


def _answer_passkey(turn: _Turn, session: str | None) -> dict[str, Any]:
    caller = turn.caller
    opened = answered_challenge(caller, turn.typed, session, (WEB_AUTHN,), allow_unknown_user=True)
    credential = required_answer(turn.params, "CREDENTIAL")
    # One assertion per challenge: spent before it is checked, so a failed or replayed
    # answer needs a new challenge.
    opened.close(caller.backend)
    if opened.user is None:
        raise errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)
    user = opened.user
    idp_webauthn.verify_assertion(
        caller.backend,
        caller.pool,
        user,
        opened.state,
        credential,
        require_user_verification=_mfa_required(caller.pool),
    )
    return _after_factor(caller, user, turn.steps)
