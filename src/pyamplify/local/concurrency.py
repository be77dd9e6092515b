"""How the local Cognito uses two cores: operations one at a time, their crypto side by side.

Every operation reads and writes SQLite state in several steps (a user's lockout counters, a
SECRET_BLOCK taken once, a refresh-token family), so operations must not interleave: they run
in a small thread pool, each holding :class:`OperationLock` from start to end, which makes them
as atomic as when one event-loop thread ran everything. Most of an SRP sign-in's CPU, though,
is pure arithmetic on values already read: two 3072-bit modular exponentiations (gmpy2) and two
RSA signatures (OpenSSL). Both release the GIL, so an operation steps out of the lock for them
(:meth:`OperationLock.released`) and another operation's Python, or another sign-in's
arithmetic, runs on the other core meanwhile. A quiet server behaves exactly as before; a busy
one is no longer capped at one core.

gmpy2 releases the GIL only when its thread-local context allows it, so every pool thread turns
that on as it starts (:func:`allow_parallel_arithmetic`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

#: Threads that run operations: one per core (at least two, so that one operation's arithmetic
#: overlaps another's Python); more only added contention in the benchmark on 2 cores.
OPERATION_THREADS = max(2, min(8, os.cpu_count() or 1))


class OperationLock:
    """The one lock every local Cognito operation holds, except around pure CPU work."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        """Hold the lock for one whole operation."""
        self._lock.acquire()
        self._owner = threading.get_ident()
        try:
            yield
        finally:
            self._owner = None
            self._lock.release()

    @contextmanager
    def released(self) -> Iterator[None]:
        """Let other operations run during pure CPU work; a no-op if this thread lacks the lock.

        The work inside must only compute from values the operation already read: state may
        change meanwhile, and the operation must re-check what it writes afterwards.
        """
        if self._owner != threading.get_ident():
            yield
            return
        self._owner = None
        self._lock.release()
        try:
            yield
        finally:
            self._lock.acquire()
            self._owner = threading.get_ident()


def allow_parallel_arithmetic() -> None:
    """Let gmpy2 release the GIL in this thread (its context is per thread; off by default)."""
    try:
        import gmpy2
    except ImportError:  # pragma: no cover - depends on the platform
        return
    gmpy2.get_context().allow_release_gil = True


def operation_executor() -> ThreadPoolExecutor:
    """The thread pool operations run in (see the module docstring)."""
    return ThreadPoolExecutor(
        max_workers=OPERATION_THREADS,
        thread_name_prefix="local-cognito-op",
        initializer=allow_parallel_arithmetic,
    )
