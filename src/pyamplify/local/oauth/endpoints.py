"""The domain's machine endpoints: ``/oauth2/token``, ``/oauth2/revoke``, ``/oauth2/userInfo``.

Answers and errors as Cognito's (reference §5): JSON ``{"error": ...}`` with HTTP 400 from the
token and revocation endpoints (401 ``invalid_client`` from revocation), ``WWW-Authenticate``
errors from userInfo. Clients authenticate with ``client_secret_basic`` or
``client_secret_post``; public clients send ``client_id`` alone.

A code is taken (deleted) before any check but the client's authentication, so a failed
redemption burns it, as Cognito's does: the retry sees ``invalid_grant``. A redirect URI that
differs from the code's gets ``unauthorized_client``, the answer observed on AWS
(stackoverflow 50264679; repost "cognito returns invalid request and unauthorized client").
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Any
from urllib.parse import unquote_plus

from starlette.responses import Response

from pyamplify.local import errors
from pyamplify.local.backend import TokenVerificationError
from pyamplify.local.idp import tokens as idp_tokens
from pyamplify.local.oauth.web import DomainContext, Req, digest, json_answer, oauth_error
from pyamplify.local.signing import JwtError, unverified_parts


class _Refused(Exception):
    def __init__(self, error: str, status: int = 400, description: str | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.description = description


def _authenticate_client(ctx: DomainContext, req: Req) -> dict[str, Any]:
    """The app client making the request: Basic auth, else ``client_id`` (+ ``client_secret``)."""
    header = req.headers.get("authorization", "")
    secret: str | None
    if header[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise _Refused("invalid_client") from None
        name, _, given = decoded.partition(":")
        client_id, secret = unquote_plus(name), unquote_plus(given)
    else:
        client_id = req.form.get("client_id", "")
        secret = req.form.get("client_secret")
    client = ctx.backend.app_client(client_id) if client_id else None
    if client is None or client["UserPoolId"] != ctx.pool["Id"]:
        raise _Refused("invalid_client")
    expected = client.get("ClientSecret")
    if expected:
        if not secret or not hmac.compare_digest(expected.encode(), secret.encode()):
            raise _Refused("invalid_client")
    elif secret:
        raise _Refused("invalid_client")
    return client


def _token_response(result: dict[str, Any]) -> dict[str, Any]:
    answer: dict[str, Any] = {}
    if "IdToken" in result:
        answer["id_token"] = result["IdToken"]
    answer["access_token"] = result["AccessToken"]
    if "RefreshToken" in result:
        answer["refresh_token"] = result["RefreshToken"]
    answer["expires_in"] = result["ExpiresIn"]
    answer["token_type"] = "Bearer"
    return answer


def _pkce_ok(verifier: str, challenge: str) -> bool:
    computed = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode("ascii", "replace")).digest()
    )
    return hmac.compare_digest(computed.rstrip(b"=").decode(), challenge)


def _authorization_code(ctx: DomainContext, req: Req, client: dict[str, Any]) -> dict[str, Any]:
    backend = ctx.backend
    if not client.get("AllowedOAuthFlowsUserPoolClient") or "code" not in (
        client.get("AllowedOAuthFlows") or []
    ):
        raise _Refused("unauthorized_client")
    code = req.form.get("code")
    if not code:
        raise _Refused("invalid_request")
    taken = backend.store.take_oauth_code(digest(code))
    if taken is None:
        raise _Refused("invalid_grant")
    pool_id, client_id, username, sub, state, expires_at = taken
    if pool_id != ctx.pool["Id"] or client_id != client["ClientId"]:
        raise _Refused("invalid_grant")
    if backend.now() >= expires_at:
        raise _Refused("invalid_grant")
    if req.form.get("redirect_uri") != state["redirect_uri"]:
        raise _Refused("unauthorized_client")
    challenge = state.get("code_challenge")
    if challenge:
        verifier = req.form.get("code_verifier")
        if not verifier:
            raise _Refused("invalid_request")
        if not _pkce_ok(verifier, str(challenge)):
            raise _Refused("invalid_grant")
    user = backend.store.get_user(pool_id, username)
    if user is None or user.sub != sub or not user.enabled:
        raise _Refused("invalid_grant")
    result = idp_tokens.issue_tokens(
        backend,
        ctx.pool,
        client,
        user,
        auth_time=float(state["auth_time"]),
        source="HostedAuth",
        scopes=list(state["scopes"]),
        nonce=state.get("nonce"),
    )
    return _token_response(result)


def _refresh(ctx: DomainContext, req: Req, client: dict[str, Any]) -> dict[str, Any]:
    if not client.get("AllowedOAuthFlowsUserPoolClient"):
        raise _Refused("unauthorized_client")
    token = req.form.get("refresh_token")
    if not token:
        raise _Refused("invalid_request")
    try:
        result = idp_tokens.refresh_tokens(
            ctx.backend, ctx.pool, client, token, rotate=idp_tokens.rotation_enabled(client)
        )
    except errors.CognitoError:
        raise _Refused("invalid_grant") from None
    return _token_response(result)


def _client_credentials(ctx: DomainContext, req: Req, client: dict[str, Any]) -> dict[str, Any]:
    flows = client.get("AllowedOAuthFlows") or []
    if not client.get("ClientSecret"):
        raise _Refused("unauthorized_client")
    if not client.get("AllowedOAuthFlowsUserPoolClient") or "client_credentials" not in flows:
        raise _Refused("invalid_grant")  # observed: a client not enabled answers invalid_grant
    allowed = list(client.get("AllowedOAuthScopes") or [])
    requested = (req.form.get("scope") or "").split()
    if requested and any(scope not in allowed for scope in requested):
        raise _Refused("invalid_scope")
    scopes = list(dict.fromkeys(requested)) or allowed
    return idp_tokens.client_credentials_token(ctx.backend, ctx.pool, client, scopes)


_GRANTS = {
    "authorization_code": _authorization_code,
    "refresh_token": _refresh,
    "client_credentials": _client_credentials,
}


def _is_form(req: Req) -> bool:
    kind = req.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind == "application/x-www-form-urlencoded"


def token(ctx: DomainContext, req: Req) -> Response:
    """``POST /oauth2/token``."""
    if req.method != "POST" or not _is_form(req):
        return oauth_error("invalid_request")
    try:
        client = _authenticate_client(ctx, req)
        grant_type = req.form.get("grant_type")
        if not grant_type:
            raise _Refused("invalid_request")
        handler = _GRANTS.get(grant_type)
        if handler is None:
            raise _Refused("unsupported_grant_type")
        return json_answer(handler(ctx, req, client))
    except _Refused as refused:
        return oauth_error(refused.error, refused.status, refused.description)


def revoke(ctx: DomainContext, req: Req) -> Response:
    """``POST /oauth2/revoke``: revoke a refresh token and everything issued from it."""
    if req.method != "POST" or not _is_form(req):
        return oauth_error("invalid_request")
    try:
        client = _authenticate_client(ctx, req)
    except _Refused:
        return oauth_error("invalid_client", 401)
    value = req.form.get("token")
    if not value or client.get("EnableTokenRevocation") is False:
        return oauth_error("invalid_request")
    if value.count(".") == 2:  # a JWT: an ID or access token, not a refresh token
        try:
            unverified_parts(value)
            return oauth_error("unsupported_token_type")
        except JwtError:
            pass
    origin = idp_tokens.family_of_refresh_token(ctx.backend, value)
    family = ctx.backend.store.get_family(origin) if origin else None
    if origin is not None and family is not None and family[1] == client["ClientId"]:
        ctx.backend.store.revoke_family(origin, ctx.backend.now())
    return Response(status_code=200, headers={"Cache-Control": "no-store"})


_BAD_REQUEST = (
    'error="invalid_request", error_description="Bad OAuth2 request at UserInfo Endpoint"'
)
_BAD_TOKEN = (
    'error="invalid_token", error_description="Access token is expired, disabled, or deleted, '
    'or the user has globally signed out."'
)


def _userinfo_error(status: int, header: str) -> Response:
    return json_answer(
        {"error": "invalid_request" if status == 400 else "invalid_token"},
        status,
        **{"WWW-Authenticate": header},
    )


def userinfo(ctx: DomainContext, req: Req) -> Response:
    """``GET|POST /oauth2/userInfo``: the claims the access token's scopes release."""
    header = req.headers.get("authorization", "")
    if header[:7].lower() != "bearer " or not header[7:].strip():
        return _userinfo_error(400, _BAD_REQUEST)
    try:
        claims = ctx.backend.verify_token(
            header[7:].strip(), token_use="access", pool_id=ctx.pool["Id"]
        )
    except TokenVerificationError:
        return _userinfo_error(401, _BAD_TOKEN)
    scopes = str(claims.get("scope", "")).split()
    if "openid" not in scopes:
        return _userinfo_error(400, _BAD_REQUEST)
    user = ctx.backend.store.get_user(ctx.pool["Id"], str(claims.get("username")))
    if user is None or user.sub != claims.get("sub") or not user.enabled:
        return _userinfo_error(401, _BAD_TOKEN)
    client = ctx.backend.app_client(str(claims.get("client_id"))) or {}
    answer: dict[str, Any] = {"sub": user.sub}
    released = idp_tokens.user_claims(client, user, scopes)
    if "identities" in released:
        released["identities"] = user.attributes.get("identities", "[]")
    answer.update(released)
    answer["username"] = user.username
    return json_answer(answer)
