"""The wire format over raw HTTP: dispatch, error rendering, auth rules, validation, routes."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from pyamplify.local import LocalCognito

pytestmark = pytest.mark.e2e

TARGET = "AWSCognitoIdentityProviderService"
SIGNED = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/cognito-idp"}


def call(
    cognito: LocalCognito,
    operation: str,
    body: Any = None,
    *,
    signed: bool = True,
    raw: bytes | None = None,
) -> httpx.Response:
    headers = {
        "X-Amz-Target": f"{TARGET}.{operation}",
        "Content-Type": "application/x-amz-json-1.1",
        **(SIGNED if signed else {}),
    }
    content = raw if raw is not None else json.dumps(body if body is not None else {}).encode()
    return httpx.post(cognito.url + "/", content=content, headers=headers)


def test_success_has_amz_json_content_type_and_request_id(local_cognito: LocalCognito) -> None:
    response = call(local_cognito, "CreateUserPool", {"PoolName": "wire"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-amz-json-1.1"
    assert response.headers["x-amzn-requestid"]
    assert response.json()["UserPool"]["Name"] == "wire"


def test_error_is_400_with_type_message_and_error_type_header(
    local_cognito: LocalCognito,
) -> None:
    response = call(local_cognito, "DescribeUserPool", {"UserPoolId": "us-east-1_missing1"})
    assert response.status_code == 400
    assert response.json() == {
        "__type": "ResourceNotFoundException",
        "message": "User pool us-east-1_missing1 does not exist.",
    }
    assert response.headers["x-amzn-errortype"] == "ResourceNotFoundException:"
    assert response.headers["x-amzn-errormessage"] == "User pool us-east-1_missing1 does not exist."


def test_management_calls_need_a_signature_of_any_credentials(
    local_cognito: LocalCognito,
) -> None:
    unsigned = call(local_cognito, "ListUserPools", {"MaxResults": 1}, signed=False)
    assert unsigned.status_code == 400
    assert unsigned.json()["__type"] == "MissingAuthenticationTokenException"
    assert call(local_cognito, "ListUserPools", {"MaxResults": 1}).status_code == 200


def test_user_plane_calls_are_unsigned(local_cognito: LocalCognito) -> None:
    response = call(
        local_cognito,
        "InitiateAuth",
        {"ClientId": "nosuchclient", "AuthFlow": "USER_SRP_AUTH", "AuthParameters": {}},
        signed=False,
    )
    assert response.json()["__type"] == "ResourceNotFoundException"


def test_unknown_and_unimplemented_operations(local_cognito: LocalCognito) -> None:
    unknown = call(local_cognito, "MakeCoffee")
    assert unknown.status_code == 400
    assert unknown.json()["__type"] == "UnknownOperationException"
    missing = call(
        local_cognito,
        "StartUserImportJob",
        {"UserPoolId": "us-east-1_abc", "JobId": "import-abcdefghij"},
    )
    assert missing.status_code == 400
    assert missing.json()["__type"] == "UnsupportedOperationException"
    assert "StartUserImportJob" in missing.json()["message"]


def test_malformed_json_and_shapes_are_invalid_parameter(local_cognito: LocalCognito) -> None:
    bad_json = call(local_cognito, "CreateUserPool", raw=b"{not json")
    assert bad_json.status_code == 400
    assert bad_json.json()["__type"] == "InvalidParameterException"
    missing = call(local_cognito, "CreateUserPool", {})
    assert missing.json() == {
        "__type": "InvalidParameterException",
        "message": "1 validation error detected: Value null at 'poolName' failed to satisfy "
        "constraint: Member must not be null",
    }
    wrong_type = call(local_cognito, "CreateUserPool", {"PoolName": 7})
    assert "Member must be a string" in wrong_type.json()["message"]
    not_object = call(local_cognito, "CreateUserPool", [1, 2])
    assert not_object.json()["__type"] == "InvalidParameterException"


def test_sensitive_values_are_not_echoed(local_cognito: LocalCognito) -> None:
    response = call(
        local_cognito,
        "SignUp",
        {"ClientId": "abc", "Username": "u", "Password": "has a space"},
        signed=False,
    )
    assert response.json()["message"] == (
        "1 validation error detected: Value at 'password' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [\\S]+"
    )


def test_missing_target_is_unknown_operation(local_cognito: LocalCognito) -> None:
    response = httpx.post(local_cognito.url + "/", content=b"{}")
    assert response.status_code == 400
    assert response.json()["__type"] == "UnknownOperationException"


def test_cors_preflight_and_headers(local_cognito: LocalCognito) -> None:
    preflight = httpx.options(
        local_cognito.url + "/",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "x-amz-target,content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert "x-amz-target" in preflight.headers["access-control-allow-headers"]


def test_stats_count_served_operations(local_cognito: LocalCognito) -> None:
    before = local_cognito.calls["ListUserPools"]
    call(local_cognito, "ListUserPools", {"MaxResults": 1})
    assert local_cognito.calls["ListUserPools"] == before + 1
    served = httpx.get(local_cognito.url + "/_local/stats").json()
    assert served["ListUserPools"] == before + 1


@pytest.mark.parametrize(
    ("target", "body"),
    [
        ("AWSCognitoIdentityService.GetId", b'{"IdentityPoolId":"\\ud800"}'),
        (f"{TARGET}.CreateUserPool", b'{"PoolName":"\\udfff"}'),
        (f"{TARGET}.ListUserPools", b'{"MaxResults":1,"\\ud800":1}'),
    ],
)
def test_a_lone_surrogate_is_invalid_parameter_never_a_500(
    local_cognito: LocalCognito, target: str, body: bytes
) -> None:
    """``json.loads`` accepts ``"\\ud800"``; the value must not reach UTF-8 encoding or SQLite."""
    response = httpx.post(
        local_cognito.url + "/", content=body, headers={"X-Amz-Target": target, **SIGNED}
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/x-amz-json-1.1"
    assert response.json()["__type"] == "InvalidParameterException"
    assert response.headers["x-amzn-errortype"] == "InvalidParameterException:"


def test_a_lone_surrogate_in_a_real_sign_up_is_invalid_parameter(
    local_cognito: LocalCognito, new_user_pool: Any
) -> None:
    """With a real app client the name reaches the store, where SQLite's UTF-8 refuses it."""
    pool = new_user_pool()
    for username in ("\\ud800", "a\\udc00b"):
        body = f'{{"ClientId":"{pool.client_id}","Username":"{username}","Password":"Pw-12345678"}}'
        response = call(local_cognito, "SignUp", raw=body.encode(), signed=False)
        assert response.status_code == 400, response.text
        assert response.json()["__type"] == "InvalidParameterException"
        assert "username" in response.json()["message"]


def test_an_escaped_surrogate_pair_is_ordinary_text(
    local_cognito: LocalCognito, new_user_pool: Any
) -> None:
    pool = new_user_pool()
    name = "smile\\ud83d\\ude00"
    body = f'{{"ClientId":"{pool.client_id}","Username":"{name}","Password":"Pw-1234567!"}}'
    response = call(local_cognito, "SignUp", raw=body.encode(), signed=False)
    assert response.status_code == 200, response.text


def test_an_error_quoting_text_utf8_cannot_encode_is_still_rendered() -> None:
    """The error path itself never crashes: such text is sent JSON-escaped."""
    from pyamplify.local import errors
    from pyamplify.local.front.app import raw_error

    status, headers, body = raw_error(errors.InvalidParameterException("Value '\ud800' is bad"))
    assert status == 400
    assert json.loads(body)["message"] == "Value '\ud800' is bad"
    assert (b"x-amzn-errortype", b"InvalidParameterException:") in headers
