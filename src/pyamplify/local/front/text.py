"""Request text the local Cognito cannot keep: unpaired UTF-16 surrogates in JSON strings.

JSON lets a string escape any UTF-16 code unit, so ``"\\ud800"`` is valid JSON and
``json.loads`` returns a Python string holding a lone surrogate. No UTF-8 encoder takes one
(not the reply's, not SQLite's), so such a value must be refused where the body is read, before
an operation stores it or an error message quotes it. Cognito answers text it cannot take with
``InvalidParameterException`` (HTTP 400) in Coral's validation wording; so does this check.
Surrogate *pairs* (``"\\ud83d\\ude00"``, an emoji) are combined by ``json.loads`` and pass.
"""

from __future__ import annotations

import re
from typing import Any

from pyamplify.local.errors import InvalidParameterException

#: A ``\\uD800``-``\\uDFFF`` escape in the raw body: only then can a parsed string hold a lone
#: surrogate (raw UTF-8 cannot encode one; such bytes fail to parse), so most bodies skip the walk.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _member_path(parent: str, name: str) -> str:
    member = name[:1].lower() + name[1:]
    return f"{parent}.{member}" if parent else member


def _first_unpaired(value: Any, path: str) -> str | None:
    """The Coral-style path of the first string (or key) holding a lone surrogate, or ``None``."""
    if isinstance(value, str):
        return path or "request" if _LONE_SURROGATE.search(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            if _LONE_SURROGATE.search(key):
                return f"{path}.key" if path else "request"
            found = _first_unpaired(item, _member_path(path, key))
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value, start=1):
            found = _first_unpaired(item, f"{path}.{index}.member")
            if found is not None:
                return found
    return None


def refuse_unpaired_surrogates(raw: bytes, body: Any) -> None:
    """Raise ``InvalidParameterException`` if the parsed ``body`` holds a lone surrogate."""
    if _SURROGATE_ESCAPE.search(raw) is None:
        return
    path = _first_unpaired(body, "")
    if path is not None:
        raise InvalidParameterException(
            f"1 validation error detected: Value at '{path}' failed to satisfy constraint: "
            "Member must contain only valid Unicode text (an unpaired UTF-16 surrogate was sent)"
        )
