"""How a command's result and failure are reported: one rule for every command.

A result is text on stdout, or with ``--json`` one JSON object (:func:`emit`). A failure's
message goes to stderr as ``error: …``; with ``--json`` the same message also goes to stdout as
one object, ``{"error": {"code", "message", "fix"}}`` (and any details a command adds), and the
exit code is the same either way (1 an error, 2 a usage error): a script
reads stdout whatever happened. ``code`` is Cognito's error code for Cognito's refusals
(``NotAuthorizedException``), else the error's class name (``SignedOutError``, ``ConfigError``) or
``UsageError``; ``message`` is the message alone; ``fix`` is the next thing to try, or ``null``.

Only the standard library and :mod:`pyamplify.errors` (which imports nothing) are imported here:
``auth credentials`` loads this module on its slow path, and command modules at ``--help`` time.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

from pyamplify.errors import PyamplifyError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Mapping


class UsageError(PyamplifyError):
    """The command line cannot work as given (a missing answer, two options that contradict
    each other): exit 2, like argparse's own usage errors."""

    exit_code = 2


#: Cognito's codes whose next step is always the same (the others depend on the message).
COGNITO_FIXES: dict[str, str] = {
    "CodeMismatchException": "check the code, or ask for a new one",
    "ExpiredCodeException": "ask for a new code and use it within its lifetime",
    "InvalidPasswordException": "choose a password that meets the user pool's password policy",
    "UsernameExistsException": "choose another username, or sign in with this one",
    "AliasExistsException": "another account already uses this value; choose another one",
    "LimitExceededException": "wait a few minutes before trying again",
    "TooManyRequestsException": "wait a moment and try again",
    "TooManyFailedAttemptsException": "wait a few minutes before trying again",
    "UserNotConfirmedException": (
        "confirm the sign-up first: pyamplify auth confirm-sign-up USER CODE"
    ),
    "PasswordResetRequiredException": "reset the password: pyamplify auth reset-password USER",
}
#: Our own errors whose fix is to sign in (again) on the profile in use.
_SIGN_IN_FIXES = frozenset({"SignedOutError", "SessionExpiredError", "SessionEndedError"})


def sign_in_command(args: argparse.Namespace | None) -> str:
    """``pyamplify auth sign-in --profile P [--config C]`` for the profile and file in use."""
    profile = getattr(args, "profile", None) or "default"
    config = getattr(args, "config", None)
    where = f" --config {config}" if config else ""
    return f"pyamplify auth sign-in --profile {profile}{where}"


def error_code(error: BaseException) -> str:
    """Cognito's code for its errors, else the class name."""
    code = getattr(error, "code", None)
    return code if isinstance(code, str) and code else type(error).__name__


def error_message(error: BaseException) -> str:
    """The message without Cognito's ``Code:`` prefix (the code has its own member)."""
    message = getattr(error, "message", None)
    if isinstance(message, str) and getattr(error, "code", None):
        return message or str(error)
    return str(error)


def fix_for(error: BaseException, args: argparse.Namespace | None = None) -> str | None:
    """The next thing to try: the error's own ``fix``, else what its kind always needs."""
    own = getattr(error, "fix", None)
    if isinstance(own, str) and own:
        return own
    code = error_code(error)
    if code in _SIGN_IN_FIXES:
        return sign_in_command(args)
    if code == "ConfigError":
        return CONFIG_FIX
    return COGNITO_FIXES.get(code)


#: The fix of every configuration error (each problem names its file, line and key).
CONFIG_FIX = "correct the configuration where each problem says, then: pyamplify config check"


def details_of(error: BaseException) -> dict[str, Any] | None:
    """What an error object carries besides code, message and fix: a configuration error's
    problems and warnings (file, line, key path each), an import rule's name."""
    problems = getattr(error, "problems", None)
    if isinstance(problems, (list, tuple)):
        warnings = getattr(error, "warnings", ())
        return {
            "problems": [problem.to_dict() for problem in problems],
            "warnings": [warning.to_dict() for warning in warnings],
        }
    rule = getattr(error, "rule", None)
    return {"rule": rule} if isinstance(rule, str) else None


def error_document(
    code: str, message: str, fix: str | None, details: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """``{"error": {"code", "message", "fix", …details}}``."""
    return {"error": {"code": code, "message": message, "fix": fix, **(details or {})}}


def print_json(document: object) -> None:
    """Print a JSON document on stdout, the same way for every result and error: indented,
    keys sorted, text as it is (not ``\\u`` escapes)."""
    print(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False))


def emit(args: argparse.Namespace, document: Mapping[str, Any], text: str) -> None:
    """Report a command's result: ``document`` with ``--json``, else ``text`` (if any)."""
    if getattr(args, "json", False):
        print_json(document)
    elif text:
        print(text)


def print_error_json(
    code: str, message: str, fix: str | None, details: Mapping[str, Any] | None = None
) -> None:
    """Print the error object on stdout."""
    print_json(error_document(code, message, fix, details))


def fail(
    args: argparse.Namespace | None,
    code: str,
    message: str,
    fix: str | None = None,
    *,
    details: Mapping[str, Any] | None = None,
    exit_code: int = 1,
) -> int:
    """Report a failure a command found itself (not an exception): ``error: message`` (and the
    fix) on stderr, the error object on stdout with ``--json``; returns ``exit_code``."""
    if getattr(args, "json", False):
        print_error_json(code, message, fix, details)
    print(f"error: {message}", file=sys.stderr)
    if fix:
        print(f"  fix: {fix}", file=sys.stderr)
    return exit_code


def report_exception(error: BaseException, args: argparse.Namespace | None, exit_code: int) -> int:
    """Report a deliberate error raised by a command (see the module docstring)."""
    fix = fix_for(error, args)
    if getattr(args, "json", False):
        print_error_json(error_code(error), error_message(error), fix, details_of(error))
    print(f"error: {error}", file=sys.stderr)
    own = getattr(error, "fix", None)
    if isinstance(own, str) and own and own not in str(error):
        print(f"  fix: {own}", file=sys.stderr)
    return exit_code
