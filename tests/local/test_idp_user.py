"""The user plane: sign-up and confirmation through the outbox, forgotten passwords,
attributes and their verification, password change, account deletion."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from pyamplify.local import LocalCognito

if TYPE_CHECKING:
    from tests.conftest import PoolClient

pytestmark = pytest.mark.e2e

PASSWORD = "Sup3r-secret!"
NEW_PASSWORD = "N3w-secret!!"


def attrs(items: list[dict[str, str]]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in items}


def message(excinfo: pytest.ExceptionInfo[Any]) -> str:
    return str(excinfo.value.response["Error"]["Message"])


def sign_in(idp: Any, client_id: str, username: str, password: str = PASSWORD) -> dict[str, Any]:
    result: dict[str, Any] = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )["AuthenticationResult"]
    return result


def test_sign_up_confirm_with_the_outbox_code_then_sign_in(
    local_cognito: LocalCognito, cognito_idp: Any, new_user_pool: Callable[..., PoolClient]
) -> None:
    pool = new_user_pool(pool={"AutoVerifiedAttributes": ["email"]})
    signed_up = cognito_idp.sign_up(
        ClientId=pool.client_id,
        Username="alice",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
    )
    assert signed_up["UserConfirmed"] is False
    assert len(signed_up["UserSub"]) == 36
    assert signed_up["CodeDeliveryDetails"] == {
        "Destination": "a****@e****",
        "DeliveryMedium": "EMAIL",
        "AttributeName": "email",
    }
    item = local_cognito.outbox("alice")[-1]
    assert item["purpose"] == "SignUp"
    assert item["destination"] == "alice@example.com"
    assert item["delivery_medium"] == "EMAIL"
    assert item["user_pool_id"] == pool.pool_id
    served = httpx.get(local_cognito.url + "/_local/outbox", params={"username": "alice"}).json()
    assert served[-1] == item
    with pytest.raises(cognito_idp.exceptions.CodeMismatchException) as caught:
        cognito_idp.confirm_sign_up(
            ClientId=pool.client_id,
            Username="alice",
            ConfirmationCode="000000" if item["code"] != "000000" else "111111",
        )
    assert message(caught) == "Invalid verification code provided, please try again."
    cognito_idp.confirm_sign_up(
        ClientId=pool.client_id, Username="alice", ConfirmationCode=item["code"]
    )
    user = cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="alice")
    assert user["UserStatus"] == "CONFIRMED"
    assert attrs(user["UserAttributes"])["email_verified"] == "true"
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException) as caught:
        cognito_idp.confirm_sign_up(
            ClientId=pool.client_id, Username="alice", ConfirmationCode=item["code"]
        )
    assert message(caught) == "User cannot confirm because user status is not UNCONFIRMED."
    assert sign_in(cognito_idp, pool.client_id, "alice")["IdToken"]


def test_sign_up_checks_policy_duplicates_and_required_attributes(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient]
) -> None:
    pool = new_user_pool(pool={"Schema": [{"Name": "email", "Required": True}]})
    with pytest.raises(cognito_idp.exceptions.InvalidParameterException) as caught:
        cognito_idp.sign_up(ClientId=pool.client_id, Username="bo", Password=PASSWORD)
    assert "email" in message(caught)
    with pytest.raises(cognito_idp.exceptions.InvalidPasswordException) as caught:
        cognito_idp.sign_up(
            ClientId=pool.client_id,
            Username="bo",
            Password="alllowercase1!",
            UserAttributes=[{"Name": "email", "Value": "bo@example.com"}],
        )
    assert message(caught) == (
        "Password did not conform with policy: Password must have uppercase characters"
    )
    cognito_idp.sign_up(
        ClientId=pool.client_id,
        Username="bo",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "bo@example.com"}],
    )
    with pytest.raises(cognito_idp.exceptions.UsernameExistsException) as caught:
        cognito_idp.sign_up(
            ClientId=pool.client_id,
            Username="bo",
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": "bo@example.com"}],
        )
    assert message(caught) == "User already exists"


def test_email_username_pool_duplicate_message(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient]
) -> None:
    pool = new_user_pool(pool={"UsernameAttributes": ["email"]})
    cognito_idp.sign_up(ClientId=pool.client_id, Username="cy@example.com", Password=PASSWORD)
    with pytest.raises(cognito_idp.exceptions.UsernameExistsException) as caught:
        cognito_idp.sign_up(ClientId=pool.client_id, Username="cy@example.com", Password=PASSWORD)
    assert message(caught) == "An account with the given email already exists."


def test_resend_confirmation_code_replaces_the_code(
    local_cognito: LocalCognito, cognito_idp: Any, new_user_pool: Callable[..., PoolClient]
) -> None:
    pool = new_user_pool(pool={"AutoVerifiedAttributes": ["email"]})
    cognito_idp.sign_up(
        ClientId=pool.client_id,
        Username="dot",
        Password=PASSWORD,
        UserAttributes=[{"Name": "email", "Value": "dot@example.com"}],
    )
    first = local_cognito.outbox("dot")[-1]["code"]
    cognito_idp.resend_confirmation_code(ClientId=pool.client_id, Username="dot")
    second = local_cognito.outbox("dot")[-1]
    assert second["purpose"] == "ResendCode"
    if first != second["code"]:
        with pytest.raises(cognito_idp.exceptions.CodeMismatchException):
            cognito_idp.confirm_sign_up(
                ClientId=pool.client_id, Username="dot", ConfirmationCode=first
            )
    cognito_idp.confirm_sign_up(
        ClientId=pool.client_id, Username="dot", ConfirmationCode=second["code"]
    )
    with pytest.raises(cognito_idp.exceptions.UserNotFoundException) as caught:
        cognito_idp.resend_confirmation_code(ClientId=pool.client_id, Username="nobody")
    assert message(caught) == "Username/client id combination not found."


def test_forgot_password_round_trip(
    local_cognito: LocalCognito,
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    pool = new_user_pool()
    new_user(pool.pool_id, "eve", PASSWORD, {"email": "eve@example.com", "email_verified": "true"})
    new_user(pool.pool_id, "unverified", PASSWORD, {"email": "u@example.com"})
    sent = cognito_idp.forgot_password(ClientId=pool.client_id, Username="eve")
    assert sent["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    code = local_cognito.outbox("eve")[-1]
    assert code["purpose"] == "ForgotPassword"
    with pytest.raises(cognito_idp.exceptions.InvalidPasswordException):
        cognito_idp.confirm_forgot_password(
            ClientId=pool.client_id, Username="eve", ConfirmationCode=code["code"], Password="x"
        )
    cognito_idp.confirm_forgot_password(
        ClientId=pool.client_id,
        Username="eve",
        ConfirmationCode=code["code"],
        Password=NEW_PASSWORD,
    )
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException):
        sign_in(cognito_idp, pool.client_id, "eve", PASSWORD)
    assert sign_in(cognito_idp, pool.client_id, "eve", NEW_PASSWORD)["AccessToken"]
    with pytest.raises(cognito_idp.exceptions.ExpiredCodeException):  # the code was used
        cognito_idp.confirm_forgot_password(
            ClientId=pool.client_id,
            Username="eve",
            ConfirmationCode=code["code"],
            Password=PASSWORD,
        )
    with pytest.raises(cognito_idp.exceptions.InvalidParameterException) as caught:
        cognito_idp.forgot_password(ClientId=pool.client_id, Username="unverified")
    assert "no registered/verified email or phone_number" in message(caught)
    with pytest.raises(cognito_idp.exceptions.UserNotFoundException):
        cognito_idp.forgot_password(ClientId=pool.client_id, Username="ghost")
    hidden = new_user_pool(client={"PreventUserExistenceErrors": "ENABLED"})
    simulated = cognito_idp.forgot_password(ClientId=hidden.client_id, Username="ghost")
    assert simulated["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"


def test_get_and_update_attributes_with_verification(
    local_cognito: LocalCognito,
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    pool = new_user_pool(pool={"AutoVerifiedAttributes": ["email"]})
    new_user(pool.pool_id, "fay", PASSWORD, {"email": "fay@example.com", "email_verified": "true"})
    access = sign_in(cognito_idp, pool.client_id, "fay")["AccessToken"]
    me = cognito_idp.get_user(AccessToken=access)
    assert me["Username"] == "fay"
    assert attrs(me["UserAttributes"])["email"] == "fay@example.com"
    changed = cognito_idp.update_user_attributes(
        AccessToken=access,
        UserAttributes=[
            {"Name": "email", "Value": "fay@new.example"},
            {"Name": "name", "Value": "Fay"},
        ],
    )
    assert changed["CodeDeliveryDetailsList"][0]["AttributeName"] == "email"
    me = attrs(cognito_idp.get_user(AccessToken=access)["UserAttributes"])
    assert me["email"] == "fay@new.example" and me["email_verified"] == "false"
    code = local_cognito.outbox("fay")[-1]
    assert code["purpose"] == "UpdateUserAttribute"
    cognito_idp.verify_user_attribute(AccessToken=access, AttributeName="email", Code=code["code"])
    me = attrs(cognito_idp.get_user(AccessToken=access)["UserAttributes"])
    assert me["email_verified"] == "true"
    cognito_idp.get_user_attribute_verification_code(AccessToken=access, AttributeName="email")
    assert local_cognito.outbox("fay")[-1]["purpose"] == "VerifyUserAttribute"
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException):
        cognito_idp.update_user_attributes(
            AccessToken=access, UserAttributes=[{"Name": "email_verified", "Value": "true"}]
        )
    cognito_idp.delete_user_attributes(AccessToken=access, UserAttributeNames=["name"])
    assert "name" not in attrs(cognito_idp.get_user(AccessToken=access)["UserAttributes"])


def test_change_password_and_delete_user(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    pool = new_user_pool()
    new_user(pool.pool_id, "gil", PASSWORD)
    access = sign_in(cognito_idp, pool.client_id, "gil")["AccessToken"]
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException) as caught:
        cognito_idp.change_password(
            AccessToken=access, PreviousPassword="Wrong-passw0rd", ProposedPassword=NEW_PASSWORD
        )
    assert message(caught) == "Incorrect username or password."
    cognito_idp.change_password(
        AccessToken=access, PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD
    )
    assert sign_in(cognito_idp, pool.client_id, "gil", NEW_PASSWORD)
    cognito_idp.delete_user(AccessToken=access)
    with pytest.raises(cognito_idp.exceptions.UserNotFoundException):
        cognito_idp.get_user(AccessToken=access)
    with pytest.raises(cognito_idp.exceptions.UserNotFoundException):
        sign_in(cognito_idp, pool.client_id, "gil", NEW_PASSWORD)
