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
"""

from __future__ import annotations

import asyncio
import functools
import re
from typing import Any, Literal

#: h11's field-value grammar: no NUL and no whitespace but space and tab, between visible bytes.
_FIELD_VALUE = re.compile(rb"(?:[^\x00\s]+(?:[ \t]+[^\x00\s]+)*)?")


class HeaderRejected(ValueError):
    """A header h11 would refuse; raised inside llhttp's callback, it becomes a parser error."""


@functools.lru_cache(maxsize=1)
def http_protocol() -> type[asyncio.Protocol] | Literal["h11"]:
    """The protocol for ``uvicorn.Config(http=...)``: httptools made h11-compatible, or h11."""
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

        def on_header(self, name: bytes, value: bytes) -> None:
            value = value.strip(b" \t")
            if _FIELD_VALUE.fullmatch(value) is None:
                raise HeaderRejected("illegal header value")
            super().on_header(name, value)

    return H11CompatibleHttpToolsProtocol
