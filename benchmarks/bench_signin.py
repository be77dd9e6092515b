"""In-process sign-in wall time against one local Cognito: pyamplify vs pycognito; and the cost
of a cached ``fetch_auth_session``.

Both clients sign the same confirmed user in to the same pool on the same local Cognito
(in-process, loopback HTTP), alternating run by run so machine load hits both alike. Clients
are built once (connection pools warm, boto3 client made) and only the sign-in call is timed:

* ``pyamplify Auth.sign_in`` (USER_SRP_AUTH: InitiateAuth + RespondToAuthChallenge; the session
  is stored in a MemoryStore; sign-out between runs is not timed);
* ``pycognito Cognito.authenticate`` (the same two calls, then PyJWT verification of the tokens
  against the pool's JWKS, which pycognito always does);
* ``pycognito AWSSRP.authenticate_user`` (the two calls only: the fairest like-for-like).

Then ``fetch_auth_session()`` on a fresh session, sync and async, in microseconds per call.

    python benchmarks/bench_signin.py [--runs 30]

Targets (issue 4): sign-in lower than pycognito; cached fetch_auth_session <= 20 us per call.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Callable

PASSWORD = "Bench-Passw0rd-1"


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--calls", type=int, default=200_000, help="cached fetches to time")
    args = parser.parse_args()

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")  # boto3 wants some credentials around
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    import pycognito
    from pycognito.aws_srp import AWSSRP

    from pyamplify.auth import AsyncAuth, Auth
    from pyamplify.local import LocalCognito
    from pyamplify.local.testing import provision_pool
    from pyamplify.storage import MemoryStore

    # issuer="local": tokens name the served URL, which is what pycognito verifies against.
    with LocalCognito(issuer="local") as cognito:
        pool = provision_pool(cognito.url, name="bench")
        auth = Auth(pool.config, store=MemoryStore())
        auth.sign_up("bench", PASSWORD, attributes={"email": "bench@example.com"})
        auth.confirm_sign_up("bench", cognito.outbox("bench")[-1]["code"])
        peer = pycognito.Cognito(
            pool.pool_id,
            pool.client_id,
            user_pool_region="us-east-1",
            username="bench",
            boto3_client_kwargs={"endpoint_url": cognito.url},
        )
        srp_only = AWSSRP(
            username="bench",
            password=PASSWORD,
            pool_id=pool.pool_id,
            client_id=pool.client_id,
            client=peer.client,
        )

        def ours() -> None:
            auth.sign_in("bench", PASSWORD)

        def theirs() -> None:
            peer.authenticate(password=PASSWORD)

        def theirs_srp_only() -> None:
            srp_only.authenticate_user()

        candidates: dict[str, Callable[[], None]] = {
            "pyamplify Auth.sign_in": ours,
            "pycognito Cognito.authenticate": theirs,
            "pycognito AWSSRP.authenticate_user": theirs_srp_only,
        }
        samples: dict[str, list[float]] = {name: [] for name in candidates}
        for run in range(args.runs + 2):
            for name, sign_in in candidates.items():
                start = time.perf_counter()
                sign_in()
                elapsed = time.perf_counter() - start
                if run >= 2:  # the first two runs warm caches and connections
                    samples[name].append(elapsed)
                if name.startswith("pyamplify"):
                    auth.sign_out()

        print(f"Sign-in wall time, {args.runs} runs each (in-process, loopback local Cognito)")
        ours_median = _median_ms(samples["pyamplify Auth.sign_in"])
        print(f"{'client':<38} {'median ms':>10} {'min':>7} {'max':>7} {'pyamplify/it':>13}")
        for name, values in samples.items():
            median = _median_ms(values)
            print(
                f"{name:<38} {median:>10.2f} {min(values) * 1000:>7.2f} "
                f"{max(values) * 1000:>7.2f} {ours_median / median:>12.3f}x"
            )

        # Cached fetch_auth_session: a signed-in session, far from expiry.
        auth.sign_in("bench", PASSWORD)
        auth.fetch_auth_session()
        fetch = auth.fetch_auth_session
        rounds = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(args.calls):
                fetch()
            rounds.append((time.perf_counter() - start) / args.calls * 1e6)
        sync_us = min(rounds)

        async def async_rounds() -> float:
            async_auth = AsyncAuth(pool.config, store=auth._core.store)
            await async_auth.fetch_auth_session()
            best = float("inf")
            for _ in range(5):
                start = time.perf_counter()
                for _ in range(args.calls):
                    await async_auth.fetch_auth_session()
                best = min(best, (time.perf_counter() - start) / args.calls * 1e6)
            await async_auth.aclose()
            return best

        async_us = asyncio.run(async_rounds())
        auth.sign_out()
        auth.close()

    print()
    print(f"Cached fetch_auth_session, best of 5 rounds of {args.calls} calls")
    print(f"  Auth.fetch_auth_session()            {sync_us:8.3f} us/call")
    print(f"  await AsyncAuth.fetch_auth_session() {async_us:8.3f} us/call")
    versus = ours_median / _median_ms(samples["pycognito Cognito.authenticate"])
    versus_srp = ours_median / _median_ms(samples["pycognito AWSSRP.authenticate_user"])
    verdict_signin = "PASS" if versus < 1 and versus_srp < 1 else "FAIL"
    verdict_cached = "PASS" if max(sync_us, async_us) <= 20 else "FAIL"
    print(
        f"sign-in ratio vs Cognito.authenticate = {versus:.3f}, vs AWSSRP = {versus_srp:.3f} "
        f"(target < 1): {verdict_signin}"
    )
    print(f"cached fetch_auth_session <= 20 us: {verdict_cached}")


if __name__ == "__main__":
    main()
