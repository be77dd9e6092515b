"""The fixed-base shortcut computes exactly what pyamplify.srp computes."""

from __future__ import annotations

import secrets

from pyamplify import srp
from pyamplify.local.idp import srp_server


def test_g_pow_matches_powmod_for_edge_and_random_exponents() -> None:
    exponents = [0, 1, 2, 15, 16, 2**255, 2**256 - 1, 2**256, 2**300 + 7]
    exponents += [secrets.randbits(256) for _ in range(20)]
    for exponent in exponents:
        assert srp_server.g_pow(exponent) == pow(srp.G, exponent, srp.N)


def test_verifier_and_ephemeral_match_the_reference_functions() -> None:
    salt = srp.new_salt_hex()
    verifier = srp_server.make_verifier("pool", "alice", "Pa55word!", salt)
    assert verifier == srp.make_verifier("pool", "alice", "Pa55word!", salt)
    server = srp_server.new_server_ephemeral(verifier)
    assert server.big_b == (srp.K * verifier + pow(srp.G, server.b, srp.N)) % srp.N
    assert server.b.bit_length() == srp.PRIVATE_EXPONENT_BITS
