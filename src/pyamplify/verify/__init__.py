"""Token verification for back-ends: is this a valid Cognito token for my pool and app client?

::

    from pyamplify.verify import TokenVerifier

    verifier = TokenVerifier("us-east-1_abc123", client_id="1example23456789", token_use="access")
    claims = verifier.verify(token)          # or: await verifier.verify_async(token)

``TokenVerifier.from_config("amplifyconfiguration.json", token_use="id")`` builds one from an
Amplify configuration. Refusals are :class:`TokenVerificationError` subclasses naming the reason.
Built on PyJWT (loaded on first use), never on hand-written RSA.
"""

from __future__ import annotations

from pyamplify.verify.errors import (
    ClaimMismatchError,
    InvalidSignatureError,
    JwksFetchError,
    KeyNotFoundError,
    MalformedTokenError,
    TokenExpiredError,
    TokenNotYetValidError,
    TokenVerificationError,
)
from pyamplify.verify.jwks import JwksCache
from pyamplify.verify.verifier import TokenVerifier, aws_issuer, decode_unverified

__all__ = [
    "ClaimMismatchError",
    "InvalidSignatureError",
    "JwksCache",
    "JwksFetchError",
    "KeyNotFoundError",
    "MalformedTokenError",
    "TokenExpiredError",
    "TokenNotYetValidError",
    "TokenVerificationError",
    "TokenVerifier",
    "aws_issuer",
    "decode_unverified",
]
