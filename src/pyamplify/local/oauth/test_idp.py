"""A built-in OpenID Connect provider for testing federation offline: ``<server>/_test_idp``.

It is a real, small OIDC provider (discovery, authorize with a page to pick a test identity,
token endpoint with PKCE, JWKS, userinfo) served by every local Cognito, so "Sign in with
<provider>" runs end to end with no network: create an OIDC identity provider whose
``oidc_issuer`` is ``<local Cognito URL>/_test_idp``. It trusts every client id (it is a test
provider): codes are bound to the client id, the redirect URI and the PKCE challenge, and its
ID tokens are RS256 with its own key, so the user pool verifies them as it would a real
provider's.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from pyamplify.local.backend import Backend
from pyamplify.local.idp.providers import TEST_IDP_PATH
from pyamplify.local.oauth import html
from pyamplify.local.oauth.web import digest, parse_pairs, with_params
from pyamplify.local.signing import sign_jwt

_KEY_OWNER = "_test_idp"
_CODE_SECONDS = 300.0
_TOKEN_SECONDS = 3600
#: The identities offered on the provider's page (any other email can be typed in).
IDENTITIES: dict[str, dict[str, Any]] = {
    "alice": {"email": "alice@example.com", "name": "Alice Example", "given_name": "Alice"},
    "bob": {"email": "bob@example.com", "name": "Bob Example", "given_name": "Bob"},
}


def issuer(backend: Backend) -> str:
    """The provider's issuer on this server."""
    return f"{backend.base_url}{TEST_IDP_PATH}"


def _claims_for(email: str, name: str) -> dict[str, Any]:
    sub = hashlib.sha256(email.lower().encode()).hexdigest()[:32]
    claims: dict[str, Any] = {"sub": sub, "email": email, "email_verified": True}
    if name:
        claims["name"] = name
    return claims


def key(backend: Backend) -> Any:
    """The provider's signing key (kept with the pools' keys under a reserved owner)."""
    return backend.keys.key(_KEY_OWNER, "id")


def _discovery(backend: Backend) -> dict[str, Any]:
    base = issuer(backend)
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/token",
        "userinfo_endpoint": f"{base}/userinfo",
        "jwks_uri": f"{base}/jwks.json",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
    }


def _page(title: str, body: str, status: int = 200) -> Response:
    return HTMLResponse(
        html.page(title, body), status_code=status, headers={"Cache-Control": "no-store"}
    )


def _authorize_page(query: dict[str, str], raw: str) -> Response:
    client = query.get("client_id", "")
    if not client or not query.get("redirect_uri") or query.get("response_type") != "code":
        return _page(
            "Test provider",
            html.error("client_id, redirect_uri and response_type=code are required."),
            400,
        )
    action = f"{TEST_IDP_PATH}/authorize?{raw}"
    parts = [html.paragraph(f"Test OpenID provider. {client} asks who you are.")]
    for name, person in IDENTITIES.items():
        parts.append(
            f'<form method="post" action="{html.escape(action)}">'
            f'<input type="hidden" name="identity" value="{html.escape(name)}">'
            f'<button type="submit">Continue as {html.escape(person["name"])}</button></form>'
        )
    parts.append('<p class="or">or</p>')
    parts.append(
        html.form(
            action,
            [
                html.Field("email", "Email", "email", autocomplete="email"),
                html.Field("name", "Name", required=False, autocomplete="name"),
            ],
            "Continue with this email",
        )
    )
    return _page("Pick a test identity", "".join(parts))


def _authorize_choice(backend: Backend, query: dict[str, str], form: dict[str, str]) -> Response:
    chosen = IDENTITIES.get(form.get("identity", ""))
    if chosen is not None:
        claims = _claims_for(chosen["email"], chosen["name"])
        claims["given_name"] = chosen["given_name"]
    else:
        email = form.get("email", "").strip()
        if "@" not in email:
            return _page("Pick a test identity", html.error("Enter an email address."), 400)
        claims = _claims_for(email, form.get("name", "").strip())
    code = secrets.token_urlsafe(24)
    backend.store.put_oauth_state(
        digest(code),
        "test_idp_code",
        {
            "client_id": query.get("client_id"),
            "redirect_uri": query.get("redirect_uri"),
            "nonce": query.get("nonce"),
            "code_challenge": query.get("code_challenge"),
            "claims": claims,
        },
        backend.now() + _CODE_SECONDS,
    )
    params = {"code": code}
    if query.get("state") is not None:
        params["state"] = query["state"]
    return RedirectResponse(with_params(query["redirect_uri"], params), status_code=302)


def redeem(
    backend: Backend, form: dict[str, str], basic_client: str | None
) -> tuple[int, dict[str, Any]]:
    """The token endpoint's work (also called in-process by the user pool's federation)."""
    if form.get("grant_type") != "authorization_code":
        return 400, {"error": "unsupported_grant_type"}
    taken = backend.store.take_oauth_state(digest(form.get("code", "")), "test_idp_code")
    client_id = basic_client or form.get("client_id")
    if taken is None or taken[1] < backend.now():
        return 400, {"error": "invalid_grant"}
    state = taken[0]
    if state["client_id"] != client_id or state["redirect_uri"] != form.get("redirect_uri"):
        return 400, {"error": "invalid_grant"}
    if state.get("code_challenge"):
        import base64

        verifier = form.get("code_verifier", "")
        computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if computed.rstrip(b"=").decode() != state["code_challenge"]:
            return 400, {"error": "invalid_grant"}
    now = int(backend.now())
    claims = {
        **state["claims"],
        "iss": issuer(backend),
        "aud": client_id,
        "iat": now,
        "exp": now + _TOKEN_SECONDS,
        "auth_time": now,
    }
    if state.get("nonce"):
        claims["nonce"] = state["nonce"]
    access = {
        **state["claims"],
        "iss": issuer(backend),
        "client_id": client_id,
        "iat": now,
        "exp": now + _TOKEN_SECONDS,
        "jti": str(uuid.uuid4()),
        "token_use": "access",
    }
    signing = key(backend)
    return 200, {
        "id_token": sign_jwt(signing, claims),
        "access_token": sign_jwt(signing, access),
        "token_type": "Bearer",
        "expires_in": _TOKEN_SECONDS,
    }


def routes(backend: Backend) -> list[BaseRoute]:
    """The provider's routes."""

    async def discovery(request: Request) -> Response:
        return JSONResponse(_discovery(backend))

    async def jwks(request: Request) -> Response:
        return JSONResponse({"keys": [key(backend).jwk()]})

    async def authorize(request: Request) -> Response:
        query = parse_pairs(request.url.query)
        if request.method == "POST":
            form = parse_pairs((await request.body()).decode("utf-8", "replace"))
            return _authorize_choice(backend, query, form)
        return _authorize_page(query, request.url.query)

    async def token(request: Request) -> Response:
        form = parse_pairs((await request.body()).decode("utf-8", "replace"))
        basic = None
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            import base64

            try:
                basic = base64.b64decode(header[6:]).decode().partition(":")[0]
            except ValueError:
                return JSONResponse({"error": "invalid_client"}, status_code=401)
        status, payload = redeem(backend, form, basic)
        return JSONResponse(payload, status_code=status, headers={"Cache-Control": "no-store"})

    async def userinfo(request: Request) -> Response:
        header = request.headers.get("authorization", "")
        from pyamplify.local.signing import JwtError, unverified_parts, verify_jwt_signature

        try:
            verify_jwt_signature(key(backend), header[7:])
            _header, claims = unverified_parts(header[7:])
        except JwtError:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        if claims.get("exp", 0) < time.time():
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        return JSONResponse(
            {
                k: v
                for k, v in claims.items()
                if k in ("sub", "email", "email_verified", "name", "given_name")
            }
        )

    base = TEST_IDP_PATH
    return [
        Route(f"{base}/.well-known/openid-configuration", discovery, methods=["GET"]),
        Route(f"{base}/jwks.json", jwks, methods=["GET"]),
        Route(f"{base}/authorize", authorize, methods=["GET", "POST"]),
        Route(f"{base}/token", token, methods=["POST"]),
        Route(f"{base}/userinfo", userinfo, methods=["GET", "POST"]),
    ]


def authorize_url_for(backend: Backend, params: dict[str, str]) -> str:
    """The provider's authorize URL with ``params`` (for tests and the demo)."""
    return f"{issuer(backend)}/authorize?{urlencode(params)}"
