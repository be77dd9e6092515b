"""What writing a configuration would change in an existing file, key by key.

``import auth`` never overwrites a file without ``--force``; it shows this diff instead, so a
person can see whether the import would only refresh ids or would drop something they added
by hand. Documents are compared as flat maps from JSON paths to values; secret values are
masked (a changed secret shows as changed, never as its text).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pyamplify.config import mask_secret
from pyamplify.config.errors import format_path, show_value

#: Where the old value is absent or the new one is (a sentinel, not ``None``, which is JSON null).
_ABSENT: Any = object()


@dataclass(frozen=True)
class Change:
    """One JSON path whose value differs: added, removed or changed."""

    path: str
    old: Any
    new: Any

    @property
    def kind(self) -> str:
        """``added``, ``removed`` or ``changed``."""
        if self.old is _ABSENT:
            return "added"
        if self.new is _ABSENT:
            return "removed"
        return "changed"

    def __str__(self) -> str:
        if self.kind == "added":
            return f"+ {self.path}: {_show(self.path, self.new)}"
        if self.kind == "removed":
            return f"- {self.path}: {_show(self.path, self.old)}"
        return f"~ {self.path}: {_show(self.path, self.old)} -> {_show(self.path, self.new)}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description (secrets masked)."""
        return {
            "path": self.path,
            "kind": self.kind,
            "old": None if self.old is _ABSENT else _masked(self.path, self.old),
            "new": None if self.new is _ABSENT else _masked(self.path, self.new),
        }


def _is_secret(path: str) -> bool:
    return "secret" in path.rsplit(".", 1)[-1].lower()


def _masked(path: str, value: Any) -> Any:
    if _is_secret(path) and isinstance(value, str):
        return mask_secret(value)
    return value


def _show(path: str, value: Any) -> str:
    return show_value(_masked(path, value))


def flatten(document: Any, prefix: tuple[str | int, ...] = ()) -> dict[str, Any]:
    """Map each leaf's JSON path (``$.auth.plugins…``) to its value; empty containers are leaves."""
    if isinstance(document, dict) and document:
        flat: dict[str, Any] = {}
        for key, value in document.items():
            flat.update(flatten(value, (*prefix, str(key))))
        return flat
    if isinstance(document, list) and document:
        flat = {}
        for index, value in enumerate(document):
            flat.update(flatten(value, (*prefix, index)))
        return flat
    return {format_path(prefix): document}


def diff_documents(old: Any, new: Any) -> list[Change]:
    """Every path whose value differs between two JSON documents, in the new one's order."""
    before, after = flatten(old), flatten(new)
    changes = [
        Change(path, before.get(path, _ABSENT), value)
        for path, value in after.items()
        if before.get(path, _ABSENT) != value
    ]
    changes += [Change(path, value, _ABSENT) for path, value in before.items() if path not in after]
    return changes


def diff_text(old_text: str, new_text: str) -> list[Change]:
    """Like :func:`diff_documents` for file contents; unreadable old text is one change."""
    new = json.loads(new_text)
    try:
        old = json.loads(old_text)
    except ValueError:
        return [Change("$", "(not valid JSON)", "(the whole new configuration)")]
    return diff_documents(old, new)


#: How each kind of change is named on the terminal, in the order the groups are shown.
_KIND_WORDS = {
    "added": "added (in the new file only)",
    "changed": "changed",
    "removed": ("removed (in the existing file only; gone after --force)"),
}


def render(changes: list[Change]) -> str:
    """The changes for the terminal, grouped and named in words (added, changed, removed), one
    per line under each heading with its ``+`` / ``~`` / ``-`` mark."""
    lines: list[str] = []
    for kind, words in _KIND_WORDS.items():
        group = [change for change in changes if change.kind == kind]
        if group:
            count = f"{len(group)} {'key' if len(group) == 1 else 'keys'}"
            lines.append(f"  {count} {words}:")
            lines += [f"    {change}" for change in group]
    return "\n".join(lines)
