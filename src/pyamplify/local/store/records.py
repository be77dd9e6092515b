"""Rows as records: one list of column names serves a table's INSERT, SELECT and UPDATE.

A record dataclass whose fields are named like its table's columns (``UserRecord`` and
``users``, ``StoredCredentials`` and ``identity_credentials``) is written and read through a
:class:`Columns`: the column list of the SQL and the positions in the row come from the same
tuple, so an INSERT, a SELECT and the mapping of a row back to fields cannot disagree about the
order. Columns stored in another form than the field's (a ``bool`` as ``0``/``1``, a ``dict`` as
JSON) name their conversion once, each way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

R = TypeVar("R")

Conversion = Callable[[Any], Any]


class Columns(Generic[R]):
    """The columns of a table that stores ``record_type`` records, in SQL's order."""

    def __init__(
        self,
        record_type: Callable[..., R],
        names: Sequence[str],
        *,
        encode: Mapping[str, Conversion] | None = None,
        decode: Mapping[str, Conversion] | None = None,
    ) -> None:
        self.record_type = record_type
        self.names = tuple(names)
        self._encode = dict(encode or {})
        self._decode = dict(decode or {})
        unknown = (set(self._encode) | set(self._decode)) - set(self.names)
        if unknown:
            raise ValueError(f"conversions for columns that are not listed: {sorted(unknown)}")

    def __str__(self) -> str:
        """The column list of a SELECT or an INSERT: ``a, b, c``."""
        return ", ".join(self.names)

    @property
    def placeholders(self) -> str:
        """One ``?`` a column, for ``VALUES (...)``."""
        return ", ".join("?" * len(self.names))

    def assignments(self, names: Sequence[str]) -> str:
        """``a = ?, b = ?`` for an UPDATE of the columns ``names``."""
        self._check(names)
        return ", ".join(f"{name} = ?" for name in names)

    def values(self, record: R, names: Sequence[str] | None = None) -> tuple[Any, ...]:
        """The parameters for ``record``'s columns (all, or ``names``), converted for SQLite."""
        chosen = self.names if names is None else tuple(names)
        self._check(chosen)
        return tuple(self._encode.get(name, _same)(getattr(record, name)) for name in chosen)

    def record(self, row: Sequence[Any]) -> R:
        """The record of a row selected with this column list."""
        if len(row) != len(self.names):
            raise ValueError(f"a row of {len(row)} values for {len(self.names)} columns")
        pairs = zip(self.names, row, strict=True)
        return self.record_type(
            **{name: self._decode.get(name, _same)(value) for name, value in pairs}
        )

    def _check(self, names: Sequence[str]) -> None:
        unknown = set(names) - set(self.names)
        if unknown:
            raise ValueError(f"not columns of this table: {sorted(unknown)}")


def _same(value: Any) -> Any:
    return value
