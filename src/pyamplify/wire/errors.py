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

The classes of the codes in Cognito's service models (cognito-idp and cognito-identity) are
generated from botocore's copy of them by ``scripts/gen_errors.py`` into
:mod:`pyamplify.wire._model_errors` and re-exported here, so ``pyamplify.wire.errors.<Code>`` is
the one import path; this module adds what is not a plain model code.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping

from pyamplify.errors import PyamplifyError
from pyamplify.wire._error_base import CognitoServiceError as CognitoServiceError
from pyamplify.wire._error_base import RetryableError as RetryableError
from pyamplify.wire._model_errors import *  # noqa: F403  (every code of the models, re-exported)
from pyamplify.wire._model_errors import MODEL_ERRORS


class CognitoServerError(CognitoServiceError, RetryableError):
    """A 5xx answer with a code this library does not know: a fault on Cognito's side."""


# ------------------------------------------------- codes not in the models (AWS's front door)
# AWS's request front door answers these before Cognito's service sees the call (bad signature,
# throttling at the edge, an overloaded fleet), so Cognito's models do not list them.


class UnrecognizedClientException(CognitoServiceError):
    """The request's AWS signature or credentials are not recognised.

    Not in the model, sent by AWS's front door.
    """


class InvalidSignatureException(CognitoServiceError):
    """The request's AWS signature does not match (wrong secret, changed request, clock off).

    Not in the model, sent by AWS's front door.
    """


class ThrottlingException(CognitoServiceError, RetryableError):
    """Throttled (the generic AWS name).

    Not in the model, sent by AWS's front door.
    """


class ServiceUnavailableException(CognitoServiceError, RetryableError):
    """The service is temporarily unavailable.

    Not in the model, sent by AWS's front door.
    """


FRONT_DOOR_ERRORS: tuple[type[CognitoServiceError], ...] = (
    InvalidSignatureException,
    ServiceUnavailableException,
    ThrottlingException,
    UnrecognizedClientException,
)

#: Cognito error code -> exception class.
ERROR_CLASSES: Mapping[str, type[CognitoServiceError]] = {
    cls.__name__: cls for cls in (*MODEL_ERRORS, *FRONT_DOOR_ERRORS)
}


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
