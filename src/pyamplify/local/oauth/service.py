"""The Hosted UI room's entry point: serve every user pool domain and the test provider.

:class:`DomainRoute` claims requests for a domain, reached as
``/_domain/<domain>/<path>`` on any host, or by host name: ``<prefix>.auth.<region>.localhost``
(browsers resolve ``*.localhost`` to this machine), ``<prefix>.auth.<region>.amazoncognito.com``
and custom domains (for a hosts-file entry pointing them here). It parses the request once
(query, urlencoded form, cookies) and calls the endpoint for the path.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from http.cookies import CookieError, SimpleCookie
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

from pyamplify.local.backend import Backend
from pyamplify.local.oauth import endpoints, pages, test_idp
from pyamplify.local.oauth.web import DomainContext, Req, parse_pairs
from pyamplify.local.service.endpoints import ServiceRegistry

DOMAIN_PATH = "/_domain/"
_HOSTED = re.compile(
    r"(?P<prefix>[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)\.auth\.[a-z0-9-]+\.(?:localhost|amazoncognito\.com)"
)
_LOOPBACK = ("127.0.0.1", "localhost", "[::1]", "::1")
_MAX_FORM = 64 * 1024

Endpoint = Callable[[DomainContext, Req], Response]

#: Path (after the domain) -> endpoint. ``/authorize`` is Cognito's legacy path.
ENDPOINTS: dict[str, Endpoint] = {
    "/oauth2/authorize": pages.authorize,
    "/authorize": pages.authorize,
    "/login": pages.login,
    "/challenge": pages.challenge,
    "/signup": pages.signup,
    "/confirm": pages.confirm,
    "/forgotPassword": pages.forgot_password,
    "/confirmForgotPassword": pages.confirm_forgot_password,
    "/consent": pages.consent,
    "/selectAccount": pages.select_account,
    "/logout": pages.logout,
    "/error": pages.error_page,
    "/oauth2/idpresponse": pages.idp_response,
    "/oauth2/token": endpoints.token,
    "/oauth2/revoke": endpoints.revoke,
    "/oauth2/userInfo": endpoints.userinfo,
}


def _host(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"host":
            host = str(value.decode("latin-1")).lower()
            return host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return ""


def serves_host(backend: Backend, host: str) -> bool:
    """Whether ``host`` (lower case, no port) names a Hosted UI domain this room serves."""
    if _HOSTED.fullmatch(host) is not None:
        return True
    return "." in host and backend.store.get_domain(host) is not None


class DomainRoute(BaseRoute):
    """Every user pool domain of one local Cognito (see the module docstring)."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def _locate(self, scope: Scope) -> tuple[str, str, str] | None:
        """``(domain, path within it, prefix)`` or ``None`` when the request is not for one."""
        path = str(scope["path"])
        if path.startswith(DOMAIN_PATH):
            domain, _, rest = path[len(DOMAIN_PATH) :].partition("/")
            return domain, f"/{rest}", f"{DOMAIN_PATH}{domain}"
        host = _host(scope)
        if not host or host in _LOOPBACK:
            return None
        matched = _HOSTED.fullmatch(host)
        if matched is not None:
            return matched["prefix"], path, ""
        if "." in host and self.backend.store.get_domain(host) is not None:
            return host, path, ""
        return None

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        found = self._locate(scope)
        if found is None:
            return Match.NONE, {}
        return Match.FULL, {"pyamplify.domain": found}

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        from starlette.routing import NoMatchFound

        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        domain, path, prefix = scope["pyamplify.domain"]
        request = Request(scope, receive)
        response = await self._answer(request, domain, path, prefix)
        await response(scope, receive, send)

    async def _answer(self, request: Request, domain: str, path: str, prefix: str) -> Response:
        description = self.backend.store.get_domain(domain)
        pool = self.backend.user_pool(description["UserPoolId"]) if description else None
        endpoint = ENDPOINTS.get(path)
        if pool is None or endpoint is None:
            return PlainTextResponse("Not found: no such user pool domain or page.", 404)
        body = await request.body()
        if len(body) > _MAX_FORM:
            return PlainTextResponse("Request too large.", 413)
        cookies: dict[str, str] = {}
        try:
            jar = SimpleCookie(request.headers.get("cookie", ""))
            cookies = {name: morsel.value for name, morsel in jar.items()}
        except CookieError:
            pass
        query_string = request.url.query
        req = Req(
            method=request.method,
            query=parse_pairs(query_string),
            query_string=query_string,
            form=parse_pairs(body.decode("utf-8", "replace")) if request.method == "POST" else {},
            cookies=cookies,
            headers={key.lower(): value for key, value in request.headers.items()},
        )
        origin = f"{request.url.scheme}://{request.headers.get('host', request.url.netloc)}"
        ctx = DomainContext(self.backend, domain, pool, prefix, origin)
        return endpoint(ctx, req)


def install(backend: Backend, registry: ServiceRegistry) -> None:
    """Serve the Hosted UI of every user pool domain, and the built-in test OIDC provider."""
    registry.add_route(DomainRoute(backend))
    for route in test_idp.routes(backend):
        registry.add_route(route)
