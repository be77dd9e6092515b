"""Sign-in: InitiateAuth, RespondToAuthChallenge (and their Admin twins), token refresh.

Flows: USER_SRP_AUTH (the password proved with SRP, :mod:`.srp_flow`), USER_PASSWORD_AUTH and
ADMIN_USER_PASSWORD_AUTH (the password itself; a user this pool does not know may be moved in
by the ``USER_MIGRATION`` provider), CUSTOM_AUTH (:mod:`.custom_auth`), USER_AUTH (choice-based,
:mod:`.user_auth`), and the refresh flows.
After the password: NEW_PASSWORD_REQUIRED for a temporary password, then MFA (:mod:`.mfa`),
then tokens.

Checks run in Cognito's order: client, flow allowed, SECRET_HASH, user exists, lockout,
password, then the account itself (disabled, unconfirmed, reset required). A client with
PreventUserExistenceErrors ENABLED hears about the account only after a correct password and
otherwise the generic ``Incorrect username or password.``, and an unknown user costs the same
work as a wrong password (a ghost verifier), so neither answers nor timing say who exists.
LEGACY clients hear the account refusals first, as AWS answers them (an unconfirmed user with a
wrong password gets ``UserNotConfirmedException``, aws/aws-sdk-js#4608).
"""

from __future__ import annotations

import json
from typing import Any

from pyamplify import srp
from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp import custom_auth, device_auth, hooks, mfa_setup, passwords, user_auth
from pyamplify.local.idp import mfa as idp_mfa
from pyamplify.local.idp.accounts import check_attribute_values, create_user, missing_required
from pyamplify.local.idp.caller import Caller
from pyamplify.local.idp.challenges import answered_challenge, open_session
from pyamplify.local.idp.common import (
    check_attributes_exist,
    check_client_secret,
    check_secret_hash,
    find_user,
    opt_str,
    prevents_user_existence_errors,
    required_answer,
    str_map,
    str_param,
)
from pyamplify.local.idp.pools import effective_auth_flows
from pyamplify.local.idp.registry import OPERATIONS
from pyamplify.local.idp.srp_flow import (
    Prover,
    check_password_claim,
    ghost_salt_and_verifier,
    issue_password_verifier,
    parse_srp_a,
)
from pyamplify.local.idp.srp_server import make_verifier
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


def _check_flow(client: dict[str, Any], flow: str) -> None:
    gate = _FLOW_GATES.get(flow)
    if gate is None or gate not in effective_auth_flows(client):
        raise errors.InvalidParameterException(f"{flow} flow not enabled for this client")


def _check_account(user: UserRecord) -> None:
    """The refusals about the account itself (disabled, unconfirmed, reset required)."""
    if not user.enabled:
        raise errors.NotAuthorizedException(errors.USER_DISABLED)
    if user.status == "UNCONFIRMED":
        raise errors.UserNotConfirmedException(errors.USER_NOT_CONFIRMED)
    if user.status == "RESET_REQUIRED":
        raise errors.PasswordResetRequiredException(errors.PASSWORD_RESET_REQUIRED)


def _account_checks_first(client: dict[str, Any]) -> bool:
    """LEGACY clients hear the account refusals before the password is checked."""
    return not prevents_user_existence_errors(client)


def _checks_after_password(client: dict[str, Any], user: UserRecord) -> None:
    """With PreventUserExistenceErrors, the account refusals once the password was right
    (an imported user waiting for a reset never had a password to be right about)."""
    if _account_checks_first(client):
        return
    if user.status == "RESET_REQUIRED":
        raise errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)
    _check_account(user)


def _before_password_check(caller: Caller, user: UserRecord) -> None:
    """Let ``AUTHENTICATION`` contributors refuse a known user (Cognito's PreAuthentication)."""
    if hooks.AUTHENTICATION:
        sign_in = hooks.SignIn(
            caller.pool, caller.client, user, hooks.current_request().client_metadata
        )
        for contributor in hooks.AUTHENTICATION:
            contributor(caller.backend, sign_in)


def _unknown_user(client: dict[str, Any]) -> errors.CognitoError:
    if prevents_user_existence_errors(client):
        return errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)
    return errors.UserNotFoundException(errors.USER_DOES_NOT_EXIST)


# ---------------------------------------------------------------------- after the password


def _after_password(
    caller: Caller,
    user: UserRecord,
    finish: Finish = sign_in_result,
    device_key: str | None = None,
) -> dict[str, Any]:
    """NEW_PASSWORD_REQUIRED for a user still on a temporary password, else the remembered
    device's proof or MFA (:mod:`.device_auth`), or ``finish``."""
    now = caller.backend.now()
    passwords.record_success(user)
    caller.backend.store.save_user(user)
    if user.status == "FORCE_CHANGE_PASSWORD":
        validity_days = passwords.policy_of(caller.pool)["TemporaryPasswordValidityDays"]
        if (
            user.password_set_at is not None
            and now > user.password_set_at + float(validity_days) * 86400
        ):
            raise errors.NotAuthorizedException(errors.TEMPORARY_PASSWORD_EXPIRED)
        session = open_session(caller, "NEW_PASSWORD_REQUIRED", user.username, {})
        required = [
            f"userAttributes.{name}" for name in missing_required(caller.pool, user.attributes)
        ]
        return {
            "ChallengeName": "NEW_PASSWORD_REQUIRED",
            "Session": session,
            "ChallengeParameters": {
                "USER_ID_FOR_SRP": user.username,
                "requiredAttributes": json.dumps(required),
                "userAttributes": json.dumps(user.attributes),
            },
        }
    return device_auth.after_password(caller, user, device_key, finish=finish)


def _after_custom_challenges(
    caller: Caller,
    user: UserRecord,
    finish: Finish = sign_in_result,
) -> dict[str, Any]:
    """DefineAuthChallenge issues tokens: the account is judged now, on the user as it is at
    the last answer (with PreventUserExistenceErrors the challenges play the password's part;
    a user disabled between rounds gets no tokens either), then the password flows' end."""
    _check_account(user)
    return _after_password(caller, user, finish)


def _password_failure(backend: Backend, user: UserRecord) -> errors.CognitoError:
    passwords.record_failure(user, backend.now())
    backend.store.save_user(user)
    return errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)


# ---------------------------------------------------------------------- SRP


def _start_srp(
    caller: Caller,
    typed_username: str,
    srp_a: str,
) -> dict[str, Any]:
    parse_srp_a(srp_a)
    user = find_user(caller.backend, caller.pool, typed_username)
    if user is None:
        if not prevents_user_existence_errors(caller.client):
            raise errors.UserNotFoundException(errors.USER_DOES_NOT_EXIST)
        return issue_password_verifier(caller, Prover.ghost_of(caller, typed_username), srp_a)
    if _account_checks_first(caller.client):
        _check_account(user)
    _before_password_check(caller, user)
    return _user_password_verifier(caller, user, srp_a)


def _user_password_verifier(
    caller: Caller,
    user: UserRecord,
    srp_a: str,
    custom: dict[str, Any] | None = None,
) -> dict[str, Any]:
    verifier = passwords.verifier_of(user)
    if verifier is None:  # a user without a password (e.g. migrated for a reset)
        raise errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)
    prover = Prover(user.username, user.salt or "", verifier)
    return issue_password_verifier(caller, prover, srp_a, custom)


def _custom_password_step(
    caller: Caller,
    user: UserRecord | None,
    username: str,
    custom: dict[str, Any],
) -> dict[str, Any]:
    """Custom auth asked for the password (after an SRP_A start): PASSWORD_VERIFIER; a ghost's
    (PreventUserExistenceErrors) with a stable fake salt and verifier, refused at the answer."""
    srp_a = str(custom.pop("srp_a", ""))
    if user is None:
        return issue_password_verifier(caller, Prover.ghost_of(caller, username), srp_a, custom)
    return _user_password_verifier(caller, user, srp_a, custom)


def _password_verifier(caller: Caller, responses: dict[str, str]) -> dict[str, Any]:
    typed = required_answer(responses, "USERNAME")
    block = required_answer(responses, "PASSWORD_CLAIM_SECRET_BLOCK")
    signature = required_answer(responses, "PASSWORD_CLAIM_SIGNATURE")
    timestamp = required_answer(responses, "TIMESTAMP")
    check_secret_hash(caller.client, typed, responses.get("SECRET_HASH"))
    device_key = responses.get("DEVICE_KEY")
    device_auth.check_presented(caller, typed, device_key)
    verified = check_password_claim(
        caller,
        responses,
        typed=typed,
        block=block,
        signature=signature,
        timestamp=timestamp,
    )
    user = verified.user
    if user is None:
        raise errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)
    if _account_checks_first(caller.client):
        _check_account(user)
    if passwords.is_locked_out(user, caller.backend.now()):
        raise errors.NotAuthorizedException(errors.PASSWORD_ATTEMPTS_EXCEEDED)
    if not verified.valid:
        raise _password_failure(caller.backend, user)
    _checks_after_password(caller.client, user)
    if verified.custom is not None:
        return custom_auth.after_password(
            caller,
            user,
            verified.custom,
            start_password=_custom_password_step,
            finish_sign_in=_after_custom_challenges,
            finish=sign_in_result,
        )
    return _after_password(caller, user, device_key=device_key)


# ---------------------------------------------------------------------- password flows


def password_sign_in(
    caller: Caller,
    typed: str,
    password: str,
    finish: Finish = sign_in_result,
    device_key: str | None = None,
) -> dict[str, Any]:
    """A sign-in with a typed name and password (USER_PASSWORD_AUTH; the Hosted UI's form):
    every check in Cognito's order, then a challenge or ``finish`` (on ``device_key``)."""
    user = find_user(caller.backend, caller.pool, typed) or _migrated_user(caller, typed, password)
    if user is None:
        # The same work as a wrong password, so timing does not tell who exists.
        salt, _verifier = ghost_salt_and_verifier(caller.backend, caller.pool["Id"], typed)
        make_verifier(srp.pool_name_of(caller.pool["Id"]), typed, password, salt)
        raise _unknown_user(caller.client)
    if _account_checks_first(caller.client):
        _check_account(user)
    _before_password_check(caller, user)
    if passwords.is_locked_out(user, caller.backend.now()):
        raise errors.NotAuthorizedException(errors.PASSWORD_ATTEMPTS_EXCEEDED)
    if not passwords.password_matches(caller.pool["Id"], user, password):
        raise _password_failure(caller.backend, user)
    _checks_after_password(caller.client, user)
    return _after_password(caller, user, finish, device_key)


def _migrated_user(caller: Caller, typed: str, password: str) -> UserRecord | None:
    """A user moved in by the ``USER_MIGRATION`` provider at sign-in, or ``None``.

    As on AWS: the password policy is not enforced, the user is CONFIRMED or RESET_REQUIRED as
    the migration says, and a RESET_REQUIRED user is told to reset (``PasswordResetRequired``).
    """
    migrator = hooks.USER_MIGRATION.get()
    if migrator is None:
        return None
    migrated = migrator(
        caller.backend,
        hooks.Migration(caller.pool, caller.client, typed, password, "Authentication"),
    )
    if migrated is None:
        return None
    # The server served other calls while the function ran: a concurrent sign-in may have
    # moved the same user in already. Then this is an ordinary sign-in of that user.
    moved_in = find_user(caller.backend, caller.pool, typed)
    if moved_in is not None:
        return moved_in
    user = create_user(
        caller.backend,
        caller.pool,
        typed,
        dict(migrated.attributes),
        status=migrated.final_status,
        existing_message=errors.USER_EXISTS,
    )
    passwords.set_password(caller.pool["Id"], user, password, caller.backend.now())
    caller.backend.store.insert_user(user)
    if user.status == "RESET_REQUIRED":
        raise errors.PasswordResetRequiredException(errors.PASSWORD_RESET_REQUIRED)
    return user


def new_password_answer(
    caller: Caller,
    responses: dict[str, str],
    session_id: str | None,
    finish: Finish = sign_in_result,
) -> dict[str, Any]:
    """The answer to NEW_PASSWORD_REQUIRED (API and Hosted UI): then MFA or ``finish``."""
    typed = required_answer(responses, "USERNAME")
    new_password = required_answer(responses, "NEW_PASSWORD")
    check_secret_hash(caller.client, typed, responses.get("SECRET_HASH"))
    challenge = answered_challenge(caller, typed, session_id, ("NEW_PASSWORD_REQUIRED",))
    user = challenge.known_user()
    passwords.check_policy(caller.pool, new_password)
    updates = {
        name.removeprefix("userAttributes."): value
        for name, value in responses.items()
        if name.startswith("userAttributes.")
    }
    check_attributes_exist(caller.pool, updates)
    check_attribute_values(updates)
    attributes = {**user.attributes, **updates}
    missing = missing_required(caller.pool, attributes)
    if missing:
        raise errors.InvalidParameterException(
            f"Attributes did not conform to the schema: {missing[0]}: The attribute is required"
        )
    challenge.close(caller.backend)
    user.attributes = attributes
    passwords.set_password(caller.pool["Id"], user, new_password, caller.backend.now())
    user.status = "CONFIRMED"
    caller.backend.store.save_user(user)
    return device_auth.after_password(
        caller, user, None, source="NewPasswordChallenge", finish=finish
    )


def _refresh_flow(caller: Caller, params: dict[str, str]) -> dict[str, Any]:
    token = required_answer(params, "REFRESH_TOKEN")
    if caller.client.get("ClientSecret"):
        _check_refresh_secret_hash(caller, token, params.get("SECRET_HASH"))
    device_auth.check_refresh(caller, token, params.get("DEVICE_KEY"))
    result = refresh_tokens(caller.backend, caller.pool, caller.client, token, rotate=False)
    return {"ChallengeParameters": {}, "AuthenticationResult": result}


def _check_refresh_secret_hash(
    caller: Caller,
    token: str,
    secret_hash: str | None,
) -> None:
    """SECRET_HASH on refresh must use the token owner's *internal* username, as on AWS.

    That is the ``sub`` in pools with email or phone as username; a hash of the typed email or
    an alias is refused with "Unable to verify secret hash" (NabuCasa/pycognito#18).
    """
    origin = family_of_refresh_token(caller.backend, token)
    family = caller.backend.store.get_family(origin) if origin else None
    if family is None:
        raise errors.NotAuthorizedException(errors.INVALID_REFRESH_TOKEN)
    check_secret_hash(caller.client, family[2], secret_hash)


# ---------------------------------------------------------------------- operations


def _start_custom(caller: Caller, params: dict[str, str]) -> dict[str, Any]:
    typed = required_answer(params, "USERNAME")
    check_secret_hash(caller.client, typed, params.get("SECRET_HASH"))
    with_srp = params.get("CHALLENGE_NAME") == custom_auth.SRP_A
    srp_a = required_answer(params, "SRP_A") if with_srp else None
    if srp_a is not None:
        parse_srp_a(srp_a)

    def account_checks(user: UserRecord) -> None:
        if _account_checks_first(caller.client):
            _check_account(user)
        _before_password_check(caller, user)

    def password_step(
        caller: Caller, user: UserRecord | None, username: str, custom: dict[str, Any]
    ) -> dict[str, Any]:
        state = {**custom, "srp_a": srp_a}
        return _custom_password_step(caller, user, username, state)

    return custom_auth.start(
        caller,
        typed,
        with_srp=with_srp,
        account_checks=account_checks,
        start_password=password_step,
        finish_sign_in=_after_custom_challenges,
        finish=sign_in_result,
    )


#: The password flows choice-based sign-in (:mod:`.user_auth`) runs for its password factors.
_USER_AUTH_STEPS = user_auth.PasswordSteps(
    password_sign_in, _start_srp, _check_account, _before_password_check
)


def _initiate(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    flow = str_param(body, "AuthFlow")
    params = str_map(body, "AuthParameters")
    _check_flow(caller.client, flow)
    if flow in ("REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"):
        return _refresh_flow(caller, params)
    if flow == "CUSTOM_AUTH":
        return _start_custom(caller, params)
    if flow == "USER_AUTH":
        session = opt_str(body, "Session")
        return user_auth.start(caller, params, session, _USER_AUTH_STEPS)
    typed = required_answer(params, "USERNAME")
    if flow == "USER_SRP_AUTH":
        srp_a = required_answer(params, "SRP_A")
        check_secret_hash(caller.client, typed, params.get("SECRET_HASH"))
        return _start_srp(caller, typed, srp_a)
    password = required_answer(params, "PASSWORD")
    check_secret_hash(caller.client, typed, params.get("SECRET_HASH"))
    return password_sign_in(caller, typed, password, device_key=params.get("DEVICE_KEY"))


@OPERATIONS.operation("InitiateAuth")
def initiate_auth(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """InitiateAuth (user plane, unsigned)."""
    caller = Caller.of_client(backend, body)
    if body.get("AuthFlow") in _ADMIN_ONLY_FLOWS:
        raise errors.InvalidParameterException("Initiate Auth method not supported.")
    return _initiate(caller, body)


@OPERATIONS.operation("AdminInitiateAuth")
def admin_initiate_auth(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminInitiateAuth (SigV4): also ADMIN_USER_PASSWORD_AUTH / ADMIN_NO_SRP_AUTH."""
    return _initiate(Caller.of_admin(backend, body), body)


def _respond(caller: Caller, body: dict[str, Any]) -> dict[str, Any]:
    challenge = str_param(body, "ChallengeName")
    responses = str_map(body, "ChallengeResponses")
    if challenge == "PASSWORD_VERIFIER":
        return _password_verifier(caller, responses)
    if challenge == "NEW_PASSWORD_REQUIRED":
        session = body.get("Session") if isinstance(body.get("Session"), str) else None
        return new_password_answer(caller, responses, session)
    if challenge == custom_auth.CUSTOM_CHALLENGE:
        session = body.get("Session") if isinstance(body.get("Session"), str) else None
        return custom_auth.answer(
            caller,
            responses,
            session,
            start_password=_custom_password_step,
            finish_sign_in=_after_custom_challenges,
            finish=sign_in_result,
        )
    if user_auth.answers(caller.backend, challenge, opt_str(body, "Session")):
        session = opt_str(body, "Session")
        return user_auth.respond(caller, challenge, responses, session, _USER_AUTH_STEPS)
    if challenge in idp_mfa.CHALLENGES:
        session = body.get("Session") if isinstance(body.get("Session"), str) else None
        if challenge == idp_mfa.MFA_SETUP and mfa_setup.contact_of(responses):
            return mfa_setup.answer(caller, responses, session)
        finish = device_auth.resume(caller, session)
        return idp_mfa.respond(caller, challenge, responses, session, finish)
    if challenge in device_auth.CHALLENGES:
        session = body.get("Session") if isinstance(body.get("Session"), str) else None
        return device_auth.respond(caller, challenge, responses, session)
    raise errors.InvalidParameterException(
        f"The local Cognito does not issue the {challenge} challenge, so it cannot answer it."
    )


@OPERATIONS.operation("RespondToAuthChallenge")
def respond_to_auth_challenge(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """RespondToAuthChallenge (user plane, unsigned)."""
    return _respond(Caller.of_client(backend, body), body)


@OPERATIONS.operation("AdminRespondToAuthChallenge")
def admin_respond_to_auth_challenge(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminRespondToAuthChallenge (SigV4)."""
    return _respond(Caller.of_admin(backend, body), body)


@OPERATIONS.operation("GetTokensFromRefreshToken")
def get_tokens_from_refresh_token(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """GetTokensFromRefreshToken: rotates the refresh token when the client enables rotation."""
    caller = Caller.of_client(backend, body)
    client = caller.client
    token = str_param(body, "RefreshToken")
    secret = body.get("ClientSecret")
    check_client_secret(client, secret if isinstance(secret, str) else None)
    _check_flow(client, "REFRESH_TOKEN_AUTH")
    device_key = body.get("DeviceKey")
    device_key = device_key if isinstance(device_key, str) else None
    device_auth.check_refresh(caller, token, device_key)
    result = refresh_tokens(backend, caller.pool, client, token, rotate=rotation_enabled(client))
    return {"AuthenticationResult": result}
