"""The two bases every Cognito error class of the client stands on.

They live apart from :mod:`pyamplify.wire.errors` so that the classes generated from botocore's
models (:mod:`pyamplify.wire._model_errors`) can derive from them while ``errors`` imports and
re-exports the generated classes: one direction of imports, no cycle. Import them from
:mod:`pyamplify.wire.errors`.
"""

from __future__ import annotations

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
