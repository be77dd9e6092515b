"""Role resolution: default roles, Token and Rules mappings, AmbiguousRoleResolution.

The role an identity got is read back the way a user would: by calling STS
GetCallerIdentity (boto3, real SigV4 signing) with the minted credentials.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pyamplify.local import LocalCognito
from pyamplify.local.identity.roles import role_name, rule_matches

from .identity_fixtures import (
    AUTH_ROLE,
    UNAUTH_ROLE,
    new_identity_pool,
    new_signed_in,
    sts_client,
)

ADMIN_ROLE = "arn:aws:iam::123456789012:role/team/Admins"
EDITOR_ROLE = "arn:aws:iam::123456789012:role/Editors"
SALES_ROLE = "arn:aws:iam::123456789012:role/Sales"
SUPPORT_ROLE = "arn:aws:iam::123456789012:role/Support"


# ---------------------------------------------------------------------- rules, no server


@pytest.mark.parametrize(
    ("match_type", "value", "claims", "expected"),
    [
        ("Equals", "sales", {"custom:dept": "sales"}, True),
        ("Equals", "sales", {"custom:dept": "salesforce"}, False),
        ("Contains", "ale", {"custom:dept": "sales"}, True),
        ("Contains", "xyz", {"custom:dept": "sales"}, False),
        ("StartsWith", "sal", {"custom:dept": "sales"}, True),
        ("StartsWith", "ales", {"custom:dept": "sales"}, False),
        ("NotEqual", "sales", {"custom:dept": "support"}, True),
        ("NotEqual", "sales", {"custom:dept": "sales"}, False),
        ("NotEqual", "sales", {}, False),  # a rule on a missing claim is not evaluated
        ("Equals", "sales", {}, False),
        ("Equals", "admins", {"cognito:groups": ["readers", "admins"]}, True),
        ("NotEqual", "admins", {"cognito:groups": ["readers", "admins"]}, False),
        ("Equals", "true", {"email_verified": True}, True),
        ("Equals", "42", {"custom:level": 42}, True),
    ],
)
def test_rule_matching(match_type: str, value: str, claims: dict[str, Any], expected: bool) -> None:
    claim = next(iter(claims), "custom:dept")
    rule = {"Claim": claim, "MatchType": match_type, "Value": value, "RoleARN": SALES_ROLE}
    assert rule_matches(rule, claims) is expected


def test_role_name_is_the_last_path_segment() -> None:
    assert role_name(ADMIN_ROLE) == "Admins"
    assert role_name(EDITOR_ROLE) == "Editors"


# ---------------------------------------------------------------------- over loopback


@pytest.fixture(scope="module")
def user_pool(new_user_pool: Callable[..., Any]) -> Any:
    return new_user_pool(
        pool={"Schema": [{"Name": "dept", "AttributeDataType": "String", "Mutable": True}]}
    )


@pytest.fixture
def signed_in(
    cognito_idp: Any, new_user_pool: Any, new_user: Any, user_pool: Any, clock: Any
) -> Callable[..., Any]:
    """Factory: a new user of the module's pool with ``groups`` / ``attributes``."""

    def make(**kwargs: Any) -> Any:
        return new_signed_in(cognito_idp, new_user_pool, new_user, pool=user_pool, **kwargs)

    return make


def _mapping_key(user: Any) -> str:
    return f"{user.provider}:{user.pool.client_id}"


def _assumed_role(
    local_cognito: LocalCognito,
    cognito_identity: Any,
    pool_id: str,
    logins: dict[str, str] | None,
    **extra: str,
) -> str:
    """GetId + GetCredentialsForIdentity + STS GetCallerIdentity: the assumed role's name."""
    kwargs: dict[str, Any] = {"Logins": logins} if logins else {}
    identity = cognito_identity.get_id(IdentityPoolId=pool_id, **kwargs)["IdentityId"]
    credentials = cognito_identity.get_credentials_for_identity(
        IdentityId=identity, **kwargs, **extra
    )["Credentials"]
    arn = sts_client(local_cognito.url, credentials).get_caller_identity()["Arn"]
    prefix, _, session = arn.rpartition("/")
    assert session == "CognitoIdentityCredentials"
    assert prefix.startswith("arn:aws:sts::123456789012:assumed-role/")
    return prefix.rsplit("/", 1)[1]


def _denied(cognito_identity: Any, pool_id: str, logins: dict[str, str], **extra: str) -> str:
    identity = cognito_identity.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    with pytest.raises(cognito_identity.exceptions.NotAuthorizedException) as caught:
        cognito_identity.get_credentials_for_identity(IdentityId=identity, Logins=logins, **extra)
    return str(caught.value.response["Error"]["Message"])


def test_default_roles(
    local_cognito: LocalCognito, cognito_identity: Any, signed_in: Any, user_pool: Any
) -> None:
    user = signed_in()
    pool_id = new_identity_pool(cognito_identity, [user_pool])
    assert _assumed_role(local_cognito, cognito_identity, pool_id, user.logins) == (
        role_name(AUTH_ROLE)
    )
    assert _assumed_role(local_cognito, cognito_identity, pool_id, None) == role_name(UNAUTH_ROLE)


def _token_pool(cognito_identity: Any, user: Any, ambiguous: str) -> str:
    mapping = {"Type": "Token", "AmbiguousRoleResolution": ambiguous}
    return new_identity_pool(
        cognito_identity, [user.pool], role_mappings={_mapping_key(user): mapping}
    )


def test_token_mapping_uses_preferred_role(
    local_cognito: LocalCognito, cognito_identity: Any, signed_in: Any
) -> None:
    user = signed_in(groups=[("admins", ADMIN_ROLE, 1), ("editors", EDITOR_ROLE, 5)])
    pool_id = _token_pool(cognito_identity, user, "Deny")
    assert _assumed_role(local_cognito, cognito_identity, pool_id, user.logins) == "Admins"


def test_token_mapping_honours_a_custom_role_from_cognito_roles(
    local_cognito: LocalCognito, cognito_identity: Any, signed_in: Any
) -> None:
    user = signed_in(groups=[("admins", ADMIN_ROLE, 1), ("editors", EDITOR_ROLE, 5)])
    pool_id = _token_pool(cognito_identity, user, "Deny")
    assumed = _assumed_role(
        local_cognito, cognito_identity, pool_id, user.logins, CustomRoleArn=EDITOR_ROLE
    )
    assert assumed == "Editors"


def test_token_mapping_denies_a_custom_role_outside_cognito_roles(
    cognito_identity: Any, signed_in: Any
) -> None:
    user = signed_in(groups=[("editors", EDITOR_ROLE, 5)])
    pool_id = _token_pool(cognito_identity, user, "AuthenticatedRole")
    message = _denied(cognito_identity, pool_id, user.logins, CustomRoleArn=SALES_ROLE)
    assert message == "The ambiguous role mapping rules denied this request."


@pytest.mark.parametrize(
    ("ambiguous", "expected"), [("AuthenticatedRole", role_name(AUTH_ROLE)), ("Deny", None)]
)
def test_token_mapping_without_roles_is_ambiguous(
    local_cognito: LocalCognito,
    cognito_identity: Any,
    signed_in: Any,
    ambiguous: str,
    expected: str | None,
) -> None:
    user = signed_in(groups=[("readers", None, None)])  # a group without a role
    pool_id = _token_pool(cognito_identity, user, ambiguous)
    _assert_ambiguous_resolution(local_cognito, cognito_identity, pool_id, user, expected)


def _assert_ambiguous_resolution(
    local_cognito: LocalCognito,
    cognito_identity: Any,
    pool_id: str,
    user: Any,
    expected: str | None,
) -> None:
    """An ambiguous mapping gives the ``expected`` role, or (None) a denial."""
    if expected is None:
        message = _denied(cognito_identity, pool_id, user.logins)
        assert message == "The ambiguous role mapping rules denied this request."
    else:
        assert _assumed_role(local_cognito, cognito_identity, pool_id, user.logins) == expected


def _rules_pool(cognito_identity: Any, user: Any, ambiguous: str) -> str:
    rules = [
        {"Claim": "custom:dept", "MatchType": "Equals", "Value": "sales", "RoleARN": SALES_ROLE},
        {"Claim": "custom:dept", "MatchType": "StartsWith", "Value": "s", "RoleARN": SUPPORT_ROLE},
    ]
    mapping = {
        "Type": "Rules",
        "AmbiguousRoleResolution": ambiguous,
        "RulesConfiguration": {"Rules": rules},
    }
    return new_identity_pool(
        cognito_identity, [user.pool], role_mappings={_mapping_key(user): mapping}
    )


@pytest.mark.parametrize(
    ("dept", "expected"), [("sales", "Sales"), ("support", "Support"), ("success", "Support")]
)
def test_rules_first_match_wins(
    local_cognito: LocalCognito,
    cognito_identity: Any,
    signed_in: Any,
    dept: str,
    expected: str,
) -> None:
    user = signed_in(attributes={"custom:dept": dept})
    pool_id = _rules_pool(cognito_identity, user, "Deny")
    assert _assumed_role(local_cognito, cognito_identity, pool_id, user.logins) == expected


def test_rules_custom_role_picks_among_matches(
    local_cognito: LocalCognito, cognito_identity: Any, signed_in: Any
) -> None:
    user = signed_in(attributes={"custom:dept": "sales"})  # matches both rules
    pool_id = _rules_pool(cognito_identity, user, "Deny")
    assumed = _assumed_role(
        local_cognito, cognito_identity, pool_id, user.logins, CustomRoleArn=SUPPORT_ROLE
    )
    assert assumed == "Support"


@pytest.mark.parametrize(
    ("ambiguous", "expected"), [("AuthenticatedRole", role_name(AUTH_ROLE)), ("Deny", None)]
)
def test_rules_without_a_match_are_ambiguous(
    local_cognito: LocalCognito,
    cognito_identity: Any,
    signed_in: Any,
    ambiguous: str,
    expected: str | None,
) -> None:
    user = signed_in(attributes={"custom:dept": "marketing"})
    pool_id = _rules_pool(cognito_identity, user, ambiguous)
    _assert_ambiguous_resolution(local_cognito, cognito_identity, pool_id, user, expected)


def test_guests_ignore_role_mappings(
    local_cognito: LocalCognito, cognito_identity: Any, signed_in: Any
) -> None:
    user = signed_in()
    pool_id = _rules_pool(cognito_identity, user, "Deny")
    assert _assumed_role(local_cognito, cognito_identity, pool_id, None) == role_name(UNAUTH_ROLE)
