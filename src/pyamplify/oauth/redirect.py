"""The checks of the redirect that ends a web sign-in: our ``state``, then a code or an error."""

from __future__ import annotations

import hmac
from urllib.parse import parse_qs, urlsplit

from pyamplify.oauth.errors import OAuthError, StateMismatchError


def redirect_params(url: str) -> dict[str, str]:
    """The query (code flow) or fragment (implicit) parameters of a redirect URL."""
    parts = urlsplit(url.strip())
    raw = parts.fragment if parts.fragment and not parts.query else parts.query
    return {key: values[0] for key, values in parse_qs(raw, keep_blank_values=True).items()}


def state_matches(params: dict[str, str], expected: str) -> bool:
    """Whether the redirect carries this sign-in's state (compared in constant time)."""
    return hmac.compare_digest(params.get("state", "").encode(), expected.encode())


def code_of(url: str, expected_state: str) -> str:
    """The authorization code of a redirect, after the state check; errors raised typed."""
    params = redirect_params(url)
    if not state_matches(params, expected_state):
        raise StateMismatchError(
            "the redirect does not carry this sign-in's state: it is not the answer to this "
            "sign-in (a stale or forged redirect); sign in again"
        )
    if "error" in params:
        raise OAuthError(params["error"], params.get("error_description"))
    code = params.get("code")
    if not code:
        raise OAuthError("invalid_request", "the redirect has neither a code nor an error")
    return code
