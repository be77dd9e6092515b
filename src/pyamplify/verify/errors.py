"""Why a token was refused: one class per reason, all :class:`TokenVerificationError`.

Messages name the claim and what was expected, never the token (a refused token may still be a
live credential of someone else's session).
"""

from __future__ import annotations

from pyamplify.errors import PyamplifyError


class TokenVerificationError(PyamplifyError):
    """The token is not a valid token of the expected user pool, client and use."""


class MalformedTokenError(TokenVerificationError):
    """Not a JWT (three base64url parts with JSON header and payload), or an unusable header."""


class InvalidSignatureError(TokenVerificationError):
    """The signature does not verify with the pool's key, or the algorithm is not RS256."""


class TokenExpiredError(TokenVerificationError):
    """``exp`` has passed (beyond the leeway)."""


class TokenNotYetValidError(TokenVerificationError):
    """``iat`` (or ``nbf``) is in the future (beyond the leeway)."""


class ClaimMismatchError(TokenVerificationError):
    """A claim is missing or not what the verifier expects (``iss``, ``aud``/``client_id``,
    ``token_use``, ``scope``, ``cognito:groups``); :attr:`claim` names it."""

    def __init__(self, claim: str, message: str) -> None:
        super().__init__(message)
        self.claim = claim


class KeyNotFoundError(TokenVerificationError):
    """The token's ``kid`` is not in the pool's JWKS, even after fetching it again."""


class JwksFetchError(TokenVerificationError):
    """The JWKS could not be fetched or read (network, HTTP status, not a JWKS)."""
