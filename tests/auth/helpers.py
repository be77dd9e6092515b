"""Shared test helpers for the auth room: unsigned JWTs with chosen claims."""

from __future__ import annotations

import base64
import json
from typing import Any


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def make_jwt(**claims: Any) -> str:
    """A JWT-shaped token with ``claims`` (the signature part is a placeholder)."""
    return f"{_b64({'alg': 'RS256', 'kid': 'k'})}.{_b64(claims)}.c2ln"


def authentication_result(
    *, iat: float, lifetime: float = 3600, username: str = "alice", sub: str = "sub-1"
) -> dict[str, Any]:
    """A Cognito ``AuthenticationResult`` whose tokens were issued at ``iat``."""
    common = {"sub": sub, "iat": int(iat), "exp": int(iat + lifetime), "origin_jti": "o"}
    return {
        "AccessToken": make_jwt(token_use="access", username=username, **common),
        "IdToken": make_jwt(token_use="id", **{"cognito:username": username}, **common),
        "RefreshToken": "refresh-" + username,
        "ExpiresIn": int(lifetime),
        "TokenType": "Bearer",
    }
