"""What one request and one client may cost the local Cognito: body size, time, connections.

Cognito caps request sizes and the AWS front door closes slow clients; a local server without
caps can be made to hold a 1 GiB body in memory, stall every other client while it parses a
300 MB one, or keep thousands of idle sockets until it runs out of file descriptors. The
defaults here stop each of those while staying far beyond what any Cognito call needs (the
largest legitimate body is a few KiB):

* ``max_body`` (1 MiB): a larger ``Content-Length`` is refused with 413 before a byte of the
  body is read, a chunked body as soon as it passes the limit; the connection is closed.
* ``request_timeout`` (10 s): a request's head and body must arrive within this time of its
  first byte (or of the connection, for a client that sends nothing): slowloris clients are
  closed. Idle keep-alive connections close after ``keep_alive`` (30 s).
* ``max_connections``: connections beyond it are answered ``503`` and closed at once, with a
  warning in the log (at most one line per 10 s), so descriptors stay bounded. The default is
  1,000, or half the process's descriptor limit if that is lower.

The body limit is enforced by the ASGI front (:mod:`.app`); the others by the HTTP protocol
(:mod:`.protocol`), which needs httptools (the ``local`` extra installs it).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from starlette.types import Receive

LOG = logging.getLogger("pyamplify.local")

DEFAULT_MAX_BODY = 1024 * 1024
_WARN_EVERY = 10.0


def default_max_connections() -> int:
    """1,000, or half the descriptor limit when that is lower (never below 32)."""
    try:
        import resource

        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):  # pragma: no cover - Windows
        return 1000
    if soft == resource.RLIM_INFINITY:
        return 1000
    return max(32, min(1000, soft // 2))


@dataclass(frozen=True)
class Limits:
    """Caps on request size, request time and concurrent connections (module docstring)."""

    max_body: int = DEFAULT_MAX_BODY
    request_timeout: float = 10.0
    keep_alive: float = 30.0
    max_connections: int = field(default_factory=default_max_connections)

    def __post_init__(self) -> None:
        if self.max_body < 1:
            raise ValueError("max_body must be at least 1 byte")
        if self.request_timeout <= 0 or self.keep_alive <= 0:
            raise ValueError("timeouts must be positive")
        if self.max_connections < 1:
            raise ValueError("max_connections must be at least 1")


class TooLarge(Exception):
    """The request body is over the limit."""


async def read_body(receive: Receive, limit: int, declared: str | None) -> bytes | None:
    """The whole body, ``None`` if the client left first; :class:`TooLarge` past ``limit``
    (at once when the declared ``Content-Length`` says so)."""
    if declared is not None:
        try:
            if int(declared) > limit:
                raise TooLarge
        except ValueError:
            pass  # the HTTP parser has already refused a malformed Content-Length
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def too_large_text(limit: int) -> bytes:
    """The 413 body."""
    return (
        f"Request body too large: the local Cognito accepts up to {limit} bytes "
        "(--max-body to change it).\n"
    ).encode()


class EveryTenSeconds:
    """A warning logged at most once per interval: ``message % (count since the last line,
    count in all, *args)``, so a flood makes a few lines, not one per event."""

    def __init__(self, message: str, interval: float = _WARN_EVERY) -> None:
        self.message = message
        self.interval = interval
        self._count = 0
        self._total = 0
        self._last = float("-inf")

    def __call__(self, *args: object) -> None:
        self._count += 1
        self._total += 1
        now = time.monotonic()
        if now - self._last >= self.interval:
            LOG.warning(self.message, self._count, self._total, *args)
            self._count = 0
            self._last = now
