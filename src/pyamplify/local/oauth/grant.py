"""An authorization request, checked as Cognito checks it, and the answer that ends it.

``/oauth2/authorize`` and every page behind it (``/login``, sign-up, MFA...) carry the same
query; each page re-reads it with :func:`parse_authorize`, so no page can be reached with a
client or redirect URI the authorize endpoint would refuse. Errors come in Cognito's two kinds:
before the redirect URI is known to be the client's, an error page (``/error?error=...``,
e.g. ``redirect_mismatch``); after, a redirect to it with ``error=`` (and the ``state``).

The answer (:func:`respond`) is an authorization code (single use, bound to the client, the
redirect URI, the PKCE challenge and the nonce, valid 5 minutes; stored as its SHA-256) or, for
``response_type=token``, the tokens themselves in the redirect's fragment.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from pyamplify.local.idp import tokens as idp_tokens
from pyamplify.local.oauth.web import DomainContext, digest, redirect, with_params
from pyamplify.local.store.userpools import UserRecord

#: An authorization code lives 5 minutes (Cognito's token endpoint documentation).
CODE_SECONDS = 300.0
RESERVED_SCOPES = ("openid", "email", "phone", "profile", "aws.cognito.signin.user.admin")
_NEEDS_OPENID = ("email", "phone", "profile")
PROMPTS = ("none", "login", "consent", "select_account")


class ErrorPage(Exception):
    """An error shown on the domain's error page: the redirect URI cannot be trusted yet."""

    def __init__(self, error: str, client_id: str | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.client_id = client_id


class ErrorRedirect(Exception):
    """An error sent back to the client's (registered) redirect URI."""

    def __init__(self, request: AuthorizeRequest, error: str, description: str = "") -> None:
        super().__init__(error)
        self.request = request
        self.error = error
        self.description = description


@dataclass(frozen=True)
class AuthorizeRequest:
    """A checked ``/oauth2/authorize`` query."""

    client: dict[str, Any]
    response_type: str
    redirect_uri: str
    state: str | None
    scopes: list[str]
    nonce: str | None
    code_challenge: str | None
    prompt: str | None
    identity_provider: str | None
    idp_identifier: str | None
    #: The query as received, carried to every page behind the authorize endpoint.
    query: str

    @property
    def client_id(self) -> str:
        """The app client's id."""
        return str(self.client["ClientId"])

    def providers(self) -> list[str]:
        """The client's SupportedIdentityProviders."""
        return list(self.client.get("SupportedIdentityProviders") or [])


def error_location(ctx: DomainContext, error: str, client_id: str | None) -> str:
    """Cognito's error page URL (``/error?error=redirect_mismatch&client_id=...``)."""
    params = {"error": error}
    if client_id:
        params["client_id"] = client_id
    return with_params(ctx.path("/error"), params)


def error_response(ctx: DomainContext, failure: ErrorPage | ErrorRedirect) -> Response:
    """The redirect an error calls for."""
    if isinstance(failure, ErrorPage):
        return redirect(ctx, error_location(ctx, failure.error, failure.client_id))
    request = failure.request
    params = {"error": failure.error}
    if failure.description:
        params["error_description"] = failure.description
    if request.state is not None:
        params["state"] = request.state
    implicit = request.response_type == "token"
    return redirect(ctx, with_params(request.redirect_uri, params, fragment=implicit))


def _granted_scopes(client: dict[str, Any], requested: str | None) -> list[str]:
    allowed = list(client.get("AllowedOAuthScopes") or [])
    if requested is None or not requested.strip():
        return allowed  # no scope: every scope of the client (Cognito)
    wanted = list(dict.fromkeys(requested.split()))
    granted = [scope for scope in wanted if scope in allowed]  # the others are ignored
    if "openid" not in granted:
        granted = [scope for scope in granted if scope not in _NEEDS_OPENID]
    return granted


def parse_authorize(ctx: DomainContext, query: dict[str, str], raw: str) -> AuthorizeRequest:
    """Check an authorization request against the domain's pool and the client's settings."""
    backend = ctx.backend
    client_id = query.get("client_id")
    client = backend.app_client(client_id) if client_id else None
    if client is None or client["UserPoolId"] != ctx.pool["Id"]:
        raise ErrorPage("invalid_request", client_id)
    redirect_uri = query.get("redirect_uri")
    if not redirect_uri or redirect_uri not in (client.get("CallbackURLs") or []):
        raise ErrorPage("redirect_mismatch", client_id)
    prompt = query.get("prompt") or None
    request = AuthorizeRequest(
        client=client,
        response_type=query.get("response_type", ""),
        redirect_uri=redirect_uri,
        state=query.get("state"),
        scopes=[],
        nonce=query.get("nonce") or None,
        code_challenge=query.get("code_challenge") or None,
        prompt=prompt,
        identity_provider=query.get("identity_provider") or None,
        idp_identifier=query.get("idp_identifier") or None,
        query=raw,
    )
    if not client.get("AllowedOAuthFlowsUserPoolClient"):
        raise ErrorRedirect(request, "unauthorized_client", "Client is not enabled for OAuth2.0")
    if request.response_type not in ("code", "token"):
        raise ErrorRedirect(request, "unsupported_response_type")
    flow = "code" if request.response_type == "code" else "implicit"
    if flow not in (client.get("AllowedOAuthFlows") or []):
        raise ErrorRedirect(request, "unauthorized_client")
    method = query.get("code_challenge_method")
    if (request.code_challenge or method) and (method != "S256" or not request.code_challenge):
        raise ErrorRedirect(
            request, "invalid_request", "PKCE needs code_challenge and code_challenge_method=S256"
        )
    if prompt is not None and any(word not in PROMPTS for word in prompt.split()):
        raise ErrorRedirect(
            request, "invalid_request", "prompt is not one of " + ", ".join(PROMPTS)
        )
    scopes = _granted_scopes(client, query.get("scope"))
    if not scopes:
        raise ErrorRedirect(request, "invalid_scope")
    provider = request.identity_provider
    if provider is not None and provider not in request.providers():
        raise ErrorRedirect(
            request, "invalid_request", f"{provider} is not a provider of this client"
        )
    return AuthorizeRequest(**{**request.__dict__, "scopes": scopes})


@dataclass(frozen=True)
class SignedIn:
    """Who the browser signed in as, and when."""

    username: str
    sub: str
    auth_time: float


def respond(ctx: DomainContext, request: AuthorizeRequest, who: SignedIn) -> Response:
    """End the authorization: a code, or tokens in the fragment, to the redirect URI."""
    backend = ctx.backend
    user = backend.store.get_user(ctx.pool["Id"], who.username)
    if user is None or user.sub != who.sub or not user.enabled:
        raise ErrorRedirect(request, "access_denied", "the user no longer exists or is disabled")
    params: dict[str, str] = {}
    if request.response_type == "code":
        code = str(uuid.uuid4())
        state = {
            "redirect_uri": request.redirect_uri,
            "scopes": request.scopes,
            "nonce": request.nonce,
            "code_challenge": request.code_challenge,
            "auth_time": who.auth_time,
        }
        backend.store.put_oauth_code(
            digest(code),
            ctx.pool["Id"],
            request.client_id,
            who.username,
            who.sub,
            state,
            backend.now() + CODE_SECONDS,
        )
        params["code"] = code
    else:
        params.update(implicit_tokens(ctx, request, user, who.auth_time))
    if request.state is not None:
        params["state"] = request.state
    implicit = request.response_type == "token"
    return redirect(ctx, with_params(request.redirect_uri, params, fragment=implicit))


def implicit_tokens(
    ctx: DomainContext, request: AuthorizeRequest, user: UserRecord, auth_time: float
) -> dict[str, str]:
    """The implicit grant's fragment members (no refresh token)."""
    result = idp_tokens.issue_tokens(
        ctx.backend,
        ctx.pool,
        request.client,
        user,
        auth_time=auth_time,
        with_refresh_token=False,
        source="HostedAuth",
        scopes=request.scopes,
        nonce=request.nonce,
    )
    members = {
        "access_token": result["AccessToken"],
        "token_type": "Bearer",
        "expires_in": str(result["ExpiresIn"]),
    }
    if "IdToken" in result:
        members["id_token"] = result["IdToken"]
    return members
