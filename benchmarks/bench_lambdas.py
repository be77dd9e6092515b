"""What the local Lambda runtime adds per invocation: Python handlers vs calling the function,
Node.js handlers through the worker vs a bare ``node`` JSON-lines round trip.

Each side gets the same Cognito-sized event (a DefineAuthChallenge event, ~0.6 KB) and a
trivial handler that fills ``response`` and returns the event. Measurements alternate between
the two sides in blocks, so machine load hits both alike; every invocation is timed on its own
(``perf_counter``) and the script prints medians, p99s, invocations per second and the added
latency (ours minus the peer, at the same percentile).

* Python: ``runner.invoke(arn, event)`` vs ``handler(deepcopy(event), context)`` (the copy is
  what a runtime must do at least; the runner uses a JSON round trip, which is also what makes
  the event and the answer Lambda's).
* Node.js: ``runner.invoke`` of ``export const handler = async (event) => {...}`` vs a bare
  ``node`` script that reads a JSON line, parses it, sets a field and writes it back, driven by
  a blocking ``readline`` (the least a pipe round trip to a process can cost).

    python benchmarks/bench_lambdas.py [--calls 2000] [--blocks 10]

Goal (issue 11): a Python handler adds <= 0.2 ms per invocation, a Node.js handler <= 2 ms.
"""

from __future__ import annotations

import argparse
import copy
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyamplify.local.lambdas import FunctionRunner
from pyamplify.local.lambdas.context import LambdaContext, parse_function_arn

ARN = "arn:aws:lambda:us-east-1:000000000000:function:bench-{}"
EVENT: dict[str, Any] = {
    "version": "1",
    "triggerSource": "DefineAuthChallenge_Authentication",
    "region": "us-east-1",
    "userPoolId": "us-east-1_AbCdEfGhI",
    "userName": "5b4e7f0a-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
    "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": "7abc123def456"},
    "request": {
        "userAttributes": {
            "sub": "5b4e7f0a-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
            "cognito:user_status": "CONFIRMED",
            "email_verified": "true",
            "email": "alice@example.com",
        },
        "session": [
            {"challengeName": "SRP_A", "challengeResult": True, "challengeMetadata": None},
            {"challengeName": "PASSWORD_VERIFIER", "challengeResult": True},
        ],
        "userNotFound": False,
    },
    "response": {},
}
NODE_HANDLER = """export const handler = async (event) => {
  event.response = { challengeName: "CUSTOM_CHALLENGE", issueTokens: false };
  event.response.failAuthentication = false;
  return event;
};
"""
BARE_NODE = """const readline = require("node:readline");
const lines = readline.createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const event = JSON.parse(line);
  event.response = { challengeName: "CUSTOM_CHALLENGE", issueTokens: false };
  event.response.failAuthentication = false;
  process.stdout.write(JSON.stringify(event) + "\\n");
});
"""


def python_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    event["response"] = {
        "challengeName": "CUSTOM_CHALLENGE",
        "issueTokens": False,
        "failAuthentication": False,
    }
    return event


def timed(call: Callable[[], Any], calls: int) -> list[float]:
    """Milliseconds of each of ``calls`` calls."""
    samples = []
    clock = time.perf_counter
    for _ in range(calls):
        start = clock()
        call()
        samples.append((clock() - start) * 1000)
    return samples


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def compare(
    title: str,
    ours_name: str,
    ours: Callable[[], Any],
    peer_name: str,
    peer: Callable[[], Any],
    calls: int,
    blocks: int,
    goal_ms: float,
) -> None:
    for call in (ours, peer):  # warm-up
        timed(call, min(200, calls))
    mine: list[float] = []
    theirs: list[float] = []
    for _ in range(blocks):
        mine += timed(ours, calls)
        theirs += timed(peer, calls)
    print(f"\n{title} ({blocks} blocks x {calls} calls each, alternating)")
    for name, samples in ((ours_name, mine), (peer_name, theirs)):
        per_second = len(samples) / (sum(samples) / 1000)
        print(
            f"  {name:<44} median {statistics.median(samples):8.4f} ms  "
            f"p99 {p99(samples):8.4f} ms  {per_second:9.0f}/s"
        )
    added_median = statistics.median(mine) - statistics.median(theirs)
    added_p99 = p99(mine) - p99(theirs)
    verdict = "meets" if added_median <= goal_ms else "MISSES"
    print(
        f"  added per invocation: median {added_median:.4f} ms, p99 {added_p99:.4f} ms "
        f"({verdict} the {goal_ms} ms goal); ratio of medians "
        f"{statistics.median(mine) / statistics.median(theirs):.1f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls per block")
    parser.add_argument("--blocks", type=int, default=10, help="alternating blocks per side")
    args = parser.parse_args()

    runner = FunctionRunner({ARN.format("python"): python_handler})
    context = LambdaContext(parse_function_arn(ARN.format("python")), "request-id", 1e18)
    compare(
        "Python handler",
        "runner.invoke (worker thread, JSON copies)",
        lambda: runner.invoke(ARN.format("python"), EVENT),
        "handler(deepcopy(event), context)",
        lambda: python_handler(copy.deepcopy(EVENT), context),
        args.calls,
        args.blocks,
        0.2,
    )

    node = shutil.which("node")
    if node is None:
        print("\nNode.js: skipped (no node on PATH)")
        runner.close()
        return
    with tempfile.TemporaryDirectory() as folder:
        handler_file = Path(folder) / "index.mjs"
        handler_file.write_text(NODE_HANDLER)
        runner.map(ARN.format("node"), f"{handler_file}:handler")
        bare = subprocess.Popen(
            [node, "-e", BARE_NODE], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        assert bare.stdin is not None and bare.stdout is not None
        stdin, stdout = bare.stdin, bare.stdout

        def round_trip() -> Any:
            stdin.write(json_line(EVENT))
            stdin.flush()
            return stdout.readline()

        try:
            compare(
                "Node.js handler",
                "runner.invoke (long-lived worker)",
                lambda: runner.invoke(ARN.format("node"), EVENT),
                "bare node JSON-lines round trip",
                round_trip,
                max(1, args.calls // 4),
                args.blocks,
                2.0,
            )
        finally:
            stdin.close()
            bare.wait(5)
            runner.close()


def json_line(value: Any) -> bytes:
    import json

    return json.dumps(value).encode() + b"\n"


if __name__ == "__main__":
    sys.exit(main())
