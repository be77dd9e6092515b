"""RFC 6238 TOTP: the appendix B vectors, an independent implementation (pyotp), the window."""

from __future__ import annotations

import base64

import pytest

from pyamplify.local.idp import totp

# RFC 6238 appendix B: the seeds are ASCII digits, 20/32/64 bytes for SHA-1/256/512; 8 digits.
SEEDS = {
    "sha1": b"12345678901234567890",
    "sha256": b"12345678901234567890123456789012",
    "sha512": b"1234567890123456789012345678901234567890123456789012345678901234",
}
VECTORS = [
    (59, "sha1", "94287082"),
    (59, "sha256", "46119246"),
    (59, "sha512", "90693936"),
    (1111111109, "sha1", "07081804"),
    (1111111109, "sha256", "68084774"),
    (1111111109, "sha512", "25091201"),
    (1111111111, "sha1", "14050471"),
    (1111111111, "sha256", "67062674"),
    (1111111111, "sha512", "99943326"),
    (1234567890, "sha1", "89005924"),
    (1234567890, "sha256", "91819424"),
    (1234567890, "sha512", "93441116"),
    (2000000000, "sha1", "69279037"),
    (2000000000, "sha256", "90698825"),
    (2000000000, "sha512", "38618901"),
    (20000000000, "sha1", "65353130"),
    (20000000000, "sha256", "77737706"),
    (20000000000, "sha512", "47863826"),
]


@pytest.mark.parametrize(("at", "algorithm", "expected"), VECTORS)
def test_rfc6238_appendix_b(at: int, algorithm: str, expected: str) -> None:
    assert totp.totp(SEEDS[algorithm], at, digits=8, algorithm=algorithm) == expected


def test_rfc4226_appendix_d_hotp() -> None:
    expected = ["755224", "287082", "359152", "969429", "338314"]
    assert [totp.hotp(SEEDS["sha1"], count) for count in range(5)] == expected


def test_codes_agree_with_pyotp() -> None:
    pyotp = pytest.importorskip("pyotp")
    secret = totp.new_secret()
    reference = pyotp.TOTP(secret)
    for at in (0, 29, 30, 1_700_000_000, 1_700_000_029.9, 4_102_444_800):
        assert totp.code_at(secret, at) == reference.at(int(at))
    assert reference.verify(totp.code_at(secret, 1_700_000_000), for_time=1_700_000_000)


def test_new_secret_is_52_base32_characters_of_32_random_bytes() -> None:
    secret = totp.new_secret()
    assert len(secret) == 52 and secret.isalnum() and secret.isupper()
    assert len(totp.decode_secret(secret)) == totp.SECRET_BYTES
    assert totp.new_secret() != secret


def test_decode_forgives_case_spaces_and_missing_padding() -> None:
    key = b"hello world key!"
    text = base64.b32encode(key).decode().rstrip("=")
    spaced = " ".join(text[i : i + 4] for i in range(0, len(text), 4)).lower()
    assert totp.decode_secret(spaced) == key


def test_verify_accepts_one_step_either_side_and_no_further() -> None:
    secret = totp.new_secret()
    now = 1_800_000_015.0
    assert totp.verify(secret, totp.code_at(secret, now), now)
    assert totp.verify(secret, totp.code_at(secret, now - 30), now)
    assert totp.verify(secret, totp.code_at(secret, now + 30), now)
    for far in (now - 60, now + 60):
        code = totp.code_at(secret, far)
        if code not in {totp.code_at(secret, now + d) for d in (-30, 0, 30)}:
            assert not totp.verify(secret, code, now)


@pytest.mark.parametrize("bad", ["", "12345", "1234567", "12a456", "１２３４５６"])
def test_verify_refuses_malformed_codes(bad: str) -> None:
    assert not totp.verify(totp.new_secret(), bad, 1_800_000_000.0)


def test_matching_step_names_the_step_a_code_belongs_to() -> None:
    secret = totp.new_secret()
    at = 1_700_000_015.0
    now = totp.time_step(at)
    for offset in (-1, 0, 1):
        code = totp.code_at(secret, at + offset * totp.STEP_SECONDS)
        assert totp.matching_step(secret, code, at) == now + offset
    far = totp.code_at(secret, at + 60)
    if far not in {totp.code_at(secret, at + d) for d in (-30, 0, 30)}:
        assert totp.matching_step(secret, far, at) is None
    assert totp.matching_step(secret, "12345", at) is None
