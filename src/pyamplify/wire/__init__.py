"""The Cognito JSON 1.1 protocol: ``Call`` values, typed service errors, and two transports.

``Call`` and the error classes are cheap to import; the httpx transports live in
:mod:`pyamplify.wire.transport` and are imported only when a request is actually sent.
"""

from __future__ import annotations

from pyamplify.wire.call import IDENTITY, IDP, Call
from pyamplify.wire.errors import (
    CognitoServiceError,
    ConnectError,
    NetworkError,
    ProtocolError,
    RequestTimeoutError,
    RetryableError,
    error_from_response,
)

__all__ = [
    "IDENTITY",
    "IDP",
    "Call",
    "CognitoServiceError",
    "ConnectError",
    "NetworkError",
    "ProtocolError",
    "RequestTimeoutError",
    "RetryableError",
    "error_from_response",
]
