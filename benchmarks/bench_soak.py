"""A soak of the client under injected faults (issue 15): sign-ins attempted / succeeded,
refreshes, and sessions lost, for three app-client set-ups.

A local Cognito in this process injects faults into every Cognito call (``--faults``, default:
6% throttling, 4% 5xx, 3% dropped connections before the operation, 2% dropped after it (the
answer lost), 0-20 ms of latency on 30% of calls; seeded). Worker threads, one per user, repeat
sign-in (SRP), forced refreshes and sign-out with pyamplify's ``Auth`` (retries with jittered
backoff, one-shot calls repeated only when they certainly did not run). Set-ups: no refresh
token rotation; rotation with a 30 s grace period; rotation with 0 s (Cognito's default), where
a lost refresh answer costs the session (the retry presents a token already replaced).

    python benchmarks/bench_soak.py [--seconds 60] [--users 8] [--faults SPEC]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.auth.soak import make_pool, run_soak

from pyamplify.local import LocalCognito

DEFAULT_FAULTS = "throttle=6%,error=4%,drop=3%,drop-after=2%,latency=0-20ms@0.3,seed=2026"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="per set-up")
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--refreshes", type=int, default=3, help="forced refreshes per sign-in")
    parser.add_argument("--faults", default=DEFAULT_FAULTS)
    args = parser.parse_args()
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, faults {args.faults}, "
        f"{args.users} users x {args.seconds:g}s per set-up, load {os.getloadavg()[0]:.1f}"
    )
    print(
        "| set-up | calls | faults injected | sign-ins ok / tried | sign-in failures "
        "| refreshes ok / tried | refresh failures (session kept) | sessions lost |"
    )
    print("|---|---:|---|---:|---|---:|---|---:|")
    with LocalCognito() as cognito:
        for label, grace in (
            ("no rotation", None),
            ("rotation, 30 s grace", 30),
            ("rotation, 0 s grace", 0),
        ):
            pool, names = make_pool(cognito, args.users, grace)
            result = run_soak(
                cognito,
                pool,
                names,
                seconds=args.seconds,
                faults=args.faults,
                refreshes=args.refreshes,
            )
            faults = ", ".join(f"{k} {v}" for k, v in sorted(result.faults.items()))
            sign_in_failures = (
                ", ".join(f"{k} {v}" for k, v in result.sign_in_failures.most_common()) or "-"
            )
            refresh_failures = (
                ", ".join(f"{k} {v}" for k, v in result.refresh_failures.most_common()) or "-"
            )
            ok = f"{result.signed_in:,} / {result.sign_ins:,}"
            print(
                f"| {label} | {result.calls:,} | {faults} | {ok} "
                f"({result.signed_in / max(result.sign_ins, 1):.1%}) | {sign_in_failures} "
                f"| {result.refreshed:,} / {result.refreshes:,} | {refresh_failures} "
                f"| **{result.sessions_lost}** |",
                flush=True,
            )


if __name__ == "__main__":
    main()
