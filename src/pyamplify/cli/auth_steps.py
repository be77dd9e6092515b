"""A result's next step in its ``--json`` document: the one rendering of Amplify's
``next_step`` for every auth command that reports one (sign-in, sign-up, attribute updates,
password resets). Only the standard library is imported at import time."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Any

from pyamplify.cli.auth_common import delivery_document


def step_document(step: object, *fields: str) -> dict[str, Any]:
    """A result's ``next_step`` in its JSON: the ``fields`` named, in that order; the step's kind
    as its name, where a code went as :func:`delivery_document`, tuples and mappings as lists
    and objects. Named, never all: a step may carry a secret (a new authenticator's key) that a
    result must not print."""
    document: dict[str, Any] = {}
    for name in fields:
        value = getattr(step, name)
        if name == "code_delivery_details":
            value = delivery_document(value)
        elif isinstance(value, Enum):
            value = value.value
        elif isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Mapping):
            value = dict(value)
        document[name] = value
    return document
