"""``pyamplify.verify``: real tokens of a local Cognito, and forged ones, checked with PyJWT.

Tokens come from sign-ins over HTTP (boto3), keys from the pool's JWKS endpoint; the forged
tokens are signed here with a key of our own (PyJWT), so every refusal has a real cause.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from conftest import PoolClient
from pyamplify.config import AuthConfig, UserPoolConfig, write_config
from pyamplify.local import LocalCognito
from pyamplify.verify import (
    ClaimMismatchError,
    InvalidSignatureError,
    JwksCache,
    JwksFetchError,
    KeyNotFoundError,
    MalformedTokenError,
    TokenExpiredError,
    TokenNotYetValidError,
    TokenVerifier,
    aws_issuer,
    decode_unverified,
)

pytestmark = pytest.mark.e2e

PASSWORD = "Verify-me-123!"


def sign_in(cognito_idp: Any, pool: PoolClient, name: str) -> dict[str, str]:
    cognito_idp.admin_create_user(UserPoolId=pool.pool_id, Username=name, MessageAction="SUPPRESS")
    cognito_idp.admin_set_user_password(
        UserPoolId=pool.pool_id, Username=name, Password=PASSWORD, Permanent=True
    )
    result: dict[str, str] = cognito_idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return result


def verifier_for(
    cognito: LocalCognito, pool: PoolClient, token_use: Any, **options: Any
) -> TokenVerifier:
    """Keys from the local Cognito, the AWS issuer it puts in its tokens."""
    return TokenVerifier(
        pool.pool_id,
        client_id=pool.client_id,
        token_use=token_use,
        jwks_uri=f"{cognito.url}/{pool.pool_id}/.well-known/jwks.json",
        cache=options.pop("cache", None) or JwksCache(),
        **options,
    )


@pytest.fixture(scope="module")
def world(
    local_cognito: LocalCognito,
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
) -> dict[str, Any]:
    pool = new_user_pool()
    cognito_idp.create_group(UserPoolId=pool.pool_id, GroupName="admins")
    tokens = sign_in(cognito_idp, pool, "ada")
    cognito_idp.admin_add_user_to_group(UserPoolId=pool.pool_id, Username="ada", GroupName="admins")
    grouped = cognito_idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "ada", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return {"pool": pool, "tokens": tokens, "grouped": grouped}


def forge(claims: dict[str, Any], kid: str, key: Any = None, alg: str = "RS256") -> str:
    """A token signed by us, not by the pool."""
    signing = key or rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, signing, algorithm=alg, headers={"kid": kid})


# ------------------------------------------------------------------------------ valid tokens
def test_an_id_and_an_access_token_of_the_pool_verify(
    local_cognito: LocalCognito, world: dict[str, Any]
) -> None:
    pool, tokens = world["pool"], world["tokens"]
    claims = verifier_for(local_cognito, pool, "id").verify(tokens["IdToken"])
    assert claims["cognito:username"] == "ada" and claims["aud"] == pool.client_id
    assert claims["iss"] == aws_issuer(pool.pool_id)
    access = verifier_for(local_cognito, pool, "access").verify(tokens["AccessToken"])
    assert access["client_id"] == pool.client_id and access["token_use"] == "access"


def test_verify_async_fetches_keys_with_an_async_client(
    local_cognito: LocalCognito, world: dict[str, Any]
) -> None:
    verifier = verifier_for(local_cognito, world["pool"], "access")
    claims = asyncio.run(verifier.verify_async(world["tokens"]["AccessToken"]))
    assert claims["username"] == "ada"
    assert verifier.cache.fetches == {verifier.jwks_uri: 1}


def test_keys_are_fetched_once_and_then_served_from_the_cache(
    local_cognito: LocalCognito, world: dict[str, Any]
) -> None:
    verifier = verifier_for(local_cognito, world["pool"], "id")
    before = local_cognito.calls.total()
    for _ in range(20):
        verifier.verify(world["tokens"]["IdToken"])
    assert verifier.cache.fetches == {verifier.jwks_uri: 1}
    assert local_cognito.calls.total() == before  # JWKS is not an API call; nothing else was


def test_scope_and_groups(local_cognito: LocalCognito, world: dict[str, Any]) -> None:
    pool, plain, grouped = world["pool"], world["tokens"], world["grouped"]
    admins = verifier_for(local_cognito, pool, "access", groups=["admins", "owners"])
    assert admins.verify(grouped["AccessToken"])["cognito:groups"] == ["admins"]
    with pytest.raises(ClaimMismatchError) as refused:
        admins.verify(plain["AccessToken"])
    assert refused.value.claim == "cognito:groups"
    signin = verifier_for(local_cognito, pool, "access", scope="aws.cognito.signin.user.admin")
    assert signin.verify(plain["AccessToken"])
    with pytest.raises(ClaimMismatchError, match="none of the scopes"):
        verifier_for(local_cognito, pool, "access", scope=["orders/read"]).verify(
            plain["AccessToken"]
        )


# ------------------------------------------------------------------------------ refusals
def test_the_wrong_kind_of_token_is_refused(
    local_cognito: LocalCognito, world: dict[str, Any]
) -> None:
    pool, tokens = world["pool"], world["tokens"]
    with pytest.raises(ClaimMismatchError) as refused:
        verifier_for(local_cognito, pool, "id").verify(tokens["AccessToken"])
    assert refused.value.claim == "token_use"
    with pytest.raises(ClaimMismatchError) as refused:
        verifier_for(local_cognito, pool, "access").verify(tokens["IdToken"])
    assert refused.value.claim == "token_use"


def test_another_app_client_is_refused(local_cognito: LocalCognito, world: dict[str, Any]) -> None:
    pool, tokens = world["pool"], world["tokens"]
    for use, token, claim in (("id", "IdToken", "aud"), ("access", "AccessToken", "client_id")):
        other = TokenVerifier(
            pool.pool_id,
            client_id=["someotherclient"],
            token_use=use,  # type: ignore[arg-type]
            jwks_uri=f"{local_cognito.url}/{pool.pool_id}/.well-known/jwks.json",
            cache=JwksCache(),
        )
        with pytest.raises(ClaimMismatchError) as refused:
            other.verify(tokens[token])
        assert refused.value.claim == claim
        assert tokens[token] not in str(refused.value)  # never the token in a message


def test_another_pools_token_is_refused_by_issuer_or_key(
    local_cognito: LocalCognito,
    cognito_idp: Any,
    world: dict[str, Any],
    new_user_pool: Callable[..., PoolClient],
) -> None:
    other_pool = new_user_pool()
    theirs = sign_in(cognito_idp, other_pool, "eve")
    verifier = verifier_for(local_cognito, world["pool"], "id", cache=JwksCache())
    with pytest.raises(KeyNotFoundError):  # another pool, another key
        verifier.verify(theirs["IdToken"])
    # Same key set, other pool's issuer: load their keys under our URI to reach the iss check.
    keys = json.loads(
        __import__("httpx")
        .get(f"{local_cognito.url}/{other_pool.pool_id}/.well-known/jwks.json")
        .text
    )
    verifier.cache.load(verifier.jwks_uri, keys)
    with pytest.raises(ClaimMismatchError) as refused:
        verifier.verify(theirs["IdToken"])
    assert refused.value.claim == "iss"


def test_forged_signatures_and_algorithms_are_refused(
    local_cognito: LocalCognito, world: dict[str, Any]
) -> None:
    pool, tokens = world["pool"], world["tokens"]
    verifier = verifier_for(local_cognito, pool, "id")
    real = decode_unverified(tokens["IdToken"])
    kid = real["header"]["kid"]
    with pytest.raises(InvalidSignatureError):  # same kid and claims, another key
        verifier.verify(forge(real["claims"], kid))
    tampered = tokens["IdToken"].split(".")
    payload = json.loads(jwt.utils.base64url_decode(tampered[1]))
    payload["cognito:username"] = "root"
    tampered[1] = jwt.utils.base64url_encode(json.dumps(payload).encode()).decode()
    with pytest.raises(InvalidSignatureError):
        verifier.verify(".".join(tampered))
    unsigned = jwt.encode(real["claims"], None, algorithm="none", headers={"kid": kid})
    with pytest.raises(InvalidSignatureError, match="not RS256"):
        verifier.verify(unsigned)
    # HS256 keyed with the public key (the classic algorithm confusion).
    header = jwt.utils.base64url_encode(
        json.dumps({"alg": "HS256", "kid": kid, "typ": "JWT"}).encode()
    ).decode()
    confused = f"{header}.{tampered[1]}.{tampered[2]}"
    with pytest.raises(InvalidSignatureError):
        verifier.verify(confused)


@pytest.mark.parametrize("token", ["", "abc", "a.b", "a.b.c", "e30.e30.", "x" * 10_000])
def test_garbage_is_malformed(
    local_cognito: LocalCognito, world: dict[str, Any], token: str
) -> None:
    with pytest.raises(MalformedTokenError):
        verifier_for(local_cognito, world["pool"], "id").verify(token)


def test_expiry_and_issue_time_with_leeway(
    local_cognito: LocalCognito, world: dict[str, Any]
) -> None:
    """Claims made here, signed with a key whose JWKS the cache is given."""
    pool = world["pool"]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    cache = JwksCache()
    verifier = verifier_for(local_cognito, pool, "id", cache=cache)
    cache.load(verifier.jwks_uri, {"keys": [{**jwk, "kid": "mine", "alg": "RS256", "use": "sig"}]})
    now = int(time.time())
    base = {
        "sub": "s",
        "iss": verifier.issuer,
        "aud": pool.client_id,
        "token_use": "id",
        "cognito:username": "x",
    }
    good = forge({**base, "iat": now, "exp": now + 60}, "mine", key)
    assert verifier.verify(good)["sub"] == "s"
    expired = forge({**base, "iat": now - 120, "exp": now - 30}, "mine", key)
    with pytest.raises(TokenExpiredError):
        verifier.verify(expired)
    lenient = verifier_for(local_cognito, pool, "id", cache=cache, leeway=60)
    assert lenient.verify(expired)
    future = forge({**base, "iat": now + 600, "exp": now + 900}, "mine", key)
    with pytest.raises(TokenNotYetValidError):
        verifier.verify(future)
    without_use = forge(
        {k: v for k, v in base.items() if k != "token_use"} | {"iat": now, "exp": now + 60},
        "mine",
        key,
    )
    with pytest.raises(ClaimMismatchError) as missing:
        verifier.verify(without_use)
    assert missing.value.claim == "token_use"


def test_an_unknown_kid_refetches_once_then_waits(
    local_cognito: LocalCognito, world: dict[str, Any]
) -> None:
    clock = [1000.0]
    cache = JwksCache(min_refetch_interval=10, clock=lambda: clock[0])
    verifier = verifier_for(local_cognito, world["pool"], "id", cache=cache)
    verifier.verify(world["tokens"]["IdToken"])
    made_up = forge(decode_unverified(world["tokens"]["IdToken"])["claims"], "made-up-kid")
    with pytest.raises(KeyNotFoundError):
        verifier.verify(made_up)
    assert cache.fetches[verifier.jwks_uri] == 2  # one look for the new kid
    for _ in range(50):  # a flood of unknown kids does not reach the endpoint
        with pytest.raises(KeyNotFoundError, match="not fetched again"):
            verifier.verify(forge({"sub": "x"}, f"kid-{_}"))
    assert cache.fetches[verifier.jwks_uri] == 2
    assert verifier.verify(world["tokens"]["IdToken"])  # known keys keep working meanwhile
    clock[0] += 11
    with pytest.raises(KeyNotFoundError):
        verifier.verify(made_up)
    assert cache.fetches[verifier.jwks_uri] == 3


def test_a_key_endpoint_that_fails_is_reported(world: dict[str, Any]) -> None:
    verifier = TokenVerifier(
        world["pool"].pool_id,
        client_id=None,
        token_use=None,
        jwks_uri="http://127.0.0.1:9/nothing-listens-here/jwks.json",
        cache=JwksCache(timeout=2),
    )
    with pytest.raises(JwksFetchError, match="cannot fetch the keys"):
        verifier.verify(world["tokens"]["IdToken"])
    with pytest.raises(JwksFetchError, match="not asking again"):
        verifier.verify(world["tokens"]["IdToken"])


# ------------------------------------------------------------------------------ from_config
def test_from_config_fetches_keys_through_the_configured_endpoint(
    local_cognito: LocalCognito, world: dict[str, Any], tmp_path: Path
) -> None:
    pool = world["pool"]
    config = AuthConfig(
        user_pool=UserPoolConfig(
            pool.pool_id, pool.client_id, "us-east-1", endpoint=local_cognito.url
        )
    )
    path = tmp_path / "amplifyconfiguration.json"
    write_config(config, path)
    verifier = TokenVerifier.from_config(path, token_use="access", cache=JwksCache())
    assert verifier.jwks_uri == f"{local_cognito.url}/{pool.pool_id}/.well-known/jwks.json"
    assert verifier.issuer == aws_issuer(pool.pool_id)  # what the local Cognito issues
    assert verifier.verify(world["tokens"]["AccessToken"])["username"] == "ada"
    aws = TokenVerifier.from_config(
        AuthConfig(user_pool=UserPoolConfig("eu-west-1_abc", pool.client_id, "eu-west-1")),
        token_use="id",
    )
    expected = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json"
    assert aws.jwks_uri == expected


def test_a_local_issuer_server_is_verified_with_its_issuer(
    make_boto3_client: Callable[..., Any],
) -> None:
    with LocalCognito(issuer="local") as cognito:
        idp = make_boto3_client("cognito-idp", cognito.url)
        pool_id = idp.create_user_pool(PoolName="local-iss")["UserPool"]["Id"]
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="c",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        tokens = sign_in(idp, PoolClient(pool_id, client_id), "lou")
        issuer = f"{cognito.url}/{pool_id}"
        verifier = TokenVerifier(
            pool_id, client_id=client_id, token_use="id", issuer=issuer, cache=JwksCache()
        )
        assert verifier.jwks_uri == f"{issuer}/.well-known/jwks.json"
        assert verifier.verify(tokens["IdToken"])["iss"] == issuer
        with pytest.raises(ClaimMismatchError):
            verifier_for(cognito, PoolClient(pool_id, client_id), "id").verify(tokens["IdToken"])


def test_importing_pyamplify_verify_does_not_load_pyjwt() -> None:
    import subprocess
    import sys

    probe = "import sys, pyamplify.verify; print('jwt' in sys.modules, 'httpx' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
