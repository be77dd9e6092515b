"""The cross-run cache of in-memory servers' test keys: slots, file format, and bad files.

The files are written here independently of the cache's writer (a header line, then base64
PKCS#8 DER per line), so the format is checked, not only the round trip. Every key is a real
RSA-2048 key from a stock made once for the session.
"""

from __future__ import annotations

import base64
import os
import stat
import warnings
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from pyamplify.local import key_cache
from pyamplify.local.key_cache import HEADER, KeyCache, cache_directory
from pyamplify.local.key_supply import KeyPair


def der_line(private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    der = private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return base64.b64encode(der).decode() + "\n"


def write_slot(directory: Path, lines: list[str], slot: int = 0, mode: int = 0o600) -> Path:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = directory / f"slot-{slot}.keys"
    path.write_text(HEADER + "\n" + "".join(lines), encoding="ascii")
    path.chmod(mode)
    return path


def opened(directory: Path, **options: int) -> KeyCache:
    cache = KeyCache(directory, **options)
    cache.open()
    return cache


def drain(cache: KeyCache) -> list[str]:
    kids = []
    while (key := cache.take()) is not None:
        kids.append(key.kid)
    return kids


def test_keys_recorded_in_one_run_are_offered_in_order_to_the_next(
    tmp_path: Path, key_stock: list[KeyPair]
) -> None:
    first = opened(tmp_path)
    assert first.take() is None  # nothing cached yet
    for key in key_stock[:3]:
        first.record(key)
    first.close()  # the process ends

    path = tmp_path / "slot-0.keys"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700
    lines = path.read_text(encoding="ascii").splitlines()
    assert lines == [HEADER] + [der_line(k.private_key).strip() for k in key_stock[:3]]

    second = opened(tmp_path)
    assert drain(second) == [k.kid for k in key_stock[:3]]
    second.close()


def test_two_holders_at_once_get_different_slots(tmp_path: Path, key_stock: list[KeyPair]) -> None:
    write_slot(tmp_path, [der_line(k.private_key) for k in key_stock[:2]])
    first, second = opened(tmp_path), opened(tmp_path)
    try:
        assert first.path == tmp_path / "slot-0.keys"
        assert second.path == tmp_path / "slot-1.keys"
        assert drain(first) == [k.kid for k in key_stock[:2]]
        assert drain(second) == []  # slot 0's keys are the first holder's alone
    finally:
        first.close()
        second.close()


def test_with_every_slot_held_there_is_no_cache(tmp_path: Path, key_stock: list[KeyPair]) -> None:
    holder = opened(tmp_path, slots=1)
    late = opened(tmp_path, slots=1)
    try:
        late.record(key_stock[0])
        assert late.path is None and late.take() is None
    finally:
        holder.close()
        late.close()


def test_only_held_keys_of_the_slot_come_back(tmp_path: Path, key_stock: list[KeyPair]) -> None:
    write_slot(tmp_path, [der_line(k.private_key) for k in key_stock[:2]])
    cache = opened(tmp_path)
    taken = cache.take()
    assert taken is not None and cache.available == 1
    cache.give_back(key_stock[5])  # never part of the slot
    cache.give_back(taken)
    cache.give_back(taken)  # twice is once
    assert drain(cache) == [key_stock[1].kid, taken.kid]
    cache.close()


def test_capacity_bounds_what_is_recorded(tmp_path: Path, key_stock: list[KeyPair]) -> None:
    cache = opened(tmp_path, capacity=2)
    for key in key_stock[:4]:
        cache.record(key)
    cache.close()
    assert len((tmp_path / "slot-0.keys").read_text().splitlines()) == 1 + 2


def bad_slot_cases(tmp_path: Path, key_stock: list[KeyPair]) -> dict[str, Path]:
    """Each kind of bad cache file, in its own cache directory."""
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    curve = ec.generate_private_key(ec.SECP256R1())
    good = der_line(key_stock[0].private_key)
    cases = {
        "not base64": write_slot(tmp_path / "a", [good, "not a key!\n"]),
        "not a private key": write_slot(tmp_path / "b", [base64.b64encode(b"junk").decode()]),
        "an RSA-1024 key": write_slot(tmp_path / "c", [good, der_line(small)]),
        "an EC key": write_slot(tmp_path / "d", [der_line(curve)]),
        "no header": tmp_path / "e" / "slot-0.keys",
        "readable by others": write_slot(tmp_path / "f", [good], mode=0o644),
        "not text": tmp_path / "g" / "slot-0.keys",
    }
    cases["no header"].parent.mkdir(mode=0o700)
    cases["no header"].write_text(good)
    cases["no header"].chmod(0o600)
    cases["not text"].parent.mkdir(mode=0o700)
    cases["not text"].write_bytes(b"\xff\xfe" * 20)
    cases["not text"].chmod(0o600)
    return cases


def test_a_bad_cache_file_is_ignored_with_one_warning_and_replaced(
    tmp_path: Path, key_stock: list[KeyPair]
) -> None:
    for case, path in bad_slot_cases(tmp_path, key_stock).items():
        with pytest.warns(RuntimeWarning, match="ignoring the local Cognito's test key cache"):
            cache = opened(path.parent)
        assert cache.take() is None, case
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no second warning
            cache.record(key_stock[1])
            cache.record(key_stock[2])
        cache.close()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            again = opened(path.parent)
        assert drain(again) == [key_stock[1].kid, key_stock[2].kid], case
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        again.close()


def test_an_unreadable_slot_is_ignored_with_one_warning(
    tmp_path: Path, key_stock: list[KeyPair]
) -> None:
    (tmp_path / "slot-0.keys").mkdir(parents=True)  # a directory where the file should be
    with pytest.warns(RuntimeWarning, match=r"slot-0\.keys: cannot be read") as caught:
        cache = opened(tmp_path)
        cache.record(key_stock[0])  # cannot replace it either: still one warning
        cache.record(key_stock[1])
    assert len(caught) == 1
    assert cache.take() is None
    cache.close()


def test_a_cache_dir_that_cannot_be_made_is_ignored_with_one_warning(
    tmp_path: Path, key_stock: list[KeyPair]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.warns(RuntimeWarning, match="cannot use") as caught:
        cache = opened(blocker / "keys")
        cache.record(key_stock[0])
    assert len(caught) == 1
    assert cache.take() is None


def test_the_cache_directory_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(key_cache.ENV_VAR, "~/elsewhere")
    assert cache_directory() == Path.home() / "elsewhere"
    for off in ("off", "0", "", "none"):
        monkeypatch.setenv(key_cache.ENV_VAR, off)
        assert cache_directory() is None
    monkeypatch.delenv(key_cache.ENV_VAR)
    default = cache_directory()
    assert default is not None and default.name == "local-test-keys"
    assert "pyamplify" in default.parts


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX ownership")
def test_keys_are_never_read_from_a_world_writable_file(
    tmp_path: Path, key_stock: list[KeyPair]
) -> None:
    write_slot(tmp_path, [der_line(key_stock[0].private_key)], mode=0o666)
    with pytest.warns(RuntimeWarning, match="not private"):
        cache = opened(tmp_path)
    assert cache.take() is None
    cache.close()
