"""Cognito's error vocabulary, as the local Cognito puts it on the wire.

Every deliberate failure of an operation is a :class:`CognitoError`: its ``code`` becomes the
``__type`` of the JSON body and the ``x-amzn-ErrorType`` header, its ``message`` the message.
The classes are the client's own (:mod:`pyamplify.wire.errors`, one per code of Cognito's
service models, generated from botocore's copy by ``scripts/gen_errors.py``): both sides of the
wire share one vocabulary, so ``errors.<Code>`` names every code. All are HTTP 400 except the
models' faults, ``InternalErrorException`` and ``InternalServerException`` (500); the local
Cognito sends ``InternalErrorException`` only for its own bugs. The message constants below are
the texts real Cognito sends (``shared/reference/cognito-protocol.md`` §1); clients match on some.
"""

from __future__ import annotations

from pyamplify.wire._error_base import CognitoServiceError
from pyamplify.wire._model_errors import *  # noqa: F403  (every code of the models, re-exported)
from pyamplify.wire.errors import InvalidSignatureException as InvalidSignatureException
from pyamplify.wire.errors import UnrecognizedClientException as UnrecognizedClientException

#: The base of every error an operation raises (the client's ``CognitoServiceError``).
CognitoError = CognitoServiceError

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


# ------------------------------------------------- codes not in the models (AWS's front door)
# AWS's request front door answers these before the service sees the call, so Cognito's models
# do not list them; every other code is generated (see the module docstring).


class UnknownOperationException(CognitoError):
    """An ``X-Amz-Target`` naming no operation of the service.

    Not in the model, sent by AWS's front door.
    """


class MissingAuthenticationTokenException(CognitoError):
    """A management operation called without SigV4 credentials.

    Not in the model, sent by AWS's front door.
    """
