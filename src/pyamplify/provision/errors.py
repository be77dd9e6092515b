"""Errors of ``pyamplify import auth`` and ``pyamplify doctor``.

Each says what is wrong and what to change, in AWS or on the command line. None carries a
secret: AWS error messages name principals and resources, never keys, and client secrets are
never put into a message.
"""

from __future__ import annotations

from pyamplify.errors import PyamplifyError


class ProvisionError(PyamplifyError):
    """Importing or checking auth resources failed; the message says what to change."""


class Boto3MissingError(ProvisionError):
    """boto3 is not installed, so the Cognito management API cannot be reached."""

    def __init__(self, hint: str = "") -> None:
        super().__init__(
            "this command talks to the Cognito management API through boto3, which is not "
            "installed: install pyamplify[boto3] (pip install 'pyamplify[boto3]')" + hint
        )


class AwsCallError(ProvisionError):
    """An AWS call failed; ``action`` is its IAM action, e.g. ``cognito-idp:DescribeUserPool``."""

    def __init__(self, message: str, *, action: str, code: str | None = None) -> None:
        super().__init__(message)
        self.action = action
        self.code = code


class AwsAccessDenied(AwsCallError):
    """The caller's IAM identity may not run the action; the message names it."""


class AwsResourceNotFound(AwsCallError):
    """The pool, client or identity pool the call named does not exist (in that region)."""


class ImportRuleError(ProvisionError):
    """The chosen resources break one of the import rules; the message says what to change."""

    def __init__(self, message: str, *, rule: str) -> None:
        super().__init__(message)
        self.rule = rule
