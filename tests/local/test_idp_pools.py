"""Pools, app clients and domains through boto3's cognito-idp client over loopback HTTP."""

from __future__ import annotations

import re
from typing import Any

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.e2e


def test_create_and_describe_pool_with_schema_and_policy(cognito_idp: Any) -> None:
    created = cognito_idp.create_user_pool(
        PoolName="shop",
        Policies={"PasswordPolicy": {"MinimumLength": 10, "RequireSymbols": False}},
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        Schema=[
            {"Name": "email", "Required": True, "AttributeDataType": "String"},
            {"Name": "tier", "AttributeDataType": "String", "Mutable": True},
        ],
        MfaConfiguration="OFF",
        LambdaConfig={"PreSignUp": "arn:aws:lambda:us-east-1:000000000000:function:f"},
        DeviceConfiguration={"ChallengeRequiredOnNewDevice": True},
    )["UserPool"]
    assert re.fullmatch(r"us-east-1_[0-9A-Za-z]{9}", created["Id"])
    assert created["Arn"] == f"arn:aws:cognito-idp:us-east-1:000000000000:userpool/{created['Id']}"
    pool = cognito_idp.describe_user_pool(UserPoolId=created["Id"])["UserPool"]
    policy = pool["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == 10
    assert policy["RequireSymbols"] is False
    assert policy["RequireUppercase"] is True  # defaults fill what was not given
    schema = {attribute["Name"]: attribute for attribute in pool["SchemaAttributes"]}
    assert schema["email"]["Required"] is True
    assert schema["custom:tier"]["AttributeDataType"] == "String"
    assert schema["sub"]["Mutable"] is False
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["LambdaConfig"]["PreSignUp"].endswith(":function:f")
    assert pool["DeviceConfiguration"] == {"ChallengeRequiredOnNewDevice": True}
    assert pool["EstimatedNumberOfUsers"] == 0
    assert pool["CreationDate"].year >= 2024  # epoch seconds parsed by botocore


def test_unknown_pool_is_resource_not_found(cognito_idp: Any) -> None:
    with pytest.raises(cognito_idp.exceptions.ResourceNotFoundException) as caught:
        cognito_idp.describe_user_pool(UserPoolId="us-east-1_doesnotexist")
    assert caught.value.response["Error"]["Message"] == (
        "User pool us-east-1_doesnotexist does not exist."
    )


def test_list_user_pools_paginates(cognito_idp: Any) -> None:
    ids = {cognito_idp.create_user_pool(PoolName=f"page-{i}")["UserPool"]["Id"] for i in range(3)}
    seen: set[str] = set()
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"MaxResults": 2}
        if token:
            kwargs["NextToken"] = token
        page = cognito_idp.list_user_pools(**kwargs)
        assert len(page["UserPools"]) <= 2
        seen |= {pool["Id"] for pool in page["UserPools"]}
        token = page.get("NextToken")
        if not token:
            break
    assert ids <= seen


def test_update_user_pool_resets_omitted_settings(cognito_idp: Any) -> None:
    pool_id = cognito_idp.create_user_pool(
        PoolName="upd", AutoVerifiedAttributes=["email"], MfaConfiguration="OFF"
    )["UserPool"]["Id"]
    cognito_idp.update_user_pool(
        UserPoolId=pool_id, Policies={"PasswordPolicy": {"MinimumLength": 12}}
    )
    pool = cognito_idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    assert "AutoVerifiedAttributes" not in pool  # AWS resets what the update leaves out
    assert pool["Name"] == "upd"


def test_delete_pool_respects_deletion_protection(cognito_idp: Any) -> None:
    pool_id = cognito_idp.create_user_pool(PoolName="keep", DeletionProtection="ACTIVE")[
        "UserPool"
    ]["Id"]
    with pytest.raises(cognito_idp.exceptions.InvalidParameterException):
        cognito_idp.delete_user_pool(UserPoolId=pool_id)
    cognito_idp.update_user_pool(UserPoolId=pool_id, DeletionProtection="INACTIVE")
    cognito_idp.delete_user_pool(UserPoolId=pool_id)
    with pytest.raises(cognito_idp.exceptions.ResourceNotFoundException):
        cognito_idp.describe_user_pool(UserPoolId=pool_id)


def test_client_with_secret_and_defaults(cognito_idp: Any) -> None:
    pool_id = cognito_idp.create_user_pool(PoolName="clients")["UserPool"]["Id"]
    client = cognito_idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", GenerateSecret=True
    )["UserPoolClient"]
    assert re.fullmatch(r"[a-z0-9]{26}", client["ClientId"])
    assert len(client["ClientSecret"]) == 51
    assert client["EnableTokenRevocation"] is True
    assert client["RefreshTokenValidity"] == 30
    described = cognito_idp.describe_user_pool_client(
        UserPoolId=pool_id, ClientId=client["ClientId"]
    )["UserPoolClient"]
    assert described["ClientSecret"] == client["ClientSecret"]
    listed = cognito_idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=10)
    assert [c["ClientName"] for c in listed["UserPoolClients"]] == ["web"]


def test_update_client_keeps_secret_and_resets_flows(cognito_idp: Any) -> None:
    pool_id = cognito_idp.create_user_pool(PoolName="clients2")["UserPool"]["Id"]
    client = cognito_idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="svc",
        GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    updated = cognito_idp.update_user_pool_client(
        UserPoolId=pool_id, ClientId=client["ClientId"], AccessTokenValidity=2
    )["UserPoolClient"]
    assert updated["ClientSecret"] == client["ClientSecret"]
    assert updated["AccessTokenValidity"] == 2
    assert "ExplicitAuthFlows" not in updated
    cognito_idp.delete_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])
    with pytest.raises(cognito_idp.exceptions.ResourceNotFoundException):
        cognito_idp.describe_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])


def test_token_validity_out_of_range_is_refused(cognito_idp: Any) -> None:
    pool_id = cognito_idp.create_user_pool(PoolName="validity")["UserPool"]["Id"]
    with pytest.raises(cognito_idp.exceptions.InvalidParameterException):
        cognito_idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="bad",
            AccessTokenValidity=2,
            TokenValidityUnits={"AccessToken": "days"},
        )


def test_domain_create_describe_delete(cognito_idp: Any) -> None:
    pool_id = cognito_idp.create_user_pool(PoolName="dom")["UserPool"]["Id"]
    cognito_idp.create_user_pool_domain(Domain="my-app-login", UserPoolId=pool_id)
    description = cognito_idp.describe_user_pool_domain(Domain="my-app-login")["DomainDescription"]
    assert description["UserPoolId"] == pool_id
    assert description["Status"] == "ACTIVE"
    assert description["AWSAccountId"] == "000000000000"
    assert cognito_idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Domain"] == (
        "my-app-login"
    )
    other = cognito_idp.create_user_pool(PoolName="dom2")["UserPool"]["Id"]
    with pytest.raises(cognito_idp.exceptions.InvalidParameterException):
        cognito_idp.create_user_pool_domain(Domain="my-app-login", UserPoolId=other)
    cognito_idp.delete_user_pool_domain(Domain="my-app-login", UserPoolId=pool_id)
    assert cognito_idp.describe_user_pool_domain(Domain="my-app-login")["DomainDescription"] == {}


def test_add_custom_attributes(cognito_idp: Any) -> None:
    pool_id = cognito_idp.create_user_pool(PoolName="custom")["UserPool"]["Id"]
    cognito_idp.add_custom_attributes(
        UserPoolId=pool_id, CustomAttributes=[{"Name": "plan", "AttributeDataType": "String"}]
    )
    names = {
        a["Name"]
        for a in cognito_idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["SchemaAttributes"]
    }
    assert "custom:plan" in names
    with pytest.raises(ClientError) as caught:
        cognito_idp.add_custom_attributes(
            UserPoolId=pool_id, CustomAttributes=[{"Name": "plan", "AttributeDataType": "String"}]
        )
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"


def test_oauth_settings_are_stored_for_the_hosted_ui(cognito_idp: Any) -> None:
    pool_id = cognito_idp.create_user_pool(PoolName="oauth")["UserPool"]["Id"]
    client = cognito_idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="spa",
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid", "email"],
        AllowedOAuthFlowsUserPoolClient=True,
        CallbackURLs=["http://localhost:3000/callback"],
        LogoutURLs=["http://localhost:3000/"],
        SupportedIdentityProviders=["COGNITO"],
        PreventUserExistenceErrors="ENABLED",
        RefreshTokenRotation={"Feature": "ENABLED", "RetryGracePeriodSeconds": 30},
    )["UserPoolClient"]
    described = cognito_idp.describe_user_pool_client(
        UserPoolId=pool_id, ClientId=client["ClientId"]
    )["UserPoolClient"]
    assert described["AllowedOAuthFlows"] == ["code"]
    assert described["CallbackURLs"] == ["http://localhost:3000/callback"]
    assert described["AllowedOAuthFlowsUserPoolClient"] is True
    assert described["PreventUserExistenceErrors"] == "ENABLED"
    assert described["RefreshTokenRotation"]["RetryGracePeriodSeconds"] == 30
