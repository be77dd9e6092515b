"""KeyringStore against real keyring backends: keyrings.alt's file keyring and keyring's
own fail backend (what keyring gives on a machine with no secret store)."""

from __future__ import annotations

import configparser
import logging
from pathlib import Path

import keyrings.alt.file
import pytest
from keyring.backends import fail

from pyamplify.storage import KeyringStore, StorageError, session_key

from .conftest import start_workers

KEY = session_key("us-east-1_abc", "client123", "alice")
SECRET = "eyJSECRET-REFRESH-TOKEN-do-not-log"
SERVICE = "pyamplify-test"


def plaintext_backend(path: Path) -> keyrings.alt.file.PlaintextKeyring:
    backend = keyrings.alt.file.PlaintextKeyring()
    backend.file_path = str(path)
    return backend


def make_store(tmp_path: Path, keyring_file: Path, **options: object) -> KeyringStore:
    return KeyringStore(
        SERVICE, tmp_path / "locks", backend=plaintext_backend(keyring_file), **options
    )  # type: ignore[arg-type]


def entry_count(keyring_file: Path) -> int:
    parser = configparser.RawConfigParser()
    parser.read(keyring_file, encoding="utf-8")
    return sum(len(parser.options(section)) for section in parser.sections())


def test_round_trip_delete_and_keys(tmp_path: Path, keyring_file: Path) -> None:
    store = make_store(tmp_path, keyring_file)
    assert store.load(KEY) is None
    store.save(KEY, {"refresh_token": SECRET})
    assert store.load(KEY) == {"refresh_token": SECRET}
    stored = plaintext_backend(keyring_file).get_password(SERVICE, KEY)  # really in the backend
    assert stored is not None and SECRET in stored
    other = session_key("us-east-1_abc", "client123", "bob")
    store.save(other, {"n": 1})
    assert store.keys() == [KEY, other] and store.keys("session/us-east-1_abc/client123/b") == [
        other
    ]
    store.delete(KEY)
    store.delete(KEY)
    assert store.load(KEY) is None and store.keys() == [other]
    index_files = list((tmp_path / "locks").glob("*.json"))
    assert index_files and all(SECRET not in p.read_text() for p in index_files)


def test_long_values_are_split_and_joined(tmp_path: Path, keyring_file: Path) -> None:
    store = make_store(tmp_path, keyring_file, max_entry_chars=100)
    big = {"id": "i" * 1000, "access": "a" * 1000, "refresh": SECRET * 20}
    store.save(KEY, big)
    assert store.load(KEY) == big
    parts = entry_count(keyring_file)
    assert parts > 25  # head + parts
    smaller = {"id": "j" * 300}
    store.save(KEY, smaller)  # the old generation of parts is removed
    assert store.load(KEY) == smaller
    assert entry_count(keyring_file) < 10
    store.delete(KEY)
    assert entry_count(keyring_file) == 0


def test_missing_or_mismatched_parts_are_signed_out(
    tmp_path: Path, keyring_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = make_store(tmp_path, keyring_file, max_entry_chars=100)
    backend = plaintext_backend(keyring_file)
    store.save(KEY, {"refresh": SECRET * 10})
    head = backend.get_password(SERVICE, KEY)
    assert head is not None and head.startswith("pyamplify-chunks:")
    generation = head.split(":")[2]
    backend.set_password(SERVICE, f"{KEY}#{generation}.1", "x" * 100)
    with caplog.at_level(logging.WARNING, "pyamplify.storage"):
        assert store.load(KEY) is None
        backend.delete_password(SERVICE, f"{KEY}#{generation}.0")
        assert store.load(KEY) is None
        backend.set_password(SERVICE, KEY, "pyamplify-chunks:1:nonsense")
        assert store.load(KEY) is None
    messages = [r.getMessage() for r in caplog.records]
    assert len(messages) == 3
    assert "do not belong together" in messages[0]
    assert "part 1 of" in messages[1]
    assert "malformed" in messages[2]
    assert all(KEY in m and "SECRET" not in m for m in messages)
    store.save(KEY, {"n": 1})
    assert store.load(KEY) == {"n": 1}


@pytest.mark.parametrize("content", ["{not json " + SECRET, "[1]", "\x00\x01\x7f" + SECRET])
def test_corrupt_entry_is_signed_out_with_a_warning(
    tmp_path: Path, keyring_file: Path, caplog: pytest.LogCaptureFixture, content: str
) -> None:
    store = make_store(tmp_path, keyring_file)
    plaintext_backend(keyring_file).set_password(SERVICE, KEY, content)
    with caplog.at_level(logging.WARNING, "pyamplify.storage"):
        assert store.load(KEY) is None
    [record] = caplog.records
    assert KEY in record.getMessage() and SECRET not in record.getMessage()
    store.save(KEY, {"n": 1})
    assert store.load(KEY) == {"n": 1}


def test_backend_without_a_secret_store(tmp_path: Path) -> None:
    """keyring's fail backend raises on every call: a keyring that cannot be read is an error
    that says so (never "signed out", which would hide a session that may well be there)."""
    store = KeyringStore(SERVICE, tmp_path, backend=fail.Keyring())
    with pytest.raises(StorageError, match=r"could not be read in the keyring .*: NoKeyringError"):
        store.load(KEY)
    with pytest.raises(StorageError, match="PYAMPLIFY_STORE=file") as raised:
        store.save(KEY, {"refresh_token": SECRET})
    assert SECRET not in str(raised.value)
    with pytest.raises(StorageError, match="could not be removed"):
        store.delete(KEY)


def test_an_absent_entry_deletes_quietly(tmp_path: Path, keyring_file: Path) -> None:
    store = make_store(tmp_path, keyring_file)
    store.delete(KEY)  # keyrings.alt raises PasswordDeleteError: not an error here
    assert store.load(KEY) is None


def test_repr_names_service_and_backend_only(tmp_path: Path, keyring_file: Path) -> None:
    store = make_store(tmp_path, keyring_file)
    store.save(KEY, {"refresh_token": SECRET})
    assert repr(store) == (
        "KeyringStore(service='pyamplify-test', backend=keyrings.alt.file.PlaintextKeyring)"
    )


def test_two_processes_lose_no_update(tmp_path: Path, keyring_file: Path) -> None:
    base = {
        "kind": "keyring",
        "service": SERVICE,
        "keyring_file": str(keyring_file),
        "lock_directory": str(tmp_path / "locks"),
        "key": KEY,
        "max_entry_chars": 500,  # values from 0 to 1,800 chars: some split, some not
        "mode": "increment",
    }
    reports = start_workers([{**base, "count": 100}, {**base, "count": 100}])
    assert all(report["warnings"] == [] for report in reports)
    store = make_store(tmp_path, keyring_file, max_entry_chars=500)
    assert store.load(KEY) == {"n": 200, "pad": "x" * (200 % 7 * 300)}
