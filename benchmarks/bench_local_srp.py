"""SRP sign-ins per second: the local Cognito (real SRP) against moto's server (fake SRP).

Each server runs in its own process on a loopback port. Distinct users sign in with
USER_SRP_AUTH (InitiateAuth + RespondToAuthChallenge PASSWORD_VERIFIER) from several client
processes at once. Every client computes the real SRP client half with pyamplify.srp's maths
(its two fixed-base powers ``g^a`` and ``g^x`` from the local Cognito's table) and speaks
HTTP/1.1 with keep-alive over a plain socket, request and response written and parsed by hand
(``--client http.client`` uses the standard library's client, ``--client httpx`` httpx, as
earlier versions of this script did). The load generator shares the two cores with the server,
so the leaner it is, the more of the machine the server gets; the same client drives both
servers, so the difference between them is the server.

Prints medians over trials: sign-ins/s, the server's CPU per sign-in (user + system, from
/proc/<pid>/stat), the clients' CPU per sign-in (``time.process_time`` in each worker), the
load average, and the ratios to moto.

Run: ``.venv/bin/python benchmarks/bench_local_srp.py [--users 400] [--clients 4] [--trials 3]``
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import multiprocessing
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx

from pyamplify import modexp, srp
from pyamplify.local.idp.srp_server import g_pow

PASSWORD = "Bench-passw0rd!"
TARGET = "AWSCognitoIdentityProviderService"
SIGNED = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/cognito-idp/x"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            httpx.post(url + "/", headers={"X-Amz-Target": f"{TARGET}.ListUserPools"}, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def start_local(
    extra: list[str], source: Path | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """``pyamplify local start`` from this checkout, or from ``source`` (another checkout)."""
    port = free_port()
    command = [sys.executable, "-m", "pyamplify", "local", "start", "--ephemeral"]
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = str(source / "src")
    process = subprocess.Popen(
        [*command, "--port", str(port), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url, process)
    return process, url


def start_moto(extra: list[str]) -> tuple[subprocess.Popen[bytes], str]:
    executable = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    port = free_port()
    process = subprocess.Popen(
        [executable, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url, process)
    return process, url


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


class Caller(Protocol):
    def __call__(self, operation: str, body: dict[str, Any], signed: bool = False) -> Any: ...


def _headers(operation: str, signed: bool) -> dict[str, str]:
    headers = {
        "X-Amz-Target": f"{TARGET}.{operation}",
        "Content-Type": "application/x-amz-json-1.1",
    }
    if signed:
        headers.update(SIGNED)
    return headers


class StdlibCaller:
    """JSON 1.1 calls over one keep-alive ``http.client`` connection."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)

    def __call__(self, operation: str, body: dict[str, Any], signed: bool = False) -> Any:
        # A bytes body goes out in the same send() as the headers (no Nagle stall).
        payload = json.dumps(body).encode()
        self.connection.request("POST", "/", body=payload, headers=_headers(operation, signed))
        response = self.connection.getresponse()
        data = response.read()
        if response.status != 200:
            raise RuntimeError(f"{operation}: {response.status} {data[:200]!r}")
        return json.loads(data)

    def close(self) -> None:
        self.connection.close()


class SocketCaller:
    """JSON 1.1 calls over one keep-alive socket with HTTP/1.1 written and read by hand.

    The leanest honest client: it sends a complete request (Host, Content-Length, the target)
    in one ``sendall`` and reads the status line, every header and exactly Content-Length bytes
    of body; a ``Connection: close`` answer (moto's server sends one every time) makes the next
    call connect again. Responses without Content-Length are refused, not guessed.
    """

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.address = (parts.hostname or "", parts.port or 80)
        self.host = f"{self.address[0]}:{self.address[1]}".encode()
        self.sock: socket.socket | None = None
        self.reader: Any = None

    def _connect(self) -> tuple[socket.socket, Any]:
        if self.sock is None:
            self.sock = socket.create_connection(self.address, timeout=60)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.reader = self.sock.makefile("rb")
        return self.sock, self.reader

    def __call__(self, operation: str, body: dict[str, Any], signed: bool = False) -> Any:
        payload = json.dumps(body).encode()
        lines = [b"POST / HTTP/1.1", b"Host: " + self.host]
        lines += [
            f"{name}: {value}".encode() for name, value in _headers(operation, signed).items()
        ]
        lines += [b"Content-Length: " + str(len(payload)).encode(), b"", b""]
        sock, reader = self._connect()
        sock.sendall(b"\r\n".join(lines) + payload)
        status_line = reader.readline()
        if not status_line.startswith(b"HTTP/1."):
            raise RuntimeError(f"{operation}: not an HTTP response: {status_line[:100]!r}")
        status = int(status_line.split()[1])
        length: int | None = None
        close = False
        while (line := reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection":
                close = value.strip().lower() == b"close"
        if length is None:
            raise RuntimeError(f"{operation}: response without Content-Length")
        data = reader.read(length)
        if close:
            self.close()
        if status != 200:
            raise RuntimeError(f"{operation}: {status} {data[:200]!r}")
        return json.loads(data)

    def close(self) -> None:
        if self.sock is not None:
            self.reader.close()
            self.sock.close()
        self.sock = self.reader = None


class HttpxCaller:
    """JSON 1.1 calls through one ``httpx.Client`` (connection pool, keep-alive)."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=60)

    def __call__(self, operation: str, body: dict[str, Any], signed: bool = False) -> Any:
        response = self.http.post(
            "/", content=json.dumps(body), headers=_headers(operation, signed)
        )
        if response.status_code != 200:
            raise RuntimeError(f"{operation}: {response.status_code} {response.text[:200]}")
        return response.json()

    def close(self) -> None:
        self.http.close()


CALLERS = {"socket": SocketCaller, "http.client": StdlibCaller, "httpx": HttpxCaller}


def provision(url: str, users: int) -> tuple[str, str, list[str]]:
    """A pool, a client and ``users`` confirmed users."""
    call = StdlibCaller(url)
    try:
        pool_id = call("CreateUserPool", {"PoolName": "bench"}, True)["UserPool"]["Id"]
        client_id = call(
            "CreateUserPoolClient",
            {
                "UserPoolId": pool_id,
                "ClientName": "bench",
                "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            },
            True,
        )["UserPoolClient"]["ClientId"]
        names = []
        for index in range(users):
            name = f"user{index:05d}"
            created = {"UserPoolId": pool_id, "Username": name, "MessageAction": "SUPPRESS"}
            call("AdminCreateUser", created, True)
            password = {"UserPoolId": pool_id, "Username": name, "Password": PASSWORD}
            call("AdminSetUserPassword", {**password, "Permanent": True}, True)
            names.append(name)
    finally:
        call.close()
    return pool_id, client_id, names


def client_ephemeral() -> srp.ClientEphemeral:
    """The client's ``a`` and ``A = g^a``, ``g^a`` from the fixed-base table."""
    a = secrets.randbits(srp.PRIVATE_EXPONENT_BITS) | (1 << (srp.PRIVATE_EXPONENT_BITS - 1))
    return srp.ClientEphemeral(a=a, big_a=g_pow(a))


def client_key(
    eph: srp.ClientEphemeral, srp_b: str, salt: str, pool_name: str, user_id: str
) -> bytes:
    """The client's session key: the maths of ``srp.client_session_key``, ``g^x`` by table."""
    big_b = int(srp_b, 16)
    u = srp.compute_u(eph.big_a, big_b)
    x = srp.compute_x(salt, pool_name, user_id, PASSWORD)
    base = (big_b - srp.K * g_pow(x)) % srp.N
    return srp.derive_key(srp.powmod(base, eph.a + u * x, srp.N), u)


def _is_base64(text: str) -> bool:
    try:
        base64.b64decode(text, validate=True)
    except ValueError:
        return False
    return True


def sign_in(call: Caller, pool_name: str, client_id: str, name: str) -> bool:
    """One SRP sign-in; whether it ended with tokens."""
    eph = client_ephemeral()
    started = call(
        "InitiateAuth",
        {
            "ClientId": client_id,
            "AuthFlow": "USER_SRP_AUTH",
            "AuthParameters": {"USERNAME": name, "SRP_A": eph.srp_a},
        },
    )
    params = started["ChallengeParameters"]
    user_id = params.get("USER_ID_FOR_SRP", name)
    block = params["SECRET_BLOCK"]
    if not _is_base64(block):  # moto sends a UUID; sign its bytes (moto never checks)
        block = base64.b64encode(block.encode()).decode()
    key = client_key(eph, params["SRP_B"], params["SALT"], pool_name, user_id)
    timestamp = srp.format_timestamp(datetime.now(timezone.utc))
    signature = srp.compute_signature(key, pool_name, user_id, block, timestamp)
    body: dict[str, Any] = {
        "ClientId": client_id,
        "ChallengeName": "PASSWORD_VERIFIER",
        "ChallengeResponses": {
            "USERNAME": params.get("USERNAME", name),
            "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": signature,
            "TIMESTAMP": timestamp,
        },
    }
    if "Session" in started:  # moto wants its session back; AWS sends none
        body["Session"] = started["Session"]
    result = call("RespondToAuthChallenge", body)
    return "AuthenticationResult" in result


def sign_in_many(job: tuple[str, str, str, str, list[str]]) -> tuple[int, float]:
    """Worker: sign each user in with SRP; (how many got tokens, CPU seconds spent)."""
    client_kind, url, pool_id, client_id, names = job
    pool_name = srp.pool_name_of(pool_id)
    call = CALLERS[client_kind](url)
    started = time.process_time()
    try:
        done = sum(sign_in(call, pool_name, client_id, name) for name in names)
    finally:
        call.close()
    return done, time.process_time() - started


def machine_speed() -> float:
    """Milliseconds per 3072-bit ``powmod`` with a 256-bit exponent, best of a few: the host's
    speed right now (a shared VM's varies by tens of percent from minute to minute)."""
    base, exponent = srp.N - 12345, (1 << 255) | secrets.randbits(255)
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(10):
            srp.powmod(base, exponent, srp.N)
        best = min(best, (time.perf_counter() - started) / 10)
    return best * 1000


@dataclass(frozen=True)
class Trial:
    rate: float
    server_ms: float
    client_ms: float
    speed_ms: float


def wait_until_idle(pid: int, quiet_ms: float = 5.0, step: float = 0.1, most: float = 10.0) -> None:
    """Wait (at most ``most`` seconds) until the server spends under ``quiet_ms`` of CPU in a
    ``step``: background work the warm-up started, such as the key supply making a new RSA pair
    to replace the one the trial's new pool took, finishes before the clock starts, as the pool's
    own key generation always did. Timing it would charge one version for work the other (an
    older checkout without a key supply) did inside CreateUserPool."""
    deadline = time.monotonic() + most
    before = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(step)
        now = cpu_seconds(pid)
        if (now - before) * 1000 < quiet_ms:
            return
        before = now


def run_trial(server: Server, args: argparse.Namespace) -> Trial:
    """One trial on fresh users (a new pool: its signing keys are made during the warm-up, and
    the server is idle again before the timed part starts)."""
    pool_id, client_id, names = provision(server.url, args.users)
    clients, kind, url = args.clients, args.client, server.url
    jobs = [(kind, url, pool_id, client_id, names[i::clients]) for i in range(clients)]
    warm_up = [(kind, url, pool_id, client_id, names[:1])] * clients
    with multiprocessing.get_context("spawn").Pool(clients) as workers:
        workers.map(sign_in_many, warm_up)
        wait_until_idle(server.process.pid)
        speed = machine_speed()
        cpu_before = cpu_seconds(server.process.pid)
        started = time.perf_counter()
        results = workers.map(sign_in_many, jobs)
        elapsed = time.perf_counter() - started
        cpu_used = cpu_seconds(server.process.pid) - cpu_before
    signed_in = sum(done for done, _ in results)
    if signed_in != args.users:
        raise RuntimeError(f"only {signed_in} of {args.users} sign-ins succeeded")
    client_cpu = sum(cpu for _, cpu in results)
    users = args.users
    return Trial(users / elapsed, 1000 * cpu_used / users, 1000 * client_cpu / users, speed)


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    trials: list[Trial]

    def median(self) -> Trial:
        return Trial(
            statistics.median(t.rate for t in self.trials),
            statistics.median(t.server_ms for t in self.trials),
            statistics.median(t.client_ms for t in self.trials),
            statistics.median(t.speed_ms for t in self.trials),
        )

    def report(self) -> None:
        result = self.median()
        rates = ", ".join(f"{t.rate:.0f}" for t in self.trials)
        print(
            f"  {self.name:<27} {result.rate:6.1f} sign-ins/s (trials: {rates}, best "
            f"{max(t.rate for t in self.trials):.0f})  server {result.server_ms:5.2f} ms  "
            f"client {result.client_ms:5.2f} ms CPU per sign-in  "
            f"[powmod {result.speed_ms:.2f} ms]"
        )
        cores = os.cpu_count() or 1
        print(
            f"  {'':<27} capacity if the benchmark had the {cores} cores to itself: "
            f"{1000 * cores / (result.server_ms + result.client_ms):.0f}/s (CPU-bound), "
            f"{1000 / result.server_ms:.0f}/s (one server thread)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=400, help="sign-ins per trial")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client processes")
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--client", choices=sorted(CALLERS), default="socket")
    parser.add_argument("--no-moto", action="store_true", help="skip the moto_server run")
    parser.add_argument(
        "--local-arg", action="append", default=[], help="extra `pyamplify local start` argument"
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="CHECKOUT",
        help="also run the local Cognito of another checkout (e.g. a git worktree of an older "
        "commit), interleaved with this one, to compare two versions in one run",
    )
    args = parser.parse_args()
    print(
        f"SRP sign-ins (InitiateAuth + RespondToAuthChallenge), {args.users} distinct users, "
        f"{args.clients} client processes ({args.client}), median of {args.trials} trials "
        f"(servers alternate), {os.cpu_count()} CPUs, "
        f"modexp: {modexp.selected_engine()[0]}, load {os.getloadavg()[0]:.2f}"
    )
    servers = [Server("pyamplify local (real SRP)", *start_local(args.local_arg), [])]
    if args.baseline is not None:
        label = f"baseline {args.baseline.name}"
        servers.append(Server(label, *start_local(args.local_arg, args.baseline), []))
    try:
        if not args.no_moto:
            servers.append(Server("moto_server (fake SRP)", *start_moto([]), []))
        for _ in range(args.trials):
            for server in servers:
                server.trials.append(run_trial(server, args))
    finally:
        for server in servers:
            server.process.terminate()
            server.process.wait(timeout=20)
    for server in servers:
        server.report()
    print(
        f"  load average after the run: {os.getloadavg()[0]:.2f}; [powmod]: the host's speed "
        "during the trials (ms per 3072-bit powmod, 256-bit exponent; lower is faster)"
    )
    local = servers[0].median()
    for other in servers[1:]:
        peer = other.median()
        print(
            f"  ratio local/{other.name}: {local.rate / peer.rate:.3f}x throughput, "
            f"{local.server_ms / peer.server_ms:.3f}x server CPU per sign-in"
        )


if __name__ == "__main__":
    main()
