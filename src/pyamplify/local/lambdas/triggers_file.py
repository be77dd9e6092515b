"""Handler mappings from the command line: ``--trigger ARN=HANDLER`` and ``--triggers FILE``.

A triggers file is one TOML table or JSON object from function ARN to handler spec::

    # triggers.toml
    "arn:aws:lambda:us-east-1:000000000000:function:define" = "triggers/define.py:handler"
    "arn:aws:lambda:us-east-1:000000000000:function:create" = "triggers/index.mjs:create"

Relative paths in it are resolved from the file's directory (and module specs are imported
with that directory on ``sys.path``), so the file can travel with the handlers it names. Every
problem names the file, the line when it can be found, and the key.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyamplify.errors import PyamplifyError
from pyamplify.local.lambdas.errors import HandlerSpecError
from pyamplify.local.lambdas.runner import FunctionRunner

EXAMPLE = "arn:aws:lambda:us-east-1:000000000000:function:define=triggers/define.py:handler"


class TriggersConfigError(PyamplifyError):
    """A ``--trigger`` option or a triggers file that cannot be used; says where and why."""


@dataclass(frozen=True)
class TriggerEntry:
    """One mapping from the command line or a triggers file, with where it came from."""

    arn: str
    spec: str
    base_dir: Path
    origin: str


def parse_trigger_option(text: str, cwd: Path | None = None) -> TriggerEntry:
    """``ARN=HANDLER`` (``--trigger``); relative paths resolve from ``cwd``."""
    arn, equals, spec = text.partition("=")
    if not equals or not arn.strip() or not spec.strip():
        raise TriggersConfigError(f"--trigger {text!r}: expected ARN=HANDLER, e.g. {EXAMPLE}")
    return TriggerEntry(arn.strip(), spec.strip(), cwd or Path.cwd(), f"--trigger {text}")


def read_triggers_file(path: Path) -> list[TriggerEntry]:
    """The mappings in a TOML or JSON triggers file (see the module docstring)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise TriggersConfigError(
            f"{path}: cannot read the triggers file: {error.strerror or error}"
        ) from None
    except UnicodeDecodeError:
        raise TriggersConfigError(f"{path}: the triggers file is not UTF-8 text") from None
    data = _parse(path, text)
    if not isinstance(data, dict):
        raise TriggersConfigError(
            f"{path}: expected a table (a JSON object) from function ARN to handler, e.g. "
            '"arn:aws:lambda:us-east-1:000000000000:function:define" = "define.py:handler"'
        )
    base_dir = path.resolve().parent
    entries = []
    for arn, spec in data.items():
        where = _where(path, text, arn)
        if not isinstance(spec, str) or not spec.strip():
            raise TriggersConfigError(
                f"{where}: the handler must be a string like triggers/define.py:handler, "
                f"not {json.dumps(spec)[:60]}"
            )
        entries.append(TriggerEntry(arn, spec.strip(), base_dir, where))
    return entries


def map_entries(runner: FunctionRunner, entries: list[TriggerEntry]) -> None:
    """Map every entry, or raise :class:`TriggersConfigError` naming the first bad one."""
    for entry in entries:
        try:
            runner.map(entry.arn, entry.spec, base_dir=entry.base_dir)
        except HandlerSpecError as error:
            raise TriggersConfigError(f"{entry.origin}: {error}") from None


def _parse(path: Path, text: str) -> Any:
    as_json = path.suffix.lower() == ".json" or (
        path.suffix.lower() != ".toml" and text.lstrip().startswith("{")
    )
    if as_json:
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise TriggersConfigError(
                f"{path}, line {error.lineno}, column {error.colno}: not valid JSON: {error.msg}"
            ) from None
    toml = _toml_reader()
    try:
        return toml.loads(text)
    except toml.TOMLDecodeError as error:
        raise TriggersConfigError(f"{path}: not valid TOML: {error}") from None


def _toml_reader() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    try:  # pragma: no cover - Python 3.10
        import tomli  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # pragma: no cover - Python 3.10
        raise TriggersConfigError(
            "reading a TOML triggers file needs Python 3.11 or the tomli package; "
            "write the file as JSON instead"
        ) from None
    return tomli  # pragma: no cover - Python 3.10


def _where(path: Path, text: str, key: str) -> str:
    """``file, line N, key "…"``: the first line that mentions the key (when it is found)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if key in line:
            return f"{path}, line {number}, key {key!r}"
    return f"{path}, key {key!r}"
