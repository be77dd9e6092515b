"""Logins validation: each wrong token gets Cognito's exact NotAuthorizedException message."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest

from pyamplify.local.clock import ManualClock

from .identity_fixtures import (
    PASSWORD,
    new_identity_pool,
    new_signed_in,
    provider_name,
    sign_in,
)

pytestmark = pytest.mark.e2e

#: The two calls that take Logins and a way to make each use a login.
Call = Callable[[Any, str, dict[str, str]], Any]


def _get_id(client: Any, pool_id: str, logins: dict[str, str]) -> Any:
    return client.get_id(IdentityPoolId=pool_id, Logins=logins)


def _get_credentials(client: Any, pool_id: str, logins: dict[str, str]) -> Any:
    guest = client.get_id(IdentityPoolId=pool_id)["IdentityId"]
    return client.get_credentials_for_identity(IdentityId=guest, Logins=logins)


CALLS = pytest.mark.parametrize("call", [_get_id, _get_credentials], ids=["GetId", "GetCreds"])


@pytest.fixture(scope="module")
def other_pool(new_user_pool: Callable[..., Any]) -> Any:
    return new_user_pool()


@pytest.fixture
def user(cognito_idp: Any, new_user_pool: Any, new_user: Any, user_pool: Any, clock: Any) -> Any:
    return new_signed_in(cognito_idp, new_user_pool, new_user, pool=user_pool)


@pytest.fixture
def identity_pool(cognito_identity: Any, user_pool: Any) -> str:
    return new_identity_pool(cognito_identity, [user_pool])


def _not_authorized(client: Any, call: Call, pool_id: str, logins: dict[str, str]) -> str:
    with pytest.raises(client.exceptions.NotAuthorizedException) as caught:
        call(client, pool_id, logins)
    error = caught.value.response["Error"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return str(error["Message"])


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


@CALLS
def test_valid_id_token_is_accepted(
    cognito_identity: Any, identity_pool: str, user: Any, call: Call
) -> None:
    assert call(cognito_identity, identity_pool, user.logins)["IdentityId"]


@CALLS
def test_access_token_is_missing_aud(
    cognito_identity: Any, identity_pool: str, user: Any, call: Call
) -> None:
    logins = {user.provider: user.access_token}
    message = _not_authorized(cognito_identity, call, identity_pool, logins)
    assert message == "Invalid login token. Missing a required claim: aud"


@CALLS
def test_token_of_another_pool_under_this_pools_key(
    cognito_identity: Any,
    cognito_idp: Any,
    new_user_pool: Any,
    new_user: Any,
    identity_pool: str,
    user: Any,
    other_pool: Any,
    call: Call,
) -> None:
    stranger = new_signed_in(cognito_idp, new_user_pool, new_user, pool=other_pool)
    logins = {user.provider: stranger.id_token}
    message = _not_authorized(cognito_identity, call, identity_pool, logins)
    assert message == "Invalid login token. Issuer doesn't match providerName"


@CALLS
def test_token_of_an_unattached_pool(
    cognito_identity: Any,
    cognito_idp: Any,
    new_user_pool: Any,
    new_user: Any,
    identity_pool: str,
    other_pool: Any,
    call: Call,
) -> None:
    stranger = new_signed_in(cognito_idp, new_user_pool, new_user, pool=other_pool)
    message = _not_authorized(cognito_identity, call, identity_pool, stranger.logins)
    assert message == "Token is not from a supported provider of this identity pool."


def test_token_of_an_unattached_client(
    cognito_identity: Any, cognito_idp: Any, identity_pool: str, user: Any, user_pool: Any
) -> None:
    other_client = cognito_idp.create_user_pool_client(
        UserPoolId=user_pool.pool_id,
        ClientName="not-attached",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    token = cognito_idp.initiate_auth(
        ClientId=other_client,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user.username, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["IdToken"]
    message = _not_authorized(cognito_identity, _get_id, identity_pool, {user.provider: token})
    assert message == "Token is not from a supported provider of this identity pool."


@CALLS
def test_expired_token(
    cognito_identity: Any, identity_pool: str, user: Any, clock: ManualClock, call: Call
) -> None:
    expires = _claims(user.id_token)["exp"]
    clock.set(expires + 5.7)
    message = _not_authorized(cognito_identity, call, identity_pool, user.logins)
    assert message == f"Invalid login token. Token expired: {expires + 5} >= {expires}"


def test_token_is_valid_until_its_last_second(
    cognito_identity: Any, identity_pool: str, user: Any, clock: ManualClock
) -> None:
    clock.set(_claims(user.id_token)["exp"] - 1)
    assert _get_id(cognito_identity, identity_pool, user.logins)["IdentityId"]


def test_tampered_token_does_not_verify(
    cognito_identity: Any, identity_pool: str, user: Any
) -> None:
    header, _payload, signature = user.id_token.split(".")
    claims = _claims(user.id_token)
    claims["cognito:username"] = "mallory"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    forged = f"{header}.{forged_payload}.{signature}"
    message = _not_authorized(cognito_identity, _get_id, identity_pool, {user.provider: forged})
    assert message == "Invalid login token. Couldn't verify signed token."


def test_garbage_is_not_a_token(cognito_identity: Any, identity_pool: str, user: Any) -> None:
    message = _not_authorized(
        cognito_identity, _get_id, identity_pool, {user.provider: "definitely-not-a-jwt"}
    )
    assert message == "Invalid login token. Not a valid OpenId Connect identity token."


def test_pool_without_guests_refuses_get_id(
    cognito_identity: Any, user_pool: Any, user: Any
) -> None:
    pool_id = new_identity_pool(cognito_identity, [user_pool], guests=False)
    with pytest.raises(cognito_identity.exceptions.NotAuthorizedException) as caught:
        cognito_identity.get_id(IdentityPoolId=pool_id)
    message = caught.value.response["Error"]["Message"]
    assert message == "Unauthenticated access is not supported for this identity pool."
    assert cognito_identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]


def test_guest_credentials_stop_when_guests_are_turned_off(
    cognito_identity: Any, user_pool: Any
) -> None:
    pool_id = new_identity_pool(cognito_identity, [user_pool], guests=True)
    guest = cognito_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    cognito_identity.update_identity_pool(
        IdentityPoolId=pool_id,
        IdentityPoolName="no_guests",
        AllowUnauthenticatedIdentities=False,
        CognitoIdentityProviders=[
            {"ProviderName": provider_name(user_pool.pool_id), "ClientId": user_pool.client_id}
        ],
    )
    with pytest.raises(cognito_identity.exceptions.NotAuthorizedException) as caught:
        cognito_identity.get_credentials_for_identity(IdentityId=guest)
    assert caught.value.response["Error"]["Message"] == (
        "Unauthenticated access is not supported for this identity pool."
    )


def test_server_side_token_check_rejects_globally_signed_out_tokens(
    cognito_identity: Any, cognito_idp: Any, user_pool: Any, user: Any
) -> None:
    checked = new_identity_pool(cognito_identity, [user_pool], server_side_check=True)
    unchecked = new_identity_pool(cognito_identity, [user_pool], server_side_check=False)
    assert _get_id(cognito_identity, checked, user.logins)["IdentityId"]
    cognito_idp.global_sign_out(AccessToken=user.access_token)
    message = _not_authorized(cognito_identity, _get_credentials, checked, user.logins)
    assert message == "Invalid login token. Token has been revoked."
    # Without the check an identity pool only verifies the token offline, as AWS does.
    assert _get_id(cognito_identity, unchecked, user.logins)["IdentityId"]
    fresh = sign_in(cognito_idp, user_pool, user.username)
    assert _get_id(cognito_identity, checked, fresh.logins)["IdentityId"]


def test_server_side_token_check_rejects_deleted_users(
    cognito_identity: Any, cognito_idp: Any, user_pool: Any, user: Any
) -> None:
    checked = new_identity_pool(cognito_identity, [user_pool], server_side_check=True)
    cognito_idp.admin_delete_user(UserPoolId=user_pool.pool_id, Username=user.username)
    message = _not_authorized(cognito_identity, _get_id, checked, user.logins)
    assert message == "Invalid login token. Token has been revoked."


def test_facebook_style_providers_are_not_verifiable_here(cognito_identity: Any, user: Any) -> None:
    pool_id = cognito_identity.create_identity_pool(
        IdentityPoolName="social",
        AllowUnauthenticatedIdentities=False,
        SupportedLoginProviders={"graph.facebook.com": "1234567890"},
    )["IdentityPoolId"]
    message = _not_authorized(
        cognito_identity, _get_id, pool_id, {"graph.facebook.com": user.id_token}
    )
    assert message.startswith("Invalid login token.") and "graph.facebook.com" in message
