"""The user-pool service (``AWSCognitoIdentityProviderService``): one table of operations.

Before an operation runs, the request is checked like AWS checks it: the operation must exist
in the cognito-idp model (else ``UnknownOperationException``), management operations must be
SigV4-signed (any credentials are accepted: dev mode; unsigned gets
``MissingAuthenticationTokenException``), and the body must fit the model's input shape
(``InvalidParameterException`` in Coral's wording). A real operation the local Cognito does
not implement answers ``UnsupportedOperationException`` naming it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp import admin as idp_admin
from pyamplify.local.idp import auth as idp_auth
from pyamplify.local.idp import mfa as idp_mfa
from pyamplify.local.idp import pools as idp_pools
from pyamplify.local.idp import providers as idp_providers
from pyamplify.local.idp import user as idp_user
from pyamplify.local.idp.pools import Operation
from pyamplify.local.service.validation import idp_model, unsigned_operations, validate_input

if TYPE_CHECKING:
    from pyamplify.local.front.app import RequestInfo

IDP_TARGET_PREFIX = "AWSCognitoIdentityProviderService"

OPERATIONS: dict[str, Operation] = {
    **idp_pools.OPERATIONS,
    **idp_admin.OPERATIONS,
    **idp_auth.OPERATIONS,
    **idp_user.OPERATIONS,
    **idp_providers.OPERATIONS,
    **idp_mfa.OPERATIONS,  # last: its GetUser / AdminGetUser wrap idp_user's and idp_admin's
}

#: The user-plane operations this emulator serves unsigned when botocore is not installed.
_FALLBACK_UNSIGNED = frozenset(
    {
        "AssociateSoftwareToken",
        "ChangePassword",
        "ConfirmForgotPassword",
        "ConfirmSignUp",
        "DeleteUser",
        "DeleteUserAttributes",
        "ForgotPassword",
        "GetTokensFromRefreshToken",
        "GetUser",
        "GetUserAttributeVerificationCode",
        "GlobalSignOut",
        "InitiateAuth",
        "ResendConfirmationCode",
        "RespondToAuthChallenge",
        "RevokeToken",
        "SetUserMFAPreference",
        "SignUp",
        "UpdateUserAttributes",
        "VerifySoftwareToken",
        "VerifyUserAttribute",
    }
)


class IdentityProviderService:
    """Dispatches cognito-idp operations after AWS's request checks."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.model = idp_model()
        self.unsigned = (
            unsigned_operations(self.model) if self.model is not None else _FALLBACK_UNSIGNED
        )
        self._last_purge = 0.0
        self.known = (
            frozenset(self.model["operations"]) if self.model is not None else frozenset(OPERATIONS)
        )

    def handle(self, operation: str, body: Any, request: RequestInfo) -> dict[str, Any]:
        """Check and run one operation."""
        if operation not in self.known and operation not in OPERATIONS:
            raise errors.UnknownOperationException(
                f"{operation[:100]!r} is not a Cognito user pool operation."
            )
        if operation not in self.unsigned and not request.signed:
            raise errors.MissingAuthenticationTokenException("Missing Authentication Token")
        validate_input(self.model, operation, body)
        handler = OPERATIONS.get(operation)
        if handler is None:
            raise errors.UnsupportedOperationException(
                f"The local Cognito does not implement {operation} yet."
            )
        now = self.backend.now()
        if abs(now - self._last_purge) > 60:
            # Expired sign-in state is kept an hour so a late answer hears "Invalid session".
            self._last_purge = now
            self.backend.store.purge_sessions(now - 3600)
        return handler(self.backend, body)
