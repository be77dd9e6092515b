"""The httptools protocol accepts, cleans and refuses header values exactly as h11 does."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn

from pyamplify.local.front.protocol import http_protocol

pytestmark = pytest.mark.e2e


async def echo_headers(scope: Any, receive: Any, send: Any) -> None:
    """Answer every request with its headers as JSON (latin-1 text)."""
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    headers = [
        [name.decode("latin-1"), value.decode("latin-1")] for name, value in scope["headers"]
    ]
    body = json.dumps(headers).encode()
    length = str(len(body)).encode()
    start = {"type": "http.response.start", "status": 200, "headers": [(b"content-length", length)]}
    await send(start)
    await send({"type": "http.response.body", "body": body})


@contextmanager
def serving(http: Any) -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    config = uvicorn.Config(echo_headers, http=http, log_level="error", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: server.run(sockets=[sock]), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield int(sock.getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def exchange(port: int, head: bytes) -> tuple[int, bytes]:
    """Send one raw request; return the status and the body."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(head)
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    status_line, _, rest = data.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


ODD_VALUES = [
    b"plain",
    b"a\x7fb",
    b"caf\xe9",
    b"a\tb",
    b"  padded \t ",
    b"",
    b"a\x00b",
    b"a\x01b",
    b"a\x0bb",
    b"a\x0cb",
    b"x" * 17_000,  # sent at once: both parse it
]


def test_httptools_is_used_when_installed() -> None:
    pytest.importorskip("httptools")
    assert http_protocol() != "h11"


@pytest.mark.parametrize("value", ODD_VALUES, ids=lambda value: repr(value[:12]))
def test_odd_header_values_get_the_same_answer_from_both_parsers(value: bytes) -> None:
    pytest.importorskip("httptools")
    head = (
        b"POST / HTTP/1.1\r\nHost: x\r\nX-Odd: " + value + b"\r\n"
        b"Content-Length: 2\r\nConnection: close\r\n\r\n{}"
    )
    answers = []
    for http in ("h11", http_protocol()):
        with serving(http) as port:
            answers.append(exchange(port, head))
    assert answers[0] == answers[1]


def test_the_loop_still_serves_after_a_refused_request() -> None:
    pytest.importorskip("httptools")
    with serving(http_protocol()) as port:
        bad = b"GET / HTTP/1.1\r\nHost: x\r\nX-Odd: a\x00b\r\nConnection: close\r\n\r\n"
        assert exchange(port, bad)[0] == 400
        good = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        status, body = exchange(port, good)
        assert status == 200
        assert json.loads(body) == [["host", "x"], ["connection", "close"]]
