"""Run a pool's trigger function and read its answer, failing the way Cognito fails.

The function is the one the pool's ``LambdaConfig`` names for the trigger; the local Lambda
runtime runs whatever handler that ARN is mapped to. Failures become Cognito's errors, with the
texts :mod:`pyamplify.local.lambdas.errors` collected: a handler that raised is
``UserLambdaValidationException: <Trigger> failed with error <message>.``; an unmapped ARN (AWS
could not invoke the function) and a time-out are ``UnexpectedLambdaException``; an answer that
is not an event with the fields the trigger needs is ``InvalidLambdaResponseException:
Unrecognizable lambda output``. While the handler runs, the server goes on serving other calls
(a handler may call this server), so no caller may hold a store transaction across it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp import hooks
from pyamplify.local.lambdas import (
    FunctionBadOutput,
    FunctionFailed,
    FunctionNotMapped,
    FunctionTimedOut,
)
from pyamplify.local.lambdas.errors import (
    ACCESS_DENIED,
    SOCKET_TIMEOUT,
    UNRECOGNIZABLE_OUTPUT,
    failed_with_error,
    invocation_failed,
)
from pyamplify.local.triggers import events


def function_of(pool: Mapping[str, Any], trigger: str) -> str | None:
    """The ARN of ``trigger`` in the pool's ``LambdaConfig``, or ``None``."""
    arn = (pool.get("LambdaConfig") or {}).get(trigger)
    return arn if isinstance(arn, str) and arn else None


def call(backend: Backend, arn: str, trigger: str, event: dict[str, Any]) -> dict[str, Any]:
    """Invoke ``arn`` for ``trigger`` with ``event``; the returned event (a JSON object)."""
    try:
        with backend.gate.waiting():
            return backend.functions.invoke(
                arn, event, timeout=backend.trigger_timeout, function_label=trigger
            )
    except FunctionNotMapped as missing:
        raise errors.UnexpectedLambdaException(
            f"{invocation_failed(trigger, ACCESS_DENIED)} (local Cognito: {missing})"
        ) from None
    except FunctionTimedOut:
        raise errors.UnexpectedLambdaException(invocation_failed(trigger, SOCKET_TIMEOUT)) from None
    except FunctionFailed as failure:
        raise errors.UserLambdaValidationException(
            failed_with_error(trigger, failure.error_message)
        ) from None
    except FunctionBadOutput:
        raise errors.InvalidLambdaResponseException(UNRECOGNIZABLE_OUTPUT) from None


@dataclass(frozen=True)
class Subject:
    """Who a trigger's event is about: the pool, the user name, the calling app client."""

    pool: Mapping[str, Any] = field(repr=False)
    username: str
    client_id: str | None

    def run(
        self,
        backend: Backend,
        trigger: str,
        source: str,
        request: Callable[[], dict[str, Any]],
        *,
        metadata: Mapping[str, str] | None = None,
        response: dict[str, Any] | None = None,
        version: str = "1",
        arn: str | None = None,
    ) -> dict[str, Any] | None:
        """The response of the pool's ``trigger`` function (``arn``, else the pool's
        ``LambdaConfig`` names it) to the event of ``source``; ``None`` when there is none.
        ``request`` builds the request only then, so a pool without triggers pays nothing."""
        arn = arn or function_of(self.pool, trigger)
        if arn is None:
            return None
        body = request()
        if metadata:
            body["clientMetadata"] = dict(metadata)
        event = events.event(
            backend,
            self.pool,
            source,
            username=self.username,
            client_id=self.client_id,
            request=body,
            response=response,
            version=version,
        )
        return response_of(call(backend, arn, trigger, event))


def about(event: hooks.UserEvent) -> Subject:
    """The subject of a sign-up's or confirmation's trigger."""
    return Subject(event.pool, event.user.username, event.client_id)


def challenge_metadata() -> Mapping[str, str]:
    """The ClientMetadata the post-authentication, token and custom-auth triggers get: only a
    (Admin)RespondToAuthChallenge's, never InitiateAuth's."""
    served = hooks.current_request()
    return served.client_metadata if served.answers_challenge else {}


def response_of(answer: Mapping[str, Any]) -> dict[str, Any]:
    """The answer's ``response`` object (absent or null counts as empty)."""
    response = answer.get("response")
    if response is None:
        return {}
    if not isinstance(response, dict):
        raise errors.InvalidLambdaResponseException(UNRECOGNIZABLE_OUTPUT)
    return response


def flag(response: Mapping[str, Any], name: str) -> bool:
    """A boolean field of a response (absent or null is false; anything else is refused)."""
    value = response.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise errors.InvalidLambdaResponseException(UNRECOGNIZABLE_OUTPUT)
    return value


def string_map(response: Mapping[str, Any], name: str) -> dict[str, str]:
    """A map-of-strings field of a response (absent or null is empty)."""
    value = response.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise errors.InvalidLambdaResponseException(UNRECOGNIZABLE_OUTPUT)
    return {str(key): item for key, item in value.items()}
