"""What one request or one client may cost: body size, slow clients, connection count.

A review sent a 1 GiB body (2.16 GB of RSS), a 300 MB one that stalled other clients for 2 s,
1,000 slowloris connections (never closed) and 20,000 connections (descriptors exhausted,
nothing logged). Raw sockets here, so the tests control exactly what arrives and when; the
memory figures under the same probes are in ``benchmarks/bench_limits.py``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from pyamplify.local import LocalCognito

#: Cognito-sized: the largest legitimate body is a few KiB (``Limits.max_body``'s default).
DEFAULT_MAX_BODY = 1024 * 1024

pytestmark = pytest.mark.e2e

TARGET = "AWSCognitoIdentityProviderService.SignUp"


def connect(cognito: LocalCognito) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", cognito.port), timeout=10)
    return sock


def head(length: int | None = None, *, chunked: bool = False, path: str = "/") -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"X-Amz-Target: {TARGET}"]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    elif length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (or 10 s pass)."""
    received = b""
    with contextlib.suppress(ConnectionResetError, TimeoutError, socket.timeout):
        while chunk := sock.recv(65536):
            received += chunk
    return received


def still_serving(cognito: LocalCognito) -> bool:
    return httpx.get(cognito.url + "/_local/stats", timeout=5).status_code == 200


# ------------------------------------------------------------------------------- body size
def test_a_body_declared_over_the_limit_is_refused_before_it_is_read(
    local_cognito: LocalCognito,
) -> None:
    with connect(local_cognito) as sock:
        sock.sendall(head(1024**3) + b'{"ClientId": "')  # then nothing: 1 GiB never comes
        answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b"connection: close" in answer.lower()
    assert f"up to {DEFAULT_MAX_BODY} bytes".encode() in answer
    assert still_serving(local_cognito)


def test_a_chunked_body_is_refused_once_it_passes_the_limit(local_cognito: LocalCognito) -> None:
    chunk = b"x" * 65536
    sent = 0
    with connect(local_cognito) as sock:
        sock.sendall(head(chunked=True))
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):
            while sent < 64 * 1024 * 1024:  # far past the limit; the server stops us first
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                sent += len(chunk)
        answer = read_all(sock)
    assert sent < 64 * 1024 * 1024, "the server read the whole chunked body"
    assert answer.startswith(b"HTTP/1.1 413 ") or answer == b"", answer[:200]
    assert still_serving(local_cognito)


def test_a_body_under_the_limit_is_an_ordinary_call(local_cognito: LocalCognito) -> None:
    body = json.dumps({"ClientId": "c", "Username": "u", "Password": "p" * 900_000}).encode()
    assert len(body) < DEFAULT_MAX_BODY
    answer = httpx.post(local_cognito.url + "/", content=body, headers={"X-Amz-Target": TARGET})
    assert answer.status_code == 400 and answer.json()["__type"] == "InvalidParameterException"
    over = httpx.post(
        local_cognito.url + "/",
        content=b" " * (DEFAULT_MAX_BODY + 1),
        headers={"X-Amz-Target": TARGET},
    )
    assert over.status_code == 413


def test_every_route_has_the_body_limit(local_cognito: LocalCognito) -> None:
    """Hosted UI pages and the query protocol read bodies too."""
    for path in ("/_domain/nosuch/login", "/?Action=GetCallerIdentity"):
        answer = httpx.post(local_cognito.url + path, content=b"a=" + b"b" * DEFAULT_MAX_BODY)
        assert answer.status_code == 413, path


def test_the_body_limit_is_configurable() -> None:
    from pyamplify.local.front.limits import Limits

    assert Limits().max_body == DEFAULT_MAX_BODY
    with LocalCognito(limits=Limits(max_body=100)) as cognito:
        small = httpx.post(cognito.url + "/", content=b"{}", headers={"X-Amz-Target": TARGET})
        assert small.status_code == 400
        big = httpx.post(cognito.url + "/", content=b" " * 101, headers={"X-Amz-Target": TARGET})
        assert big.status_code == 413 and "up to 100 bytes" in big.text


# ------------------------------------------------------------------------------- slow clients
@pytest.fixture(scope="module")
def impatient() -> Iterator[LocalCognito]:
    """A server that gives a request 0.5 s to arrive and serves at most 5 connections."""
    from pyamplify.local.front.limits import Limits

    with LocalCognito(limits=Limits(request_timeout=0.5, max_connections=5)) as cognito:
        yield cognito


def test_a_client_that_dribbles_its_headers_is_answered_408_and_closed(
    impatient: LocalCognito,
) -> None:
    with connect(impatient) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started = time.monotonic()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            for _ in range(40):  # one header every 0.1 s, never the end of the head
                sock.sendall(b"X-Slow: 1\r\n")
                time.sleep(0.1)
                if time.monotonic() - started > 2:
                    break
        answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert still_serving(impatient)


def test_a_connection_that_sends_nothing_is_closed(impatient: LocalCognito) -> None:
    with connect(impatient) as sock:
        assert read_all(sock).startswith(b"HTTP/1.1 408 ")


def test_a_slow_body_is_cut_off(impatient: LocalCognito) -> None:
    with connect(impatient) as sock:
        sock.sendall(head(1000) + b"{")
        assert read_all(sock).startswith(b"HTTP/1.1 408 ")
    assert still_serving(impatient)


def test_connections_past_the_cap_get_503_and_a_logged_warning(
    impatient: LocalCognito, caplog: pytest.LogCaptureFixture
) -> None:
    held: list[socket.socket] = []
    try:
        with caplog.at_level(logging.WARNING, logger="pyamplify.local"):
            for _ in range(5):
                held.append(connect(impatient))
            time.sleep(0.1)  # the server has accepted them
            with connect(impatient) as extra:
                answer = read_all(extra)
        assert answer.startswith(b"HTTP/1.1 503 ") or answer == b"", answer[:200]
        assert any("refused 1 connection(s)" in record.getMessage() for record in caplog.records)
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.2)
    assert still_serving(impatient)  # the slots are free again


def test_a_request_that_arrives_in_time_is_served_on_a_reused_connection(
    impatient: LocalCognito,
) -> None:
    with httpx.Client(base_url=impatient.url) as client:
        for _ in range(3):
            assert client.get("/_local/stats").status_code == 200
            time.sleep(0.3)  # idle between requests is keep-alive time, not request time
