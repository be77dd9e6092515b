"""REFRESH_TOKEN_AUTH's SECRET_HASH must use the internal username, as on AWS.

In email-as-username pools that is the ``sub``: a hash of the typed email is refused with
"Unable to verify secret hash for client <id>" (NabuCasa/pycognito#18, where pycognito's
refresh fails on AWS for exactly this reason). The hashes here are computed from the formula,
not with the library's helper, so the test is an independent check.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import PoolClient

pytestmark = pytest.mark.e2e

PASSWORD = "Refr3sh-secret-hash!"


def _hash(username: str, pool: PoolClient) -> str:
    assert pool.client_secret is not None
    digest = hmac.new(
        pool.client_secret.encode(), (username + pool.client_id).encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def _error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


def _sign_in(cognito_idp: Any, pool: PoolClient, typed: str) -> dict[str, Any]:
    result = cognito_idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": typed, "PASSWORD": PASSWORD, "SECRET_HASH": _hash(typed, pool)},
    )
    return dict(result["AuthenticationResult"])


def _refresh(cognito_idp: Any, pool: PoolClient, token: str, **secret: str) -> dict[str, Any]:
    result = cognito_idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": token, **secret},
    )
    return dict(result["AuthenticationResult"])


def _internal_username(cognito_idp: Any, access_token: str) -> str:
    return str(cognito_idp.get_user(AccessToken=access_token)["Username"])


def test_email_username_pool_refresh_needs_the_sub(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    pool = new_user_pool(pool={"UsernameAttributes": ["email"]}, client={"GenerateSecret": True})
    email = "rae@example.com"
    new_user(pool.pool_id, email, PASSWORD, {"email": email, "email_verified": "true"})
    tokens = _sign_in(cognito_idp, pool, email)
    sub = _internal_username(cognito_idp, tokens["AccessToken"])
    assert sub != email
    refreshed = _refresh(cognito_idp, pool, tokens["RefreshToken"], SECRET_HASH=_hash(sub, pool))
    assert "IdToken" in refreshed and "RefreshToken" not in refreshed
    with pytest.raises(ClientError) as caught:
        _refresh(cognito_idp, pool, tokens["RefreshToken"], SECRET_HASH=_hash(email, pool))
    assert _error(caught) == (
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {pool.client_id}",
    )
    with pytest.raises(ClientError) as caught:
        _refresh(cognito_idp, pool, tokens["RefreshToken"])
    assert _error(caught) == (
        "NotAuthorizedException",
        f"Client {pool.client_id} is configured with secret but SECRET_HASH was not received",
    )


def test_alias_pool_refresh_needs_the_username_not_the_alias(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    pool = new_user_pool(pool={"AliasAttributes": ["email"]}, client={"GenerateSecret": True})
    new_user(pool.pool_id, "sam", PASSWORD, {"email": "sam@example.com", "email_verified": "true"})
    tokens = _sign_in(cognito_idp, pool, "sam@example.com")  # signed in with the alias
    assert _internal_username(cognito_idp, tokens["AccessToken"]) == "sam"
    assert _refresh(cognito_idp, pool, tokens["RefreshToken"], SECRET_HASH=_hash("sam", pool))
    with pytest.raises(ClientError) as caught:
        _refresh(
            cognito_idp, pool, tokens["RefreshToken"], SECRET_HASH=_hash("sam@example.com", pool)
        )
    assert _error(caught)[1] == f"Unable to verify secret hash for client {pool.client_id}"


def test_plain_username_pool_refresh_with_the_username(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    pool = new_user_pool(client={"GenerateSecret": True})
    new_user(pool.pool_id, "kim", PASSWORD)
    tokens = _sign_in(cognito_idp, pool, "kim")
    refreshed = _refresh(cognito_idp, pool, tokens["RefreshToken"], SECRET_HASH=_hash("kim", pool))
    assert refreshed["AccessToken"] != tokens["AccessToken"]
