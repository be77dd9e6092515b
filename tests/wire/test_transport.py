"""Transports over real loopback HTTP: results, typed errors, retries with backoff.

A small stdlib HTTP server plays a Cognito endpoint that answers from a script, so the tests see
exactly what went over the wire and how often.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from pyamplify.wire.call import idp
from pyamplify.wire.errors import (
    ConnectError,
    InternalErrorException,
    NotAuthorizedException,
    ProtocolError,
    RequestTimeoutError,
    TooManyRequestsException,
)
from pyamplify.wire.transport import AsyncTransport, RetryPolicy, SyncTransport


@dataclass
class ScriptedServer:
    """Answers each POST with the next (status, body) of ``script`` and records requests."""

    url: str = ""
    script: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    requests: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    delay: float = 0.0


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    state = ScriptedServer()
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            state.requests.append((dict(self.headers), body))
            if state.delay:
                stop.wait(state.delay)
            status, answer = state.script.pop(0) if state.script else (200, {})
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/x-amz-json-1.1")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}/"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    stop.set()
    httpd.shutdown()
    httpd.server_close()


def _no_sleep(seconds: float) -> None:
    assert 0 <= seconds <= 2.0


async def _no_async_sleep(seconds: float) -> None:
    assert 0 <= seconds <= 2.0


def test_success_returns_the_json_and_sends_the_protocol_headers(server: ScriptedServer) -> None:
    server.script = [(200, {"UserSub": "abc"})]
    transport = SyncTransport(server.url, sleep=_no_sleep)
    assert transport.send(idp("SignUp", {"Username": "u"})) == {"UserSub": "abc"}
    headers, body = server.requests[0]
    lowered = {k.lower(): v for k, v in headers.items()}
    assert lowered["x-amz-target"] == "AWSCognitoIdentityProviderService.SignUp"
    assert lowered["content-type"] == "application/x-amz-json-1.1"
    assert lowered["user-agent"].startswith("pyamplify/")
    assert body == {"Username": "u"}
    transport.close()


def test_client_errors_are_raised_at_once(server: ScriptedServer) -> None:
    server.script = [(400, {"__type": "NotAuthorizedException", "message": "Nope."})]
    transport = SyncTransport(server.url, sleep=_no_sleep)
    with pytest.raises(NotAuthorizedException, match="Nope"):
        transport.send(idp("InitiateAuth", {}))
    assert len(server.requests) == 1


def test_throttling_and_5xx_are_retried_then_succeed(server: ScriptedServer) -> None:
    server.script = [
        (400, {"__type": "TooManyRequestsException", "message": "Rate exceeded"}),
        (500, {"__type": "InternalErrorException", "message": "oops"}),
        (200, {"ok": True}),
    ]
    delays: list[float] = []
    transport = SyncTransport(server.url, sleep=delays.append)
    assert transport.send(idp("GetUser", {})) == {"ok": True}
    assert len(server.requests) == 3
    assert len(delays) == 2


def test_retries_stop_after_max_attempts(server: ScriptedServer) -> None:
    server.script = [(500, {"__type": "InternalErrorException", "message": "x"})] * 5
    transport = SyncTransport(server.url, retry=RetryPolicy(max_attempts=2), sleep=_no_sleep)
    with pytest.raises(InternalErrorException) as caught:
        transport.send(idp("GetUser", {}))
    assert caught.value.retryable
    assert len(server.requests) == 2


def test_backoff_is_capped_exponential_with_jitter() -> None:
    policy = RetryPolicy(base_delay=0.1, max_delay=0.5)
    for attempt, ceiling in [(1, 0.1), (2, 0.2), (3, 0.4), (4, 0.5), (9, 0.5)]:
        samples = [policy.delay(attempt) for _ in range(200)]
        assert all(0 <= s <= ceiling for s in samples)
        assert max(samples) > ceiling / 2


def test_non_json_200_is_a_protocol_error(server: ScriptedServer) -> None:
    transport = SyncTransport(server.url, sleep=_no_sleep)
    server.script = [(200, [1, 2])]  # type: ignore[list-item]
    with pytest.raises(ProtocolError):
        transport.send(idp("GetUser", {}))


def test_refused_connection_is_a_connect_error_after_retries() -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    delays: list[float] = []
    transport = SyncTransport(f"http://127.0.0.1:{port}/", sleep=delays.append)
    with pytest.raises(ConnectError, match="could not connect") as caught:
        transport.send(idp("GetUser", {"AccessToken": "secret-token"}))
    assert caught.value.exit_code == 1
    assert "secret-token" not in str(caught.value)
    assert len(delays) == 2


def test_timeout_is_its_own_retryable_type(server: ScriptedServer) -> None:
    server.delay = 0.5
    transport = SyncTransport(
        server.url, timeout=0.05, retry=RetryPolicy(max_attempts=1), sleep=_no_sleep
    )
    with pytest.raises(RequestTimeoutError):
        transport.send(idp("GetUser", {}))


def test_async_transport_behaves_the_same(server: ScriptedServer) -> None:
    server.script = [
        (400, {"__type": "TooManyRequestsException", "message": "Rate exceeded"}),
        (200, {"UserSub": "s"}),
        (400, {"__type": "TooManyRequestsException", "message": "Rate exceeded"}),
    ]

    async def scenario() -> None:
        transport = AsyncTransport(
            server.url, retry=RetryPolicy(max_attempts=2), sleep=_no_async_sleep
        )
        assert await transport.send(idp("SignUp", {})) == {"UserSub": "s"}
        server.script.append(
            (400, {"__type": "TooManyRequestsException", "message": "Rate exceeded"})
        )
        with pytest.raises(TooManyRequestsException):
            await transport.send(idp("SignUp", {}))
        await transport.aclose()

    asyncio.run(scenario())
    assert len(server.requests) == 4


def test_sync_transport_does_not_load_asyncio() -> None:
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from pyamplify.wire.transport import SyncTransport\n"
        "SyncTransport('http://127.0.0.1:9').close()\n"
        "print('asyncio' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_header_httpx_refuses_is_not_quoted_in_the_error(server: ScriptedServer) -> None:
    from pyamplify.wire.errors import NetworkError
    from pyamplify.wire.sigv4 import AwsCredentials
    from pyamplify.wire.transport import Signer

    token = "session-token-line\nSECRET-PART-OF-THE-TOKEN"
    signer = Signer(AwsCredentials("ASIAEXAMPLE", "secret-key", token), "us-east-1")
    transport = SyncTransport(
        server.url, retry=RetryPolicy(max_attempts=1), sleep=_no_sleep, signer=signer
    )
    with pytest.raises(NetworkError, match="LocalProtocolError") as caught:
        transport.send(idp("ListUserPools", {"MaxResults": 1}))
    assert "SECRET-PART-OF-THE-TOKEN" not in str(caught.value)
    assert "secret-key" not in str(caught.value)
    assert server.requests == []


def test_an_endpoint_echoing_the_request_does_not_put_its_secrets_in_the_error(
    server: ScriptedServer,
) -> None:
    password = "echoed-Passw0rd!"
    server.script = [(400, {"you_sent": {"Password": password}})]
    transport = SyncTransport(server.url, retry=RetryPolicy(max_attempts=1), sleep=_no_sleep)
    with pytest.raises(ProtocolError) as caught:
        transport.send(idp("SignUp", {"ClientId": "c", "Username": "u", "Password": password}))
    assert password not in str(caught.value)
    assert "<redacted>" in str(caught.value)


@pytest.mark.parametrize(
    ("status", "code", "retried"),
    [
        (400, "TooManyRequestsException", True),  # refused at the door: it did not run
        (500, "InternalErrorException", False),  # it may have run: a repeat would mislead
    ],
)
def test_one_shot_calls_are_retried_only_when_they_certainly_did_not_run(
    server: ScriptedServer, status: int, code: str, retried: bool
) -> None:
    server.script = [(status, {"__type": code, "message": "x"}), (200, {"ok": True})]
    transport = SyncTransport(server.url, sleep=_no_sleep)
    call = idp("RespondToAuthChallenge", {"ChallengeName": "PASSWORD_VERIFIER"})
    if retried:
        assert transport.send(call) == {"ok": True}
    else:
        with pytest.raises(InternalErrorException):
            transport.send(call)
    assert len(server.requests) == (2 if retried else 1)


def test_a_one_shot_call_is_retried_when_no_connection_was_made() -> None:
    policy = RetryPolicy()
    assert policy.should_retry(ConnectError("refused"), 1, "ConfirmSignUp")
    assert not policy.should_retry(RequestTimeoutError("read timeout"), 1, "ConfirmSignUp")
    assert policy.should_retry(RequestTimeoutError("read timeout"), 1, "InitiateAuth")
    assert policy.should_retry(InternalErrorException("x"), 1, "GetTokensFromRefreshToken")
