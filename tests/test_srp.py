"""Cognito SRP against public vectors (amplify-android, amplify-swift) and itself."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pycognito import aws_srp

from pyamplify import srp

DATA = Path(__file__).parent / "data"
#: amplify-android SRPHelperTests.kt (python-anchors.md §3.4a), with its 1,290-byte SECRET_BLOCK.
ANDROID = json.loads((DATA / "amplify_android_srp_vector.json").read_text())
#: amplify-swift SRPClientTests.swift (python-anchors.md §3.4b).
SWIFT = json.loads((DATA / "amplify_swift_srp_vectors.json").read_text())
ANDROID_PRIVATE_A = int(ANDROID["private_a_decimal"])
ANDROID_B = ANDROID["srp_b_hex"]
ANDROID_SALT = ANDROID["salt_hex"]


def android_ephemeral() -> srp.ClientEphemeral:
    return srp.ClientEphemeral(a=ANDROID_PRIVATE_A, big_a=pow(srp.G, ANDROID_PRIVATE_A, srp.N))


def test_k_matches_the_published_value() -> None:
    assert format(srp.K, "x") == "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"


def test_android_vector_u_x_and_hkdf_key() -> None:
    eph = android_ephemeral()
    assert srp.compute_u(eph.big_a, int(ANDROID_B, 16)) == int(
        "55210528188551933294168660600273656944094602294020021251326310004904436019280"
    )
    assert srp.compute_x(ANDROID_SALT, "KO6fcefgd", "username", "Password123") == int(
        "35002972281322559225995282163712515452164094971035196098842264315967202596678"
    )
    key = srp.client_session_key(
        eph, ANDROID_B, ANDROID_SALT, "KO6fcefgd", "username", "Password123"
    )
    assert base64.b64encode(key).decode() == "a0z8GrRyu6bvL/ABfYRAuw=="


def test_client_and_server_agree_and_the_server_verifies() -> None:
    salt = srp.new_salt_hex()
    verifier = srp.make_verifier("pool", "alice", "Correct horse 1!", salt)
    client = srp.new_client_ephemeral()
    server = srp.new_server_ephemeral(verifier)
    block = base64.b64encode(b"opaque-block").decode()

    def claim_with(password: str) -> srp.PasswordClaim:
        return srp.password_claim(
            client,
            pool_name="pool",
            user_id="alice",
            password=password,
            srp_b_hex=server.srp_b,
            salt_hex=salt,
            secret_block_b64=block,
            now=datetime.now(timezone.utc),
        )

    claim = claim_with("Correct horse 1!")
    key = srp.server_session_key(client.srp_a, server, verifier)
    assert srp.verify_signature(
        key, claim, pool_name="pool", user_id="alice", secret_block_b64=block
    )
    wrong = claim_with("wrong")
    assert not srp.verify_signature(
        key, wrong, pool_name="pool", user_id="alice", secret_block_b64=block
    )


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2022, 1, 1, tzinfo=timezone.utc), "Sat Jan 1 00:00:00 UTC 2022"),
        (datetime(2021, 9, 29, 6, 40, 48, tzinfo=timezone.utc), "Wed Sep 29 06:40:48 UTC 2021"),
    ],
)
def test_timestamp_format_round_trips(moment: datetime, text: str) -> None:
    assert srp.format_timestamp(moment) == text
    assert srp.parse_timestamp(text) == moment


@pytest.mark.parametrize(
    "bad", ["Sun Sep 05 06:40:48 UTC 2021", "Thu Sep 29 06:40:48 UTC 2021", "garbage", ""]
)
def test_timestamp_parse_is_strict(bad: str) -> None:
    with pytest.raises(srp.SrpError):
        srp.parse_timestamp(bad)


def test_unsafe_public_values_are_refused() -> None:
    client = srp.new_client_ephemeral()
    with pytest.raises(srp.SrpError):
        srp.client_session_key(client, format(srp.N, "x"), "01", "p", "u", "pw")
    server = srp.new_server_ephemeral(srp.make_verifier("p", "u", "pw", "01"))
    with pytest.raises(srp.SrpError):
        srp.server_session_key(format(2 * srp.N, "x"), server, 5)


def test_secret_hash_vector() -> None:
    assert srp.compute_secret_hash("username", "cid", "secret") == (
        "gUPBk3C6NwSfbiXySvXFOwuX8nf0JWPQtIjMy7uq5uA="
    )


# --------------------------------------------------------------------------- amplify-android


def test_android_vector_public_a_and_shared_secret() -> None:
    eph = android_ephemeral()
    assert eph.big_a == int(ANDROID["public_a_decimal"])
    u, x = int(ANDROID["u_decimal"]), int(ANDROID["x_decimal"])
    assert srp.client_shared_secret(eph.a, int(ANDROID_B, 16), u, x) == int(ANDROID["s_decimal"])


def test_android_vector_full_password_claim() -> None:
    """The signature a correct client sends for the Android inputs (real 16-byte key)."""
    assert len(base64.b64decode(ANDROID["secret_block_base64"])) == 1290
    claim = srp.password_claim(
        android_ephemeral(),
        pool_name=srp.pool_name_of(ANDROID["user_pool_id"]),
        user_id=ANDROID["user_id"],
        password=ANDROID["password"],
        srp_b_hex=ANDROID_B,
        salt_hex=ANDROID_SALT,
        secret_block_b64=ANDROID["secret_block_base64"],
        now=srp.parse_timestamp(ANDROID["timestamp"]),
    )
    assert claim.timestamp == "Wed Sep 29 06:40:48 UTC 2021"
    assert claim.signature == "ehnqdfUzwXcTYDzTtjDIe5nbKwsHuC0I9LhPfsYQ9qM="
    assert "ehnq" not in repr(claim)


def test_android_m1_quirk_uses_the_ascii_of_the_base64_key() -> None:
    """SRPHelperTests.testGenerateM1 passes ``keyExpected.toByteArray()`` (the base64 text)."""
    ascii_key = ANDROID["key_base64"].encode("ascii")
    signature = srp.compute_signature(
        ascii_key, "KO6fcefgd", "username", ANDROID["secret_block_base64"], ANDROID["timestamp"]
    )
    assert signature == ANDROID["m1_with_ascii_key_base64"]
    assert signature == "QG7a57h+ndPBVasvx/OkmsJdy5uoMEVRshboEd4S+j8="


def test_android_vector_server_side_verifies_the_claim() -> None:
    """Our server maths accepts the Android client's claim when it holds the matching b."""
    salt, pool, user, password = ANDROID_SALT, "KO6fcefgd", "username", "Password123"
    verifier = srp.make_verifier(pool, user, password, salt)
    server = srp.new_server_ephemeral(verifier)
    claim = srp.password_claim(
        android_ephemeral(),
        pool_name=pool,
        user_id=user,
        password=password,
        srp_b_hex=server.srp_b,
        salt_hex=salt,
        secret_block_b64=ANDROID["secret_block_base64"],
        now=srp.parse_timestamp(ANDROID["timestamp"]),
    )
    key = srp.server_session_key(android_ephemeral().srp_a, server, verifier)
    assert srp.verify_signature(
        key, claim, pool_name=pool, user_id=user, secret_block_b64=ANDROID["secret_block_base64"]
    )


# --------------------------------------------------------------------------- amplify-swift


def test_swift_k() -> None:
    assert format(srp.K, "x") == SWIFT["k_hex"]


@pytest.mark.parametrize("case", SWIFT["u_cases"], ids=lambda case: case["name"])
def test_swift_u_vectors(case: dict[str, str]) -> None:
    u = srp.compute_u(int(case["a_hex"], 16), int(case["b_hex"], 16))
    assert format(u, "064x") == case["u_hex"]


@pytest.mark.parametrize("case", SWIFT["shared_secret_cases"], ids=lambda case: case["name"])
def test_swift_shared_secret_vectors(case: dict[str, str]) -> None:
    """Swift's "username" is poolName + userId already joined, so pool_name carries it all."""
    a = int(case["private_a_hex"], 16)
    big_a, big_b = int(case["a_hex"], 16), int(case["b_hex"], 16)
    assert srp.powmod(srp.G, a, srp.N) == big_a
    u = srp.compute_u(big_a, big_b)
    x = srp.compute_x(case["salt_hex"], case["identity"], "", case["password"])
    assert srp.client_shared_secret(a, big_b, u, x) == int(case["s_hex"], 16)


def test_swift_illegal_b_is_refused() -> None:
    case = SWIFT["shared_secret_cases"][0]
    eph = srp.ClientEphemeral(a=int(case["private_a_hex"], 16), big_a=int(case["a_hex"], 16))
    assert int(SWIFT["illegal_b_hex"], 16) % srp.N == 0
    with pytest.raises(srp.SrpError, match="B = 0 mod N"):
        srp.client_session_key(
            eph, SWIFT["illegal_b_hex"], case["salt_hex"], case["identity"], "", "dummy123@"
        )


# --------------------------------------------------------------------------- pycognito agreement
# pycognito (an independent implementation, used here as an oracle) must give the same
# results for the same a, B, salt, secret block and time.

# Pool names never hold "_" (pycognito would cut a name at a second "_"; we and Android don't).
_names = st.text(
    alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", min_size=1
)
_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
# Up to our 256 bits: larger a only slows pycognito's pure-Python pow (the Android vector
# covers a 1,024-bit a).
_small_a = st.integers(min_value=1, max_value=1 << srp.PRIVATE_EXPONENT_BITS)
_residue = st.integers(min_value=1, max_value=srp.N - 1)
_salt = st.integers(min_value=1, max_value=(1 << 128) - 1)
_block = st.binary(max_size=1500).map(lambda raw: base64.b64encode(raw).decode())
_utc = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2999, 12, 31), timezones=st.none()
)
_EXAMPLES = settings(max_examples=100, deadline=None)


def pycognito_srp(pool_id: str, a: int, password: str = "", secret: str | None = None) -> Any:
    """pycognito's client with a chosen ``a`` (``client`` is never used by the maths)."""
    client = aws_srp.AWSSRP(
        "user", password, pool_id, "client-id", client=object(), client_secret=secret
    )
    client.small_a_value = a
    client.large_a_value = client.calculate_a()
    return client


@_EXAMPLES
@given(big_a=_residue, big_b=_residue)
def test_u_agrees_with_pycognito(big_a: int, big_b: int) -> None:
    assert srp.compute_u(big_a, big_b) == aws_srp.calculate_u(big_a, big_b)


@_EXAMPLES
@given(salt=_salt, pool=_names, user=_text, password=_text)
def test_x_agrees_with_pycognito(salt: int, pool: str, user: str, password: str) -> None:
    salt_hex = format(salt, "x")  # as on the wire: unpadded
    inner = aws_srp.hash_sha256(f"{pool}{user}:{password}".encode())
    expected = aws_srp.hex_to_long(aws_srp.hex_hash(aws_srp.pad_hex(salt_hex) + inner))
    assert srp.compute_x(salt_hex, pool, user, password) == expected


@_EXAMPLES
@given(
    a=_small_a,
    big_b=_residue,
    salt=_salt,
    pool=_names,
    user=_text,
    password=_text,
)
def test_hkdf_key_agrees_with_pycognito(
    a: int, big_b: int, salt: int, pool: str, user: str, password: str
) -> None:
    ours = srp.ClientEphemeral(a=a, big_a=srp.powmod(srp.G, a, srp.N))
    theirs = pycognito_srp(f"us-east-1_{pool}", a)
    assert theirs.large_a_value == ours.big_a
    salt_hex, b_hex = format(salt, "x"), format(big_b, "x")
    expected = theirs.get_password_authentication_key(user, password, big_b, salt_hex)
    assert srp.client_session_key(ours, b_hex, salt_hex, pool, user, password) == expected


@_EXAMPLES
@given(username=_text, client_id=_text, secret=_text)
def test_secret_hash_agrees_with_pycognito(username: str, client_id: str, secret: str) -> None:
    expected = aws_srp.AWSSRP.get_secret_hash(username, client_id, secret)
    assert srp.compute_secret_hash(username, client_id, secret) == expected


@_EXAMPLES
@given(moment=_utc)
def test_timestamp_agrees_with_pycognito(moment: datetime) -> None:
    expected = aws_srp.AWSSRP.get_cognito_formatted_timestamp(moment)
    aware = moment.replace(tzinfo=timezone.utc)
    assert srp.format_timestamp(aware) == expected
    assert srp.parse_timestamp(expected) == aware.replace(microsecond=0)


@_EXAMPLES
@given(
    a=_small_a,
    big_b=_residue,
    salt=_salt,
    pool=_names,
    user_id=_text.filter(bool),
    username=_text.filter(bool),
    password=_text,
    block=_block,
    secret=st.none() | _text,
)
def test_password_claim_agrees_with_pycognito(
    a: int,
    big_b: int,
    salt: int,
    pool: str,
    user_id: str,
    username: str,
    password: str,
    block: str,
    secret: str | None,
) -> None:
    """The whole PASSWORD_VERIFIER answer, with USER_ID_FOR_SRP differing from USERNAME."""
    theirs = pycognito_srp(f"eu-west-1_{pool}", a, password, secret)
    challenge = {
        "USERNAME": username,
        "USER_ID_FOR_SRP": user_id,
        "SALT": format(salt, "x"),
        "SRP_B": format(big_b, "x"),
        "SECRET_BLOCK": block,
    }
    answer = theirs.process_challenge(challenge, {"USERNAME": "typed-alias"})
    ours = srp.password_claim(
        srp.ClientEphemeral(a=a, big_a=srp.powmod(srp.G, a, srp.N)),
        pool_name=srp.pool_name_of(f"eu-west-1_{pool}"),
        user_id=user_id,
        password=password,
        srp_b_hex=challenge["SRP_B"],
        salt_hex=challenge["SALT"],
        secret_block_b64=block,
        now=srp.parse_timestamp(answer["TIMESTAMP"]),  # the same second pycognito used
    )
    assert ours.timestamp == answer["TIMESTAMP"]
    assert ours.signature == answer["PASSWORD_CLAIM_SIGNATURE"]
    if secret is not None:
        assert srp.compute_secret_hash(username, "client-id", secret) == answer["SECRET_HASH"]


def java_to_byte_array_hex(value: int) -> str:
    """What Java's ``BigInteger.valueOf(value).toByteArray()`` gives, as hex."""
    return value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True).hex()


@settings(max_examples=300, deadline=None)
@given(value=st.one_of(st.integers(0, 70_000), st.integers(0, 1 << 3072)))
def test_pad_hex_is_java_to_byte_array_like_pycognito(value: int) -> None:
    assert srp.pad_hex(value) == java_to_byte_array_hex(value) == aws_srp.pad_hex(value)
    assert srp.pad_hex(format(value, "x")) == srp.pad_hex(value)


@pytest.mark.parametrize(
    ("value", "java"),
    [(0, "00"), (127, "7f"), (128, "0080"), (255, "00ff"), (256, "0100"), (32768, "008000")],
)
def test_pad_hex_matches_the_java_table(value: int, java: str) -> None:
    """Values from amazon-cognito-identity-js's Java-generated padHex table."""
    assert srp.pad_hex(value) == java


def test_salt_with_redundant_zero_bytes_is_normalised_unlike_pycognito() -> None:
    """We parse SALT as a number first (as amplify-js does); pycognito hashes the text as is."""
    assert srp.pad_hex("000a1b") == "0a1b"
    assert aws_srp.pad_hex("000a1b") == "000a1b"
    assert srp.compute_x("000a1b", "p", "u", "pw") == srp.compute_x("0a1b", "p", "u", "pw")
