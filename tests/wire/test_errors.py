"""Mapping Cognito's error answers to typed exceptions that keep code and message."""

from __future__ import annotations

import json

import pytest

from pyamplify.errors import PyamplifyError
from pyamplify.wire import errors as wire_errors
from pyamplify.wire.errors import (
    CognitoServerError,
    CognitoServiceError,
    InternalErrorException,
    NotAuthorizedException,
    ProtocolError,
    RetryableError,
    TooManyRequestsException,
    UserNotConfirmedException,
    clean_error_code,
    error_from_response,
)


def _body(code: str, message: str) -> bytes:
    return json.dumps({"__type": code, "message": message}).encode()


def test_type_in_body_gives_the_named_class_with_the_message_verbatim() -> None:
    error = error_from_response(
        400,
        {"x-amzn-RequestId": "r-1"},
        _body("NotAuthorizedException", "Incorrect username or password."),
        operation="InitiateAuth",
    )
    assert isinstance(error, NotAuthorizedException)
    assert isinstance(error, CognitoServiceError)
    assert isinstance(error, PyamplifyError)
    assert error.code == "NotAuthorizedException"
    assert error.message == "Incorrect username or password."
    assert error.operation == "InitiateAuth"
    assert error.request_id == "r-1"
    assert str(error) == "NotAuthorizedException: Incorrect username or password."
    assert not error.retryable


def test_header_code_wins_and_is_cleaned() -> None:
    headers = {"X-Amzn-ErrorType": "UserNotConfirmedException:", "x-amzn-ErrorMessage": "m"}
    error = error_from_response(400, headers, b"")
    assert isinstance(error, UserNotConfirmedException)
    assert error.message == "m"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("NotAuthorizedException:", "NotAuthorizedException"),
        ("aws.cognito#UserNotFoundException", "UserNotFoundException"),
        ("com.amazon#TooManyRequestsException:http://x", "TooManyRequestsException"),
    ],
)
def test_clean_error_code(raw: str, code: str) -> None:
    assert clean_error_code(raw) == code


def test_throttling_and_faults_are_retryable() -> None:
    throttled = error_from_response(400, {}, _body("TooManyRequestsException", "Rate exceeded"))
    assert isinstance(throttled, TooManyRequestsException)
    assert isinstance(throttled, RetryableError)
    fault = error_from_response(500, {}, _body("InternalErrorException", "boom"))
    assert isinstance(fault, InternalErrorException) and fault.retryable


def test_unknown_code_keeps_its_name_and_5xx_is_retryable() -> None:
    unknown = error_from_response(400, {}, _body("BrandNewException", "new"))
    assert type(unknown) is CognitoServiceError
    assert unknown.code == "BrandNewException"
    server = error_from_response(503, {}, _body("SomethingDown", "later"))
    assert isinstance(server, CognitoServerError) and server.retryable


def test_non_protocol_answers() -> None:
    gateway = error_from_response(502, {}, b"<html>bad gateway</html>")
    assert isinstance(gateway, CognitoServerError) and gateway.status == 502
    not_cognito = error_from_response(404, {}, b"<html>not found</html>")
    assert isinstance(not_cognito, ProtocolError)
    assert "endpoint" in str(not_cognito)


def test_every_known_class_is_registered_under_its_own_name() -> None:
    names = wire_errors.ERROR_CLASSES
    assert names["NotAuthorizedException"] is NotAuthorizedException
    assert "RefreshTokenReuseException" in names
    for name, cls in names.items():
        assert cls.__name__ == name
        assert cls.__doc__


def test_an_echoed_request_never_puts_its_secrets_into_the_error() -> None:
    from pyamplify.wire.call import idp
    from pyamplify.wire.errors import ProtocolError

    password = 'Pa"ss-wörd-secret'
    call = idp(
        "InitiateAuth",
        {
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": "client123abc",
            "AuthParameters": {"USERNAME": "alice-the-user", "PASSWORD": password},
        },
    )
    assert call.secret_values() == {password}
    for echoed in (
        f"user alice-the-user, password {password}".encode(),
        json.dumps({"USERNAME": "alice-the-user", "PASSWORD": password}).encode(),  # \u00f6
    ):
        error = error_from_response(400, {}, echoed, operation="InitiateAuth", redact={password})
        assert isinstance(error, ProtocolError)
        assert "rd-secret" not in str(error) and "<redacted>" in str(error)
        assert "alice-the-user" in str(error)  # what is not secret still helps to diagnose
        server = error_from_response(502, {}, echoed, redact=call.secret_values())
        assert "rd-secret" not in str(server) and "<redacted>" in str(server)
    coded = error_from_response(
        400, {}, _body("InvalidParameterException", f"bad {password}"), redact={password}
    )
    assert str(coded) == "InvalidParameterException: bad <redacted>"
