"""The two bases every Cognito error class of the client stands on.

They live apart from :mod:`pyamplify.wire.errors` so that the classes generated from botocore's
models (:mod:`pyamplify.wire._model_errors`) can derive from them while ``errors`` imports and
re-exports the generated classes: one direction of imports, no cycle. Import them from
:mod:`pyamplify.wire.errors`.
"""

from __future__ import annotations

from typing import ClassVar

from pyamplify.errors import PyamplifyError


class RetryableError(PyamplifyError):
    """Marker base: the same call may well succeed if tried again later."""


class CognitoServiceError(PyamplifyError):
    """Cognito refused a call; ``code`` and ``message`` are exactly what Cognito sent.

    The same classes serve both sides of the wire: the client raises them from Cognito's
    answers, and the local Cognito raises them in its operations and renders them as Cognito
    does (``__type`` = ``code``, ``message``, HTTP ``status``).
    """

    #: The HTTP status when none is given: 400, or 500 for the models' faults.
    default_status: ClassVar[int] = 400

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        operation: str | None = None,
        request_id: str | None = None,
    ) -> None:
        self.code = code or type(self).__name__
        self.message = message
        self.status = self.default_status if status is None else status
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
