"""The Auth event hub: ``auth.events.subscribe(callback)`` returns a function that unsubscribes.

Events (Amplify JS's Hub names in snake_case, plus Swift's ``session_expired``):
``signed_in``, ``signed_out``, ``token_refresh``, ``token_refresh_failure``,
``session_expired``, and ``user_deleted`` (Swift's and Android's ``userDeleted``: the account
was deleted with ``delete_user()``, which also ends the session; no ``signed_out`` follows).
Callbacks run synchronously in the thread (or event-loop task) that caused the event; an
exception in one callback is logged and never breaks the auth call or the other callbacks.
Subscribing and emitting are safe from any thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from pyamplify.errors import PyamplifyError

logger = logging.getLogger("pyamplify.auth")

SIGNED_IN = "signed_in"
SIGNED_OUT = "signed_out"
TOKEN_REFRESH = "token_refresh"
TOKEN_REFRESH_FAILURE = "token_refresh_failure"
SESSION_EXPIRED = "session_expired"
USER_DELETED = "user_deleted"
EVENT_NAMES = (
    SIGNED_IN,
    SIGNED_OUT,
    TOKEN_REFRESH,
    TOKEN_REFRESH_FAILURE,
    SESSION_EXPIRED,
    USER_DELETED,
)


@dataclass(frozen=True)
class AuthEvent:
    """One event: its ``name``, the user it concerns (if known), the error behind a failure."""

    name: str
    username: str | None = None
    error: PyamplifyError | None = None


EventCallback = Callable[[AuthEvent], object]


class EventHub:
    """Subscribers of one ``Auth``/``AsyncAuth`` object."""

    def __init__(self) -> None:
        self._callbacks: tuple[EventCallback, ...] = ()
        self._lock = threading.Lock()

    def subscribe(self, callback: EventCallback) -> Callable[[], None]:
        """Call ``callback(event)`` for every event from now on; returns ``unsubscribe()``."""
        with self._lock:
            self._callbacks = (*self._callbacks, callback)

        def unsubscribe() -> None:
            with self._lock:
                remaining = list(self._callbacks)
                if callback in remaining:
                    remaining.remove(callback)
                self._callbacks = tuple(remaining)

        return unsubscribe

    def emit(self, event: AuthEvent) -> None:
        """Deliver ``event`` to every subscriber; a failing subscriber is logged and skipped."""
        for callback in self._callbacks:
            try:
                callback(event)
            except Exception:
                logger.exception("an auth event subscriber failed on %r", event.name)
