"""default_store and data_dir: environment overrides and keyring backend detection."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import keyrings.alt.file
import platformdirs
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from pyamplify.storage import (
    FileStore,
    KeyringStore,
    MemoryStore,
    StorageError,
    data_dir,
    default_store,
    is_usable_backend,
)


class DictKeyring(KeyringBackend):
    """A complete keyring backend that keeps secrets in a dict, with an OS store's priority."""

    priority = 5  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.delenv("PYAMPLIFY_STORE", raising=False)
    monkeypatch.setenv("PYAMPLIFY_DATA_DIR", str(tmp_path / "data"))
    return monkeypatch


@pytest.fixture
def current_keyring() -> Iterator[Any]:
    """Restore keyring's process-wide backend after a test changes it."""
    before = keyring.get_keyring()
    yield before
    keyring.set_keyring(before)


def test_data_dir_from_env_or_platform(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PYAMPLIFY_DATA_DIR", str(tmp_path / "d"))
    assert data_dir() == tmp_path / "d"
    monkeypatch.delenv("PYAMPLIFY_DATA_DIR")
    assert data_dir() == Path(platformdirs.user_data_dir("pyamplify", appauthor=False))


@pytest.mark.parametrize(
    ("choice", "kind"), [("memory", MemoryStore), ("file", FileStore), (" FILE ", FileStore)]
)
def test_env_forces_a_store(
    env: pytest.MonkeyPatch, tmp_path: Path, choice: str, kind: type
) -> None:
    env.setenv("PYAMPLIFY_STORE", choice)
    store = default_store()
    assert type(store) is kind
    if isinstance(store, FileStore):
        assert store.directory == tmp_path / "data" / "sessions"


def test_env_forces_keyring_even_a_weak_one(
    env: pytest.MonkeyPatch, tmp_path: Path, current_keyring: Any
) -> None:
    backend = keyrings.alt.file.PlaintextKeyring()
    backend.file_path = str(tmp_path / "kr.cfg")
    keyring.set_keyring(backend)
    env.setenv("PYAMPLIFY_STORE", "keyring")
    store = default_store()
    assert isinstance(store, KeyringStore)
    store.save("k", {"n": 1})
    assert store.load("k") == {"n": 1}
    assert store.lock_directory == tmp_path / "data" / "locks"


def test_env_forcing_keyring_without_a_backend_is_an_error(
    env: pytest.MonkeyPatch, current_keyring: Any, tmp_path: Path
) -> None:
    keyring.set_keyring(fail.Keyring())
    env.setenv("PYAMPLIFY_STORE", "keyring")
    if not sys.platform.startswith("linux"):
        with pytest.raises(StorageError, match="no working backend"):
            default_store()
        return
    # Defect 4: the cause is the missing session bus (an SSH shell), not a missing keyrings.alt.
    env.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    with pytest.raises(StorageError, match="there is no D-Bus session bus") as raised:
        default_store()
    assert "keyrings.alt" not in str(raised.value)
    assert "desktop session" in str(raised.value) and "PYAMPLIFY_STORE=file" in str(raised.value)
    env.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus-here'}")
    with pytest.raises(StorageError, match="the Secret Service cannot be used") as raised:
        default_store()
    assert "start a Secret Service" in str(raised.value)


def test_unknown_env_value_is_an_error(env: pytest.MonkeyPatch) -> None:
    env.setenv("PYAMPLIFY_STORE", "vault")
    with pytest.raises(StorageError, match="memory, file, keyring"):
        default_store()


def test_automatic_choice_prefers_a_real_keyring(
    env: pytest.MonkeyPatch, current_keyring: Any
) -> None:
    backend = DictKeyring()
    keyring.set_keyring(backend)
    store = default_store()
    assert isinstance(store, KeyringStore)
    store.save("k", {"n": 1})
    assert backend.secrets[("pyamplify", "k")] == '{"n":1}'


@pytest.mark.parametrize(
    "backend",
    [fail.Keyring(), null.Keyring(), keyrings.alt.file.PlaintextKeyring()],
    ids=["fail", "null", "keyrings.alt-plaintext"],
)
def test_automatic_choice_falls_back_to_files(
    env: pytest.MonkeyPatch, tmp_path: Path, current_keyring: Any, backend: Any
) -> None:
    keyring.set_keyring(backend)
    store = default_store()
    assert isinstance(store, FileStore)
    assert store.directory == tmp_path / "data" / "sessions"


def test_chainer_is_usable_only_through_a_usable_backend(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # ChainerBackend discovers its backends per class; give it each situation in turn.
    for inner, usable in [([], False), ([fail.Keyring()], False), ([DictKeyring()], True)]:
        monkeypatch.setattr(chainer.ChainerBackend, "backends", inner)
        assert is_usable_backend(chainer.ChainerBackend()) is usable
    assert is_usable_backend(DictKeyring())
