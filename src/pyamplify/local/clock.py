"""Clocks for the local Cognito: every time decision reads a ``Callable[[], float]``.

The server uses :func:`time.time`; tests pass a :class:`ManualClock` and move it with
:meth:`ManualClock.advance` to expire tokens and codes or end a lockout without sleeping.
"""

from __future__ import annotations

import threading
import time


class ManualClock:
    """A clock that only moves when told to; safe to read from the server thread."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else float(start)
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> float:
        """Move forward by ``seconds`` and return the new time."""
        with self._lock:
            self._now += seconds
            return self._now

    def set(self, moment: float) -> None:
        """Jump to ``moment`` (epoch seconds)."""
        with self._lock:
            self._now = float(moment)
