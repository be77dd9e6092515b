"""What every Hosted UI endpoint works with: the domain it was reached on, the request, answers.

A user pool domain is reached two ways (README, "Hosted UI"): under a path,
``http://127.0.0.1:<port>/_domain/<domain>/...``, which needs no name resolution at all, or
by host name, ``http://<prefix>.auth.<region>.localhost:<port>/...`` (browsers resolve
``*.localhost`` to this machine themselves) or a custom domain pointed here. Either way an
endpoint gets a :class:`DomainContext` naming the domain, its pool and the URL prefix under
which the domain's pages live, and answers with the helpers below.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from pyamplify.local.backend import Backend
from pyamplify.local.oauth import html

#: The Hosted UI session cookie (lasts an hour, as Cognito's) and the CSRF cookie of its forms.
SESSION_COOKIE = "cognito"
CSRF_COOKIE = "XSRF-TOKEN"
SESSION_SECONDS = 3600


def digest(secret: str) -> str:
    """How codes, cookies and state handles are stored: SHA-256, hex."""
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class Req:
    """The parts of an HTTP request the endpoints read (forms parsed without extra packages)."""

    method: str
    query: dict[str, str]
    query_string: str
    form: dict[str, str]
    cookies: dict[str, str]
    headers: dict[str, str]

    def param(self, name: str) -> str | None:
        """A form value, else a query value (POST pages keep the authorize query in the URL)."""
        value = self.form.get(name)
        return value if value is not None else self.query.get(name)


def parse_pairs(text: str) -> dict[str, str]:
    """``a=1&b=2`` as a dict; the first of repeated names wins, as Cognito's parser does."""
    found: dict[str, str] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        found.setdefault(key, value)
    return found


@dataclass(frozen=True)
class DomainContext:
    """One request's domain: the backend, the domain name, its pool, and where its pages live."""

    backend: Backend
    domain: str
    pool: dict[str, Any]
    #: The path prefix of the domain's pages: ``/_domain/<domain>`` or ``""`` (host form).
    prefix: str
    #: The absolute origin the browser used, e.g. ``http://127.0.0.1:9229``.
    origin: str
    set_cookies: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        """The domain's absolute base URL (no trailing slash)."""
        return f"{self.origin}{self.prefix}"

    @property
    def cookie_path(self) -> str:
        """Cookies are scoped to the domain's pages, so two domains on one port stay apart."""
        return f"{self.prefix}/" if self.prefix else "/"

    def path(self, page: str, query: str = "") -> str:
        """A link to one of the domain's pages, with a query string."""
        return f"{self.prefix}{page}" + (f"?{query}" if query else "")


def with_params(uri: str, params: dict[str, str], *, fragment: bool = False) -> str:
    """``uri`` with ``params`` added to its query (or, for implicit answers, as its fragment)."""
    parts = urlsplit(uri)
    clean = {key: value for key, value in params.items() if value is not None}
    if fragment:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, urlencode(clean)))
    query = f"{parts.query}&{urlencode(clean)}" if parts.query else urlencode(clean)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _finish(ctx: DomainContext, response: Response) -> Response:
    for cookie in ctx.set_cookies:
        response.raw_headers.append((b"set-cookie", cookie.encode("latin-1")))
    return response


def page(ctx: DomainContext, title: str, body: str, status: int = 200) -> Response:
    """An HTML page of this domain (never cached: it may show codes and secrets)."""
    response = HTMLResponse(html.page(title, body), status_code=status, headers=dict(_NO_STORE))
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; form-action *; frame-ancestors 'none'"
    )
    return _finish(ctx, response)


def redirect(ctx: DomainContext, location: str) -> Response:
    """A 302 to ``location`` (Cognito answers its redirects with 302)."""
    return _finish(ctx, RedirectResponse(location, status_code=302, headers=dict(_NO_STORE)))


def json_answer(payload: dict[str, Any], status: int = 200, **headers: str) -> Response:
    """A JSON answer of the OAuth endpoints (``no-store`` as RFC 6749 §5.1 asks)."""
    return JSONResponse(payload, status_code=status, headers={**_NO_STORE, **headers})


def oauth_error(error: str, status: int = 400, description: str | None = None) -> Response:
    """``{"error": ...}`` as Cognito's token and revocation endpoints answer."""
    payload = {"error": error}
    if description:
        payload["error_description"] = description
    return json_answer(payload, status)


def cookie(ctx: DomainContext, name: str, value: str, max_age: int) -> None:
    """Set a cookie of this domain on the answer (HttpOnly, SameSite=Lax)."""
    ctx.set_cookies.append(
        f"{name}={value}; Path={ctx.cookie_path}; Max-Age={max_age}; HttpOnly; SameSite=Lax"
    )


def csrf_token(ctx: DomainContext, req: Req) -> str:
    """The browser's CSRF token (double-submit cookie), made and set when it has none."""
    token = req.cookies.get(CSRF_COOKIE)
    if not token or len(token) < 20:
        token = secrets.token_urlsafe(24)
        cookie(ctx, CSRF_COOKIE, token, 86400)
    return token


def csrf_ok(req: Req) -> bool:
    """Whether a POSTed form carries the CSRF token its browser's cookie holds."""
    expected = req.cookies.get(CSRF_COOKIE, "")
    given = req.form.get("_csrf", "")
    return bool(expected) and secrets.compare_digest(expected, given)
