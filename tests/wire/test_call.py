"""Call values: the JSON 1.1 request shape and a repr that never shows the payload."""

from __future__ import annotations

import json

import pytest

from pyamplify.wire.call import IDENTITY, IDP, Call, idp


def test_headers_and_body_follow_json_1_1() -> None:
    call = idp("InitiateAuth", {"AuthFlow": "USER_SRP_AUTH", "ClientId": "c", "Ü": "ü"})
    headers = call.headers()
    assert headers["X-Amz-Target"] == "AWSCognitoIdentityProviderService.InitiateAuth"
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    assert json.loads(call.body()) == {"AuthFlow": "USER_SRP_AUTH", "ClientId": "c", "Ü": "ü"}


def test_identity_service_uses_its_own_prefix() -> None:
    call = Call(IDENTITY, "GetId", {})
    assert call.target == "AWSCognitoIdentityService.GetId"
    assert Call(IDP, "GetUser", {}).target.startswith("AWSCognitoIdentityProviderService.")


def test_repr_hides_the_payload() -> None:
    call = idp("InitiateAuth", {"AuthParameters": {"PASSWORD": "hunter2-secret"}})
    assert "hunter2" not in repr(call)
    assert repr(call) == "Call(cognito-idp.InitiateAuth)"


def test_unknown_service_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown service"):
        Call("s3", "GetObject", {})
