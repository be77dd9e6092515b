"""One registry of operations per service, the model-driven service type, and always-on checks."""

from __future__ import annotations

import json
from importlib.metadata import requires
from typing import Any

import httpx
import pytest

from pyamplify.local import LocalCognito
from pyamplify.local.backend import Backend
from pyamplify.local.identity import service as identity_service
from pyamplify.local.idp import service as idp_service
from pyamplify.local.service import model as service_model
from pyamplify.local.service.endpoints import RequestInfo
from pyamplify.local.service.registry import (
    DuplicateOperationError,
    ModelService,
    OperationRegistry,
)

TARGET = "AWSCognitoIdentityProviderService"
UNSIGNED = RequestInfo(headers={}, signed=False)


def _handler(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    return {"seen": body}


def _other_handler(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    return {}


def test_a_second_handler_for_one_operation_is_refused_naming_both() -> None:
    registry = OperationRegistry("cognito-idp")
    registry.operation("GetUser")(_handler)
    with pytest.raises(DuplicateOperationError) as raised:
        registry.operation("GetUser")(_other_handler)
    message = str(raised.value)
    assert "GetUser" in message and "_handler" in message and "_other_handler" in message
    assert registry.get("GetUser") is _handler


def test_every_registered_operation_exists_in_its_model() -> None:
    for registry, model in (
        (idp_service.OPERATIONS, service_model.idp_model()),
        (identity_service.OPERATIONS, service_model.identity_model()),
    ):
        assert len(registry) > 10
        assert registry.names() <= model.operations


def test_a_service_refuses_a_handler_for_an_operation_its_model_lacks() -> None:
    registry = OperationRegistry("cognito-idp")
    registry.add("NoSuchCognitoOperation", _handler)
    with pytest.raises(DuplicateOperationError, match="NoSuchCognitoOperation"):
        ModelService(
            None,  # type: ignore[arg-type]  # refused before the backend is used
            model=service_model.idp_model(),
            registry=registry,
            title="Cognito user pool",
        )


def test_the_service_checks_in_awss_order_before_the_handler() -> None:
    registry = OperationRegistry("cognito-idp")
    registry.add("GetUser", _handler)
    calls: list[str] = []
    service = ModelService(
        None,  # type: ignore[arg-type]  # the handler ignores it
        model=service_model.idp_model(),
        registry=registry,
        title="Cognito user pool",
        before_operation=lambda backend: calls.append("before"),
    )
    from pyamplify.local import errors

    with pytest.raises(errors.UnknownOperationException, match="not a Cognito user pool"):
        service.handle("Nope", {}, UNSIGNED)
    with pytest.raises(errors.MissingAuthenticationTokenException):
        service.handle("ListUserPools", {"MaxResults": 1}, UNSIGNED)
    with pytest.raises(errors.InvalidParameterException, match="accessToken"):
        service.handle("GetUser", {}, UNSIGNED)
    signed = RequestInfo(headers={}, signed=True)
    with pytest.raises(errors.UnsupportedOperationException, match="ListUserPools"):
        service.handle("ListUserPools", {"MaxResults": 1}, signed)
    assert calls == []
    assert service.handle("GetUser", {"AccessToken": "x"}, UNSIGNED) == {
        "seen": {"AccessToken": "x"}
    }
    assert calls == ["before"]


def test_the_live_shape_override_leaves_botocores_model_alone() -> None:
    from botocore.loaders import Loader

    ours = service_model.idp_model().shapes["DomainType"]
    published = Loader().load_service_model("cognito-idp", "service-2", "2016-04-18")
    assert "pattern" not in ours
    assert "pattern" in published["shapes"]["DomainType"]
    assert (
        "pattern" in service_model._raw_model("cognito-idp", "2016-04-18")["shapes"]["DomainType"]
    )


def test_the_local_extra_depends_on_botocore_so_validation_is_always_on() -> None:
    wanted = [line for line in requires("pyamplify") or [] if 'extra == "local"' in line]
    assert any(line.startswith("botocore") for line in wanted), wanted


def _call(cognito: LocalCognito, operation: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        cognito.url,
        content=json.dumps(body),
        headers={
            "X-Amz-Target": f"{TARGET}.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )


def test_null_map_values_are_accepted_as_aws_accepts_them(
    local_cognito: LocalCognito, new_user_pool: Any, new_user: Any
) -> None:
    """amazon-cognito-identity-js sends ``AuthParameters.DEVICE_KEY = null`` on every refresh."""
    pool = new_user_pool()
    new_user(pool.pool_id, "nulls", "Passw0rd!x")
    signed_in = _call(
        local_cognito,
        "InitiateAuth",
        {
            "AuthFlow": "USER_PASSWORD_AUTH",
            "ClientId": pool.client_id,
            "AuthParameters": {"USERNAME": "nulls", "PASSWORD": "Passw0rd!x", "DEVICE_KEY": None},
            "ClientMetadata": {"k": None},
        },
    )
    assert signed_in.status_code == 200, signed_in.text
    refresh_token = signed_in.json()["AuthenticationResult"]["RefreshToken"]
    refreshed = _call(
        local_cognito,
        "InitiateAuth",
        {
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "ClientId": pool.client_id,
            "AuthParameters": {"REFRESH_TOKEN": refresh_token, "DEVICE_KEY": None},
        },
    )
    assert refreshed.status_code == 200, refreshed.text
    assert "IdToken" in refreshed.json()["AuthenticationResult"]


def test_a_null_list_member_is_still_refused_in_corals_words(local_cognito: LocalCognito) -> None:
    answer = _call(
        local_cognito,
        "SignUp",
        {"ClientId": "c", "Username": "u", "Password": "p" * 8, "UserAttributes": [None]},
    )
    assert answer.status_code == 400
    assert answer.json()["message"].startswith("1 validation error detected: Value null at")
