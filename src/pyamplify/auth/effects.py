"""What an Auth operation asks of its driver besides Cognito calls: store work and locks.

An operation (:mod:`pyamplify.auth.operations`) yields these next to
:class:`~pyamplify.wire.Call` values, and ``Auth`` and ``AsyncAuth`` each carry them out their
own way: :class:`Blocking` store work, :class:`Exclusive` (one of the object's own locks) and
:class:`StoreLocked` (the store's lock on a key, the only way an operation takes it). A lock is
held for its sub-operation, however that ends, like a ``with`` block. See docs/architecture.md
("Auth": operations, effects, drivers).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, TypeVar

from pyamplify.wire.call import Call

T = TypeVar("T")

#: The object's lock around a token refresh.
REFRESH = "refresh"
#: The object's lock around fetching identity-pool credentials.
IDENTITY = "identity"


# Plain classes, not dataclasses: three dataclasses cost ~1.5 ms at import, for nothing used.
class Blocking:
    """Blocking store work: ``fn(*args)``, whose result is sent back."""

    __slots__ = ("args", "fn")

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self.fn = fn
        self.args = args

    def __repr__(self) -> str:  # never the arguments: records hold tokens
        return f"Blocking({getattr(self.fn, '__qualname__', self.fn)!s})"


class Exclusive:
    """Run ``body`` holding the object's own lock ``name`` (``REFRESH`` or ``IDENTITY``)."""

    __slots__ = ("body", "name")

    def __init__(self, name: str, body: Op[Any]) -> None:
        self.name = name
        self.body = body

    def __repr__(self) -> str:
        return f"Exclusive({self.name!r})"


class StoreLocked:
    """Run ``body`` holding the store's lock on ``key`` (its ``Blocking`` work on that thread)."""

    __slots__ = ("body", "key")

    def __init__(self, key: str, body: Op[Any]) -> None:
        self.key = key
        self.body = body

    def __repr__(self) -> str:
        return f"StoreLocked({self.key!r})"


Effect = Call | Blocking | Exclusive | StoreLocked
#: An operation: yields effects, receives their results, returns ``T``.
Op = Generator[Effect, Any, T]
