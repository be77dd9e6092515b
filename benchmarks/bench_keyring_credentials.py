"""Process wall time of a cached ``pyamplify auth credentials --format process`` on the OS
keyring store vs the file store, in the same run.

The AWS CLI runs ``credential_process`` for every credential lookup, so a cached answer must be
as fast on a desktop (sessions in the keyring) as anywhere else. The script starts a local
Cognito (in memory) with a user pool and an identity pool, and a real Secret Service (Debian's
gnome-keyring on a private D-Bus session bus, as the tests use it: ``scripts/setup.sh``
installs it), signs the same user in twice from new processes, once in a "desktop shell" (the
bus set, no ``PYAMPLIFY_STORE``: the keyring is chosen automatically) and once with
``PYAMPLIFY_STORE=file``, each with its own data dir, then runs the commands alternately (so
machine load hits them alike) and compares medians. For reference it also times the full
command on the keyring store (the fast path skipped: what every call cost before the fast path
could read the keyring store's credentials cache). It checks that the timed cache hits made no
call to the local Cognito.

    python benchmarks/bench_keyring_credentials.py [--runs 21]

Target (issue 16): keyring-store cache hit <= 2x the file store's.
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
FILE = "credentials, file store (cache hit)"
KEYRING = "credentials, keyring store (cache hit)"
FULL = "credentials, keyring store, full command (no fast path)"
PASSWORD = "Bench-Password-123"


def wall_ms(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from desktop_keyring import SecretService, unavailable
    from pyamplify.auth import Auth
    from pyamplify.config import write_config
    from pyamplify.local import LocalCognito
    from pyamplify.local.testing import provision_identity_pool, provision_pool
    from pyamplify.storage import MemoryStore

    reason = unavailable()
    if reason is not None:
        sys.exit(f"bench_keyring_credentials: {reason}")
    with (
        tempfile.TemporaryDirectory(prefix="pyamplify-bench-") as scratch,
        LocalCognito() as cognito,
        SecretService(Path(scratch) / "secret-service") as keyring,
    ):
        workdir = Path(scratch)
        pool = provision_pool(cognito.url, name="bench")
        _, config = provision_identity_pool(cognito.url, pool)
        path = workdir / "amplifyconfiguration.json"
        write_config(config, path)
        with Auth(path, store=MemoryStore()) as auth:
            auth.sign_up("bench", PASSWORD, attributes={"email": "b@example.com"})
            auth.confirm_sign_up("bench", str(cognito.outbox("bench")[-1]["code"]))

        base = {k: v for k, v in os.environ.items() if not k.startswith("PYAMPLIFY_")}
        base.pop("PYTHON_KEYRING_BACKEND", None)
        desktop = {**keyring.env(base), "PYAMPLIFY_DATA_DIR": str(workdir / "desk")}
        files = {**base, "PYAMPLIFY_DATA_DIR": str(workdir / "files"), "PYAMPLIFY_STORE": "file"}
        for env in (desktop, files):  # sign-in also fetches and caches the AWS credentials
            subprocess.run(
                [PYAMPLIFY, "auth", "sign-in", "bench", "--password-stdin", "--config", str(path)],
                input=PASSWORD + "\n",
                text=True,
                check=True,
                capture_output=True,
                env=env,
            )
        whoami = subprocess.run(
            [PYAMPLIFY, "auth", "whoami", "--json", "--config", str(path)],
            capture_output=True,
            text=True,
            check=True,
            env=desktop,
        )
        assert '"kind": "keyring"' in whoami.stdout, whoami.stdout

        credentials = ["auth", "credentials", "--format", "process", "--config", str(path)]
        full = f"from pyamplify.cli.main import _main; raise SystemExit(_main({credentials!r}))"
        commands = {
            "python -c pass (interpreter floor)": ([PYTHON, "-c", "pass"], files),
            FILE: ([PYAMPLIFY, *credentials], files),
            KEYRING: ([PYAMPLIFY, *credentials], desktop),
            FULL: ([PYTHON, "-c", full], desktop),
        }
        for command, env in commands.values():
            for _ in range(args.warmup):
                wall_ms(command, env)
        calls = sum(cognito.calls.values())
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, (command, env) in commands.items():
                samples[name].append(wall_ms(command, env))
        network = sum(cognito.calls.values()) - calls

    peer = statistics.median(samples[FILE])
    print(f"Process wall time, {args.runs} runs each after {args.warmup} warm-up runs")
    print(f"{'command':<58} {'median ms':>10} {'min':>7} {'max':>7} {'vs file':>8}")
    for name, values in samples.items():
        median = statistics.median(values)
        print(
            f"{name:<58} {median:>10.1f} {min(values):>7.1f} {max(values):>7.1f} "
            f"{median / peer:>7.2f}x"
        )
    ratio = statistics.median(samples[KEYRING]) / peer
    print(f"calls served by the local Cognito during the timed runs: {network} (expected 0)")
    print(
        f"ratio keyring store / file store (cache hits) = {ratio:.3f} (target <= 2): "
        f"{'PASS' if ratio <= 2 and network == 0 else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
