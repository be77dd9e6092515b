"""One exclusive lock per lock file, shared by every store object in the process.

A lock file gives exclusion between processes (``filelock``: ``flock``/``LockFileEx``, released
by the OS when a process dies, so a crash never leaves a stale lock). A process-wide ``RLock``
per path gives exclusion between threads and makes the lock re-entrant for the thread that
holds it, so ``with store.lock(k): ... with store.lock(k):`` does not deadlock. Two store
objects over the same directory share the same lock because the registry is keyed by path.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyamplify.storage.base import StoreLockTimeout


class _PathLock:
    """A thread lock and a file lock, taken in that order, for one lock-file path."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.thread_lock = threading.RLock()
        self.depth = 0
        self.file_lock: Any = None  # filelock.FileLock, made on first use (lazy import)

    @contextlib.contextmanager
    def hold(self, timeout: float | None, entry: str) -> Iterator[None]:
        deadline = None if timeout is None else time.monotonic() + timeout
        if not self.thread_lock.acquire(timeout=-1 if timeout is None else timeout):
            raise _timeout(entry, timeout)
        try:
            if self.depth == 0:
                self._acquire_file_lock(deadline, entry, timeout)
            self.depth += 1
            try:
                yield
            finally:
                self.depth -= 1
                if self.depth == 0:
                    self.file_lock.release()
        finally:
            self.thread_lock.release()

    def _acquire_file_lock(self, deadline: float | None, entry: str, timeout: float | None) -> None:
        import filelock

        if self.file_lock is None:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.file_lock = filelock.FileLock(str(self.path), mode=0o600, thread_local=False)
        remaining = -1.0 if deadline is None else max(0.0, deadline - time.monotonic())
        try:
            self.file_lock.acquire(timeout=remaining)
        except filelock.Timeout:
            raise _timeout(entry, timeout) from None


def _timeout(entry: str, timeout: float | None) -> StoreLockTimeout:
    return StoreLockTimeout(
        f"could not lock credential store entry {entry!r} within {timeout} s: another pyamplify "
        "process or thread is holding it (a refresh in progress?); try again"
    )


_registry: dict[str, _PathLock] = {}
_registry_lock = threading.Lock()


def hold_lock(
    path: Path, timeout: float | None, entry: str
) -> contextlib.AbstractContextManager[None]:
    """Hold the process-wide lock for ``path`` (``timeout`` seconds at most, ``None`` = wait)."""
    key = os.path.abspath(path)
    with _registry_lock:
        lock = _registry.get(key)
        if lock is None:
            lock = _registry[key] = _PathLock(Path(key))
    return lock.hold(timeout, entry)


def _forget_locks_after_fork() -> None:
    # A forked child inherits lock objects that other threads of the parent may hold; it
    # must start with fresh ones (its own file locks are new open files anyway).
    global _registry, _registry_lock
    _registry = {}
    _registry_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_locks_after_fork)
