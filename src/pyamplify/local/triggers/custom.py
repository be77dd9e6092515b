"""DefineAuthChallenge, CreateAuthChallenge and VerifyAuthChallengeResponse: the engine of a
CUSTOM_AUTH sign-in (its state machine is :mod:`pyamplify.local.idp.custom_auth`).

Events (reference §3): every request has ``userAttributes`` and, for a user who does not exist
(PreventUserExistenceErrors), ``userNotFound: true``; Define and Create get the ``session`` list;
Create the ``challengeName``; Verify the ``privateChallengeParameters`` and the
``challengeAnswer``. ``clientMetadata`` reaches them only from RespondToAuthChallenge, never
from InitiateAuth. Responses are checked for the types Cognito needs; anything else is
``InvalidLambdaResponseException``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp import hooks
from pyamplify.local.lambdas.errors import UNRECOGNIZABLE_OUTPUT
from pyamplify.local.triggers import events
from pyamplify.local.triggers.invoke import Subject, challenge_metadata, flag, string_map


def _request(attempt: hooks.CustomAttempt, **fields: Any) -> dict[str, Any]:
    request: dict[str, Any] = {"userAttributes": events.user_attributes(attempt.user), **fields}
    metadata = challenge_metadata()
    if metadata:
        request["clientMetadata"] = dict(metadata)
    if attempt.user_not_found:
        request["userNotFound"] = True
    return request


def _invoke(
    backend: Backend, attempt: hooks.CustomAttempt, trigger: str, request: dict[str, Any]
) -> dict[str, Any]:
    subject = Subject(attempt.pool, attempt.username, attempt.client["ClientId"])
    response = subject.run(backend, trigger, f"{trigger}_Authentication", lambda: request)
    if response is None:
        raise errors.InvalidParameterException(
            f"Custom auth needs the pool's {trigger} trigger; its LambdaConfig names none."
        )
    return response


class LambdaChallenges:
    """The pool's three custom-auth functions as the ``CUSTOM_AUTH`` provider."""

    def define(self, backend: Backend, attempt: hooks.CustomAttempt) -> hooks.Definition:
        """DefineAuthChallenge: tokens, failure, or the next challenge's name."""
        response = _invoke(
            backend,
            attempt,
            "DefineAuthChallenge",
            _request(attempt, session=[dict(entry) for entry in attempt.sessions]),
        )
        name = response.get("challengeName")
        if name is not None and not isinstance(name, str):
            raise errors.InvalidLambdaResponseException(UNRECOGNIZABLE_OUTPUT)
        issue, fail = flag(response, "issueTokens"), flag(response, "failAuthentication")
        if not issue and not fail and not name:
            raise errors.InvalidLambdaResponseException(UNRECOGNIZABLE_OUTPUT)
        return hooks.Definition(name or None, issue, fail)

    def create(
        self, backend: Backend, attempt: hooks.CustomAttempt, name: str
    ) -> hooks.CreatedChallenge:
        """CreateAuthChallenge: the public and private parameters, and the metadata."""
        request = _request(
            attempt, challengeName=name, session=[dict(entry) for entry in attempt.sessions]
        )
        response = _invoke(backend, attempt, "CreateAuthChallenge", request)
        private = response.get("privateChallengeParameters") or {}
        metadata = response.get("challengeMetadata")
        if not isinstance(private, dict) or (
            metadata is not None and not isinstance(metadata, str)
        ):
            raise errors.InvalidLambdaResponseException(UNRECOGNIZABLE_OUTPUT)
        public = string_map(response, "publicChallengeParameters")
        return hooks.CreatedChallenge(public, private, metadata)

    def verify(
        self,
        backend: Backend,
        attempt: hooks.CustomAttempt,
        private: Mapping[str, Any],
        answer: str,
    ) -> bool:
        """VerifyAuthChallengeResponse: whether the answer is right."""
        request = _request(
            attempt, privateChallengeParameters=dict(private), challengeAnswer=answer
        )
        response = _invoke(backend, attempt, "VerifyAuthChallengeResponse", request)
        return flag(response, "answerCorrect")


ENGINE = hooks.CUSTOM_AUTH.register(LambdaChallenges())
