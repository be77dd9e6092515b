"""Helpers for the Hosted UI tests: a pool with a domain and an OAuth client, and a scripted
browser (httpx with a cookie jar) that fills the pages the way a person would."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

REDIRECT = "http://127.0.0.1:53682/callback"
LOGOUT = "http://127.0.0.1:53682/signed-out"


@dataclass(frozen=True)
class HostedPool:
    pool_id: str
    client_id: str
    domain: str
    base: str
    client_secret: str | None = None


def make_hosted_pool(
    cognito_idp: Any,
    server_url: str,
    *,
    client: dict[str, Any] | None = None,
    pool: dict[str, Any] | None = None,
) -> HostedPool:
    pool_id = cognito_idp.create_user_pool(
        PoolName="hosted", AutoVerifiedAttributes=["email"], **(pool or {})
    )["UserPool"]["Id"]
    domain = f"d{secrets.token_hex(5)}"
    cognito_idp.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)
    settings = {
        "AllowedOAuthFlowsUserPoolClient": True,
        "AllowedOAuthFlows": ["code"],
        "AllowedOAuthScopes": ["openid", "email", "profile", "aws.cognito.signin.user.admin"],
        "CallbackURLs": [REDIRECT],
        "LogoutURLs": [LOGOUT],
        "SupportedIdentityProviders": ["COGNITO"],
        "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        **(client or {}),
    }
    made = cognito_idp.create_user_pool_client(UserPoolId=pool_id, ClientName="web", **settings)
    made = made["UserPoolClient"]
    return HostedPool(
        pool_id,
        made["ClientId"],
        domain,
        f"{server_url}/_domain/{domain}",
        made.get("ClientSecret"),
    )


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize_url(hosted: HostedPool, **params: str) -> str:
    query = {
        "response_type": "code",
        "client_id": hosted.client_id,
        "redirect_uri": REDIRECT,
        "scope": "openid email profile",
        **params,
    }
    return f"{hosted.base}/oauth2/authorize?{urlencode(query)}"


def form_of(page: str) -> tuple[str, dict[str, str]]:
    """The first form's action and hidden fields."""
    action = re.search(r'<form method="post" action="([^"]*)"', page)
    assert action is not None, page[:500]
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)"', page))
    import html

    return html.unescape(action.group(1)), {k: html.unescape(v) for k, v in hidden.items()}


class Browser:
    """httpx with cookies that follows the Hosted UI's redirects but stops at the client's."""

    def __init__(self, server_url: str) -> None:
        self.http = httpx.Client(base_url=server_url, follow_redirects=False, timeout=10)

    def get(self, url: str) -> httpx.Response:
        response = self.http.get(url)
        while response.status_code == 302 and not response.headers["location"].startswith(
            "http://127.0.0.1:53682"
        ):
            response = self.http.get(response.headers["location"])
        return response

    def submit(self, page: httpx.Response, fields: dict[str, str]) -> httpx.Response:
        action, hidden = form_of(page.text)
        response = self.http.post(action, data={**hidden, **fields})
        if response.status_code == 302 and not response.headers["location"].startswith(
            "http://127.0.0.1:53682"
        ):
            return self.get(response.headers["location"])
        return response

    def close(self) -> None:
        self.http.close()


def redirect_params(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, (response.status_code, response.text[:300])
    location = urlsplit(response.headers["location"])
    raw = location.fragment or location.query
    return {key: values[0] for key, values in parse_qs(raw).items()}
