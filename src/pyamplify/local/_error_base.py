"""The base of every error the local Cognito puts on the wire.

It lives apart from :mod:`pyamplify.local.errors` so that the classes generated from botocore's
models (:mod:`pyamplify.local._model_errors`) can derive from it while ``errors`` imports and
re-exports the generated classes: one direction of imports, no cycle. Import it from
:mod:`pyamplify.local.errors`.
"""

from __future__ import annotations

from typing import ClassVar

from pyamplify.errors import PyamplifyError


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
