"""Client SRP CPU per sign-in: pyamplify vs pycognito's ``AWSSRP`` on the same challenge.

One "sign-in" is everything the client computes: a new ephemeral (a, A) and the
PASSWORD_VERIFIER answer (u, x, S, HKDF, signature). For pycognito that is ``AWSSRP(...)``
(whose ``__init__`` draws a and computes A), ``get_auth_params()`` and ``process_challenge``;
a placeholder object stands in for the boto3 client, so no client creation and no network.
The challenge is the amplify-android vector (3072-bit B, salt, 1,290-byte SECRET_BLOCK).
Runs alternate between the contenders so that load on a shared machine hits both alike.

    python benchmarks/bench_srp.py [--runs 200]

Target (issue 4): pyamplify <= 0.10x pycognito. The other engine rows (``pyamplify.modexp``) are
for information: gmpy2 is what machines without a loadable libcrypto get, pure Python what
platforms without gmpy2 wheels either get. CPU time (``process_time``), not
wall time: the number does not depend on other processes' load, only on cache effects.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from pycognito import aws_srp

from pyamplify import modexp, srp

VECTOR = json.loads(
    (
        Path(__file__).parent.parent / "tests" / "data" / "amplify_android_srp_vector.json"
    ).read_text()
)
POOL_ID = VECTOR["user_pool_id"]
CHALLENGE = {
    "USERNAME": "username",
    "USER_ID_FOR_SRP": VECTOR["user_id"],
    "SALT": VECTOR["salt_hex"],
    "SRP_B": VECTOR["srp_b_hex"],
    "SECRET_BLOCK": VECTOR["secret_block_base64"],
}
PASSWORD = VECTOR["password"]


def pyamplify_sign_in() -> str:
    """Everything pyamplify's client computes for one USER_SRP_AUTH sign-in."""
    ephemeral = srp.new_client_ephemeral()
    _ = ephemeral.srp_a
    claim = srp.password_claim(
        ephemeral,
        pool_name=srp.pool_name_of(POOL_ID),
        user_id=CHALLENGE["USER_ID_FOR_SRP"],
        password=PASSWORD,
        srp_b_hex=CHALLENGE["SRP_B"],
        salt_hex=CHALLENGE["SALT"],
        secret_block_b64=CHALLENGE["SECRET_BLOCK"],
        now=datetime.now(timezone.utc),
    )
    return claim.signature


def pycognito_sign_in() -> str:
    """The same for pycognito (boto3 client replaced by a placeholder: no I/O)."""
    client = aws_srp.AWSSRP("username", PASSWORD, POOL_ID, "client-id", client=object())
    request = client.get_auth_params()
    answer = client.process_challenge(CHALLENGE, request)
    return str(answer["PASSWORD_CLAIM_SIGNATURE"])


def with_engine(name: str) -> Callable[[], str]:
    """pyamplify's sign-in with the modexp engine ``name`` swapped in for the call."""
    engine = modexp.load_engine(name)

    def sign_in() -> str:
        if engine is None:
            return ""
        fast = srp.powmod
        srp.powmod = engine
        try:
            return pyamplify_sign_in()
        finally:
            srp.powmod = fast

    return sign_in


def cpu_ms(func: Callable[[], str]) -> float:
    start = time.process_time()
    func()
    return (time.process_time() - start) * 1000


def measure(contenders: dict[str, Callable[[], str]], runs: int) -> dict[str, list[float]]:
    """CPU milliseconds per call, runs interleaved, after one warm-up call each."""
    for func in contenders.values():
        func()
    samples: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(runs):
        for name, func in contenders.items():
            samples[name].append(cpu_ms(func))
    return samples


def p90(values: list[float]) -> float:
    return statistics.quantiles(values, n=10)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200, help="sign-ins per contender")
    args = parser.parse_args()

    selected = modexp.selected_engine()[0]
    others = [name for name in modexp.available_engines() if name != selected]
    samples = measure(
        {
            "pyamplify": pyamplify_sign_in,
            "pycognito": pycognito_sign_in,
            **{name: with_engine(name) for name in others},
        },
        args.runs,
    )
    peer = statistics.median(samples["pycognito"])
    bits = srp.PRIVATE_EXPONENT_BITS
    rows = [
        ("pycognito AWSSRP (1024-bit a, builtin pow)", samples["pycognito"]),
        (f"pyamplify ({bits}-bit a, {selected}: the default here)", samples["pyamplify"]),
        *((f"pyamplify ({bits}-bit a, {name} forced)", samples[name]) for name in others),
    ]
    print(
        "Client SRP CPU per sign-in,",
        platform.python_implementation(),
        platform.python_version(),
    )
    print(f"{'contender':<50} {'runs':>5} {'median ms':>10} {'p90 ms':>8} {'vs pycognito':>13}")
    for name, values in rows:
        median = statistics.median(values)
        print(
            f"{name:<50} {len(values):>5} {median:>10.2f} {p90(values):>8.2f} "
            f"{median / peer:>12.3f}x"
        )
    ratio = statistics.median(samples["pyamplify"]) / peer
    print(
        f"ratio pyamplify/pycognito = {ratio:.3f} (target <= 0.10):",
        "PASS" if ratio <= 0.10 else "FAIL",
    )


if __name__ == "__main__":
    main()
