"""Cognito's error vocabulary, as the local Cognito puts it on the wire.

Every deliberate failure of an operation is a :class:`CognitoError`: its ``code`` becomes the
``__type`` of the JSON body and the ``x-amzn-ErrorType`` header, its ``str()`` the ``message``.
All are HTTP 400 except :class:`InternalErrorException`, the only fault (5xx) Cognito has, which
the local Cognito only sends for its own bugs. The message constants below are the texts real
Cognito sends (``shared/reference/cognito-protocol.md`` §1); clients match on some of them.
"""

from __future__ import annotations

from typing import ClassVar

from pyamplify.errors import PyamplifyError

# Messages seen on real Cognito (reference §1, "Exact message texts").
INCORRECT_CREDENTIALS = "Incorrect username or password."
PASSWORD_ATTEMPTS_EXCEEDED = "Password attempts exceeded"
USER_DOES_NOT_EXIST = "User does not exist."
USER_NOT_CONFIRMED = "User is not confirmed."
USER_DISABLED = "User is disabled."
USERNAME_CLIENT_NOT_FOUND = "Username/client id combination not found."
INVALID_REFRESH_TOKEN = "Invalid Refresh Token."
REFRESH_TOKEN_REVOKED = "Refresh Token has been revoked"
ACCESS_TOKEN_REVOKED = "Access Token has been revoked"
ACCESS_TOKEN_EXPIRED = "Access Token has expired"
INVALID_ACCESS_TOKEN = "Invalid Access Token"
INVALID_SESSION = "Invalid session for the user."
CANNOT_CONFIRM = "User cannot confirm because user status is not UNCONFIRMED."
CODE_MISMATCH = "Invalid verification code provided, please try again."
CODE_EXPIRED = "Invalid code provided, please request a code again."
USER_EXISTS = "User already exists"
ATTEMPT_LIMIT = "Attempt limit exceeded, please try after some time."
PASSWORD_RESET_REQUIRED = "Password reset required for the user"
TEMPORARY_PASSWORD_EXPIRED = "Temporary password has expired and must be reset by an administrator."


def secret_hash_mismatch(client_id: str) -> str:
    """The message for a SECRET_HASH that does not match the client's secret."""
    return f"Unable to verify secret hash for client {client_id}"


def secret_hash_missing(client_id: str) -> str:
    """The message for a client with a secret called without SECRET_HASH."""
    return f"Client {client_id} is configured with secret but SECRET_HASH was not received"


class CognitoError(PyamplifyError):
    """An operation failed the way Cognito fails: a code, a message and an HTTP status."""

    code: ClassVar[str] = "CognitoError"
    status: ClassVar[int] = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, str]:
        """The JSON 1.1 error body: ``{"__type": code, "message": text}``."""
        return {"__type": self.code, "message": self.message}


# The exception names of the cognito-idp model that the emulator sends; the class name is the
# wire code, so botocore raises ``client.exceptions.<Name>`` for each.


class AliasExistsException(CognitoError):
    """Cognito's ``AliasExistsException``."""

    code = "AliasExistsException"


class CodeDeliveryFailureException(CognitoError):
    """Cognito's ``CodeDeliveryFailureException``."""

    code = "CodeDeliveryFailureException"


class CodeMismatchException(CognitoError):
    """Cognito's ``CodeMismatchException``."""

    code = "CodeMismatchException"


class ConcurrentModificationException(CognitoError):
    """Cognito's ``ConcurrentModificationException``."""

    code = "ConcurrentModificationException"


class ExpiredCodeException(CognitoError):
    """Cognito's ``ExpiredCodeException``."""

    code = "ExpiredCodeException"


class GroupExistsException(CognitoError):
    """Cognito's ``GroupExistsException``."""

    code = "GroupExistsException"


class InternalErrorException(CognitoError):
    """A bug in the local Cognito (the only 5xx Cognito sends)."""

    code = "InternalErrorException"
    status = 500


class InvalidParameterException(CognitoError):
    """Cognito's ``InvalidParameterException``."""

    code = "InvalidParameterException"


class InvalidPasswordException(CognitoError):
    """Cognito's ``InvalidPasswordException``."""

    code = "InvalidPasswordException"


class InvalidUserPoolConfigurationException(CognitoError):
    """Cognito's ``InvalidUserPoolConfigurationException``."""

    code = "InvalidUserPoolConfigurationException"


class LimitExceededException(CognitoError):
    """Cognito's ``LimitExceededException``."""

    code = "LimitExceededException"


class MissingAuthenticationTokenException(CognitoError):
    """Cognito's ``MissingAuthenticationTokenException``."""

    code = "MissingAuthenticationTokenException"


class NotAuthorizedException(CognitoError):
    """Cognito's ``NotAuthorizedException``."""

    code = "NotAuthorizedException"


class PasswordResetRequiredException(CognitoError):
    """Cognito's ``PasswordResetRequiredException``."""

    code = "PasswordResetRequiredException"


class RefreshTokenReuseException(CognitoError):
    """Cognito's ``RefreshTokenReuseException``."""

    code = "RefreshTokenReuseException"


class ResourceNotFoundException(CognitoError):
    """Cognito's ``ResourceNotFoundException``."""

    code = "ResourceNotFoundException"


class TooManyFailedAttemptsException(CognitoError):
    """Cognito's ``TooManyFailedAttemptsException``."""

    code = "TooManyFailedAttemptsException"


class TooManyRequestsException(CognitoError):
    """Cognito's ``TooManyRequestsException``."""

    code = "TooManyRequestsException"


class UnknownOperationException(CognitoError):
    """Cognito's ``UnknownOperationException``."""

    code = "UnknownOperationException"


class UnsupportedOperationException(CognitoError):
    """Cognito's ``UnsupportedOperationException``."""

    code = "UnsupportedOperationException"


class UnsupportedTokenTypeException(CognitoError):
    """Cognito's ``UnsupportedTokenTypeException``."""

    code = "UnsupportedTokenTypeException"


class UserNotConfirmedException(CognitoError):
    """Cognito's ``UserNotConfirmedException``."""

    code = "UserNotConfirmedException"


class UserNotFoundException(CognitoError):
    """Cognito's ``UserNotFoundException``."""

    code = "UserNotFoundException"


class UsernameExistsException(CognitoError):
    """Cognito's ``UsernameExistsException``."""

    code = "UsernameExistsException"


class UnauthorizedException(CognitoError):
    """Cognito's ``UnauthorizedException`` (RevokeToken with a wrong client secret)."""

    code = "UnauthorizedException"
