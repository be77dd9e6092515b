"""Process wall time of ``pyamplify auth credentials --format process`` on a cache hit vs
``python -c "import boto3"``.

The AWS CLI and SDKs run a profile's ``credential_process`` every time they need credentials,
so a cache hit must cost little more than starting Python. The script starts a local Cognito
(in memory), creates a user pool and an identity pool, signs a user in and fetches credentials
once (filling the cache in a temporary data dir), then runs both commands alternately (so
machine load hits both alike) and compares the medians. It also checks that the cache hits made
no call to the local Cognito.

    python benchmarks/bench_credentials.py [--runs 21]

Target (issue 5): credentials on a cache hit <= 0.25x import boto3.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PYTHON = sys.executable
PYAMPLIFY = str(Path(sys.executable).with_name("pyamplify"))
PEER = 'python -c "import boto3"'
OURS = "pyamplify auth credentials --format process (cache hit)"


def wall_ms(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    return (time.perf_counter() - start) * 1000


def cached_session_us(auth: object) -> float:
    """Median µs per in-process ``fetch_auth_session()`` whose tokens and credentials are fresh."""
    fetch = auth.fetch_auth_session  # type: ignore[attr-defined]
    fetch()
    loops, medians = 20_000, []
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(loops):
            fetch()
        medians.append((time.perf_counter() - start) / loops * 1e6)
    return statistics.median(medians)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()

    from pyamplify.auth import Auth
    from pyamplify.config import write_config
    from pyamplify.local import LocalCognito
    from pyamplify.local.testing import provision_identity_pool, provision_pool
    from pyamplify.storage import FileStore

    with (
        tempfile.TemporaryDirectory(prefix="pyamplify-bench-") as scratch,
        LocalCognito() as cognito,
    ):
        workdir = Path(scratch)
        pool = provision_pool(cognito.url, name="bench")
        _, config = provision_identity_pool(cognito.url, pool)
        path = workdir / "amplifyconfiguration.json"
        write_config(config, path)
        with Auth(path, store=FileStore(workdir / "data" / "sessions")) as auth:
            password = "Bench-Password-123"
            auth.sign_up("bench", password, attributes={"email": "b@example.com"})
            auth.confirm_sign_up("bench", str(cognito.outbox("bench")[-1]["code"]))
            auth.sign_in("bench", password)
            auth.fetch_aws_credentials()  # fills the cache the command reads
            in_process_us = cached_session_us(auth)

        env = {**os.environ, "PYAMPLIFY_DATA_DIR": str(workdir / "data"), "PYAMPLIFY_STORE": "file"}
        commands = {
            "python -c pass (interpreter floor)": [PYTHON, "-c", "pass"],
            OURS: [PYAMPLIFY, "auth", "credentials", "--format", "process", "--config", str(path)],
            PEER: [PYTHON, "-c", "import boto3"],
        }
        for command in commands.values():
            for _ in range(args.warmup):
                wall_ms(command, env)
        calls = sum(cognito.calls.values())
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, command in commands.items():
                samples[name].append(wall_ms(command, env))
        network = sum(cognito.calls.values()) - calls

    peer = statistics.median(samples[PEER])
    print(f"Process wall time, {args.runs} runs each after {args.warmup} warm-up runs")
    print(f"{'command':<58} {'median ms':>10} {'min':>7} {'max':>7} {'vs boto3':>9}")
    for name, values in samples.items():
        median = statistics.median(values)
        print(
            f"{name:<58} {median:>10.1f} {min(values):>7.1f} {max(values):>7.1f} "
            f"{median / peer:>8.3f}x"
        )
    ratio = statistics.median(samples[OURS]) / peer
    print(f"in-process fetch_auth_session() with fresh credentials: {in_process_us:.2f} µs/call")
    print(f"calls served by the local Cognito during the timed runs: {network} (expected 0)")
    print(
        f"ratio credentials (cache hit) / import boto3 = {ratio:.3f} (target <= 0.25): "
        f"{'PASS' if ratio <= 0.25 and network == 0 else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
