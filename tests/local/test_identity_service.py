"""Identity-pool operations through boto3's cognito-identity client over loopback HTTP."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from pyamplify.local import LocalCognito
from pyamplify.local.clock import ManualClock

from .identity_fixtures import (
    AUTH_ROLE,
    UNAUTH_ROLE,
    new_identity_pool,
    new_signed_in,
    provider_name,
    sign_in,
)

pytestmark = pytest.mark.e2e

ID_PATTERN = re.compile(r"us-east-1:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def user(
    cognito_idp: Any,
    new_user_pool: Callable[..., Any],
    new_user: Callable[..., str],
    user_pool: Any,
) -> Any:
    """A new user of the module's user pool, signed in (each test gets its own identities)."""
    return new_signed_in(cognito_idp, new_user_pool, new_user, pool=user_pool)


def _error(caught: pytest.ExceptionInfo[Any]) -> tuple[str, str]:
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


# ---------------------------------------------------------------------- pools


def test_create_describe_update_delete_pool(cognito_identity: Any) -> None:
    created = cognito_identity.create_identity_pool(
        IdentityPoolName="shop_ids",
        AllowUnauthenticatedIdentities=True,
        AllowClassicFlow=True,
        CognitoIdentityProviders=[
            {"ProviderName": provider_name("us-east-1_abcdefghi"), "ClientId": "client1"}
        ],
        SupportedLoginProviders={"graph.facebook.com": "1234"},
        IdentityPoolTags={"team": "web"},
    )
    pool_id = created["IdentityPoolId"]
    assert ID_PATTERN.fullmatch(pool_id)
    assert created["CognitoIdentityProviders"] == [
        {
            "ProviderName": provider_name("us-east-1_abcdefghi"),
            "ClientId": "client1",
            "ServerSideTokenCheck": False,
        }
    ]
    described = cognito_identity.describe_identity_pool(IdentityPoolId=pool_id)
    described.pop("ResponseMetadata")
    created.pop("ResponseMetadata")
    assert described == created

    updated = cognito_identity.update_identity_pool(
        IdentityPoolId=pool_id, IdentityPoolName="renamed", AllowUnauthenticatedIdentities=False
    )
    assert updated["IdentityPoolName"] == "renamed"
    assert updated["AllowClassicFlow"] is False  # left out: back to the default, as on AWS
    assert "CognitoIdentityProviders" not in updated
    assert updated["IdentityPoolTags"] == {"team": "web"}  # tags are kept

    cognito_identity.delete_identity_pool(IdentityPoolId=pool_id)
    with pytest.raises(cognito_identity.exceptions.ResourceNotFoundException) as caught:
        cognito_identity.describe_identity_pool(IdentityPoolId=pool_id)
    assert _error(caught) == ("ResourceNotFoundException", f"IdentityPool '{pool_id}' not found.")


def test_list_identity_pools_paginates(cognito_identity: Any) -> None:
    made = {
        cognito_identity.create_identity_pool(
            IdentityPoolName=f"page{i}", AllowUnauthenticatedIdentities=False
        )["IdentityPoolId"]
        for i in range(5)
    }
    seen: list[str] = []
    kwargs: dict[str, Any] = {"MaxResults": 2}
    while True:
        page = cognito_identity.list_identity_pools(**kwargs)
        assert len(page["IdentityPools"]) <= 2
        seen += [pool["IdentityPoolId"] for pool in page["IdentityPools"]]
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert made <= set(seen)
    assert len(seen) == len(set(seen))


def test_bad_next_token_is_invalid_parameter(cognito_identity: Any) -> None:
    with pytest.raises(cognito_identity.exceptions.InvalidParameterException):
        cognito_identity.list_identity_pools(MaxResults=5, NextToken="%%%not-ours%%%")


def test_model_validation_in_corals_words(cognito_identity: Any) -> None:
    with pytest.raises(cognito_identity.exceptions.InvalidParameterException) as caught:
        cognito_identity.describe_identity_pool(IdentityPoolId="nope")
    assert _error(caught)[1] == (
        "1 validation error detected: Value 'nope' at 'identityPoolId' failed to satisfy "
        r"constraint: Member must satisfy regular expression pattern: [\w-]+:[0-9a-f-]+"
    )


def test_management_needs_a_signature(local_cognito: LocalCognito) -> None:
    import boto3

    unsigned = boto3.client(
        "cognito-identity",
        endpoint_url=local_cognito.url,
        region_name="us-east-1",
        config=Config(signature_version=UNSIGNED, retries={"max_attempts": 1}),
    )
    with pytest.raises(unsigned.exceptions.ClientError) as caught:
        unsigned.list_identity_pools(MaxResults=1)
    assert _error(caught)[0] == "MissingAuthenticationTokenException"


def test_bad_provider_name_is_invalid_parameter(cognito_identity: Any) -> None:
    with pytest.raises(cognito_identity.exceptions.InvalidParameterException):
        cognito_identity.create_identity_pool(
            IdentityPoolName="bad",
            AllowUnauthenticatedIdentities=False,
            CognitoIdentityProviders=[{"ProviderName": "example.com/pool", "ClientId": "abc"}],
        )


# ---------------------------------------------------------------------- roles


def test_set_and_get_roles_with_mappings(cognito_identity: Any, user: Any) -> None:
    pool_id = new_identity_pool(cognito_identity, [user.pool], roles={})
    key = f"{user.provider}:{user.pool.client_id}"
    mappings = {
        key: {
            "Type": "Rules",
            "AmbiguousRoleResolution": "Deny",
            "RulesConfiguration": {
                "Rules": [
                    {
                        "Claim": "custom:dept",
                        "MatchType": "Equals",
                        "Value": "sales",
                        "RoleARN": "arn:aws:iam::123456789012:role/Sales",
                    }
                ]
            },
        }
    }
    roles = {"authenticated": AUTH_ROLE, "unauthenticated": UNAUTH_ROLE}
    cognito_identity.set_identity_pool_roles(
        IdentityPoolId=pool_id, Roles=roles, RoleMappings=mappings
    )
    got = cognito_identity.get_identity_pool_roles(IdentityPoolId=pool_id)
    assert got["IdentityPoolId"] == pool_id
    assert got["Roles"] == roles
    assert got["RoleMappings"] == mappings


@pytest.mark.parametrize(
    ("mapping", "roles"),
    [
        ({"Type": "Token"}, {"authenticated": AUTH_ROLE}),  # no AmbiguousRoleResolution
        ({"Type": "Rules", "AmbiguousRoleResolution": "Deny"}, {"authenticated": AUTH_ROLE}),
        (
            {"Type": "Token", "AmbiguousRoleResolution": "Deny"},
            {"authenticated": "arn:aws:s3:::not-a-role-at-all"},
        ),
    ],
)
def test_invalid_roles_are_refused(
    cognito_identity: Any, user: Any, mapping: dict[str, Any], roles: dict[str, str]
) -> None:
    pool_id = new_identity_pool(cognito_identity, [user.pool], roles={})
    with pytest.raises(cognito_identity.exceptions.InvalidParameterException):
        cognito_identity.set_identity_pool_roles(
            IdentityPoolId=pool_id,
            Roles=roles,
            RoleMappings={f"{user.provider}:{user.pool.client_id}": mapping},
        )


def test_role_mapping_for_an_unattached_provider_is_refused(
    cognito_identity: Any, user: Any
) -> None:
    pool_id = new_identity_pool(cognito_identity, [user.pool], roles={})
    with pytest.raises(cognito_identity.exceptions.InvalidParameterException):
        cognito_identity.set_identity_pool_roles(
            IdentityPoolId=pool_id,
            Roles={"authenticated": AUTH_ROLE},
            RoleMappings={
                f"{user.provider}:someotherclient": {
                    "Type": "Token",
                    "AmbiguousRoleResolution": "Deny",
                }
            },
        )


# ---------------------------------------------------------------------- identities


def test_same_login_same_identity(cognito_identity: Any, cognito_idp: Any, user: Any) -> None:
    pool_id = new_identity_pool(cognito_identity, [user.pool])
    first = cognito_identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]
    assert ID_PATTERN.fullmatch(first)
    again = cognito_identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]
    fresh_tokens = sign_in(cognito_idp, user.pool, user.username)  # a new sign-in, new token
    later = cognito_identity.get_id(IdentityPoolId=pool_id, Logins=fresh_tokens.logins)
    assert first == again == later["IdentityId"]


def test_other_users_get_other_identities(
    cognito_identity: Any, cognito_idp: Any, new_user_pool: Any, new_user: Any, user: Any
) -> None:
    pool_id = new_identity_pool(cognito_identity, [user.pool])
    other = new_signed_in(cognito_idp, new_user_pool, new_user, pool=user.pool)
    mine = cognito_identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]
    theirs = cognito_identity.get_id(IdentityPoolId=pool_id, Logins=other.logins)["IdentityId"]
    assert mine != theirs


def test_guests_get_a_new_identity_each_time(cognito_identity: Any, user: Any) -> None:
    pool_id = new_identity_pool(cognito_identity, [user.pool])
    first = cognito_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    second = cognito_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    assert ID_PATTERN.fullmatch(first) and first != second


def test_describe_and_list_identities(cognito_identity: Any, user: Any, clock: ManualClock) -> None:
    pool_id = new_identity_pool(cognito_identity, [user.pool])
    signed_in = cognito_identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]
    guests = {cognito_identity.get_id(IdentityPoolId=pool_id)["IdentityId"] for _ in range(2)}

    described = cognito_identity.describe_identity(IdentityId=signed_in)
    assert described["IdentityId"] == signed_in
    assert described["Logins"] == [user.provider]
    assert abs(described["CreationDate"].timestamp() - clock()) < 1
    guest = cognito_identity.describe_identity(IdentityId=next(iter(guests)))
    assert "Logins" not in guest

    listed: dict[str, Any] = {}
    kwargs: dict[str, Any] = {"IdentityPoolId": pool_id, "MaxResults": 2}
    while True:
        page = cognito_identity.list_identities(**kwargs)
        assert page["IdentityPoolId"] == pool_id
        listed.update({item["IdentityId"]: item for item in page["Identities"]})
        if "NextToken" not in page:
            break
        kwargs["NextToken"] = page["NextToken"]
    assert set(listed) == guests | {signed_in}
    assert listed[signed_in]["Logins"] == [user.provider]


def test_unknown_identity_is_not_found(cognito_identity: Any) -> None:
    missing = "us-east-1:00000000-0000-0000-0000-000000000000"
    with pytest.raises(cognito_identity.exceptions.ResourceNotFoundException) as caught:
        cognito_identity.get_credentials_for_identity(IdentityId=missing)
    assert _error(caught) == ("ResourceNotFoundException", f"Identity '{missing}' not found.")
    with pytest.raises(cognito_identity.exceptions.ResourceNotFoundException):
        cognito_identity.describe_identity(IdentityId=missing)


def test_unknown_pool_in_get_id_is_not_found(cognito_identity: Any) -> None:
    missing = "us-east-1:00000000-0000-0000-0000-000000000000"
    with pytest.raises(cognito_identity.exceptions.ResourceNotFoundException) as caught:
        cognito_identity.get_id(IdentityPoolId=missing)
    assert _error(caught)[1] == f"IdentityPool '{missing}' not found."


def test_deleting_a_pool_deletes_its_identities(cognito_identity: Any, user: Any) -> None:
    pool_id = new_identity_pool(cognito_identity, [user.pool])
    identity = cognito_identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]
    cognito_identity.delete_identity_pool(IdentityPoolId=pool_id)
    with pytest.raises(cognito_identity.exceptions.ResourceNotFoundException):
        cognito_identity.describe_identity(IdentityId=identity)


# ---------------------------------------------------------------------- credentials


def test_signed_in_credentials_look_like_sts(
    cognito_identity: Any, user: Any, clock: ManualClock
) -> None:
    pool_id = new_identity_pool(cognito_identity, [user.pool])
    identity = cognito_identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]
    answer = cognito_identity.get_credentials_for_identity(IdentityId=identity, Logins=user.logins)
    assert answer["IdentityId"] == identity
    credentials = answer["Credentials"]
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", credentials["AccessKeyId"])
    assert re.fullmatch(r"[A-Za-z0-9+/]{40}", credentials["SecretKey"])
    assert len(credentials["SessionToken"]) > 100
    assert credentials["Expiration"].timestamp() == int(clock()) + 3600
    again = cognito_identity.get_credentials_for_identity(IdentityId=identity, Logins=user.logins)
    assert again["Credentials"]["AccessKeyId"] != credentials["AccessKeyId"]


def test_expiration_is_epoch_seconds_on_the_wire(
    local_cognito: LocalCognito, cognito_identity: Any, user: Any, clock: ManualClock
) -> None:
    pool_id = new_identity_pool(cognito_identity, [user.pool])
    guest = cognito_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    response = httpx.post(
        local_cognito.url,
        headers={
            "X-Amz-Target": "AWSCognitoIdentityService.GetCredentialsForIdentity",
            "Content-Type": "application/x-amz-json-1.1",
        },
        content=f'{{"IdentityId": "{guest}"}}',
    )
    assert response.status_code == 200
    expiration = response.json()["Credentials"]["Expiration"]
    assert isinstance(expiration, int) and expiration == int(clock()) + 3600


def test_guest_credentials(cognito_identity: Any, user: Any) -> None:
    pool_id = new_identity_pool(cognito_identity, [user.pool])
    guest = cognito_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    answer = cognito_identity.get_credentials_for_identity(IdentityId=guest)
    assert answer["IdentityId"] == guest
    assert answer["Credentials"]["AccessKeyId"].startswith("ASIA")


def test_signed_in_identity_without_logins_is_forbidden(cognito_identity: Any, user: Any) -> None:
    pool_id = new_identity_pool(cognito_identity, [user.pool])
    identity = cognito_identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]
    with pytest.raises(cognito_identity.exceptions.NotAuthorizedException) as caught:
        cognito_identity.get_credentials_for_identity(IdentityId=identity)
    assert _error(caught)[1] == f"Access to Identity '{identity}' is forbidden."


def test_someone_elses_logins_do_not_match(
    cognito_identity: Any, cognito_idp: Any, new_user_pool: Any, new_user: Any, user: Any
) -> None:
    pool_id = new_identity_pool(cognito_identity, [user.pool])
    other = new_signed_in(cognito_idp, new_user_pool, new_user, pool=user.pool)
    mine = cognito_identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]
    cognito_identity.get_id(IdentityPoolId=pool_id, Logins=other.logins)
    with pytest.raises(cognito_identity.exceptions.NotAuthorizedException) as caught:
        cognito_identity.get_credentials_for_identity(IdentityId=mine, Logins=other.logins)
    assert _error(caught)[1] == (
        "Logins don't match. Please include at least one valid login for this identity or "
        "identity pool."
    )


def test_guest_signing_in_becomes_authenticated(cognito_identity: Any, user: Any) -> None:
    pool_id = new_identity_pool(cognito_identity, [user.pool])
    guest = cognito_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    answer = cognito_identity.get_credentials_for_identity(IdentityId=guest, Logins=user.logins)
    assert answer["IdentityId"] == guest
    assert cognito_identity.describe_identity(IdentityId=guest)["Logins"] == [user.provider]
    assert cognito_identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"] == (
        guest
    )


def test_guest_merges_into_the_existing_identity_of_its_login(
    cognito_identity: Any, user: Any
) -> None:
    pool_id = new_identity_pool(cognito_identity, [user.pool])
    known = cognito_identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]
    guest = cognito_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    answer = cognito_identity.get_credentials_for_identity(IdentityId=guest, Logins=user.logins)
    assert answer["IdentityId"] == known
    with pytest.raises(cognito_identity.exceptions.ResourceNotFoundException):
        cognito_identity.describe_identity(IdentityId=guest)


def test_no_role_is_invalid_configuration(cognito_identity: Any, user: Any) -> None:
    pool_id = new_identity_pool(cognito_identity, [user.pool], roles={})
    identity = cognito_identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]
    with pytest.raises(
        cognito_identity.exceptions.InvalidIdentityPoolConfigurationException
    ) as caught:
        cognito_identity.get_credentials_for_identity(IdentityId=identity, Logins=user.logins)
    assert _error(caught)[1] == (
        "Invalid identity pool configuration. Check assigned IAM roles for this pool."
    )


def test_identity_ids_survive_a_restart(tmp_path: Any) -> None:
    from conftest import boto3_client

    def start() -> LocalCognito:
        return LocalCognito(tmp_path).start()

    first = start()
    try:
        idp = boto3_client("cognito-idp", first.url)
        pool_id = idp.create_user_pool(PoolName="durable")["UserPool"]["Id"]
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName="c", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"]
        )["UserPoolClient"]["ClientId"]
        idp.admin_create_user(UserPoolId=pool_id, Username="dana", MessageAction="SUPPRESS")
        idp.admin_set_user_password(
            UserPoolId=pool_id, Username="dana", Password="Durable-Pass-1", Permanent=True
        )
        identity_pool = boto3_client("cognito-identity", first.url).create_identity_pool(
            IdentityPoolName="durable",
            AllowUnauthenticatedIdentities=False,
            CognitoIdentityProviders=[
                {"ProviderName": provider_name(pool_id), "ClientId": client_id}
            ],
        )["IdentityPoolId"]
    finally:
        first.stop()

    seen = []
    for _ in range(2):  # two more processes' worth of local Cognito on the same data dir
        cognito = start()
        try:
            idp = boto3_client("cognito-idp", cognito.url)
            token = idp.initiate_auth(
                ClientId=client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": "dana", "PASSWORD": "Durable-Pass-1"},
            )["AuthenticationResult"]["IdToken"]
            seen.append(
                boto3_client("cognito-identity", cognito.url).get_id(
                    IdentityPoolId=identity_pool, Logins={provider_name(pool_id): token}
                )["IdentityId"]
            )
        finally:
            cognito.stop()
    assert seen[0] == seen[1]
    assert ID_PATTERN.fullmatch(seen[0])
