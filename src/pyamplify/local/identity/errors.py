"""The identity-pool (cognito-identity) messages, and the codes that user pools do not have.

Every code (shared with user pools, such as ``NotAuthorizedException``, or cognito-identity's
own) is a class of :mod:`pyamplify.local.errors`, generated from the models; this module
re-exports the two cognito-identity-only codes the identity service raises and holds the message
texts real Cognito sends (``shared/reference/cognito-protocol.md`` §6), which clients such as
Amplify match on.
"""

from __future__ import annotations

from pyamplify.local.errors import (
    InvalidIdentityPoolConfigurationException as InvalidIdentityPoolConfigurationException,
)
from pyamplify.local.errors import ResourceConflictException as ResourceConflictException

# NotAuthorizedException messages observed on real Cognito (reference §6).
NOT_SUPPORTED_PROVIDER = "Token is not from a supported provider of this identity pool."
ISSUER_MISMATCH = "Invalid login token. Issuer doesn't match providerName"
MISSING_AUD = "Invalid login token. Missing a required claim: aud"
BAD_SIGNATURE = "Invalid login token. Couldn't verify signed token."
NOT_A_JWT = "Invalid login token. Not a valid OpenId Connect identity token."
NO_GUESTS = "Unauthenticated access is not supported for this identity pool."
LOGINS_DONT_MATCH = (
    "Logins don't match. Please include at least one valid login for this identity or "
    "identity pool."
)
# Seen in an issue title (aws-amplify/amplify-js#8644); the code is our reading of it.
AMBIGUOUS_ROLE_DENIED = "The ambiguous role mapping rules denied this request."
# Not captured from AWS: ServerSideTokenCheck's documented "400 Not Authorized" needs a text.
TOKEN_REVOKED = "Invalid login token. Token has been revoked."
INVALID_POOL_CONFIGURATION = (
    "Invalid identity pool configuration. Check assigned IAM roles for this pool."
)


def token_expired(now: float, expires: float) -> str:
    """Cognito's message for an expired login token: ``Token expired: <now> >= <exp>``."""
    return f"Invalid login token. Token expired: {int(now)} >= {int(expires)}"


def pool_not_found(pool_id: str) -> str:
    """The ResourceNotFoundException message for an unknown identity pool."""
    return f"IdentityPool '{pool_id}' not found."


def identity_not_found(identity_id: str) -> str:
    """The ResourceNotFoundException message for an unknown identity."""
    return f"Identity '{identity_id}' not found."


def identity_forbidden(identity_id: str) -> str:
    """The NotAuthorizedException message for a signed-in identity asked for without logins."""
    return f"Access to Identity '{identity_id}' is forbidden."
