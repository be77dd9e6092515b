"""Shared test helpers for the auth room: unsigned JWTs with chosen claims, and a flow driver
that records the calls a flow makes."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from pyamplify.auth.drivers import run_sync
from pyamplify.auth.flows import Flow
from pyamplify.wire.call import Call


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


def drive(flow: Flow[Any], answer: Callable[[Call], dict[str, Any]]) -> tuple[Any, list[Call]]:
    """Run ``flow`` against ``answer`` and return its result and every call it made.

    ``answer`` stands in for Cognito: it returns a call's result or raises its error, which
    :func:`run_sync` throws into the flow as a transport's error would be.
    """
    calls: list[Call] = []

    def send(call: Call) -> dict[str, Any]:
        calls.append(call)
        return answer(call)

    return run_sync(flow, send), calls
