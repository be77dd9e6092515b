"""Cognito SRP against public vectors (amplify-android, amplify-swift) and itself."""

from __future__ import annotations

import base64
from datetime import datetime, timezone

import pytest

from pyamplify import srp

# amplify-android SRPHelperTests.kt (python-anchors.md §3.4a)
ANDROID_PRIVATE_A = int(
    "9488887383906780169920975115798309747280340386237614989425790548298032630501412070884132747"
    "4383776867490835991544401757353458851423548817030650959502170715563858472246798478938383992"
    "111864121476343968857619081845813192981650869721264613451137943849106130597163041933275453"
    "881757176416122005373573809300830865"
)
ANDROID_B = (
    "e05d0716c6f6bf2b96e4b08354015be28024b4bc9a022c3c7553b86a5feffe8ee0ae87ae8ebb970b9457ed56ef0f"
    "5249fad4b99235912c2445a803ff9c9412cb39bd860bcca12868c8e813404435f3621a2fa033270f053e15b7d2ec"
    "0617e40cafff3fef4d5be716821b389e5338c45ac2d65b292a4739dec8d05ae7feaca6a46d56624c753b705bbc78"
    "071ef5c47152c46d7c79b52e4f1de3a15ed68923b0f8b08cd4d6b9d358282e219ccfff37ac143b9c7283b859187f"
    "57ca445129aeef0517c394a363ed83ca65b11a7ede22b96b7e0ff43dd5f58248dbf16c47fad319a23c15ed27c47c"
    "765841cb6474eda7a8d44a65c7242d9ff7afc6fc37d03b43c9c6279d88248120908c4ecdfb84a6e42344cf1a57f9"
    "76ef036a1eb7a64067eff195855735d4010ca33831bded8b40b5e60a61f19900f928353203adacab71948ef3bcd3"
    "540bf926fee5578a00f039bb5c60d10e446a55c9d9620257e05418523afe02e1bc3f3f00c8a43841248094c8806d"
    "38f4207679170126f449a62006b42bf0"
)
ANDROID_SALT = "e7dc204cebbfda6b62b8493e932f7f4c"


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
    claim = srp.password_claim(
        client,
        pool_name="pool",
        user_id="alice",
        password="Correct horse 1!",
        srp_b_hex=server.srp_b,
        salt_hex=salt,
        secret_block_b64=block,
        now=datetime.now(timezone.utc),
    )
    key = srp.server_session_key(client.srp_a, server, verifier)
    assert srp.verify_signature(
        key, claim, pool_name="pool", user_id="alice", secret_block_b64=block
    )
    wrong = srp.password_claim(
        client,
        pool_name="pool",
        user_id="alice",
        password="wrong",
        srp_b_hex=server.srp_b,
        salt_hex=salt,
        secret_block_b64=block,
        now=datetime.now(timezone.utc),
    )
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
