"""``AttributesRequireVerificationBeforeUpdate`` (the CDK's ``keepOriginal``): a verified email
stays in force until the new one is verified, through boto3 as a client sees it and through
pyamplify's ``update_user_attributes`` (``is_updated`` false, the code sent to the new
address)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from tests.conftest import PoolClient

PASSWORD = "Correct-horse-1!"
KEEP = {
    "AutoVerifiedAttributes": ["email"],
    "UserAttributeUpdateSettings": {"AttributesRequireVerificationBeforeUpdate": ["email"]},
}


def _code(cognito: Any, pool_id: str, username: str) -> tuple[str, dict[str, Any]]:
    """The newest code sent to ``username`` and its outbox item."""
    items = [i for i in cognito.outbox(username) if i["user_pool_id"] == pool_id]
    return str(items[-1]["code"]), items[-1]


def _attributes(idp: Any, pool_id: str, username: str) -> dict[str, str]:
    user = idp.admin_get_user(UserPoolId=pool_id, Username=username)
    return {a["Name"]: a["Value"] for a in user["UserAttributes"]}


@pytest.fixture
def signed_in(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> tuple[PoolClient, str]:
    """A keep-original pool, a user with a verified email, and their access token."""
    pool = new_user_pool(pool=KEEP)
    new_user(pool.pool_id, "ada", PASSWORD, {"email": "ada@old.example", "email_verified": "true"})
    tokens = cognito_idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ada", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return pool, tokens["AccessToken"]


def test_the_old_email_stays_until_the_new_one_is_verified(
    cognito_idp: Any, local_cognito: Any, signed_in: tuple[PoolClient, str]
) -> None:
    pool, access = signed_in
    answer = cognito_idp.update_user_attributes(
        AccessToken=access,
        UserAttributes=[
            {"Name": "email", "Value": "ada@new.example"},
            {"Name": "given_name", "Value": "Ada"},
        ],
    )
    (details,) = answer["CodeDeliveryDetailsList"]
    assert details["AttributeName"] == "email" and details["Destination"].startswith("a****@n")
    code, sent = _code(local_cognito, pool.pool_id, "ada")
    assert sent["destination"] == "ada@new.example"  # the code goes to the new address
    now = _attributes(cognito_idp, pool.pool_id, "ada")
    assert now["email"] == "ada@old.example" and now["email_verified"] == "true"
    assert now["given_name"] == "Ada"  # the other attributes change at once
    resent = cognito_idp.get_user_attribute_verification_code(
        AccessToken=access, AttributeName="email"
    )
    assert resent["CodeDeliveryDetails"]["Destination"].startswith("a****@n")
    code, _ = _code(local_cognito, pool.pool_id, "ada")
    cognito_idp.verify_user_attribute(AccessToken=access, AttributeName="email", Code=code)
    now = _attributes(cognito_idp, pool.pool_id, "ada")
    assert now["email"] == "ada@new.example" and now["email_verified"] == "true"


def test_without_the_setting_the_change_applies_at_once_unverified(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    pool = new_user_pool(pool={"AutoVerifiedAttributes": ["email"]})
    new_user(pool.pool_id, "bob", PASSWORD, {"email": "bob@old.example", "email_verified": "true"})
    access = cognito_idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bob", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["AccessToken"]
    cognito_idp.update_user_attributes(
        AccessToken=access, UserAttributes=[{"Name": "email", "Value": "bob@new.example"}]
    )
    now = _attributes(cognito_idp, pool.pool_id, "bob")
    assert now["email"] == "bob@new.example" and now["email_verified"] == "false"


def test_an_admin_who_verifies_in_the_same_request_changes_it_at_once(
    cognito_idp: Any, local_cognito: Any, signed_in: tuple[PoolClient, str]
) -> None:
    pool, _ = signed_in
    before = len(local_cognito.outbox("ada"))
    cognito_idp.admin_update_user_attributes(
        UserPoolId=pool.pool_id,
        Username="ada",
        UserAttributes=[{"Name": "email", "Value": "ada@admin.example"}],
    )
    assert _attributes(cognito_idp, pool.pool_id, "ada")["email"] == "ada@old.example"
    assert len(local_cognito.outbox("ada")) == before + 1  # a code to the new address
    cognito_idp.admin_update_user_attributes(
        UserPoolId=pool.pool_id,
        Username="ada",
        UserAttributes=[
            {"Name": "email", "Value": "ada@admin.example"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    now = _attributes(cognito_idp, pool.pool_id, "ada")
    assert now["email"] == "ada@admin.example" and now["email_verified"] == "true"
    assert len(local_cognito.outbox("ada")) == before + 1  # and no message this time


def test_going_back_to_the_current_value_drops_the_held_one(
    cognito_idp: Any, local_cognito: Any, signed_in: tuple[PoolClient, str]
) -> None:
    pool, access = signed_in
    cognito_idp.update_user_attributes(
        AccessToken=access, UserAttributes=[{"Name": "email", "Value": "ada@new.example"}]
    )
    code, _ = _code(local_cognito, pool.pool_id, "ada")
    cognito_idp.update_user_attributes(
        AccessToken=access, UserAttributes=[{"Name": "email", "Value": "ada@old.example"}]
    )
    cognito_idp.verify_user_attribute(AccessToken=access, AttributeName="email", Code=code)
    assert _attributes(cognito_idp, pool.pool_id, "ada")["email"] == "ada@old.example"


def test_pyamplify_reports_the_held_attribute_as_not_updated(
    local_cognito: Any, signed_in: tuple[PoolClient, str]
) -> None:
    from pyamplify.auth import Auth
    from pyamplify.config import AuthConfig, UserPoolConfig
    from pyamplify.storage import MemoryStore

    pool, _ = signed_in
    config = AuthConfig(
        user_pool=UserPoolConfig(
            pool.pool_id, pool.client_id, "us-east-1", endpoint=local_cognito.url
        )
    )
    with Auth(config, store=MemoryStore()) as auth:
        auth.sign_in("ada", PASSWORD)
        result = auth.update_user_attributes({"email": "ada@lib.example"})["email"]
        assert not result.is_updated
        assert result.next_step.update_attribute_step == "CONFIRM_ATTRIBUTE_WITH_CODE"
        assert auth.fetch_user_attributes()["email"] == "ada@old.example"
        code, _ = _code(local_cognito, pool.pool_id, "ada")
        auth.confirm_user_attribute("email", code)
        assert auth.fetch_user_attributes()["email"] == "ada@lib.example"
