"""Credential stores: where sessions persist between calls and processes.

``CredentialStore`` is the interface; ``MemoryStore``, ``FileStore`` (atomic 0600 JSON files
with inter-process locks) and ``KeyringStore`` (the OS secret store) implement it, and
``default_store()`` picks one (``choose_store()`` also says how, and ``describe_store()`` what a
store is, for display). Keys come from ``session_key(pool, client, profile)``. A locked OS
keyring is ``KeyringLockedError``, never "signed out".
Importing this package is cheap: ``keyring``, ``filelock`` and ``platformdirs`` load on use.
"""

from __future__ import annotations

from pyamplify.storage.base import (
    CredentialStore,
    KeyringLockedError,
    StorageError,
    StoreLockTimeout,
    session_key,
)
from pyamplify.storage.default import (
    DATA_DIR_ENV,
    STORE_ENV,
    StoreChoice,
    choose_store,
    data_dir,
    default_store,
    describe_store,
    is_usable_backend,
    usable_keyring_backend,
)
from pyamplify.storage.file import FileStore
from pyamplify.storage.keyring_store import KeyringStore
from pyamplify.storage.memory import MemoryStore

__all__ = [
    "DATA_DIR_ENV",
    "STORE_ENV",
    "CredentialStore",
    "FileStore",
    "KeyringLockedError",
    "KeyringStore",
    "MemoryStore",
    "StorageError",
    "StoreChoice",
    "StoreLockTimeout",
    "choose_store",
    "data_dir",
    "default_store",
    "describe_store",
    "is_usable_backend",
    "session_key",
    "usable_keyring_backend",
]
