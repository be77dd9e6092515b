"""The refresh call against endpoints that lack GetTokensFromRefreshToken, with canned answers.

Against a custom endpoint, an answer that says the operation is not implemented (moto's HTML
500, an unknown operation) makes the flow ask ``InitiateAuth REFRESH_TOKEN_AUTH`` and remember
the endpoint; Cognito's own refusals never do, and a failed probe reports the first error.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from pyamplify.auth.flows import ClientContext, refresh_flow
from pyamplify.auth.refresh_support import RefreshFallback, lacks_operation
from pyamplify.srp import compute_secret_hash
from pyamplify.wire.call import Call
from pyamplify.wire.errors import (
    CognitoServerError,
    InternalErrorException,
    NotAuthorizedException,
    ProtocolError,
    UnsupportedOperationException,
    error_from_response,
)

from .helpers import authentication_result, drive

CONTEXT = ClientContext("us-east-1_abc", "client1", "s3cret")
MOTO_500 = error_from_response(500, {}, b"<!doctype html><title>500 Internal Server Error</title>")
TOKENS = {"AuthenticationResult": authentication_result(iat=1_800_000_000)}


def fresh_fallback() -> RefreshFallback:
    return RefreshFallback(f"http://127.0.0.1:1/{uuid.uuid4()}")


def scripted(*answers: Any) -> Any:
    queue = list(answers)

    def answer(call: Call) -> dict[str, Any]:
        item = queue.pop(0)
        if isinstance(item, Exception):
            raise item
        return dict(item)

    return answer


def test_what_counts_as_a_missing_operation() -> None:
    assert lacks_operation(MOTO_500)
    assert lacks_operation(ProtocolError("HTTP 404 without a Cognito error code"))
    assert lacks_operation(UnsupportedOperationException("not implemented"))
    assert not lacks_operation(InternalErrorException("Internal error"))  # Cognito's own fault
    assert not lacks_operation(NotAuthorizedException("Invalid Refresh Token."))
    assert isinstance(MOTO_500, CognitoServerError)


def test_an_endpoint_without_the_call_is_asked_refresh_token_auth_and_remembered() -> None:
    fallback = fresh_fallback()
    result, calls = drive(
        refresh_flow(CONTEXT, "rt", device_key="dk", username="sub-1", fallback=fallback),
        scripted(MOTO_500, TOKENS),
    )
    assert result == TOKENS["AuthenticationResult"]
    assert [call.operation for call in calls] == ["GetTokensFromRefreshToken", "InitiateAuth"]
    assert calls[1].payload == {
        "AuthFlow": "REFRESH_TOKEN_AUTH",
        "ClientId": "client1",
        "AuthParameters": {
            "REFRESH_TOKEN": "rt",
            "SECRET_HASH": compute_secret_hash("sub-1", "client1", "s3cret"),
            "DEVICE_KEY": "dk",
        },
    }
    assert fallback.known
    _, again = drive(
        refresh_flow(CONTEXT, "rt", username="sub-1", fallback=fallback), scripted(TOKENS)
    )
    assert [call.operation for call in again] == ["InitiateAuth"]


def test_aws_itself_never_falls_back() -> None:
    with pytest.raises(CognitoServerError):
        drive(refresh_flow(CONTEXT, "rt", username="u", fallback=None), scripted(MOTO_500))


def test_cognitos_refusal_is_not_a_missing_operation() -> None:
    fallback = fresh_fallback()
    with pytest.raises(NotAuthorizedException):
        drive(
            refresh_flow(CONTEXT, "rt", username="u", fallback=fallback),
            scripted(NotAuthorizedException("Refresh Token has been revoked")),
        )
    assert not fallback.known


def test_a_failed_probe_reports_the_first_error_and_is_not_remembered() -> None:
    """A proxy's one-off 500 followed by a refused REFRESH_TOKEN_AUTH (rotation is on) must
    stay a transient failure, not end the session."""
    fallback = fresh_fallback()
    with pytest.raises(CognitoServerError):
        drive(
            refresh_flow(CONTEXT, "rt", username="u", fallback=fallback),
            scripted(MOTO_500, NotAuthorizedException("Refresh token rotation is enabled")),
        )
    assert not fallback.known
