"""Identity providers of a user pool through boto3: create, list, describe, delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.e2e

OIDC = {
    "client_id": "corp-client",
    "client_secret": "corp-secret",
    "authorize_scopes": "openid email",
    "oidc_issuer": "https://login.corp.example.com",
    "attributes_request_method": "GET",
}


def test_create_list_describe_delete(cognito_idp: Any, new_user_pool: Callable[..., Any]) -> None:
    pool_id = new_user_pool().pool_id
    made = cognito_idp.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="CorpOIDC",
        ProviderType="OIDC",
        ProviderDetails=OIDC,
        AttributeMapping={"email": "email"},
    )["IdentityProvider"]
    assert made["ProviderType"] == "OIDC" and made["ProviderDetails"]["client_id"] == "corp-client"
    cognito_idp.create_identity_provider(
        UserPoolId=pool_id,
        ProviderName="CorpSAML",
        ProviderType="SAML",
        ProviderDetails={"MetadataURL": "https://idp.corp.example.com/metadata"},
    )
    listed = cognito_idp.list_identity_providers(UserPoolId=pool_id, MaxResults=1)
    assert [p["ProviderName"] for p in listed["Providers"]] == ["CorpOIDC"]
    rest = cognito_idp.list_identity_providers(
        UserPoolId=pool_id, MaxResults=1, NextToken=listed["NextToken"]
    )
    assert [(p["ProviderName"], p["ProviderType"]) for p in rest["Providers"]] == [
        ("CorpSAML", "SAML")
    ]
    described = cognito_idp.describe_identity_provider(UserPoolId=pool_id, ProviderName="CorpSAML")
    assert described["IdentityProvider"]["UserPoolId"] == pool_id
    cognito_idp.delete_identity_provider(UserPoolId=pool_id, ProviderName="CorpSAML")
    with pytest.raises(cognito_idp.exceptions.ResourceNotFoundException):
        cognito_idp.describe_identity_provider(UserPoolId=pool_id, ProviderName="CorpSAML")


def test_duplicates_unknown_pools_and_types_are_refused(
    cognito_idp: Any, new_user_pool: Callable[..., Any]
) -> None:
    pool_id = new_user_pool().pool_id
    request = {
        "UserPoolId": pool_id,
        "ProviderName": "Okta",
        "ProviderType": "OIDC",
        "ProviderDetails": OIDC,
    }
    cognito_idp.create_identity_provider(**request)
    with pytest.raises(cognito_idp.exceptions.DuplicateProviderException):
        cognito_idp.create_identity_provider(**request)
    with pytest.raises(cognito_idp.exceptions.ResourceNotFoundException):
        cognito_idp.list_identity_providers(UserPoolId="us-east-1_NoSuchPool")
    with pytest.raises(cognito_idp.exceptions.InvalidParameterException):
        cognito_idp.create_identity_provider(
            **{**request, "ProviderName": "X", "ProviderType": "LDAP"}
        )
