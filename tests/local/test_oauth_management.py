"""Management of the Hosted UI's parts: resource servers, domain updates, OIDC providers, and
the app client's OAuth fields refused as Cognito refuses them."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.e2e


def _error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


@pytest.fixture
def pool_id(cognito_idp: Any) -> str:
    return str(cognito_idp.create_user_pool(PoolName="hosted")["UserPool"]["Id"])


def test_resource_server_life_cycle(cognito_idp: Any, pool_id: str) -> None:
    scopes = [{"ScopeName": "read", "ScopeDescription": "Read orders"}]
    made = cognito_idp.create_resource_server(
        UserPoolId=pool_id, Identifier="https://api.example.com", Name="orders", Scopes=scopes
    )["ResourceServer"]
    assert made == {
        "UserPoolId": pool_id,
        "Identifier": "https://api.example.com",
        "Name": "orders",
        "Scopes": scopes,
    }
    with pytest.raises(ClientError) as caught:
        cognito_idp.create_resource_server(
            UserPoolId=pool_id, Identifier="https://api.example.com", Name="again"
        )
    assert _error(caught)[0] == "InvalidParameterException"
    described = cognito_idp.describe_resource_server(
        UserPoolId=pool_id, Identifier="https://api.example.com"
    )["ResourceServer"]
    assert described == made
    cognito_idp.create_resource_server(UserPoolId=pool_id, Identifier="billing", Name="billing")
    listed = cognito_idp.list_resource_servers(UserPoolId=pool_id, MaxResults=1)
    assert [s["Identifier"] for s in listed["ResourceServers"]] == ["billing"]
    following = cognito_idp.list_resource_servers(
        UserPoolId=pool_id, MaxResults=1, NextToken=listed["NextToken"]
    )
    assert [s["Identifier"] for s in following["ResourceServers"]] == ["https://api.example.com"]
    updated = cognito_idp.update_resource_server(
        UserPoolId=pool_id, Identifier="billing", Name="Billing API"
    )["ResourceServer"]
    assert updated["Name"] == "Billing API" and updated["Scopes"] == []
    cognito_idp.delete_resource_server(UserPoolId=pool_id, Identifier="billing")
    with pytest.raises(ClientError) as caught:
        cognito_idp.describe_resource_server(UserPoolId=pool_id, Identifier="billing")
    assert _error(caught)[0] == "ResourceNotFoundException"


def test_client_oauth_fields_are_enforced(cognito_idp: Any, pool_id: str) -> None:
    cognito_idp.create_resource_server(
        UserPoolId=pool_id,
        Identifier="orders",
        Name="o",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "r"}],
    )

    def refused(**kwargs: Any) -> tuple[str, str]:
        with pytest.raises(ClientError) as caught:
            cognito_idp.create_user_pool_client(UserPoolId=pool_id, ClientName="c", **kwargs)
        return _error(caught)

    assert refused(AllowedOAuthFlowsUserPoolClient=True) == (
        "InvalidParameterException",
        "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed "
        "to use OAuth flows.",
    )
    m2m = {"AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthScopes": ["orders/read"]}
    assert refused(
        AllowedOAuthFlows=["client_credentials", "code"], GenerateSecret=True, **m2m
    ) == (
        "InvalidOAuthFlowException",
        "client_credentials flow can not be selected along with code flow or implicit flow.",
    )
    assert refused(AllowedOAuthFlows=["client_credentials"], **m2m) == (
        "InvalidOAuthFlowException",
        "client_credentials flow can not be selected if client does not have a client secret.",
    )
    assert refused(
        AllowedOAuthFlows=["client_credentials"],
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthScopes=["openid"],
    ) == ("InvalidOAuthFlowException", "openid is not supported with client_credentials flow")
    code = {"AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"]}
    assert refused(AllowedOAuthScopes=["openid"], **code) == (
        "InvalidOAuthFlowException",
        "CallbackUrls can not be empty when code flow or implicit flow is selected",
    )
    assert (
        refused(
            AllowedOAuthScopes=["orders/write"], CallbackURLs=["http://localhost:3000/"], **code
        )[0]
        == "ScopeDoesNotExistException"
    )
    made = cognito_idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="m2m",
        GenerateSecret=True,
        AllowedOAuthFlows=["client_credentials"],
        **m2m,
    )["UserPoolClient"]
    assert made["AllowedOAuthScopes"] == ["orders/read"]


def test_update_user_pool_domain(cognito_idp: Any, pool_id: str) -> None:
    cognito_idp.create_user_pool_domain(UserPoolId=pool_id, Domain="update-me")
    answer = cognito_idp.update_user_pool_domain(
        UserPoolId=pool_id, Domain="update-me", ManagedLoginVersion=2
    )
    assert answer["ManagedLoginVersion"] == 2
    described = cognito_idp.describe_user_pool_domain(Domain="update-me")["DomainDescription"]
    assert described["ManagedLoginVersion"] == 2
    with pytest.raises(ClientError) as caught:
        cognito_idp.update_user_pool_domain(UserPoolId=pool_id, Domain="not-mine")
    assert _error(caught)[0] == "InvalidParameterException"
    cognito_idp.delete_user_pool_domain(UserPoolId=pool_id, Domain="update-me")
    assert cognito_idp.describe_user_pool_domain(Domain="update-me")["DomainDescription"] == {}


def test_oidc_provider_discovery_and_update(
    cognito_idp: Any, pool_id: str, local_cognito: Any
) -> None:
    issuer = f"{local_cognito.url}/_test_idp"
    details = {
        "client_id": "abc",
        "client_secret": "s3cret",
        "authorize_scopes": "openid email",
        "oidc_issuer": issuer,
    }
    provider = cognito_idp.create_identity_provider(
        UserPoolId=pool_id, ProviderName="TestIdP", ProviderType="OIDC", ProviderDetails=details
    )["IdentityProvider"]
    assert provider["ProviderDetails"]["token_url"] == f"{issuer}/token"
    assert provider["ProviderDetails"]["attributes_request_method"] == "GET"
    assert provider["AttributeMapping"] == {"username": "sub"}
    with pytest.raises(ClientError) as caught:
        cognito_idp.create_identity_provider(
            UserPoolId=pool_id,
            ProviderName="Bad",
            ProviderType="OIDC",
            ProviderDetails={"client_id": "x"},
        )
    assert _error(caught)[0] == "InvalidParameterException"
    updated = cognito_idp.update_identity_provider(
        UserPoolId=pool_id, ProviderName="TestIdP", AttributeMapping={"email": "email"}
    )["IdentityProvider"]
    assert updated["AttributeMapping"] == {"email": "email", "username": "sub"}
    assert updated["ProviderDetails"]["client_id"] == "abc"
