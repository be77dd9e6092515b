"""A store that lives and dies with the process: for tests, servers and one-shot scripts."""

from __future__ import annotations

import contextlib
import threading
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from pyamplify.storage.base import StoreLockTimeout, decode_value, encode_value


class MemoryStore:
    """Entries in a dict, kept as JSON text so callers never share mutable objects with it.

    Keeping text (not objects) also means a value that a file store would refuse is refused
    here too, so tests on a MemoryStore catch what would break in production.
    """

    def __init__(self, *, lock_timeout: float | None = 60.0) -> None:
        self._entries: dict[str, str] = {}
        self._guard = threading.Lock()
        self._locks: defaultdict[str, threading.RLock] = defaultdict(threading.RLock)
        self._lock_timeout = lock_timeout

    def __repr__(self) -> str:
        return f"MemoryStore(<{len(self._entries)} entries>)"

    def load(self, key: str) -> dict[str, Any] | None:
        """The object saved under ``key``, or ``None``."""
        with self._guard:
            text = self._entries.get(key)
        return None if text is None else decode_value(key, text, "memory")

    def save(self, key: str, value: dict[str, Any]) -> None:
        """Replace the object under ``key``."""
        text = encode_value(key, value)
        with self._guard:
            self._entries[key] = text

    def delete(self, key: str) -> None:
        """Remove ``key`` if present."""
        with self._guard:
            self._entries.pop(key, None)

    def keys(self, prefix: str = "") -> list[str]:
        """Stored keys starting with ``prefix``, sorted."""
        with self._guard:
            return sorted(k for k in self._entries if k.startswith(prefix))

    @contextlib.contextmanager
    def _hold(self, key: str) -> Iterator[None]:
        with self._guard:
            lock = self._locks[key]
        timeout = -1 if self._lock_timeout is None else self._lock_timeout
        if not lock.acquire(timeout=timeout):
            raise StoreLockTimeout(
                f"could not lock credential store entry {key!r} within {self._lock_timeout} s: "
                "another thread is holding it; try again"
            )
        try:
            yield
        finally:
            lock.release()

    def lock(self, key: str) -> contextlib.AbstractContextManager[None]:
        """Exclusive, re-entrant lock on ``key`` among the threads of this process."""
        return self._hold(key)
