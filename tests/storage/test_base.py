"""session_key and the CredentialStore protocol."""

from __future__ import annotations

from pathlib import Path

import pytest

from pyamplify.storage import (
    CredentialStore,
    FileStore,
    KeyringStore,
    MemoryStore,
    StorageError,
    session_key,
)


def test_session_key_shape() -> None:
    assert session_key("us-east-1_abc", "client123") == "session/us-east-1_abc/client123/default"
    assert session_key("us-east-1_abc", "client123", "work") == (
        "session/us-east-1_abc/client123/work"
    )
    assert session_key(
        "us-east-1_abc", "c", identity_pool_id="us-east-1:1f2e3d4c-0000-4000-8000-000000000000"
    ) == ("session/us-east-1_abc/c/default/us-east-1:1f2e3d4c-0000-4000-8000-000000000000")
    assert session_key(None, None, identity_pool_id="us-east-1:x") == (
        "session/-/-/default/us-east-1:x"
    )


def test_session_keys_are_distinct_for_distinct_inputs() -> None:
    tricky = [
        ("p", "c", "a/b", None),
        ("p", "c/a", "b", None),
        ("p", "c", "a", "b"),
        ("p", "c", "a%2Fb", None),
        ("p", "c", "-", None),
        (None, "c", "x", None),
        ("-", "c", "x", None),
    ]
    keys = [session_key(*args) for args in tricky]
    assert len(set(keys)) == len(keys)
    assert all(k.count("/") == (4 if args[3] else 3) for k, args in zip(keys, tricky, strict=True))


def test_session_key_refuses_empty_profile_and_no_pool() -> None:
    with pytest.raises(StorageError, match="profile"):
        session_key("p", "c", "")
    with pytest.raises(StorageError, match="user pool"):
        session_key(None, None)


def test_every_store_satisfies_the_protocol(tmp_path: Path) -> None:
    stores = [MemoryStore(), FileStore(tmp_path), KeyringStore(lock_directory=tmp_path)]
    assert all(isinstance(store, CredentialStore) for store in stores)
