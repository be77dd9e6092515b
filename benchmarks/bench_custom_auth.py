"""Custom sign-ins per second, and what the Lambda runtime adds to each trigger invocation.

A custom sign-in here is one round of the ``question`` example (``examples/triggers/``):
InitiateAuth(CUSTOM_AUTH) runs DefineAuthChallenge and CreateAuthChallenge, the client answers
the sum, RespondToAuthChallenge runs VerifyAuthChallengeResponse and DefineAuthChallenge again:
four invocations, two HTTP calls, one set of tokens. Every sign-in is a distinct, confirmed user.

Two local Cognitos run as subprocesses of this script (``--serve``), each on its own port:

* **runner**: the handlers mapped as ``pyamplify local start --triggers`` maps them, run by the
  local Lambda runtime (``question.py`` on a worker thread with JSON copies, log capture and a
  time limit; ``question.mjs`` in the long-lived ``node`` worker);
* **inline** (the peer): the same Python handler called as a plain function in the operation's
  own thread (the event passed as is, no Lambda runtime). Everything else is the same server,
  including the worker-thread hand-off every operation takes once triggers are mapped.

The client (one keep-alive ``http.client`` connection per thread) alternates blocks of sign-ins
between the sides so that machine load hits them alike, timing each sign-in on its own:

* sequential latency per sign-in, median and p99 (and the server's CPU time per sign-in, its
  Node.js worker included, which machine load disturbs less), for runner/Python, inline/Python and
  runner/Node.js; the Python runtime's cost per invocation is (runner - inline) / 4, the
  Node.js handler's extra cost per invocation over the same Python handler is
  (Node.js - Python) / 4, each at the same percentile;
* custom sign-ins per second with ``--clients`` concurrent clients, runner vs inline;
* and, in this process, ``runner.invoke`` of the same DefineAuthChallenge event on
  ``question.mjs`` vs ``question.py`` (the Node.js extra per invocation without HTTP around it).

Goals (issue 11): a Python trigger adds <= 0.2 ms per invocation, a Node.js one <= 2 ms.

    python benchmarks/bench_custom_auth.py [--users 50] [--blocks 16] [--clients 4]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "triggers"
ARN = "arn:aws:lambda:us-east-1:000000000000:function:{}"
PYTHON, NODE = ARN.format("question"), ARN.format("question-node")
TARGET = "AWSCognitoIdentityProviderService"
SIGNED = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/cognito-idp/x"}
PASSWORD = "Bench-Passw0rd!"
INVOCATIONS_PER_SIGN_IN = 4


# ---------------------------------------------------------------------- the servers


def serve(mode: str, port: int) -> None:
    """``--serve runner|inline``: a local Cognito until stdin closes.

    Every invocation is timed where the trigger room calls the runner (``functions.invoke``),
    per function ARN; a ``stats`` line on stdin is answered with the totals as one JSON line.
    """
    from pyamplify.local import LocalCognito
    from pyamplify.local.lambdas import FunctionRunner
    from pyamplify.local.lambdas.handlers import HandlerSpec, resolve

    totals: dict[str, list[float]] = {}

    class TimedRunner(FunctionRunner):
        """The local Lambda runtime, each invocation's wall time added to ``totals``."""

        def invoke(
            self,
            arn: str,
            event: dict[str, Any],
            *,
            timeout: float = 5.0,
            function_label: str = "",
        ) -> dict[str, Any]:
            start = time.perf_counter()
            try:
                return self.run(arn, event, timeout, function_label)
            finally:
                total = totals.setdefault(arn, [0, 0.0])
                total[0] += 1
                total[1] += time.perf_counter() - start

        def run(
            self, arn: str, event: dict[str, Any], timeout: float, function_label: str
        ) -> dict[str, Any]:
            return super().invoke(arn, event, timeout=timeout, function_label=function_label)

    class InlineRunner(TimedRunner):
        """The peer: mapped Python handlers called directly, in the calling thread."""

        def __init__(self) -> None:
            super().__init__()
            self._inline: dict[str, Callable[[dict[str, Any], Any], Any]] = {}

        def map(self, arn: str, handler: HandlerSpec, *, base_dir: Path | None = None) -> None:
            super().map(arn, handler, base_dir=base_dir)
            resolved = resolve(handler, base_dir)
            self._inline[arn] = resolved.function  # type: ignore[union-attr]

        def run(
            self, arn: str, event: dict[str, Any], timeout: float, function_label: str
        ) -> dict[str, Any]:
            result: dict[str, Any] = self._inline[arn](event, None)
            return result

    runner = InlineRunner() if mode == "inline" else TimedRunner()
    runner.map(PYTHON, str(EXAMPLES / "question.py") + ":handler")
    if mode == "runner" and shutil.which("node"):
        runner.map(NODE, str(EXAMPLES / "question.mjs") + ":handler")
    cognito = LocalCognito(port=port, triggers=runner).start()
    print("ready", flush=True)
    try:
        for line in sys.stdin:
            if line.strip() == "stats":
                print(json.dumps(totals), flush=True)
    finally:
        cognito.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(mode: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve", mode, "--port", str(port)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    if process.stdout.readline().strip() != "ready":
        raise RuntimeError(f"the {mode} server did not start")
    return process, f"127.0.0.1:{port}"


# ---------------------------------------------------------------------- the client


class Caller:
    """JSON 1.1 calls over one keep-alive connection."""

    def __init__(self, address: str) -> None:
        host, _, port = address.partition(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=60)

    def __call__(self, operation: str, body: Mapping[str, Any], signed: bool = False) -> Any:
        headers = {
            "X-Amz-Target": f"{TARGET}.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
            **(SIGNED if signed else {}),
        }
        self.connection.request("POST", "/", body=json.dumps(body).encode(), headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        if response.status != 200:
            raise RuntimeError(f"{operation}: {response.status} {data[:300]!r}")
        return json.loads(data)

    def close(self) -> None:
        self.connection.close()


class Side:
    """A pool on one server whose custom-auth triggers name one function, with fresh users."""

    def __init__(self, name: str, address: str, function: str, users: int) -> None:
        self.name = name
        self.address = address
        self.function = function
        call = Caller(address)
        pool = call(
            "CreateUserPool",
            {
                "PoolName": f"bench-{name}",
                "LambdaConfig": {
                    "DefineAuthChallenge": function,
                    "CreateAuthChallenge": function,
                    "VerifyAuthChallengeResponse": function,
                },
            },
            signed=True,
        )["UserPool"]["Id"]
        self.client_id = call(
            "CreateUserPoolClient",
            {"UserPoolId": pool, "ClientName": "bench", "ExplicitAuthFlows": ["ALLOW_CUSTOM_AUTH"]},
            signed=True,
        )["UserPoolClient"]["ClientId"]
        self.users: list[str] = []
        self._lock = threading.Lock()
        for n in range(users):
            username = f"{name}-{n}"
            call(
                "AdminCreateUser",
                {"UserPoolId": pool, "Username": username, "MessageAction": "SUPPRESS"},
                signed=True,
            )
            call(
                "AdminSetUserPassword",
                {"UserPoolId": pool, "Username": username, "Password": PASSWORD, "Permanent": True},
                signed=True,
            )
            self.users.append(username)
        call.close()

    def next_user(self) -> str:
        with self._lock:
            return self.users.pop()

    def sign_in(self, call: Caller) -> None:
        """One custom sign-in of a user who has not signed in yet."""
        username = self.next_user()
        challenge = call(
            "InitiateAuth",
            {
                "ClientId": self.client_id,
                "AuthFlow": "CUSTOM_AUTH",
                "AuthParameters": {"USERNAME": username},
            },
        )
        question = challenge["ChallengeParameters"]["question"]
        answer = sum(int(number) for number in re.findall(r"\d+", question))
        done = call(
            "RespondToAuthChallenge",
            {
                "ClientId": self.client_id,
                "ChallengeName": "CUSTOM_CHALLENGE",
                "Session": challenge["Session"],
                "ChallengeResponses": {"USERNAME": username, "ANSWER": str(answer)},
            },
        )
        if "AccessToken" not in done.get("AuthenticationResult", {}):
            raise RuntimeError(f"{self.name}: no tokens for {username}: {done}")


def timed_sign_ins(side: Side, count: int) -> list[float]:
    """Milliseconds of each of ``count`` sequential sign-ins on one connection."""
    call = Caller(side.address)
    samples = []
    try:
        for _ in range(count):
            start = time.perf_counter()
            side.sign_in(call)
            samples.append((time.perf_counter() - start) * 1000)
    finally:
        call.close()
    return samples


def throughput(side: Side, count: int, clients: int) -> float:
    """Sign-ins per second with ``clients`` threads sharing ``count`` sign-ins."""
    per_client = count // clients

    def work() -> None:
        call = Caller(side.address)
        try:
            for _ in range(per_client):
                side.sign_in(call)
        finally:
            call.close()

    threads = [threading.Thread(target=work) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return per_client * clients / (time.perf_counter() - start)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (the Node.js worker), from /proc."""
    total = 0.0
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        pids += [int(child) for child in children]
    ticks = os.sysconf("SC_CLK_TCK")
    for process in pids:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a worker that just ended
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def invoke_totals(process: subprocess.Popen[str], arn: str) -> tuple[int, float]:
    """``(invocations, seconds)`` the server spent in ``functions.invoke`` for ``arn``."""
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("stats\n")
    process.stdin.flush()
    count, seconds = json.loads(process.stdout.readline()).get(arn, [0, 0.0])
    return int(count), float(seconds)


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def verdict(value: float, goal: float) -> str:
    return "meets" if value <= goal else "MISSES"


# ---------------------------------------------------------------------- runner level, in process


def invocation_latency(calls: int, blocks: int) -> tuple[list[float], list[float]] | None:
    """``runner.invoke`` of one DefineAuthChallenge event on question.mjs vs question.py."""
    if shutil.which("node") is None:
        return None
    from pyamplify.local.lambdas import FunctionRunner

    runner = FunctionRunner(
        {
            PYTHON: str(EXAMPLES / "question.py") + ":handler",
            NODE: str(EXAMPLES / "question.mjs") + ":handler",
        }
    )
    event = {
        "version": "1",
        "triggerSource": "DefineAuthChallenge_Authentication",
        "region": "us-east-1",
        "userPoolId": "us-east-1_AbCdEfGhI",
        "userName": "bench-user",
        "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "abc123"},
        "request": {
            "userAttributes": {
                "sub": "5b4e7f0a-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
                "email": "bench@example.com",
                "email_verified": "true",
                "cognito:user_status": "CONFIRMED",
            },
            "session": [
                {
                    "challengeName": "CUSTOM_CHALLENGE",
                    "challengeResult": False,
                    "challengeMetadata": "QUESTION-1",
                }
            ],
        },
        "response": {},
    }
    python: list[float] = []
    node: list[float] = []
    try:
        for arn in (PYTHON, NODE):  # warm-up
            for _ in range(200):
                runner.invoke(arn, event)
        for _ in range(blocks):
            for arn, samples in ((PYTHON, python), (NODE, node)):
                for _ in range(calls):
                    start = time.perf_counter()
                    runner.invoke(arn, event)
                    samples.append((time.perf_counter() - start) * 1000)
    finally:
        runner.close()
    return python, node


# ---------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="sign-ins per side and block")
    parser.add_argument("--blocks", type=int, default=16, help="alternating blocks")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients (throughput)")
    parser.add_argument("--invocations", type=int, default=250, help="runner.invoke per block")
    parser.add_argument("--serve", choices=("runner", "inline"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return

    has_node = shutil.which("node") is not None
    per_side = args.users * args.blocks + 50  # + warm-up
    runner_process, runner_address = start_server("runner")
    inline_process, inline_address = start_server("inline")
    try:
        started = time.perf_counter()
        sides = {
            "runner/Python": Side("runner-py", runner_address, PYTHON, per_side * 2),
            "inline/Python": Side("inline-py", inline_address, PYTHON, per_side * 2),
        }
        if has_node:
            sides["runner/Node.js"] = Side("runner-node", runner_address, NODE, per_side)
        print(
            f"{len(sides)} pools, {sum(len(s.users) for s in sides.values())} users made in "
            f"{time.perf_counter() - started:.1f} s; load average {os.getloadavg()[0]:.2f}"
        )
        for side in sides.values():  # warm-up: imports, the node worker, connections
            timed_sign_ins(side, 50)

        latencies: dict[str, list[float]] = {name: [] for name in sides}
        cpu: dict[str, float] = dict.fromkeys(sides, 0.0)
        invoked: dict[str, list[float]] = {name: [0, 0.0] for name in sides}
        process_of = {runner_address: runner_process, inline_address: inline_process}
        for _ in range(args.blocks):
            for name, side in sides.items():
                process = process_of[side.address]
                before = cpu_seconds(process.pid), invoke_totals(process, side.function)
                latencies[name] += timed_sign_ins(side, args.users)
                after = cpu_seconds(process.pid), invoke_totals(process, side.function)
                cpu[name] += after[0] - before[0]
                invoked[name][0] += after[1][0] - before[1][0]
                invoked[name][1] += after[1][1] - before[1][1]
        print(
            f"\nSequential custom sign-ins ({args.blocks} blocks x {args.users} per side, "
            "alternating; one round = 4 invocations, 2 HTTP calls)"
        )
        cpu_ms = {name: cpu[name] * 1000 / len(latencies[name]) for name in sides}
        in_invoke = {name: invoked[name][1] * 1000 / invoked[name][0] for name in sides}
        for name, samples in latencies.items():
            print(
                f"  {name:<16} median {statistics.median(samples):7.3f} ms  "
                f"p99 {p99(samples):7.3f} ms  {1000 / statistics.mean(samples):6.0f} sign-ins/s  "
                f"server CPU {cpu_ms[name]:.2f} ms/sign-in  "
                f"in functions.invoke {in_invoke[name]:.3f} ms/invocation (mean)"
            )
        runner_py, inline_py = latencies["runner/Python"], latencies["inline/Python"]
        added_median = (
            statistics.median(runner_py) - statistics.median(inline_py)
        ) / INVOCATIONS_PER_SIGN_IN
        added_p99 = (p99(runner_py) - p99(inline_py)) / INVOCATIONS_PER_SIGN_IN
        added_cpu = (cpu_ms["runner/Python"] - cpu_ms["inline/Python"]) / INVOCATIONS_PER_SIGN_IN
        print(
            f"  Python runtime per invocation (runner - inline) / 4: median {added_median:.3f} ms"
            f" ({verdict(added_median, 0.2)} the 0.2 ms goal), p99 {added_p99:.3f} ms, "
            f"server CPU {added_cpu:.3f} ms"
        )
        added_in_invoke = in_invoke["runner/Python"] - in_invoke["inline/Python"]
        print(
            f"  Python runtime per invocation, timed inside the server (runner - inline): "
            f"{added_in_invoke:.3f} ms ({verdict(added_in_invoke, 0.2)} the 0.2 ms goal)"
        )
        if has_node:
            node_samples = latencies["runner/Node.js"]
            extra_median = (
                statistics.median(node_samples) - statistics.median(runner_py)
            ) / INVOCATIONS_PER_SIGN_IN
            extra_p99 = (p99(node_samples) - p99(runner_py)) / INVOCATIONS_PER_SIGN_IN
            extra_cpu = (
                cpu_ms["runner/Node.js"] - cpu_ms["runner/Python"]
            ) / INVOCATIONS_PER_SIGN_IN
            print(
                f"  Node.js extra per invocation (Node.js - Python) / 4: median "
                f"{extra_median:.3f} ms ({verdict(extra_median, 2.0)} the 2 ms goal), "
                f"p99 {extra_p99:.3f} ms, server + worker CPU {extra_cpu:.3f} ms"
            )
            extra_in_invoke = in_invoke["runner/Node.js"] - in_invoke["runner/Python"]
            print(
                f"  Node.js extra per invocation, timed inside the server (Node.js - Python): "
                f"{extra_in_invoke:.3f} ms ({verdict(extra_in_invoke, 2.0)} the 2 ms goal)"
            )

        count = args.users * args.blocks // 2
        rates: dict[str, list[float]] = {"runner/Python": [], "inline/Python": []}
        for _ in range(2):
            for name in rates:
                rates[name].append(throughput(sides[name], count // 2, args.clients))
        print(f"\nThroughput, {args.clients} concurrent clients (2 alternating rounds each)")
        for name, values in rates.items():
            print(f"  {name:<16} {statistics.mean(values):6.0f} custom sign-ins/s")
        ratio = statistics.mean(rates["runner/Python"]) / statistics.mean(rates["inline/Python"])
        print(f"  runner / inline: {ratio:.2f}")
    finally:
        for process in (runner_process, inline_process):
            assert process.stdin is not None
            process.stdin.close()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()

    measured = invocation_latency(args.invocations, args.blocks)
    if measured is None:
        print("\nrunner.invoke Node.js vs Python: skipped (no node on PATH)")
        return
    python, node = measured
    print(
        f"\nrunner.invoke, the same DefineAuthChallenge event ({args.blocks} blocks x "
        f"{args.invocations}, alternating)"
    )
    for name, samples in (("question.py", python), ("question.mjs", node)):
        print(
            f"  {name:<16} median {statistics.median(samples):7.3f} ms  p99 {p99(samples):7.3f} ms"
        )
    extra_median = statistics.median(node) - statistics.median(python)
    print(
        f"  Node.js extra per invocation: median {extra_median:.3f} ms "
        f"({verdict(extra_median, 2.0)} the 2 ms goal), p99 {p99(node) - p99(python):.3f} ms"
    )


if __name__ == "__main__":
    main()
