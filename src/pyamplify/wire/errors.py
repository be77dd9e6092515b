"""Typed errors for everything that can go wrong on the wire.

Cognito answers a failed call with HTTP 400 (5xx for its own faults) and a body
``{"__type": "<Code>", "message": "<text>"}``; the code may also come in the
``x-amzn-ErrorType`` header, sometimes as ``Code:`` or ``prefix#Code``. Each known code has its
own exception class named exactly as Cognito names it, so callers write
``except NotAuthorizedException``; every one is a :class:`CognitoServiceError` that keeps
Cognito's code and message verbatim. Failures below the protocol (refused connections,
timeouts) are :class:`NetworkError`\\ s. Whatever is worth trying again later (throttling,
server faults, timeouts) also derives from :class:`RetryableError`, the marker transports and
callers test with ``isinstance``.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping

from pyamplify.errors import PyamplifyError


class RetryableError(PyamplifyError):
    """Marker base: the same call may well succeed if tried again later."""


class CognitoServiceError(PyamplifyError):
    """Cognito refused a call; ``code`` and ``message`` are exactly what Cognito sent."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int = 400,
        operation: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.code = code or type(self).__name__
        self.message = message
        self.status = status
        self.operation = operation
        self.request_id = request_id
        super().__init__(message)

    @property
    def retryable(self) -> bool:
        """Whether trying the same call again later may succeed."""
        return isinstance(self, RetryableError)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.message else self.code

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class CognitoServerError(CognitoServiceError, RetryableError):
    """A 5xx answer with a code this library does not know: a fault on Cognito's side."""


# --------------------------------------------------------------------------- client errors
class AliasExistsException(CognitoServiceError):
    """The email or phone number is already an alias of another user."""


class CodeDeliveryFailureException(CognitoServiceError):
    """Cognito could not deliver the verification code."""


class CodeMismatchException(CognitoServiceError):
    """The code given does not match the one sent."""


class ConcurrentModificationException(CognitoServiceError):
    """Two requests changed the same resource at once."""


class DeviceKeyExistsException(CognitoServiceError):
    """The device key is already in use."""


class DuplicateProviderException(CognitoServiceError):
    """An identity provider with that name already exists."""


class EnableSoftwareTokenMFAException(CognitoServiceError):
    """The TOTP code did not verify while enabling software-token MFA."""


class ExpiredCodeException(CognitoServiceError):
    """The code has expired; request a new one."""


class FeatureUnavailableInTierException(CognitoServiceError):
    """The feature needs a higher user-pool feature plan."""


class ForbiddenException(CognitoServiceError):
    """AWS WAF or a similar guard rejected the request."""


class GroupExistsException(CognitoServiceError):
    """A group with that name already exists."""


class InvalidEmailRoleAccessPolicyException(CognitoServiceError):
    """Cognito may not send email with the configured identity."""


class InvalidLambdaResponseException(CognitoServiceError):
    """A Lambda trigger returned something Cognito could not use."""


class InvalidOAuthFlowException(CognitoServiceError):
    """The OAuth flow is not valid for this client."""


class InvalidParameterException(CognitoServiceError):
    """A parameter is missing or invalid."""


class InvalidPasswordException(CognitoServiceError):
    """The password does not satisfy the pool's password policy."""


class InvalidSmsRoleAccessPolicyException(CognitoServiceError):
    """The pool's SMS role may not publish SMS."""


class InvalidSmsRoleTrustRelationshipException(CognitoServiceError):
    """The pool's SMS role trust relationship is wrong."""


class InvalidUserPoolConfigurationException(CognitoServiceError):
    """The user pool is not configured for this request."""


class LimitExceededException(CognitoServiceError):
    """A per-user or per-resource limit was hit (for codes: try again much later)."""


class MFAMethodNotFoundException(CognitoServiceError):
    """No MFA method is set up for the user."""


class NotAuthorizedException(CognitoServiceError):
    """Wrong credentials, or a token that is invalid, expired or revoked."""


class OperationNotEnabledException(CognitoServiceError):
    """The operation is turned off for this pool or client."""


class PasswordHistoryPolicyViolationException(CognitoServiceError):
    """The new password was used recently."""


class PasswordResetRequiredException(CognitoServiceError):
    """The user must reset their password before signing in."""


class PreconditionNotMetException(CognitoServiceError):
    """A precondition of the request does not hold."""


class RefreshTokenReuseException(CognitoServiceError):
    """A rotated refresh token was used again after its grace period."""


class ResourceNotFoundException(CognitoServiceError):
    """The user pool, client or other resource does not exist."""


class ScopeDoesNotExistException(CognitoServiceError):
    """An OAuth scope named in the request does not exist."""


class SoftwareTokenMFANotFoundException(CognitoServiceError):
    """Software-token MFA is not set up for the user."""


class TooManyFailedAttemptsException(CognitoServiceError):
    """Too many failed attempts at this operation."""


class UnauthorizedException(CognitoServiceError):
    """The request is not authorized (RevokeToken's name for a bad client)."""


class UnexpectedLambdaException(CognitoServiceError):
    """A Lambda trigger failed unexpectedly."""


class UnsupportedIdentityProviderException(CognitoServiceError):
    """The identity provider is not supported by this client."""


class UnsupportedOperationException(CognitoServiceError):
    """The operation is not supported here (e.g. RevokeToken with revocation off)."""


class UnsupportedTokenTypeException(CognitoServiceError):
    """The token is not of a type this operation accepts."""


class UnsupportedUserStateException(CognitoServiceError):
    """The user is in a state that does not allow this operation."""


class UserImportInProgressException(CognitoServiceError):
    """A user import job is running."""


class UserLambdaValidationException(CognitoServiceError):
    """A Lambda trigger rejected the request."""


class UserNotConfirmedException(CognitoServiceError):
    """The user has not confirmed their sign-up yet."""


class UserNotFoundException(CognitoServiceError):
    """No such user."""


class UserPoolTaggingException(CognitoServiceError):
    """Tagging the user pool failed."""


class UsernameExistsException(CognitoServiceError):
    """A user with that name already exists."""


class ResourceConflictException(CognitoServiceError):
    """Identity pools: the resource is in a conflicting state."""


class ExternalServiceException(CognitoServiceError):
    """Identity pools: a federated provider failed."""


class InvalidIdentityPoolConfigurationException(CognitoServiceError):
    """Identity pools: the pool's role configuration is invalid."""


class UnrecognizedClientException(CognitoServiceError):
    """The request's AWS signature or credentials are not recognised."""


# --------------------------------------------------------------------------- retryable errors
class TooManyRequestsException(CognitoServiceError, RetryableError):
    """Throttled: the request rate exceeded a quota."""


class InternalErrorException(CognitoServiceError, RetryableError):
    """A fault inside Cognito."""


class ThrottlingException(CognitoServiceError, RetryableError):
    """Throttled (the generic AWS name)."""


class ServiceUnavailableException(CognitoServiceError, RetryableError):
    """The service is temporarily unavailable."""


def _known_error_classes() -> dict[str, type[CognitoServiceError]]:
    found: dict[str, type[CognitoServiceError]] = {}
    pending: list[type[CognitoServiceError]] = [CognitoServiceError]
    while pending:
        for sub in pending.pop().__subclasses__():
            pending.append(sub)
            if sub.__module__ == __name__ and sub is not CognitoServerError:
                found[sub.__name__] = sub
    return found


#: Cognito error code -> exception class.
ERROR_CLASSES: Mapping[str, type[CognitoServiceError]] = _known_error_classes()


# --------------------------------------------------------------------------- network errors
class NetworkError(RetryableError):
    """The request did not get an answer (no connection, reset, timeout)."""


class ConnectError(NetworkError):
    """No connection could be made to the endpoint."""


class RequestTimeoutError(NetworkError):
    """The endpoint did not answer in time."""


class ProtocolError(PyamplifyError):
    """The endpoint answered something that is not the Cognito protocol (not JSON, no code)."""


def clean_error_code(raw: str) -> str:
    """Normalise ``prefix#Code:extra`` (either spelling AWS uses) to ``Code``."""
    return raw.split(":", 1)[0].rsplit("#", 1)[-1].strip()


def error_from_response(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    operation: str | None = None,
    redact: Collection[str] = (),
) -> PyamplifyError:
    """Build the typed error for a non-200 answer (header code first, then ``__type``).

    ``redact``: the request's secrets; a server (or a proxy in front of it) that echoes the
    request in its answer must not put them into an error message.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    request_id = lowered.get("x-amzn-requestid")
    parsed: object = None
    if body:
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
    fields = parsed if isinstance(parsed, dict) else {}
    raw_code = lowered.get("x-amzn-errortype") or fields.get("__type") or fields.get("code") or ""
    code = clean_error_code(str(raw_code))
    message = fields.get("message") or fields.get("Message") or lowered.get("x-amzn-errormessage")
    message = _redacted(str(message or ""), redact)
    if not code:
        text = _redacted(body[:4096].decode("utf-8", "replace"), redact)[:200].strip()
        if status >= 500:
            return CognitoServerError(
                text or f"HTTP {status} from the server",
                code=f"HTTP{status}",
                status=status,
                operation=operation,
                request_id=request_id,
            )
        return ProtocolError(
            f"the endpoint answered HTTP {status} without a Cognito error code"
            f"{f' ({operation})' if operation else ''}: {text[:120]!r}. "
            "Check that the configured endpoint is a Cognito user pool endpoint."
        )
    cls = ERROR_CLASSES.get(code)
    if cls is None:
        cls = CognitoServerError if status >= 500 else CognitoServiceError
    return cls(
        message,
        code=code,
        status=status,
        operation=operation,
        request_id=request_id,
    )


def _redacted(text: str, secrets: Collection[str]) -> str:
    """``text`` with every one of ``secrets`` (as written, or JSON-escaped) as ``<redacted>``."""
    for secret in secrets:
        for form in {
            secret,
            json.dumps(secret)[1:-1],
            json.dumps(secret, ensure_ascii=False)[1:-1],
        }:
            text = text.replace(form, "<redacted>")
    return text
