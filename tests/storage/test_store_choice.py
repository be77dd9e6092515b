"""How the store in use is chosen, said and shown, and that the CLI fast path (which cannot
import keyring) reaches the same answer and the same files as the library."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import keyrings.alt.file
import pytest

from pyamplify.cli import credentials_fast
from pyamplify.storage import (
    FileStore,
    KeyringStore,
    MemoryStore,
    choose_store,
    describe_store,
    session_key,
)
from pyamplify.storage import default as storage_default
from pyamplify.storage.keyring_store import credentials_cache_key

IDENTITY_KEY = session_key("us-east-1_abc", "client1", "default", "us-east-1:ids")


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("PYAMPLIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("PYAMPLIFY_STORE", raising=False)
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.setattr(storage_default, "_fallback_said", False)
    before = keyring.get_keyring()
    yield monkeypatch
    keyring.set_keyring(before)


@pytest.mark.parametrize(
    "variables",
    [
        {},
        {"DBUS_SESSION_BUS_ADDRESS": "unix:path=/run/user/1000/bus"},
        {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "XDG_CONFIG_HOME": "/c"},
    ],
)
def test_the_fast_path_computes_the_same_environment(
    env: pytest.MonkeyPatch, variables: dict[str, str]
) -> None:
    for name in storage_default.STORE_ENVIRONMENT_VARIABLES:
        env.delenv(name, raising=False)
    for name, value in variables.items():
        env.setenv(name, value)
    assert credentials_fast.store_environment() == storage_default.store_environment()
    assert credentials_fast._STORE_ENVIRONMENT == storage_default.STORE_ENVIRONMENT_VARIABLES


def test_the_fast_path_reads_the_recorded_choice(env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    directory = str(tmp_path / "data")
    assert credentials_fast.store_in_use(directory) is None  # nothing recorded: a miss
    keyring.set_keyring(keyrings.alt.file.PlaintextKeyring())  # not an OS store: files
    assert isinstance(choose_store().store, FileStore)
    assert storage_default.recorded_choice() == "file"
    assert credentials_fast.store_in_use(directory) == "file"
    env.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/elsewhere")  # another environment
    assert credentials_fast.store_in_use(directory) is None
    env.setenv("PYAMPLIFY_STORE", "keyring")
    assert credentials_fast.store_in_use(directory) == "keyring"
    env.setenv("PYAMPLIFY_STORE", "memory")
    assert credentials_fast.store_in_use(directory) is None


def test_the_fast_path_finds_the_keyring_credentials_cache(
    env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    backend = keyrings.alt.file.PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring.cfg")
    store = KeyringStore(backend=backend)  # the default service and directory
    current = {"access_key_id": "ASIA1", "refresh_at": 1.0}
    store.save(IDENTITY_KEY, {"version": 1, "current": current})
    expected = f"keyring-credentials/{credentials_fast._KEYRING_SERVICE}/{IDENTITY_KEY}"
    assert credentials_cache_key(store.service, IDENTITY_KEY) == expected
    found = credentials_fast._entry(str(tmp_path / "data" / "locks"), expected)
    assert found == {"version": 1, "current": current}


def test_the_fallback_is_said_once_with_its_reason(
    env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    keyring.set_keyring(keyrings.alt.file.PlaintextKeyring())
    with caplog.at_level(logging.WARNING, "pyamplify.storage"):
        first = choose_store()
        choose_store()
    notes = [r.getMessage() for r in caplog.records if r.getMessage().startswith("note:")]
    assert len(notes) == 1
    assert first.chosen_by == "automatic" and first.fallback_reason is not None
    assert first.fallback_reason in notes[0] and "PYAMPLIFY_STORE=file" in notes[0]


def test_an_explicit_choice_says_nothing(
    env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    env.setenv("PYAMPLIFY_STORE", "file")
    with caplog.at_level(logging.WARNING, "pyamplify.storage"):
        choice = choose_store()
    assert caplog.records == [] and choice.chosen_by == "PYAMPLIFY_STORE"
    assert choice.fallback_reason is None


def test_describe_names_each_kind_without_secrets(tmp_path: Path) -> None:
    backend = keyrings.alt.file.PlaintextKeyring()
    described: list[dict[str, Any]] = [
        describe_store(MemoryStore()),
        describe_store(FileStore(tmp_path)),
        describe_store(KeyringStore("svc", tmp_path, backend=backend)),
    ]
    assert described == [
        {"kind": "memory"},
        {"kind": "file", "directory": str(tmp_path)},
        {"kind": "keyring", "backend": "keyrings.alt.file.PlaintextKeyring", "service": "svc"},
    ]
