"""Cognito's tokens, with their claims decoded (not verified: they come straight from Cognito
over TLS, and the client only needs ``exp``, ``iat``, ``sub`` and ``username`` from them)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from pyamplify.auth.errors import InvalidTokenError


def decode_claims(token: str) -> Mapping[str, Any]:
    """The payload of a compact JWS, decoded without verifying the signature."""
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidTokenError("a token is not a JWT (expected three dot-separated parts)")
    segment = parts[1]
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        claims = json.loads(raw)
    except (binascii.Error, ValueError):
        raise InvalidTokenError("a token's payload is not base64url-encoded JSON") from None
    if not isinstance(claims, dict):
        raise InvalidTokenError("a token's payload is not a JSON object")
    return MappingProxyType(claims)


@dataclass(frozen=True, repr=False)
class JWT:
    """An ID or access token: ``str(jwt)`` is the compact token, ``claims`` its payload."""

    token: str
    claims: Mapping[str, Any]

    @classmethod
    def parse(cls, token: str) -> JWT:
        """Decode ``token``; raises :class:`InvalidTokenError` when it is not a JWT."""
        claims = decode_claims(token)
        for name in ("exp", "iat"):
            if not isinstance(claims.get(name), (int, float)):
                raise InvalidTokenError(f"a token has no numeric {name!r} claim")
        return cls(token=token, claims=claims)

    @property
    def expires_at(self) -> float:
        """``exp``: when the token stops working (seconds since the epoch, server clock)."""
        return float(self.claims["exp"])

    @property
    def issued_at(self) -> float:
        """``iat``: when Cognito issued the token (server clock)."""
        return float(self.claims["iat"])

    def __str__(self) -> str:
        return self.token

    def __repr__(self) -> str:
        use = self.claims.get("token_use", "?")
        return f"JWT(token_use={use!r}, exp={self.claims.get('exp')}, token=<secret>)"


@dataclass(frozen=True, repr=False)
class AuthTokens:
    """The user-pool tokens of a session (Amplify's ``tokens``)."""

    id_token: JWT
    access_token: JWT
    refresh_token: str | None = None

    @property
    def expires_at(self) -> float:
        """When the first of the ID and access tokens expires (server clock)."""
        return min(self.id_token.expires_at, self.access_token.expires_at)

    def __repr__(self) -> str:
        return f"AuthTokens(expires_at={self.expires_at:.0f}, <secret>)"
