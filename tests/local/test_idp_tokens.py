"""Tokens: PyJWT verification against the served JWKS, claims, discovery, refresh, rotation,
revocation and expiry (with a manual clock)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import httpx
import jwt
import pytest

from pyamplify.local import LocalCognito
from pyamplify.local.backend import TokenVerificationError
from pyamplify.local.clock import ManualClock

from . import srp_client

if TYPE_CHECKING:
    from tests.conftest import PoolClient

pytestmark = pytest.mark.e2e

PASSWORD = "Sup3r-secret!"


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="module")
def local_cognito(clock: ManualClock) -> Iterator[LocalCognito]:
    with LocalCognito(clock=clock) as cognito:
        yield cognito


def sign_in(idp: Any, pool: PoolClient, username: str) -> dict[str, Any]:
    result: dict[str, Any] = idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return result


def verify(
    cognito: LocalCognito, pool_id: str, token: str, audience: str | None = None
) -> dict[str, Any]:
    """Verify with PyJWT (code we did not write) against the served JWKS.

    exp and iat are the manual clock's business, so PyJWT (on the wall clock) skips them.
    """
    keys = httpx.get(f"{cognito.url}/{pool_id}/.well-known/jwks.json").json()["keys"]
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(next(k for k in keys if k["kid"] == kid)).key
    claims: dict[str, Any] = jwt.decode(
        token,
        key,
        algorithms=["RS256"],
        audience=audience,
        issuer=f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}",
        options={"verify_aud": audience is not None, "verify_exp": False, "verify_iat": False},
    )
    return claims


def test_tokens_verify_with_pyjwt_and_carry_cognito_claims(
    local_cognito: LocalCognito,
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    pool = new_user_pool(pool={"Schema": [{"Name": "plan", "AttributeDataType": "String"}]})
    new_user(
        pool.pool_id,
        "alice",
        PASSWORD,
        {"email": "alice@example.com", "email_verified": "true", "custom:plan": "gold"},
    )
    cognito_idp.create_group(UserPoolId=pool.pool_id, GroupName="admins", Precedence=1)
    cognito_idp.admin_add_user_to_group(
        UserPoolId=pool.pool_id, Username="alice", GroupName="admins"
    )
    result = sign_in(cognito_idp, pool, "alice")
    assert result["TokenType"] == "Bearer" and result["ExpiresIn"] == 3600
    id_claims = verify(local_cognito, pool.pool_id, result["IdToken"], audience=pool.client_id)
    access = verify(local_cognito, pool.pool_id, result["AccessToken"])
    assert (
        jwt.get_unverified_header(result["IdToken"])["kid"]
        != (jwt.get_unverified_header(result["AccessToken"])["kid"])
    )
    assert id_claims["token_use"] == "id"
    assert id_claims["cognito:username"] == "alice"
    assert id_claims["email"] == "alice@example.com"
    assert id_claims["email_verified"] is True
    assert id_claims["custom:plan"] == "gold"
    assert id_claims["cognito:groups"] == ["admins"]
    assert id_claims["exp"] - id_claims["iat"] == 3600
    for claim in ("sub", "auth_time", "jti", "origin_jti", "event_id"):
        assert claim in id_claims
    assert access["token_use"] == "access"
    assert access["client_id"] == pool.client_id
    assert access["username"] == "alice"
    assert access["scope"] == "aws.cognito.signin.user.admin"
    assert access["sub"] == id_claims["sub"]
    assert access["origin_jti"] == id_claims["origin_jti"]
    assert "aud" not in access
    assert access["cognito:groups"] == ["admins"]


def test_discovery_document_points_at_the_jwks(
    local_cognito: LocalCognito, new_user_pool: Callable[..., PoolClient]
) -> None:
    pool = new_user_pool()
    document = httpx.get(
        f"{local_cognito.url}/{pool.pool_id}/.well-known/openid-configuration"
    ).json()
    assert document["issuer"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool.pool_id}"
    jwks = httpx.get(document["jwks_uri"]).json()
    assert len(jwks["keys"]) == 2
    assert {key["alg"] for key in jwks["keys"]} == {"RS256"}
    missing = httpx.get(f"{local_cognito.url}/us-east-1_nopenope/.well-known/jwks.json")
    assert missing.status_code == 400
    assert missing.json()["__type"] == "ResourceNotFoundException"


def test_token_validity_follows_the_client_settings(
    local_cognito: LocalCognito,
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    pool = new_user_pool(
        client={
            "AccessTokenValidity": 5,
            "IdTokenValidity": 10,
            "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes"},
        }
    )
    new_user(pool.pool_id, "bea", PASSWORD)
    result = sign_in(cognito_idp, pool, "bea")
    assert result["ExpiresIn"] == 300
    claims = verify(local_cognito, pool.pool_id, result["IdToken"])
    assert claims["exp"] - claims["iat"] == 600


def test_refresh_keeps_auth_time_and_family(
    local_cognito: LocalCognito,
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
    clock: ManualClock,
) -> None:
    pool = new_user_pool()
    new_user(pool.pool_id, "cy", PASSWORD)
    first = sign_in(cognito_idp, pool, "cy")
    clock.advance(120)
    refreshed = cognito_idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]},
    )["AuthenticationResult"]
    assert "RefreshToken" not in refreshed
    old = verify(local_cognito, pool.pool_id, first["IdToken"])
    new = verify(local_cognito, pool.pool_id, refreshed["IdToken"])
    assert new["auth_time"] == old["auth_time"]
    assert new["iat"] >= old["iat"] + 120
    assert new["origin_jti"] == old["origin_jti"]
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException) as caught:
        cognito_idp.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": "not-a-token"},
        )
    assert caught.value.response["Error"]["Message"] == "Invalid Refresh Token."


def test_rotation_replaces_the_refresh_token_and_detects_reuse(
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
    clock: ManualClock,
) -> None:
    pool = new_user_pool(
        client={"RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": 10}}
    )
    new_user(pool.pool_id, "dee", PASSWORD)
    first = sign_in(cognito_idp, pool, "dee")["RefreshToken"]

    def exchange(token: str) -> dict[str, Any]:
        result: dict[str, Any] = cognito_idp.get_tokens_from_refresh_token(
            ClientId=pool.client_id, RefreshToken=token
        )["AuthenticationResult"]
        return result

    second = exchange(first)["RefreshToken"]
    assert second != first
    clock.advance(5)
    assert exchange(first)["RefreshToken"]  # inside the grace period a retry still works
    clock.advance(6)
    with pytest.raises(cognito_idp.exceptions.RefreshTokenReuseException):
        exchange(first)
    # Reuse means a leak: the whole family is revoked, including the newer token.
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException) as caught:
        exchange(second)
    assert caught.value.response["Error"]["Message"] == "Refresh Token has been revoked"


def test_without_rotation_get_tokens_returns_no_refresh_token(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    pool = new_user_pool()
    new_user(pool.pool_id, "eli", PASSWORD)
    token = sign_in(cognito_idp, pool, "eli")["RefreshToken"]
    result = cognito_idp.get_tokens_from_refresh_token(ClientId=pool.client_id, RefreshToken=token)
    assert "RefreshToken" not in result["AuthenticationResult"]
    assert result["AuthenticationResult"]["AccessToken"]


def test_global_sign_out_revokes_access_and_refresh(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    pool = new_user_pool()
    new_user(pool.pool_id, "fox", PASSWORD)
    tokens = sign_in(cognito_idp, pool, "fox")
    assert cognito_idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "fox"
    cognito_idp.global_sign_out(AccessToken=tokens["AccessToken"])
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException) as caught:
        cognito_idp.get_user(AccessToken=tokens["AccessToken"])
    assert caught.value.response["Error"]["Message"] == "Access Token has been revoked"
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException) as caught:
        cognito_idp.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )
    assert caught.value.response["Error"]["Message"] == "Refresh Token has been revoked"
    fresh = sign_in(cognito_idp, pool, "fox")  # signing in again works
    assert cognito_idp.get_user(AccessToken=fresh["AccessToken"])["Username"] == "fox"


def test_revoke_token_kills_one_session_only(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    pool = new_user_pool()
    new_user(pool.pool_id, "gus", PASSWORD)
    laptop = sign_in(cognito_idp, pool, "gus")
    phone = sign_in(cognito_idp, pool, "gus")
    cognito_idp.revoke_token(Token=laptop["RefreshToken"], ClientId=pool.client_id)
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException):
        cognito_idp.get_user(AccessToken=laptop["AccessToken"])
    assert cognito_idp.get_user(AccessToken=phone["AccessToken"])["Username"] == "gus"
    with pytest.raises(cognito_idp.exceptions.UnsupportedTokenTypeException):
        cognito_idp.revoke_token(Token=phone["AccessToken"], ClientId=pool.client_id)


def test_revoke_token_needs_revocation_enabled(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    pool = new_user_pool(client={"EnableTokenRevocation": False})
    new_user(pool.pool_id, "hal", PASSWORD)
    tokens = sign_in(cognito_idp, pool, "hal")
    with pytest.raises(cognito_idp.exceptions.UnsupportedOperationException):
        cognito_idp.revoke_token(Token=tokens["RefreshToken"], ClientId=pool.client_id)


def test_expired_access_token(
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
    clock: ManualClock,
) -> None:
    pool = new_user_pool()
    new_user(pool.pool_id, "ian", PASSWORD)
    tokens = sign_in(cognito_idp, pool, "ian")
    clock.advance(3601)
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException) as caught:
        cognito_idp.get_user(AccessToken=tokens["AccessToken"])
    assert caught.value.response["Error"]["Message"] == "Access Token has expired"
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException) as caught:
        cognito_idp.get_user(AccessToken="garbage")
    assert caught.value.response["Error"]["Message"] == "Invalid Access Token"


def test_srp_tokens_are_the_same_kind(
    local_cognito: LocalCognito,
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    from datetime import datetime, timezone

    pool = new_user_pool()
    new_user(pool.pool_id, "joy", PASSWORD)
    now = datetime.fromtimestamp(local_cognito.clock(), timezone.utc)
    result = srp_client.sign_in(cognito_idp, pool.pool_id, pool.client_id, "joy", PASSWORD, now=now)
    claims = verify(
        local_cognito, pool.pool_id, result["AuthenticationResult"]["IdToken"], pool.client_id
    )
    assert claims["cognito:username"] == "joy"


def test_backend_verify_token_api_for_extensions(
    local_cognito: LocalCognito,
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    pool = new_user_pool()
    new_user(pool.pool_id, "kay", PASSWORD)
    tokens = sign_in(cognito_idp, pool, "kay")
    backend = local_cognito.backend
    claims = backend.verify_token(
        tokens["IdToken"], pool_id=pool.pool_id, client_ids={pool.client_id}
    )
    assert claims["cognito:username"] == "kay"
    assert backend.user_pool(pool.pool_id)["Id"] == pool.pool_id
    assert [c["ClientId"] for c in backend.app_clients(pool.pool_id)] == [pool.client_id]
    with pytest.raises(TokenVerificationError) as caught:
        backend.verify_token(tokens["IdToken"], client_ids={"someone-else"})
    assert caught.value.reason == "audience"
    with pytest.raises(TokenVerificationError) as caught:
        backend.verify_token(tokens["AccessToken"])
    assert caught.value.reason == "token_use"
    tampered = tokens["IdToken"][:-4] + (
        "AAAA" if not tokens["IdToken"].endswith("AAAA") else "BBBB"
    )
    with pytest.raises(TokenVerificationError) as caught:
        backend.verify_token(tampered)
    assert caught.value.reason == "signature"
    cognito_idp.admin_user_global_sign_out(UserPoolId=pool.pool_id, Username="kay")
    assert backend.is_revoked(claims)
    with pytest.raises(TokenVerificationError) as caught:
        backend.verify_token(tokens["IdToken"])
    assert caught.value.reason == "revoked"
