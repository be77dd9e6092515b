"""Calls to the domain's token and revocation endpoints (``application/x-www-form-urlencoded``).

A :class:`TokenRequest` is a value (its repr hides the form: it holds codes, verifiers,
secrets and refresh tokens); :func:`send` performs it with httpx and turns Cognito's
``{"error": ...}`` answers into :class:`~pyamplify.oauth.errors.OAuthError`\\ s.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from pyamplify.oauth.domain import connect_target, endpoint
from pyamplify.oauth.errors import InvalidGrantError, OAuthError
from pyamplify.wire.errors import ConnectError, NetworkError, RequestTimeoutError

TIMEOUT = 10.0


@dataclass(frozen=True, repr=False)
class TokenRequest:
    """One form POST to the domain (``/oauth2/token`` or ``/oauth2/revoke``)."""

    url: str
    form: dict[str, str] = field(default_factory=dict)
    client_id: str = ""
    client_secret: str | None = None

    def headers(self) -> dict[str, str]:
        """``client_secret_basic`` for confidential clients; public ones send ``client_id``."""
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if self.client_secret:
            pair = f"{quote(self.client_id, safe='')}:{quote(self.client_secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        return headers

    def body(self) -> dict[str, str]:
        """The form, with ``client_id`` for public clients."""
        return self.form if self.client_secret else {**self.form, "client_id": self.client_id}

    def __repr__(self) -> str:
        return f"TokenRequest({self.url})"


def token_request(
    web_domain: str, client_id: str, client_secret: str | None, **form: str
) -> TokenRequest:
    """A request to the domain's token endpoint."""
    return TokenRequest(endpoint(web_domain, "/oauth2/token"), form, client_id, client_secret)


def revoke_request(
    web_domain: str, client_id: str, client_secret: str | None, refresh_token: str
) -> TokenRequest:
    """A request to the domain's revocation endpoint."""
    url = endpoint(web_domain, "/oauth2/revoke")
    return TokenRequest(url, {"token": refresh_token}, client_id, client_secret)


def send(request: TokenRequest, client: httpx.Client | None = None) -> dict[str, Any]:
    """Perform ``request``; the JSON answer (``{}`` for an empty 200), or a typed error."""
    url, extra = connect_target(request.url)
    own = client is None
    http = client or httpx.Client(timeout=TIMEOUT, trust_env=not extra)
    try:
        response = http.post(url, data=request.body(), headers={**request.headers(), **extra})
    except httpx.TimeoutException:
        raise RequestTimeoutError(f"{request.url} timed out; try again") from None
    except httpx.ConnectError as error:
        raise ConnectError(f"could not connect to {request.url} ({error})") from None
    except httpx.TransportError as error:
        raise NetworkError(f"{request.url} failed: {type(error).__name__}") from None
    finally:
        if own:
            http.close()
    if response.status_code == 200:
        return dict(response.json()) if response.content else {}
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    code = str(answer.get("error") or f"HTTP {response.status_code}")
    description = answer.get("error_description")
    kind = InvalidGrantError if code == "invalid_grant" else OAuthError
    raise kind(code, description if isinstance(description, str) else None, response.status_code)
