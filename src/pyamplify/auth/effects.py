"""What an Auth operation asks of its driver besides Cognito calls: store work and locks.

An operation (:mod:`pyamplify.auth.operations`) is a generator like a flow, but besides
:class:`~pyamplify.wire.Call` values it yields:

* :class:`Blocking` — blocking store work (read, save, delete). ``Auth`` runs it where it is;
  ``AsyncAuth`` runs it on the thread that holds the store lock, or else on a worker thread.
* :class:`Exclusive` — run a sub-operation holding one of the object's own locks (``REFRESH``,
  ``IDENTITY``): single flight among the threads of an ``Auth``, or among the tasks of an
  ``AsyncAuth`` on one event loop.
* :class:`StoreLocked` — run a sub-operation holding the store's lock on a key, which makes other
  objects and processes wait. It is an ``RLock`` plus a file lock, so the thread that takes it
  releases it: ``AsyncAuth`` keeps it on a helper thread (:mod:`pyamplify.auth._held_lock`).

A lock is released when its sub-operation ends, however it ends, exactly like a ``with`` block.
The result of each effect is sent back into the operation; a :class:`~pyamplify.errors.
PyamplifyError` it raised is thrown in at the ``yield``.
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
