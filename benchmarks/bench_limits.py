"""The local Cognito under the review's resource probes, with its limits and without them.

Each probe runs against ``pyamplify local start --ephemeral`` in its own process (Linux: RSS
and open descriptors are read from ``/proc/<pid>``), first with the default limits, then, as
the peer in the same run, with the limits lifted (``--max-body 4GiB --max-connections 1000000
--request-timeout 100000``: what every server was before issue 15). Probes:

* **big body**: ``Content-Length`` of ``--body`` bytes (default 1 GiB; the unlimited server
  gets ``--peer-body``, default 256 MiB, to spare a shared machine), sent as fast as the server
  takes it; then a chunked body of ``--chunked`` bytes (default 300 MB) while another client
  times ``GET /_local/stats`` every 50 ms;
* **slowloris**: ``--slow`` connections (default 1,000) that send a partial request head and then
  one header line every 2 s; counted open after ``--slow-wait`` seconds (default 15);
* **flood**: ``--flood`` connections opened as fast as possible and held (default 15,000: the
  client needs a descriptor per connection too).

Reported: peak RSS (``VmHWM``) and RSS after each probe, peak open descriptors, answers seen.

    python benchmarks/bench_limits.py [--body BYTES] [--slow N] [--flood N]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx

UNLIMITED = ["--max-body", "4GiB", "--max-connections", "1000000", "--request-timeout", "100000"]


@dataclass
class Server:
    process: subprocess.Popen[str]
    url: str
    port: int
    peak_fds: int = 0
    _watching: bool = field(default=True, repr=False)

    def status(self, name: str) -> int:
        """A ``/proc/<pid>/status`` field in KiB (VmRSS, VmHWM)."""
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
        return 0

    def fds(self) -> int:
        try:
            return len(os.listdir(f"/proc/{self.process.pid}/fd"))
        except OSError:
            return 0

    def watch(self) -> None:
        while self._watching:
            self.peak_fds = max(self.peak_fds, self.fds())
            time.sleep(0.05)


@contextlib.contextmanager
def serve(extra: list[str]) -> Iterator[Server]:
    process = subprocess.Popen(
        [sys.executable, "-m", "pyamplify", "local", "start", "--ephemeral", "--port", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    url = process.stdout.readline().rsplit(" ", 1)[1].strip()
    server = Server(process, url, int(url.rsplit(":", 1)[1]))
    watcher = threading.Thread(target=server.watch, daemon=True)
    watcher.start()
    try:
        yield server
    finally:
        server._watching = False
        process.send_signal(signal.SIGINT)
        try:
            _out, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            _out, err = process.communicate()
        warnings = [line for line in err.splitlines() if "refused" in line or "closed" in line]
        if warnings:
            print(f"    server log: {warnings[0][:160]}")


def first_line(sock: socket.socket) -> str:
    sock.settimeout(30)
    data = b""
    with contextlib.suppress(OSError):
        while b"\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    return data.split(b"\r\n", 1)[0].decode("latin-1") or "(closed, no answer)"


def big_body(server: Server, size: int) -> str:
    head = (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: "
        f"AWSCognitoIdentityProviderService.SignUp\r\nContent-Length: {size}\r\n\r\n"
    ).encode()
    chunk = b"x" * (1 << 20)
    sent = 0
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(head)
        sock.settimeout(60)
        with contextlib.suppress(OSError):
            while sent < size:
                sock.sendall(chunk[: min(len(chunk), size - sent)])
                sent += min(len(chunk), size - sent)
        answer = first_line(sock)
    took = time.monotonic() - started
    return f"{answer!r} after {sent / 2**20:,.0f} MiB sent, {took:.2f}s"


def chunked_with_neighbour(server: Server, size: int) -> str:
    stop = threading.Event()
    delays: list[float] = []

    def neighbour() -> None:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            while not stop.is_set():
                started = time.monotonic()
                client.get("/_local/stats")
                delays.append(time.monotonic() - started)
                time.sleep(0.05)

    thread = threading.Thread(target=neighbour)
    thread.start()
    chunk = b"y" * (1 << 20)
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(
            b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: "
            b"AWSCognitoIdentityProviderService.SignUp\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        sock.settimeout(60)
        with contextlib.suppress(OSError):
            while sent < size:
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                sent += len(chunk)
            sock.sendall(b"0\r\n\r\n")
        answer = first_line(sock)
    time.sleep(0.5)
    stop.set()
    thread.join()
    worst = max(delays) * 1000 if delays else float("nan")
    median = statistics.median(delays) * 1000 if delays else float("nan")
    return (
        f"{answer!r} after {sent / 2**20:,.0f} MiB; neighbour GET median {median:.1f} ms, "
        f"worst {worst:.0f} ms"
    )


def slowloris(server: Server, count: int, wait: float) -> str:
    socks: list[socket.socket] = []
    for _ in range(count):
        with contextlib.suppress(OSError):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            sock.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            socks.append(sock)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        for sock in socks:
            with contextlib.suppress(OSError):
                sock.sendall(b"X-Slow: 1\r\n")
        time.sleep(2)
    open_now = timed_out = 0
    for sock in socks:
        sock.setblocking(False)
        try:
            answer = sock.recv(64)
            timed_out += answer.startswith(b"HTTP/1.1 408")
        except BlockingIOError:
            open_now += 1  # nothing to read and not closed: still open
        except OSError:
            pass
    for sock in socks:
        sock.close()
    return f"{len(socks)} opened; after {wait:.0f}s {open_now} still open, {timed_out} answered 408"


def flood(server: Server, count: int) -> str:
    socks: list[socket.socket] = []
    failures = 0
    started = time.monotonic()
    while len(socks) + failures < count and failures < 200:
        try:
            socks.append(socket.create_connection(("127.0.0.1", server.port), timeout=1))
        except OSError:
            failures += 1
    took = time.monotonic() - started
    time.sleep(1)
    answers: dict[str, int] = {}
    for sock in socks[-200:]:  # how the last ones were treated
        sock.setblocking(False)
        try:
            data = sock.recv(64)
            key = data.split(b"\r\n", 1)[0].decode() if data else "closed"
        except BlockingIOError:
            key = "held open"
        except OSError as error:
            key = type(error).__name__
        answers[key] = answers.get(key, 0) + 1
    probe = "served"
    try:
        httpx.get(server.url + "/_local/stats", timeout=5)
    except httpx.HTTPError as error:
        probe = f"not served ({type(error).__name__})"
    for sock in socks:
        sock.close()
    return (
        f"{len(socks):,} connected in {took:.1f}s ({failures} failed); last 200: {answers}; "
        f"a new client meanwhile: {probe}"
    )


def run(label: str, extra: list[str], args: argparse.Namespace, body: int) -> None:
    print(f"\n## {label}")
    for name, probe in (
        ("big body", lambda s: big_body(s, body)),
        ("chunked body + neighbour", lambda s: chunked_with_neighbour(s, args.chunked)),
        ("slowloris", lambda s: slowloris(s, args.slow, args.slow_wait)),
        ("flood", lambda s: flood(s, args.flood)),
    ):
        with serve(extra) as server:
            time.sleep(0.3)
            before = server.status("VmRSS")
            outcome = probe(server)
            time.sleep(0.5)
            peak, after = server.status("VmHWM") / 1024, server.status("VmRSS") / 1024
            print(
                f"- {name}: {outcome}\n    RSS {before / 1024:.0f} MiB before, peak {peak:,.0f} "
                f"MiB, after {after:,.0f} MiB; peak open fds {server.peak_fds:,}",
                flush=True,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--body", type=int, default=1 << 30)
    parser.add_argument("--peer-body", type=int, default=256 << 20)
    parser.add_argument("--chunked", type=int, default=300_000_000)
    parser.add_argument("--slow", type=int, default=1000)
    parser.add_argument("--slow-wait", type=float, default=15.0)
    parser.add_argument("--flood", type=int, default=15_000)
    parser.add_argument("--only", choices=("limited", "unlimited"), help="run one side")
    args = parser.parse_args()
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {os.getloadavg()[0]:.1f}")
    if args.only != "unlimited":
        run("default limits", [], args, args.body)
    if args.only != "limited":
        run("limits lifted (the peer: as before issue 15)", UNLIMITED, args, args.peer_body)


if __name__ == "__main__":
    main()
