"""CUSTOM_AUTH: a sign-in whose steps the pool's Define/Create/VerifyAuthChallenge decide.

The conversation (reference §2 and §3): InitiateAuth(CUSTOM_AUTH) starts it, with SRP
(``CHALLENGE_NAME: SRP_A`` and ``SRP_A``: the session starts ``[SRP_A ok]`` and Define may ask
for PASSWORD_VERIFIER) or without (an empty session). Each time, DefineAuthChallenge sees the
challenges so far and answers: issue tokens (then MFA, when the pool asks for it), fail (Cognito's
``NotAuthorizedException``), or a challenge: PASSWORD_VERIFIER (only after SRP_A), else
CreateAuthChallenge makes a CUSTOM_CHALLENGE whose public parameters the client sees. The answer
(``ANSWER``) goes to VerifyAuthChallengeResponse; its verdict joins the session list and Define
decides again. Every round has a new Session, each usable once, for the client's
``AuthSessionValidity``. With PreventUserExistenceErrors an unknown user gets the same
conversation (``userNotFound`` in the events) and can never get tokens.

Who decides is the ``CUSTOM_AUTH`` provider of :mod:`.hooks` (the trigger room registers one
that runs the pool's Lambda functions); this module is Cognito's state machine around it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyamplify.local import errors
from pyamplify.local.idp import hooks
from pyamplify.local.idp.caller import Caller
from pyamplify.local.idp.challenges import answered_challenge, open_session
from pyamplify.local.idp.common import (
    check_secret_hash,
    find_user,
    prevents_user_existence_errors,
    required_answer,
)
from pyamplify.local.idp.tokens import Finish
from pyamplify.local.store.userpools import UserRecord

CUSTOM_CHALLENGE = "CUSTOM_CHALLENGE"
PASSWORD_VERIFIER = "PASSWORD_VERIFIER"
NOT_CONFIGURED = "Custom auth lambda trigger is not configured for the user pool."
#: Session-list names: what Define sees for the SRP start and the password step.
SRP_A = "SRP_A"

#: After the password (or a challenge) passed: the rest of the sign-in (MFA, then ``finish``).
Continue = Callable[[Caller, UserRecord, Finish], dict[str, Any]]
#: Starts the password step: ``(caller, user, username, custom_state) -> PASSWORD_VERIFIER
#: answer``; ``user`` is ``None`` for a ghost, who must get the same step as a real user.
StartPassword = Callable[[Caller, UserRecord | None, str, dict[str, Any]], dict[str, Any]]


def configured(pool: dict[str, Any]) -> bool:
    """Whether the pool names a DefineAuthChallenge function (else CUSTOM_AUTH is refused)."""
    return bool((pool.get("LambdaConfig") or {}).get("DefineAuthChallenge"))


def _engine(pool: dict[str, Any]) -> hooks.CustomAuthEngine:
    engine = hooks.CUSTOM_AUTH.get()
    if engine is None or not configured(pool):
        raise errors.InvalidParameterException(NOT_CONFIGURED)
    return engine


def _attempt(
    pool: dict[str, Any],
    client: dict[str, Any],
    user: UserRecord | None,
    username: str,
    sessions: list[dict[str, Any]],
) -> hooks.CustomAttempt:
    return hooks.CustomAttempt(pool, client, user, user.username if user else username, sessions)


def start(
    caller: Caller,
    typed_username: str,
    *,
    with_srp: bool,
    account_checks: Callable[[UserRecord], None],
    start_password: StartPassword,
    finish_sign_in: Continue,
    finish: Finish,
) -> dict[str, Any]:
    """InitiateAuth(CUSTOM_AUTH): the first decision of DefineAuthChallenge."""
    engine = _engine(caller.pool)
    user = find_user(caller.backend, caller.pool, typed_username)
    if user is None and not prevents_user_existence_errors(caller.client):
        raise errors.UserNotFoundException(errors.USER_DOES_NOT_EXIST)
    if user is not None:
        account_checks(user)
    sessions = [_entry(SRP_A, True)] if with_srp else []
    attempt = _attempt(caller.pool, caller.client, user, typed_username, sessions)
    return _decide(caller, engine, attempt, start_password, finish_sign_in, finish)


def after_password(
    caller: Caller,
    user: UserRecord,
    custom_state: dict[str, Any],
    *,
    start_password: StartPassword,
    finish_sign_in: Continue,
    finish: Finish,
) -> dict[str, Any]:
    """The password step of a custom sign-in passed: Define decides again."""
    sessions = [*custom_state.get("sessions", []), _entry(PASSWORD_VERIFIER, True)]
    attempt = _attempt(caller.pool, caller.client, user, user.username, sessions)
    return _decide(caller, _engine(caller.pool), attempt, start_password, finish_sign_in, finish)


def answer(
    caller: Caller,
    responses: dict[str, str],
    session: str | None,
    *,
    start_password: StartPassword,
    finish_sign_in: Continue,
    finish: Finish,
) -> dict[str, Any]:
    """RespondToAuthChallenge(CUSTOM_CHALLENGE): Verify the answer, then Define decides."""
    typed = required_answer(responses, "USERNAME")
    reply = required_answer(responses, "ANSWER")
    check_secret_hash(caller.client, typed, responses.get("SECRET_HASH"))
    engine = _engine(caller.pool)
    challenge = answered_challenge(
        caller, typed, session, (CUSTOM_CHALLENGE,), allow_unknown_user=True
    )
    challenge.close(caller.backend)  # each round is answered once; the next has a new Session
    state = challenge.state
    attempt = _attempt(
        caller.pool, caller.client, challenge.user, challenge.username, state["sessions"]
    )
    correct = engine.verify(caller.backend, attempt, state.get("private", {}), reply)
    attempt.sessions = [
        *attempt.sessions,
        _entry(CUSTOM_CHALLENGE, bool(correct), state.get("metadata")),
    ]
    return _decide(caller, engine, attempt, start_password, finish_sign_in, finish)


def _decide(
    caller: Caller,
    engine: hooks.CustomAuthEngine,
    attempt: hooks.CustomAttempt,
    start_password: StartPassword,
    finish_sign_in: Continue,
    finish: Finish,
) -> dict[str, Any]:
    backend = caller.backend
    decision = engine.define(backend, attempt)
    if decision.fail_authentication:
        raise errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)
    if decision.issue_tokens:
        if attempt.user is None:  # a ghost never signs in, whatever Define says
            raise errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)
        return finish_sign_in(caller, attempt.user, finish)
    name = decision.challenge_name
    state: dict[str, Any] = {"sessions": attempt.sessions, "user_not_found": attempt.user_not_found}
    if (
        name == PASSWORD_VERIFIER
        and attempt.sessions
        and attempt.sessions[0]["challengeName"] == SRP_A
    ):
        # A ghost gets the password step too (it fails at the answer), so that the answer to
        # the SRP start does not tell who exists.
        return start_password(caller, attempt.user, attempt.username, state)
    if name != CUSTOM_CHALLENGE:
        raise errors.InvalidLambdaResponseException(
            f"DefineAuthChallenge asked for {name!r}, which this sign-in cannot issue: "
            "CUSTOM_CHALLENGE, or PASSWORD_VERIFIER after an SRP_A start."
        )
    created = engine.create(backend, attempt, name)
    state.update(private=dict(created.private), metadata=created.metadata)
    session = open_session(caller, name, attempt.username, state)
    return {
        "ChallengeName": name,
        "Session": session,
        "ChallengeParameters": {**created.public, "USERNAME": attempt.username},
    }


def _entry(name: str, result: bool, metadata: str | None = None) -> dict[str, Any]:
    return {"challengeName": name, "challengeResult": result, "challengeMetadata": metadata}
