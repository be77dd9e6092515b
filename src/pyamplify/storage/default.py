"""Choosing a store: the OS keyring when a real one is there, else a private file store.

``PYAMPLIFY_STORE`` = ``memory`` | ``file`` | ``keyring`` forces a choice. Without it, keyring
is used only when its backend is a recommended one (priority >= 1: macOS Keychain, Windows
Credential Manager, Secret Service, KWallet). keyring's fail and null backends, a chainer with
nothing usable behind it, and the ``keyrings.alt`` backends (plain or weakly protected files,
no better than our own 0600 file) fall back to ``FileStore(<data dir>/sessions)``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pyamplify.storage.base import CredentialStore, StorageError
from pyamplify.storage.file import FileStore
from pyamplify.storage.keyring_store import KeyringStore
from pyamplify.storage.memory import MemoryStore

STORE_ENV = "PYAMPLIFY_STORE"
DATA_DIR_ENV = "PYAMPLIFY_DATA_DIR"
_CHOICES = ("memory", "file", "keyring")
_NEVER_AUTOMATIC = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")


def data_dir() -> Path:
    """pyamplify's data directory: ``$PYAMPLIFY_DATA_DIR``, else the platform's user data dir."""
    configured = os.environ.get(DATA_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("pyamplify", appauthor=False))


def default_store() -> CredentialStore:
    """The store sessions use unless the caller passes one (see the module docstring)."""
    choice = os.environ.get(STORE_ENV, "").strip().lower()
    if choice == "memory":
        return MemoryStore()
    if choice == "file":
        return FileStore(data_dir() / "sessions")
    if choice == "keyring":
        backend = _current_keyring()
        if backend is None or _module_of(backend).startswith(_NEVER_AUTOMATIC[:2]):
            raise StorageError(
                f"{STORE_ENV}=keyring, but keyring has no working backend here; install one "
                f"(e.g. keyrings.alt) or set {STORE_ENV}=file"
            )
        return KeyringStore(backend=backend)
    if choice:
        raise StorageError(
            f"{STORE_ENV}={choice!r} is not a store; use one of: {', '.join(_CHOICES)}"
        )
    backend = usable_keyring_backend()
    if backend is not None:
        return KeyringStore(backend=backend)
    return FileStore(data_dir() / "sessions")


def usable_keyring_backend() -> Any | None:
    """keyring's current backend if it is a recommended OS secret store, else ``None``."""
    backend = _current_keyring()
    return backend if backend is not None and is_usable_backend(backend) else None


def is_usable_backend(backend: Any) -> bool:
    """Whether ``backend`` is a real secret store (see the module docstring for the rule)."""
    from keyring.backends.chainer import ChainerBackend

    if isinstance(backend, ChainerBackend):
        return any(is_usable_backend(inner) for inner in backend.backends)
    if _module_of(backend).startswith(_NEVER_AUTOMATIC):
        return False
    try:
        return float(backend.priority) >= 1
    except Exception:  # a backend whose priority check fails is not viable
        return False


def _current_keyring() -> Any | None:
    try:
        import keyring

        return keyring.get_keyring()
    except Exception:  # keyring missing or its backend discovery failing: no keyring
        return None


def _module_of(backend: Any) -> str:
    return type(backend).__module__
