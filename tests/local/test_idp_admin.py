"""Admin user and group management through boto3 over loopback HTTP."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from pyamplify.local import LocalCognito

if TYPE_CHECKING:
    from tests.conftest import PoolClient

pytestmark = pytest.mark.e2e

PASSWORD = "Corr3ct-horse"


def attrs(user: dict[str, Any], key: str = "UserAttributes") -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in user[key]}


def test_admin_create_user_is_force_change_password(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], local_cognito: LocalCognito
) -> None:
    pool = new_user_pool()
    created = cognito_idp.admin_create_user(
        UserPoolId=pool.pool_id,
        Username="carol",
        TemporaryPassword="Temp0rary!",
        UserAttributes=[{"Name": "email", "Value": "carol@example.com"}],
        DesiredDeliveryMediums=["EMAIL"],
    )["User"]
    assert created["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert created["Enabled"] is True
    invitation = local_cognito.outbox("carol")[-1]
    assert invitation["purpose"] == "AdminCreateUser"
    assert invitation["destination"] == "carol@example.com"
    assert invitation["code"] == "Temp0rary!"
    fetched = cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="carol")
    assert attrs(fetched)["email"] == "carol@example.com"
    assert len(attrs(fetched)["sub"]) == 36
    with pytest.raises(cognito_idp.exceptions.UsernameExistsException) as caught:
        cognito_idp.admin_create_user(UserPoolId=pool.pool_id, Username="carol")
    assert caught.value.response["Error"]["Message"] == "User account already exists"


def test_temporary_password_must_meet_the_policy(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient]
) -> None:
    pool = new_user_pool()
    with pytest.raises(cognito_idp.exceptions.InvalidPasswordException) as caught:
        cognito_idp.admin_create_user(
            UserPoolId=pool.pool_id, Username="weak", TemporaryPassword="short1A!"[:5]
        )
    assert caught.value.response["Error"]["Message"].startswith(
        "Password did not conform with policy"
    )


def test_set_password_permanent_and_temporary(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient]
) -> None:
    pool = new_user_pool()
    cognito_idp.admin_create_user(UserPoolId=pool.pool_id, Username="dan", MessageAction="SUPPRESS")
    cognito_idp.admin_set_user_password(
        UserPoolId=pool.pool_id, Username="dan", Password=PASSWORD, Permanent=True
    )
    user = cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="dan")
    assert user["UserStatus"] == "CONFIRMED"
    cognito_idp.admin_set_user_password(
        UserPoolId=pool.pool_id, Username="dan", Password=PASSWORD, Permanent=False
    )
    user = cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="dan")
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_email_as_username_uses_sub_as_internal_username(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient]
) -> None:
    pool = new_user_pool(pool={"UsernameAttributes": ["email"]})
    created = cognito_idp.admin_create_user(
        UserPoolId=pool.pool_id, Username="Erin@Example.com", MessageAction="SUPPRESS"
    )["User"]
    assert created["Username"] == attrs(created, "Attributes")["sub"]
    assert attrs(created, "Attributes")["email"] == "erin@example.com"
    by_email = cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="erin@example.com")
    assert by_email["Username"] == created["Username"]
    with pytest.raises(cognito_idp.exceptions.InvalidParameterException) as caught:
        cognito_idp.admin_create_user(UserPoolId=pool.pool_id, Username="not-an-email")
    assert caught.value.response["Error"]["Message"] == "Username should be an email."
    with pytest.raises(cognito_idp.exceptions.UsernameExistsException):
        cognito_idp.admin_create_user(UserPoolId=pool.pool_id, Username="erin@example.com")


def test_unknown_user_is_user_not_found(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient]
) -> None:
    pool = new_user_pool()
    with pytest.raises(cognito_idp.exceptions.UserNotFoundException) as caught:
        cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="ghost")
    assert caught.value.response["Error"]["Message"] == "User does not exist."


def test_update_attributes_confirm_disable_enable_delete(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient]
) -> None:
    pool = new_user_pool(pool={"Schema": [{"Name": "plan", "AttributeDataType": "String"}]})
    cognito_idp.sign_up(ClientId=pool.client_id, Username="fay", Password=PASSWORD)
    assert cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="fay")["UserStatus"] == (
        "UNCONFIRMED"
    )
    cognito_idp.admin_confirm_sign_up(UserPoolId=pool.pool_id, Username="fay")
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException):
        cognito_idp.admin_confirm_sign_up(UserPoolId=pool.pool_id, Username="fay")
    cognito_idp.admin_update_user_attributes(
        UserPoolId=pool.pool_id,
        Username="fay",
        UserAttributes=[
            {"Name": "email", "Value": "fay@example.com"},
            {"Name": "email_verified", "Value": "true"},
            {"Name": "custom:plan", "Value": "gold"},
        ],
    )
    user = attrs(cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="fay"))
    assert user["email_verified"] == "true"
    assert user["custom:plan"] == "gold"
    with pytest.raises(cognito_idp.exceptions.InvalidParameterException):
        cognito_idp.admin_update_user_attributes(
            UserPoolId=pool.pool_id,
            Username="fay",
            UserAttributes=[{"Name": "custom:nope", "Value": "x"}],
        )
    with pytest.raises(cognito_idp.exceptions.InvalidParameterException) as refused:
        cognito_idp.admin_delete_user_attributes(
            UserPoolId=pool.pool_id, Username="fay", UserAttributeNames=["custom:plan", "nope"]
        )
    assert "{nope}" in refused.value.response["Error"]["Message"]
    assert (
        attrs(cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="fay"))["custom:plan"]
        == "gold"
    )  # nothing deleted when one name is unknown
    cognito_idp.admin_delete_user_attributes(
        UserPoolId=pool.pool_id, Username="fay", UserAttributeNames=["custom:plan"]
    )
    user = attrs(cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="fay"))
    assert "custom:plan" not in user
    cognito_idp.admin_disable_user(UserPoolId=pool.pool_id, Username="fay")
    assert cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="fay")["Enabled"] is False
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException) as caught:
        cognito_idp.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "fay", "PASSWORD": PASSWORD},
        )
    assert caught.value.response["Error"]["Message"] == "User is disabled."
    cognito_idp.admin_enable_user(UserPoolId=pool.pool_id, Username="fay")
    cognito_idp.admin_delete_user(UserPoolId=pool.pool_id, Username="fay")
    with pytest.raises(cognito_idp.exceptions.UserNotFoundException):
        cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="fay")


def test_list_users_with_filters(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    pool = new_user_pool()
    new_user(pool.pool_id, "gina", PASSWORD, {"email": "gina@example.com"})
    new_user(pool.pool_id, "gil", PASSWORD, {"email": "gil@example.org"})
    new_user(pool.pool_id, "hal", PASSWORD, {"email": "hal@example.com"})
    cognito_idp.admin_disable_user(UserPoolId=pool.pool_id, Username="hal")

    def names(filter_text: str) -> list[str]:
        users = cognito_idp.list_users(UserPoolId=pool.pool_id, Filter=filter_text)["Users"]
        return sorted(u["Username"] for u in users)

    assert names("") == ["gil", "gina", "hal"]
    assert names('username ^= "gi"') == ["gil", "gina"]
    assert names('email = "hal@example.com"') == ["hal"]
    assert names('status = "Disabled"') == ["hal"]
    assert names('cognito:user_status = "confirmed"') == ["gil", "gina", "hal"]
    with pytest.raises(cognito_idp.exceptions.InvalidParameterException):
        names("email == nope")
    page = cognito_idp.list_users(UserPoolId=pool.pool_id, Limit=2)
    rest = cognito_idp.list_users(
        UserPoolId=pool.pool_id, Limit=2, PaginationToken=page["PaginationToken"]
    )
    assert len(page["Users"]) == 2 and len(rest["Users"]) == 1
    only_email = cognito_idp.list_users(UserPoolId=pool.pool_id, AttributesToGet=["email"])
    assert all({a["Name"] for a in u["Attributes"]} == {"email"} for u in only_email["Users"])


def test_groups_and_membership(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    pool = new_user_pool()
    new_user(pool.pool_id, "ivy", PASSWORD)
    group = cognito_idp.create_group(
        UserPoolId=pool.pool_id, GroupName="admins", Precedence=1, Description="the admins"
    )["Group"]
    assert group["GroupName"] == "admins"
    cognito_idp.create_group(UserPoolId=pool.pool_id, GroupName="readers", Precedence=5)
    with pytest.raises(cognito_idp.exceptions.GroupExistsException):
        cognito_idp.create_group(UserPoolId=pool.pool_id, GroupName="admins")
    cognito_idp.admin_add_user_to_group(UserPoolId=pool.pool_id, Username="ivy", GroupName="admins")
    cognito_idp.admin_add_user_to_group(
        UserPoolId=pool.pool_id, Username="ivy", GroupName="readers"
    )
    groups = cognito_idp.admin_list_groups_for_user(UserPoolId=pool.pool_id, Username="ivy")
    assert [g["GroupName"] for g in groups["Groups"]] == ["admins", "readers"]
    members = cognito_idp.list_users_in_group(UserPoolId=pool.pool_id, GroupName="admins")
    assert [u["Username"] for u in members["Users"]] == ["ivy"]
    cognito_idp.admin_remove_user_from_group(
        UserPoolId=pool.pool_id, Username="ivy", GroupName="admins"
    )
    groups = cognito_idp.admin_list_groups_for_user(UserPoolId=pool.pool_id, Username="ivy")
    assert [g["GroupName"] for g in groups["Groups"]] == ["readers"]
    with pytest.raises(cognito_idp.exceptions.ResourceNotFoundException):
        cognito_idp.admin_add_user_to_group(
            UserPoolId=pool.pool_id, Username="ivy", GroupName="nope"
        )
    assert len(cognito_idp.list_groups(UserPoolId=pool.pool_id)["Groups"]) == 2
    cognito_idp.delete_group(UserPoolId=pool.pool_id, GroupName="readers")
    with pytest.raises(cognito_idp.exceptions.ResourceNotFoundException):
        cognito_idp.get_group(UserPoolId=pool.pool_id, GroupName="readers")


def test_alias_sign_in_needs_a_verified_alias(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    pool = new_user_pool(pool={"AliasAttributes": ["email", "preferred_username"]})
    new_user(pool.pool_id, "jon", PASSWORD, {"email": "jon@example.com", "preferred_username": "j"})

    def sign_in(name: str) -> Any:
        return cognito_idp.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
        )

    with pytest.raises(cognito_idp.exceptions.UserNotFoundException):
        sign_in("jon@example.com")  # not verified yet: not an alias
    assert sign_in("j")["AuthenticationResult"]  # preferred_username needs no verification
    cognito_idp.admin_update_user_attributes(
        UserPoolId=pool.pool_id,
        Username="jon",
        UserAttributes=[{"Name": "email_verified", "Value": "true"}],
    )
    assert sign_in("jon@example.com")["AuthenticationResult"]


def test_case_insensitive_usernames(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    pool = new_user_pool(pool={"UsernameConfiguration": {"CaseSensitive": False}})
    new_user(pool.pool_id, "Kate", PASSWORD)
    assert cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="KATE")["Username"] == (
        "kate"
    )
    sensitive = new_user_pool()
    new_user(sensitive.pool_id, "Kate", PASSWORD)
    with pytest.raises(cognito_idp.exceptions.UserNotFoundException):
        cognito_idp.admin_get_user(UserPoolId=sensitive.pool_id, Username="kate")


def test_admin_reset_user_password_sends_a_code(
    local_cognito: LocalCognito,
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    pool = new_user_pool()
    new_user(pool.pool_id, "lou", PASSWORD, {"email": "lou@example.com", "email_verified": "true"})
    cognito_idp.admin_reset_user_password(UserPoolId=pool.pool_id, Username="lou")
    assert cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="lou")["UserStatus"] == (
        "RESET_REQUIRED"
    )
    with pytest.raises(cognito_idp.exceptions.PasswordResetRequiredException):
        cognito_idp.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "lou", "PASSWORD": PASSWORD},
        )
    code = local_cognito.outbox("lou")[-1]
    assert code["purpose"] == "ForgotPassword"
    cognito_idp.confirm_forgot_password(
        ClientId=pool.client_id,
        Username="lou",
        ConfirmationCode=code["code"],
        Password="N3w-pass!!",
    )
    assert cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="lou")["UserStatus"] == (
        "CONFIRMED"
    )
