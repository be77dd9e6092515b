"""Configuration problems and warnings, each pinned to a file, a JSON path and (when known) a line.

A configuration file usually has several mistakes at once (the Amplify docs' own example has nine
placeholders), so readers collect every problem and raise one ``ConfigError`` that lists them all,
instead of stopping at the first. Messages show values through ``show_value`` so that odd input
(huge strings, lone surrogates, control characters) can never break printing, and they never show
secrets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pyamplify.errors import PyamplifyError

#: A location inside a JSON document: object keys and array indexes from the root.
JsonPath = tuple[str | int, ...]

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_MAX_SHOWN = 80


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Return ``text`` safe for a terminal: control characters and lone surrogates escaped."""
    text = _CONTROL.sub(lambda match: f"\\x{ord(match.group()):02x}", text)
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def show_value(value: object) -> str:
    """Render a JSON value for a message: JSON syntax, shortened, always printable."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    if len(text) > _MAX_SHOWN:
        text = text[: _MAX_SHOWN - 1] + "…"
    return printable(text)


def format_path(path: JsonPath) -> str:
    """Write a JSON path the JSONPath way: ``$.auth.plugins["odd key"].Scopes[2]``."""
    parts = ["$"]
    for step in path:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        elif _PLAIN_KEY.match(step):
            parts.append(f".{step}")
        else:
            parts.append(f"[{show_value(step)}]")
    return "".join(parts)


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with a configuration: where it is, what is wrong, what right looks like."""

    file: str
    path: str
    message: str
    example: str
    line: int | None = None
    column: int | None = None

    def location(self) -> str:
        """``file:line:column`` (as far as known) followed by the JSON path."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.path}"

    def __str__(self) -> str:
        text = f"{self.location()}: {self.message}"
        if self.example:
            text += f"\n    example of a right value: {self.example}"
        return text

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description (for ``pyamplify config check --json``)."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "message": self.message,
            "example": self.example,
        }


@dataclass(frozen=True)
class ConfigWarning:
    """Something pyamplify accepted but that is probably a mistake or not portable."""

    file: str
    path: str
    message: str
    line: int | None = None

    def location(self) -> str:
        """``file:line`` (when known) followed by the JSON path."""
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}"

    def __str__(self) -> str:
        return f"{self.location()}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready description (for ``pyamplify config check --json``)."""
        return {"file": self.file, "line": self.line, "path": self.path, "message": self.message}


class ConfigError(PyamplifyError):
    """The configuration cannot be used; ``problems`` lists every mistake found, not only one."""

    def __init__(
        self,
        problems: Iterable[ConfigProblem],
        warnings: Iterable[ConfigWarning] = (),
        *,
        source_format: str | None = None,
        source_syntax: str | None = None,
    ) -> None:
        self.problems: list[ConfigProblem] = list(problems)
        self.warnings: list[ConfigWarning] = list(warnings)
        #: The format the file was read as ("gen1", "aws-exports"…), when it was recognised.
        self.source_format = source_format
        #: "json" or "javascript" once the file's syntax was chosen.
        self.source_syntax = source_syntax
        if not self.problems:
            raise ValueError("ConfigError needs at least one problem")
        super().__init__(self._message())

    def _message(self) -> str:
        count = len(self.problems)
        files = sorted({problem.file for problem in self.problems})
        head = (
            f"{files[0]}: {count} problem{'s' if count != 1 else ''} in the configuration"
            if len(files) == 1
            else f"{count} problems in the configuration"
        )
        body = "\n".join(f"  - {problem!s}".replace("\n", "\n    ") for problem in self.problems)
        return f"{head}:\n{body}"

    def __str__(self) -> str:
        return self._message()
