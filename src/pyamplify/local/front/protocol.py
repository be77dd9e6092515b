"""The HTTP/1.1 protocol the local Cognito serves with: httptools when installed, else h11.

uvicorn's httptools protocol parses in C and costs about a third of its pure-Python h11
protocol per request (~110 vs ~300 us of server CPU here), a tenth of an SRP sign-in. Out of the
box the two disagree about odd header bytes: llhttp refuses a DEL or control character in a
header value, which h11 passes on (and the local Cognito answers with a Cognito error), while
h11 refuses NUL, form feed and vertical tab inside values, and strips trailing whitespace that
llhttp keeps. The protocol made here turns on llhttp's lenient header values and then applies
h11's value grammar and stripping, so the app sees the same headers, and the same requests get
uvicorn's plain ``400 Invalid HTTP request received.``, whichever parser runs. (One difference
is left: h11 also refuses a request head that dribbles in beyond 16 KiB before it is complete.)

The same protocol applies :class:`~pyamplify.local.front.limits.Limits` below the application:
a request must arrive within ``request_timeout`` (slowloris clients get ``408`` and are
closed), and connections beyond ``max_connections`` get ``503`` and are closed at once. It also
gives the application a way to drop a connection without answering (the ``pyamplify.drop``
scope extension), which fault injection (:mod:`.faults`) uses. With the h11 fallback only the
body limit (enforced by the application) and uvicorn's keep-alive timeout apply.
"""

from __future__ import annotations

import asyncio
import functools
import re
from typing import Any, Literal

from pyamplify.local.front.limits import EveryTenSeconds, Limits

#: h11's field-value grammar: no NUL and no whitespace but space and tab, between visible bytes.
_FIELD_VALUE = re.compile(rb"(?:[^\x00\s]+(?:[ \t]+[^\x00\s]+)*)?")


class HeaderRejected(ValueError):
    """A header h11 would refuse; raised inside llhttp's callback, it becomes a parser error."""


def _plain(status: bytes, text: bytes) -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\ncontent-type: text/plain; charset=utf-8\r\n"
        b"connection: close\r\ncontent-length: " + str(len(text)).encode() + b"\r\n\r\n" + text
    )


_BUSY = _plain(b"503 Service Unavailable", b"Too many connections to the local Cognito.\n")
_TOO_SLOW = _plain(b"408 Request Timeout", b"The request did not arrive in time.\n")
_over_capacity = EveryTenSeconds(
    "refused %d connection(s) (%d in all): the local Cognito already has %d open "
    "(--max-connections)"
)
_slow_closed = EveryTenSeconds(
    "closed %d connection(s) (%d in all) whose request did not arrive within %ss "
    "(--request-timeout)"
)


@functools.lru_cache(maxsize=16)
def http_protocol(limits: Limits | None = None) -> type[asyncio.Protocol] | Literal["h11"]:
    """The protocol for ``uvicorn.Config(http=...)``: httptools made h11-compatible and held to
    ``limits`` (default :class:`Limits`), or h11."""
    caps = limits or Limits()
    try:
        import httptools
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:
        return "h11"
    if not hasattr(httptools.HttpRequestParser, "set_dangerous_leniencies"):
        return "h11"  # httptools < 0.6.3 cannot be made lenient about header values

    class H11CompatibleHttpToolsProtocol(HttpToolsProtocol):
        """uvicorn's httptools protocol, accepting and refusing header values as h11 does."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.parser.set_dangerous_leniencies(lenient_headers=True)
            self._deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if len(self.connections) > caps.max_connections:
                _over_capacity(len(self.connections) - 1)
                transport.write(_BUSY)
                transport.close()
                return
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._arm()
            self.scope["extensions"] = {"pyamplify.drop": self._drop}

        def on_message_complete(self) -> None:
            self._disarm()
            super().on_message_complete()

        def _arm(self) -> None:
            self._disarm()
            self._deadline = self.loop.call_later(caps.request_timeout, self._too_slow)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _too_slow(self) -> None:
            """The request did not arrive in time: answer 408 (unless an answer has begun)."""
            self._deadline = None
            if self.transport.is_closing():
                return
            _slow_closed(caps.request_timeout)
            if self.cycle is None or not self.cycle.response_started:
                self.transport.write(_TOO_SLOW)
            self.transport.close()

        def _drop(self) -> None:
            """Close the connection without an answer (a fault being injected)."""
            self.transport.close()

        def on_header(self, name: bytes, value: bytes) -> None:
            value = value.strip(b" \t")
            if _FIELD_VALUE.fullmatch(value) is None:
                raise HeaderRejected("illegal header value")
            super().on_header(name, value)

    return H11CompatibleHttpToolsProtocol
