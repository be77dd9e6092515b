"""PKCE (RFC 7636, S256 only, as Cognito), ``state`` and ``nonce``: fresh secrets per sign-in."""

from __future__ import annotations

import base64
import hashlib
import secrets


def new_verifier() -> str:
    """A code verifier: 64 characters from the unreserved set (RFC 7636 §4.1 allows 43-128)."""
    return secrets.token_urlsafe(48)


def challenge_of(verifier: str) -> str:
    """``BASE64URL(SHA256(verifier))`` without padding (the S256 method)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_state() -> str:
    """An unguessable ``state`` that binds the redirect to this sign-in (CSRF, RFC 9700)."""
    return secrets.token_urlsafe(24)


def new_nonce() -> str:
    """A ``nonce`` the ID token must echo (replay protection, OIDC Core §3.1.2.1)."""
    return secrets.token_urlsafe(24)
