"""The root of every error pyamplify raises on purpose.

Each subclass carries a message written for the person at the keyboard: what went wrong and
what to do about it. The CLI prints that message and never a traceback (unless ``--debug``).
Messages must never contain secrets (passwords, tokens, secret hashes, AWS keys).
"""

from __future__ import annotations


class PyamplifyError(Exception):
    """Base class of all deliberate pyamplify errors; ``str(err)`` is the user-facing message."""

    #: The process exit code the CLI uses for this kind of error.
    exit_code: int = 1
    #: The next thing to try, when it is not already the end of the message (the CLI's
    #: ``--json`` error object carries it as ``fix``); an instance may set its own.
    fix: str | None = None


def json_type_name(value: object) -> str:
    """For messages: the JSON name of a parsed value's type (``a string``, ``an array``, ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"
