"""Token endpoint conformance against an OAuth client we did not write: Authlib's
``OAuth2Client`` (httpx) does authorization code + PKCE, refresh, revocation and userinfo on
a public client, and client credentials on a confidential one; tokens are verified with PyJWT
against the JWKS the discovery document names."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest
from tests.oauth.hosted import REDIRECT, Browser, make_hosted_pool

authlib_client = pytest.importorskip("authlib.integrations.httpx_client")
pytestmark = pytest.mark.e2e


def test_authlib_code_pkce_refresh_revoke_userinfo(
    cognito_idp: Any, local_cognito: Any, new_user: Any
) -> None:
    hosted = make_hosted_pool(cognito_idp, local_cognito.url)
    new_user(hosted.pool_id, "erin", "Passw0rd!", {"email": "erin@example.com"})
    discovery = httpx.get(
        f"{local_cognito.url}/{hosted.pool_id}/.well-known/openid-configuration"
    ).json()
    assert discovery["token_endpoint"] == f"{hosted.base}/oauth2/token"
    client = authlib_client.OAuth2Client(
        client_id=hosted.client_id,
        redirect_uri=REDIRECT,
        scope="openid email",
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    verifier = "v" * 64
    url, state = client.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce="n-authlib"
    )
    browser = Browser(local_cognito.url)
    page = browser.get(url)
    answer = browser.submit(page, {"username": "erin", "password": "Passw0rd!"})
    browser.close()
    token = client.fetch_token(
        discovery["token_endpoint"],
        authorization_response=answer.headers["location"],
        code_verifier=verifier,
        state=state,
    )
    keys = jwt.PyJWKClient(discovery["jwks_uri"])
    claims = jwt.decode(
        token["id_token"],
        keys.get_signing_key_from_jwt(token["id_token"]).key,
        algorithms=["RS256"],
        audience=hosted.client_id,
        issuer=discovery["issuer"],
    )
    assert claims["nonce"] == "n-authlib" and claims["email"] == "erin@example.com"
    info = client.get(discovery["userinfo_endpoint"])
    assert info.status_code == 200 and info.json()["email"] == "erin@example.com"
    refreshed = client.refresh_token(
        discovery["token_endpoint"], refresh_token=token["refresh_token"]
    )
    assert refreshed["access_token"] != token["access_token"]
    revoked = client.revoke_token(discovery["revocation_endpoint"], token=token["refresh_token"])
    assert revoked.status_code == 200
    with pytest.raises(Exception, match="invalid_grant"):
        client.refresh_token(discovery["token_endpoint"], refresh_token=token["refresh_token"])


def test_authlib_client_credentials(cognito_idp: Any, local_cognito: Any) -> None:
    pool_id = cognito_idp.create_user_pool(PoolName="conf")["UserPool"]["Id"]
    cognito_idp.create_user_pool_domain(UserPoolId=pool_id, Domain="conformance-m2m")
    cognito_idp.create_resource_server(
        UserPoolId=pool_id,
        Identifier="reports",
        Name="r",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "r"}],
    )
    made = cognito_idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="m2m",
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["reports/read"],
    )["UserPoolClient"]
    discovery = httpx.get(f"{local_cognito.url}/{pool_id}/.well-known/openid-configuration").json()
    for method in ("client_secret_basic", "client_secret_post"):
        client = authlib_client.OAuth2Client(
            made["ClientId"],
            made["ClientSecret"],
            scope="reports/read",
            token_endpoint_auth_method=method,
        )
        token = client.fetch_token(discovery["token_endpoint"], grant_type="client_credentials")
        keys = jwt.PyJWKClient(discovery["jwks_uri"])
        claims = jwt.decode(
            token["access_token"],
            keys.get_signing_key_from_jwt(token["access_token"]).key,
            algorithms=["RS256"],
            issuer=discovery["issuer"],
        )
        assert claims["scope"] == "reports/read" and claims["client_id"] == made["ClientId"]
