"""App clients may name only COGNITO and the pool's own identity providers, as on AWS."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.e2e

GOOGLE_DETAILS = {"client_id": "g-id", "client_secret": "g-secret", "authorize_scopes": "openid"}


def _error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


def _missing(name: str, pool_id: str) -> tuple[str, str]:
    """AWS's refusal (lgallard/terraform-aws-cognito-user-pool#71)."""
    return (
        "InvalidParameterException",
        f"The provider {name} does not exist for User Pool {pool_id}.",
    )


def test_create_client_refuses_a_provider_the_pool_lacks(cognito_idp: Any) -> None:
    pool_id = cognito_idp.create_user_pool(PoolName="providers")["UserPool"]["Id"]
    with pytest.raises(ClientError) as caught:
        cognito_idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName="web", SupportedIdentityProviders=["COGNITO", "Google"]
        )
    assert _error(caught) == _missing("Google", pool_id)
    assert (
        cognito_idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=10)["UserPoolClients"]
        == []
    )
    cognito_idp.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="Google",
        ProviderType="Google",
        ProviderDetails=GOOGLE_DETAILS,
    )
    made = cognito_idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", SupportedIdentityProviders=["COGNITO", "Google"]
    )["UserPoolClient"]
    assert made["SupportedIdentityProviders"] == ["COGNITO", "Google"]


def test_update_client_refuses_a_provider_the_pool_lacks(cognito_idp: Any) -> None:
    pool_id = cognito_idp.create_user_pool(PoolName="providers-upd")["UserPool"]["Id"]
    client_id = cognito_idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", SupportedIdentityProviders=["COGNITO"]
    )["UserPoolClient"]["ClientId"]
    with pytest.raises(ClientError) as caught:
        cognito_idp.update_user_pool_client(
            UserPoolId=pool_id, ClientId=client_id, SupportedIdentityProviders=["COGNITO", "Okta"]
        )
    assert _error(caught) == _missing("Okta", pool_id)
    described = cognito_idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    assert described["UserPoolClient"]["SupportedIdentityProviders"] == ["COGNITO"]


def test_a_provider_of_another_pool_does_not_count(cognito_idp: Any) -> None:
    owner = cognito_idp.create_user_pool(PoolName="providers-owner")["UserPool"]["Id"]
    cognito_idp.create_identity_provider(
        UserPoolId=owner,
        ProviderName="Google",
        ProviderType="Google",
        ProviderDetails=GOOGLE_DETAILS,
    )
    other = cognito_idp.create_user_pool(PoolName="providers-other")["UserPool"]["Id"]
    with pytest.raises(ClientError) as caught:
        cognito_idp.create_user_pool_client(
            UserPoolId=other, ClientName="web", SupportedIdentityProviders=["Google"]
        )
    assert _error(caught) == _missing("Google", other)
