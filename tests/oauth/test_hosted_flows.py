"""The Hosted UI over HTTP (no browser): sign-in to code to tokens, refresh, userInfo, revoke,
logout, and the attacks RFC 9700 lists, each refused the way Cognito refuses it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest
from tests.oauth.hosted import (
    LOGOUT,
    REDIRECT,
    Browser,
    HostedPool,
    authorize_url,
    make_hosted_pool,
    pkce,
    redirect_params,
)

pytestmark = pytest.mark.e2e
PASSWORD = "Passw0rd!"


@pytest.fixture
def hosted(cognito_idp: Any, local_cognito: Any, new_user: Any) -> HostedPool:
    made = make_hosted_pool(cognito_idp, local_cognito.url)
    new_user(
        made.pool_id,
        "alice",
        PASSWORD,
        {"email": "alice@example.com", "email_verified": "true", "name": "Alice"},
    )
    return made


@pytest.fixture
def browser(local_cognito: Any) -> Iterator[Browser]:
    made = Browser(local_cognito.url)
    yield made
    made.close()


def _sign_in(browser: Browser, hosted: HostedPool, **params: str) -> dict[str, str]:
    page = browser.get(authorize_url(hosted, **params))
    assert page.status_code == 200 and "Sign in" in page.text
    return redirect_params(browser.submit(page, {"username": "alice", "password": PASSWORD}))


def _token(local_cognito: Any, hosted: HostedPool, **form: str) -> httpx.Response:
    return httpx.post(f"{hosted.base}/oauth2/token", data={"client_id": hosted.client_id, **form})


def _jwks(local_cognito: Any, hosted: HostedPool) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(f"{local_cognito.url}/{hosted.pool_id}/.well-known/jwks.json")


def test_code_with_pkce_gives_verified_tokens_with_nonce_and_at_hash(
    browser: Browser, hosted: HostedPool, local_cognito: Any
) -> None:
    verifier, challenge = pkce()
    answer = _sign_in(
        browser,
        hosted,
        state="s1",
        nonce="n1",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    assert answer["state"] == "s1"
    tokens = _token(
        local_cognito,
        hosted,
        grant_type="authorization_code",
        code=answer["code"],
        redirect_uri=REDIRECT,
        code_verifier=verifier,
    )
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["refresh_token"]
    keys = _jwks(local_cognito, hosted)
    id_claims = jwt.decode(
        body["id_token"],
        keys.get_signing_key_from_jwt(body["id_token"]).key,
        algorithms=["RS256"],
        audience=hosted.client_id,
    )
    assert id_claims["nonce"] == "n1" and id_claims["email"] == "alice@example.com"
    assert id_claims["name"] == "Alice"
    access = jwt.decode(
        body["access_token"],
        keys.get_signing_key_from_jwt(body["access_token"]).key,
        algorithms=["RS256"],
        options={"verify_aud": False},
    )
    assert access["scope"] == "openid email profile" and access["client_id"] == hosted.client_id
    alg = jwt.get_algorithm_by_name("RS256")
    import base64
    import hashlib

    digest = hashlib.sha256(body["access_token"].encode()).digest()
    assert id_claims["at_hash"] == base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()
    assert alg is not None
    info = httpx.get(
        f"{hosted.base}/oauth2/userInfo",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert info.status_code == 200
    assert info.json()["email"] == "alice@example.com" and info.json()["username"] == "alice"
    refreshed = _token(
        local_cognito, hosted, grant_type="refresh_token", refresh_token=body["refresh_token"]
    )
    assert refreshed.status_code == 200
    again = jwt.decode(refreshed.json()["access_token"], options={"verify_signature": False})
    assert again["scope"] == "openid email profile"
    revoked = httpx.post(
        f"{hosted.base}/oauth2/revoke",
        data={"token": body["refresh_token"], "client_id": hosted.client_id},
    )
    assert revoked.status_code == 200 and revoked.content == b""
    after = _token(
        local_cognito, hosted, grant_type="refresh_token", refresh_token=body["refresh_token"]
    )
    assert after.json() == {"error": "invalid_grant"}
    info = httpx.get(
        f"{hosted.base}/oauth2/userInfo",
        headers={"Authorization": f"Bearer {body['access_token']}"},
    )
    assert info.status_code == 401 and "invalid_token" in info.headers["www-authenticate"]


def test_session_cookie_skips_the_form_until_logout(browser: Browser, hosted: HostedPool) -> None:
    _sign_in(browser, hosted)
    second = browser.get(authorize_url(hosted, state="again"))
    assert redirect_params(second)["state"] == "again"
    out = browser.get(f"{hosted.base}/logout?client_id={hosted.client_id}&logout_uri={LOGOUT}")
    assert out.status_code == 302 and out.headers["location"] == LOGOUT
    third = browser.get(authorize_url(hosted))
    assert third.status_code == 200 and "Sign in" in third.text
    none = browser.get(authorize_url(hosted, prompt="none", state="x"))
    assert redirect_params(none) == {"error": "login_required", "state": "x"}


def test_attacks_are_refused(
    browser: Browser, hosted: HostedPool, local_cognito: Any, cognito_idp: Any
) -> None:
    verifier, challenge = pkce()
    answer = _sign_in(browser, hosted, code_challenge=challenge, code_challenge_method="S256")
    wrong = _token(
        local_cognito,
        hosted,
        grant_type="authorization_code",
        code=answer["code"],
        redirect_uri=REDIRECT,
        code_verifier=pkce()[0],
    )
    assert wrong.json() == {"error": "invalid_grant"}  # wrong code_verifier
    replay = _token(
        local_cognito,
        hosted,
        grant_type="authorization_code",
        code=answer["code"],
        redirect_uri=REDIRECT,
        code_verifier=verifier,
    )
    assert replay.json() == {"error": "invalid_grant"}  # the code was burnt by the failure
    fresh = browser.get(authorize_url(hosted))  # the session answers at once
    code = redirect_params(fresh)["code"]
    good = _token(
        local_cognito, hosted, grant_type="authorization_code", code=code, redirect_uri=REDIRECT
    )
    assert good.status_code == 200
    replayed = _token(
        local_cognito, hosted, grant_type="authorization_code", code=code, redirect_uri=REDIRECT
    )
    assert replayed.json() == {"error": "invalid_grant"}  # replayed code
    # an unregistered redirect_uri: Cognito's error page, never a redirect to it
    evil = browser.http.get(authorize_url(hosted, redirect_uri="https://evil.example/cb"))
    assert evil.status_code == 302
    assert evil.headers["location"].endswith(
        f"/error?error=redirect_mismatch&client_id={hosted.client_id}"
    )
    assert browser.http.get(evil.headers["location"]).status_code == 400
    # implicit on a code-only client
    implicit = browser.http.get(authorize_url(hosted, response_type="token", state="i"))
    assert redirect_params(implicit)["error"] == "unauthorized_client"
    # a code from another client of the same pool
    other = cognito_idp.create_user_pool_client(
        UserPoolId=hosted.pool_id,
        ClientName="other",
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"],
        AllowedOAuthScopes=["openid"],
        CallbackURLs=[REDIRECT],
        SupportedIdentityProviders=["COGNITO"],
    )["UserPoolClient"]["ClientId"]
    code = redirect_params(browser.get(authorize_url(hosted)))["code"]
    stolen = httpx.post(
        f"{hosted.base}/oauth2/token",
        data={
            "client_id": other,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
        },
    )
    assert stolen.json() == {"error": "invalid_grant"}
    # PKCE: a method other than S256
    plain = browser.http.get(
        authorize_url(hosted, code_challenge="abc", code_challenge_method="plain", state="p")
    )
    assert redirect_params(plain)["error"] == "invalid_request"
    # a forged login form (no CSRF token) is refused
    forged = httpx.post(
        f"{hosted.base}/login?{authorize_url(hosted).split('?')[1]}",
        data={"username": "alice", "password": PASSWORD},
    )
    assert forged.status_code == 403


def test_client_credentials(cognito_idp: Any, local_cognito: Any) -> None:
    pool_id = cognito_idp.create_user_pool(PoolName="m2m")["UserPool"]["Id"]
    cognito_idp.create_user_pool_domain(UserPoolId=pool_id, Domain="m2m-jobs")
    cognito_idp.create_resource_server(
        UserPoolId=pool_id,
        Identifier="orders",
        Name="o",
        Scopes=[
            {"ScopeName": "read", "ScopeDescription": "r"},
            {"ScopeName": "write", "ScopeDescription": "w"},
        ],
    )
    client = cognito_idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="job",
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["orders/read", "orders/write"],
    )["UserPoolClient"]
    url = f"{local_cognito.url}/_domain/m2m-jobs/oauth2/token"
    auth = (client["ClientId"], client["ClientSecret"])
    answer = httpx.post(
        url, data={"grant_type": "client_credentials", "scope": "orders/read"}, auth=auth
    )
    assert answer.status_code == 200, answer.text
    claims = jwt.decode(answer.json()["access_token"], options={"verify_signature": False})
    assert claims["scope"] == "orders/read" and claims["sub"] == client["ClientId"]
    assert set(answer.json()) == {"access_token", "expires_in", "token_type"}
    assert httpx.post(
        url, data={"grant_type": "client_credentials", "scope": "orders/delete"}, auth=auth
    ).json() == {"error": "invalid_scope"}
    assert httpx.post(
        url, data={"grant_type": "client_credentials"}, auth=(client["ClientId"], "wrong")
    ).json() == {"error": "invalid_client"}
