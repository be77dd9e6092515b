"""The server's SRP work, made cheaper with a fixed-base table for ``g^e mod N``.

Three of the server's exponentiations have the fixed base ``g = 2``: ``g^b`` for each SRP_B,
and ``g^x`` for each verifier made (SignUp, AdminSetUserPassword) or checked
(USER_PASSWORD_AUTH, ChangePassword). A table of ``g^(d * 256^i) mod N`` (32 rows of 256, one
per byte of the exponent: about 3 MB, built once per process in ~50 ms on first use) turns a
256-bit exponentiation into at most 32 modular multiplications (gmpy2): ~0.13 ms, against
~0.75 ms for OpenSSL's ``powmod`` and ~1.0 ms for gmpy2's (4-bit windows, 64 multiplications,
were half as fast). Without gmpy2 the table of Python ints is no faster than ``powmod``. The
maths and its checks stay in :mod:`pyamplify.srp`; this module only computes the same numbers
faster.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from typing import Any

from pyamplify import srp

_WINDOW_BITS = 8  # one table row per exponent byte
_TABLE_BITS = srp.PRIVATE_EXPONENT_BITS
_TABLE_BYTES = _TABLE_BITS // 8


def _integer_type() -> Callable[[int], Any]:
    try:
        import gmpy2
    except ImportError:  # pragma: no cover - depends on the platform
        return int
    return gmpy2.mpz  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=1)
def _table() -> tuple[Any, list[list[Any]]]:
    number = _integer_type()
    modulus = number(srp.N)
    rows: list[list[Any]] = []
    base = number(srp.G)
    for _ in range(_TABLE_BITS // _WINDOW_BITS):
        row = [number(1)]
        for _ in range((1 << _WINDOW_BITS) - 1):
            row.append(row[-1] * base % modulus)
        rows.append(row)
        base = row[-1] * base % modulus
    return modulus, rows


def g_pow(exponent: int) -> int:
    """``g^exponent mod N`` (fixed-base table for exponents below 2^256, else ``powmod``)."""
    if exponent < 0 or exponent.bit_length() > _TABLE_BITS:
        return srp.powmod(srp.G, exponent, srp.N)
    modulus, rows = _table()
    result = rows[0][0]
    for row, digit in zip(rows, exponent.to_bytes(_TABLE_BYTES, "little"), strict=True):
        if digit:
            result = result * row[digit] % modulus
    return int(result)


def make_verifier(pool_name: str, user_id: str, password: str, salt_hex: str) -> int:
    """Same value as :func:`pyamplify.srp.make_verifier`, computed with the table."""
    return g_pow(srp.compute_x(salt_hex, pool_name, user_id, password))


def new_server_ephemeral(verifier: int) -> srp.ServerEphemeral:
    """Same as :func:`pyamplify.srp.new_server_ephemeral` (fresh 256-bit ``b``), faster."""
    while True:
        b = secrets.randbits(srp.PRIVATE_EXPONENT_BITS) | (1 << (srp.PRIVATE_EXPONENT_BITS - 1))
        big_b = (srp.K * verifier + g_pow(b)) % srp.N
        if big_b != 0:
            return srp.ServerEphemeral(b=b, big_b=big_b)
