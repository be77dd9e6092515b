"""The fresh-pool test through boto3: the local Cognito against moto's ``mock_aws``, one process.

The test a suite runs again and again: create a user pool and an app client, create a user
(AdminCreateUser + AdminSetUserPassword), sign in with USER_PASSWORD_AUTH, call GetUser with the
access token, delete the pool. Both sides run the same function on a boto3 ``cognito-idp``
client; only where the client points differs:

* **ours**: a ``LocalCognito`` started once before the trials (as the ``local_cognito`` session
  fixture does), reached over loopback HTTP; its tokens are real RS256 JWTs with the pool's own
  keys;
* **moto**: each trial inside ``with mock_aws():`` in this process, as moto documents it.

By default each trial also makes its boto3 client (what a test that builds its client does);
``--shared-client`` makes one client per side before the trials instead. Trials alternate
between the sides (and which goes first) so that machine load hits both alike; medians are
compared. Keys for new pools come from the local Cognito's ready-key supply; the first run on a
machine (empty key cache) is slower than the next ones, so the figures say which they were.

    python benchmarks/bench_fresh_pool.py [--trials 40] [--shared-client] [--cold] [--ready N]
                                          [--only-ours] [--profile FILE]

Target (issue 10): ours <= 0.3x moto.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

PASSWORD = "Bench-Passw0rd-1"
REGION = "us-east-1"


def fresh_pool_test(client: Any) -> None:
    """Create a pool, a client and a user, sign in, GetUser, delete the pool."""
    pool_id = client.create_user_pool(PoolName=f"bench-{secrets.token_hex(4)}")["UserPool"]["Id"]
    client_id = client.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="bench-app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    client.admin_create_user(
        UserPoolId=pool_id,
        Username="bench",
        UserAttributes=[{"Name": "email", "Value": "bench@example.com"}],
        MessageAction="SUPPRESS",
    )
    client.admin_set_user_password(
        UserPoolId=pool_id, Username="bench", Password=PASSWORD, Permanent=True
    )
    tokens = client.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "bench", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    user = client.get_user(AccessToken=tokens["AccessToken"])
    assert user["Username"] == "bench"
    client.delete_user_pool(UserPoolId=pool_id)


def _boto3_client(endpoint_url: str | None) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "cognito-idp",
        region_name=REGION,
        endpoint_url=endpoint_url,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def _configure_keys(cache_dir: Path | None, ready: int | None) -> None:
    """Key supply for this run: a given (empty) cache directory and/or ready-key target."""
    if cache_dir is None and ready is None:
        return  # the default: the user cache dir's key cache, the supply's own target
    try:
        from pyamplify.local import key_supply
        from pyamplify.local.key_cache import KeyCache, cache_directory
    except ImportError:  # a tree from before the key supply (for before/after runs)
        return
    directory = cache_dir or cache_directory()
    cache = KeyCache(directory) if directory is not None else None
    target = key_supply.READY_TARGET if ready is None else ready
    key_supply._default = key_supply.KeySupply(cache, target=target)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=3, help="untimed trials per side first")
    parser.add_argument(
        "--shared-client", action="store_true", help="one boto3 client per side, made once"
    )
    parser.add_argument("--only-ours", action="store_true", help="skip moto (for profiling)")
    parser.add_argument(
        "--cold", action="store_true", help="an empty key cache: the first run on a machine"
    )
    parser.add_argument(
        "--ready", type=int, default=None, help="fresh key pairs kept ready (default: the supply's)"
    )
    parser.add_argument("--profile", metavar="FILE", help="cProfile our trials into FILE")
    args = parser.parse_args()

    # Dummy credentials for both (moto wants some; the local Cognito accepts any).
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        os.environ.setdefault(name, value)
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"):
        os.environ.pop(name, None)
    from moto import mock_aws

    from pyamplify.local import LocalCognito

    scratch = tempfile.TemporaryDirectory(prefix="bench-keys-")
    _configure_keys(Path(scratch.name) if args.cold else None, args.ready)

    with LocalCognito() as cognito:
        shared = {
            "ours": _boto3_client(cognito.url) if args.shared_client else None,
            "moto": _boto3_client(None) if args.shared_client else None,
        }

        def ours() -> None:
            fresh_pool_test(shared["ours"] or _boto3_client(cognito.url))

        def moto() -> None:
            with mock_aws():
                fresh_pool_test(shared["moto"] or _boto3_client(None))

        sides: dict[str, Callable[[], None]] = {"ours": ours}
        if not args.only_ours:
            sides["moto"] = moto
        for _ in range(args.warmup):
            for run in sides.values():
                run()
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
        samples: dict[str, list[float]] = {name: [] for name in sides}
        order = list(sides)
        for trial in range(args.trials):
            for name in order if trial % 2 == 0 else reversed(order):
                if profiler is not None and name == "ours":
                    profiler.enable()
                started = time.perf_counter()
                sides[name]()
                samples[name].append(time.perf_counter() - started)
                if profiler is not None and name == "ours":
                    profiler.disable()
        if profiler is not None:
            profiler.dump_stats(args.profile)

    scratch.cleanup()
    client_mode = "one shared client per side" if args.shared_client else "a new client per trial"
    keys = "empty key cache" if args.cold else "key cache as left by earlier runs"
    print(f"Fresh-pool test through boto3, {args.trials} interleaved trials")
    print(f"({client_mode}; {keys})")
    print(f"{'side':<6} {'median ms':>10} {'min':>8} {'max':>8}")
    for name, values in samples.items():
        print(
            f"{name:<6} {statistics.median(values) * 1000:>10.1f} "
            f"{min(values) * 1000:>8.1f} {max(values) * 1000:>8.1f}"
        )
    if "moto" in samples:
        ratio = statistics.median(samples["ours"]) / statistics.median(samples["moto"])
        verdict = "PASS" if ratio <= 0.3 else "FAIL"
        print(f"ours / moto = {ratio:.3f} (target <= 0.3): {verdict}")


if __name__ == "__main__":
    main()
