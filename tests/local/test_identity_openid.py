"""GetOpenIdToken: an RS256 JWT that PyJWT verifies with the served JWKS."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest

from pyamplify.local import LocalCognito
from pyamplify.local.clock import ManualClock

from .identity_fixtures import new_identity_pool, new_signed_in

pytestmark = pytest.mark.e2e


def _verify(local_cognito: LocalCognito, token: str, audience: str, now: float) -> dict[str, Any]:
    discovery = httpx.get(f"{local_cognito.url}/.well-known/openid-configuration").json()
    assert discovery["issuer"] == "https://cognito-identity.amazonaws.com"
    jwks = httpx.get(discovery["jwks_uri"]).json()
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(jwt.PyJWK(k) for k in jwks["keys"] if k["kid"] == kid)
    claims: dict[str, Any] = jwt.decode(
        token,
        key.key,
        algorithms=["RS256"],
        audience=audience,
        issuer="https://cognito-identity.amazonaws.com",
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["iat"] == int(now)
    assert claims["exp"] == int(now) + 600  # ten minutes, as on AWS
    return claims


def test_signed_in_token(
    local_cognito: LocalCognito,
    cognito_identity: Any,
    cognito_idp: Any,
    new_user_pool: Any,
    new_user: Any,
    user_pool: Any,
    clock: ManualClock,
) -> None:
    user = new_signed_in(cognito_idp, new_user_pool, new_user, pool=user_pool)
    pool_id = new_identity_pool(cognito_identity, [user_pool])
    identity = cognito_identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]
    answer = cognito_identity.get_open_id_token(IdentityId=identity, Logins=user.logins)
    assert answer["IdentityId"] == identity
    claims = _verify(local_cognito, answer["Token"], pool_id, clock())
    assert claims["sub"] == identity
    sub = jwt.decode(user.id_token, options={"verify_signature": False})["sub"]
    assert claims["amr"] == [
        "authenticated",
        user.provider,
        f"{user.provider}:CognitoSignIn:{sub}",
    ]


def test_guest_token(
    local_cognito: LocalCognito, cognito_identity: Any, user_pool: Any, clock: ManualClock
) -> None:
    pool_id = new_identity_pool(cognito_identity, [user_pool])
    guest = cognito_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    token = cognito_identity.get_open_id_token(IdentityId=guest)["Token"]
    claims = _verify(local_cognito, token, pool_id, clock())
    assert claims["sub"] == guest
    assert claims["amr"] == ["unauthenticated"]


def test_token_of_another_pool_fails_verification(
    local_cognito: LocalCognito, cognito_identity: Any, user_pool: Any, clock: ManualClock
) -> None:
    pool_id = new_identity_pool(cognito_identity, [user_pool])
    other = new_identity_pool(cognito_identity, [user_pool])
    guest = cognito_identity.get_id(IdentityPoolId=pool_id)["IdentityId"]
    token = cognito_identity.get_open_id_token(IdentityId=guest)["Token"]
    with pytest.raises(jwt.InvalidAudienceError):
        _verify(local_cognito, token, other, clock())


def test_signed_in_identity_needs_its_logins(
    cognito_identity: Any,
    cognito_idp: Any,
    new_user_pool: Any,
    new_user: Any,
    user_pool: Any,
) -> None:
    user = new_signed_in(cognito_idp, new_user_pool, new_user, pool=user_pool)
    pool_id = new_identity_pool(cognito_identity, [user_pool])
    identity = cognito_identity.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]
    with pytest.raises(cognito_identity.exceptions.NotAuthorizedException):
        cognito_identity.get_open_id_token(IdentityId=identity)
