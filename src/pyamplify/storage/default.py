"""Choosing a store: the OS keyring when a real one is there, else a private file store.

``PYAMPLIFY_STORE`` = ``memory`` | ``file`` | ``keyring`` forces a choice. Without it, keyring
is used only when its backend is a recommended one (priority >= 1: macOS Keychain, Windows
Credential Manager, Secret Service, KWallet). keyring's fail and null backends, a chainer with
nothing usable behind it, and the ``keyrings.alt`` backends (plain or weakly protected files,
no better than our own 0600 file) fall back to ``FileStore(<data dir>/sessions)``.

That fallback is said once per process (a warning on ``pyamplify.storage``, which reaches
stderr when nothing configured logging, as in the CLI), with the reason, e.g. no D-Bus session
bus in an SSH shell: the same user otherwise ends up with two sets of sessions without knowing.
An explicit ``PYAMPLIFY_STORE`` silences it. :func:`choose_store` returns the choice with how it
was made, and :meth:`StoreChoice.describe` is what ``whoami --json`` (and any command listing
profiles) shows.

The automatic choice is also recorded per environment (:func:`store_environment`) under the
data dir, so that the ``pyamplify auth credentials`` fast path, which cannot afford to import
keyring, reads the store that is in use and not a leftover of the other one.
"""

from __future__ import annotations

import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyamplify.storage.base import CredentialStore, StorageError, logger
from pyamplify.storage.file import FileStore
from pyamplify.storage.keyring_store import KeyringStore
from pyamplify.storage.memory import MemoryStore

STORE_ENV = "PYAMPLIFY_STORE"
DATA_DIR_ENV = "PYAMPLIFY_DATA_DIR"
_CHOICES = ("memory", "file", "keyring")
_NEVER_AUTOMATIC = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")
#: The environment that decides keyring's backend, besides the interpreter (``sys.prefix``).
STORE_ENVIRONMENT_VARIABLES = (
    "DBUS_SESSION_BUS_ADDRESS",
    "PYTHON_KEYRING_BACKEND",
    "XDG_CONFIG_HOME",
)
#: Where the automatic choice is recorded: ``<data dir>/locks``, under this key prefix.
CHOICE_KEY_PREFIX = "store-choice/"

_fallback_said = False


def data_dir() -> Path:
    """pyamplify's data directory: ``$PYAMPLIFY_DATA_DIR``, else the platform's user data dir."""
    configured = os.environ.get(DATA_DIR_ENV)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("pyamplify", appauthor=False))


@dataclass(frozen=True)
class StoreChoice:
    """The store sessions use, and how it was chosen."""

    store: CredentialStore
    #: ``"PYAMPLIFY_STORE"`` (forced) or ``"automatic"``.
    chosen_by: str
    #: Why the automatic choice is not the OS keyring, when it is not.
    fallback_reason: str | None = None

    def describe(self) -> dict[str, Any]:
        """:func:`describe_store` plus ``chosen_by`` and ``fallback_reason`` (JSON-ready)."""
        return {
            **describe_store(self.store),
            "chosen_by": self.chosen_by,
            "fallback_reason": self.fallback_reason,
        }


def describe_store(store: CredentialStore) -> dict[str, Any]:
    """What a person needs to know about ``store``: ``kind`` (``keyring``, ``file``,
    ``memory``, or the class name of another store) and where its entries are (no secrets)."""
    if isinstance(store, KeyringStore):
        return {"kind": "keyring", "backend": store.backend_name, "service": store.service}
    if isinstance(store, FileStore):
        return {"kind": "file", "directory": str(store.directory)}
    if isinstance(store, MemoryStore):
        return {"kind": "memory"}
    return {"kind": type(store).__name__}


def default_store(*, unlock_timeout: float | None = None) -> CredentialStore:
    """The store sessions use unless the caller passes one (see the module docstring)."""
    return choose_store(unlock_timeout=unlock_timeout).store


def choose_store(*, unlock_timeout: float | None = None) -> StoreChoice:
    """Choose the store (see the module docstring). ``unlock_timeout`` is passed to a
    :class:`KeyringStore`: ``0`` never shows the keyring's unlock prompt."""
    choice = os.environ.get(STORE_ENV, "").strip().lower()
    if choice == "memory":
        return StoreChoice(MemoryStore(), STORE_ENV)
    if choice == "file":
        return StoreChoice(FileStore(data_dir() / "sessions"), STORE_ENV)
    if choice == "keyring":
        backend = _current_keyring()
        problem = _forced_keyring_problem(backend)
        if problem is not None:
            raise StorageError(f"{STORE_ENV}=keyring, but {problem}")
        return StoreChoice(KeyringStore(backend=backend, unlock_timeout=unlock_timeout), STORE_ENV)
    if choice:
        raise StorageError(
            f"{STORE_ENV}={choice!r} is not a store; use one of: {', '.join(_CHOICES)}"
        )
    backend = usable_keyring_backend()
    if backend is not None:
        _record_choice("keyring")
        store = KeyringStore(backend=backend, unlock_timeout=unlock_timeout)
        return StoreChoice(store, "automatic")
    directory = data_dir() / "sessions"
    reason = keyring_unavailable_reason()
    _record_choice("file")
    _say_fallback(directory, reason)
    return StoreChoice(FileStore(directory), "automatic", reason)


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


def keyring_unavailable_reason() -> str:
    """Why there is no usable OS keyring here, in words for the person at the keyboard."""
    from pyamplify.storage.secret_service import secret_service_problem

    problem = secret_service_problem()
    if problem is not None:
        return problem
    backend = _current_keyring()
    if backend is None:
        return "the keyring module found no backend"
    name = f"{_module_of(backend)}.{type(backend).__qualname__}"
    if _module_of(backend).startswith("keyrings.alt"):
        return f"keyring's backend here is {name}, no safer than pyamplify's own 0600 files"
    return f"keyring found no OS secret store here (its backend is {name})"


def _forced_keyring_problem(backend: Any) -> str | None:
    """Why ``PYAMPLIFY_STORE=keyring`` cannot work, or ``None``. A weak backend (keyrings.alt)
    is accepted when asked for by name; one that cannot reach any store is not."""
    from pyamplify.storage.secret_service import (
        NO_BUS_REASON,
        effective_backend,
        is_secret_service,
        secret_service_problem,
    )

    inner = effective_backend(backend) if backend is not None else None
    unusable = (
        inner is None
        or _module_of(inner).startswith(_NEVER_AUTOMATIC[:2])
        or type(inner).__name__ == "ChainerBackend"  # a chainer with nothing behind it
    )
    if unusable or is_secret_service(inner):
        problem = secret_service_problem()
        if problem == NO_BUS_REASON:
            return (
                f"{problem}; run the command in your desktop session (or with its "
                f"DBUS_SESSION_BUS_ADDRESS), or set {STORE_ENV}=file"
            )
        if problem is not None:
            return (
                f"{problem}; start a Secret Service (GNOME Keyring, KWallet, KeePassXC) or set "
                f"{STORE_ENV}=file"
            )
    if unusable:
        return (
            "keyring has no working backend here; install an OS secret store (e.g. GNOME Keyring) "
            f"or set {STORE_ENV}=file"
        )
    return None


def store_environment() -> str:
    """A digest of what decides the automatic choice in this process: the interpreter (which
    keyring backends are installed) and the environment variables keyring reads. The CLI's
    fast path computes the same digest (tests check that they agree)."""
    parts = [sys.prefix, *(os.environ.get(name, "") for name in STORE_ENVIRONMENT_VARIABLES)]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]


def recorded_choice() -> str | None:
    """The automatic choice last recorded for this environment (``keyring`` / ``file``)."""
    entry = FileStore(data_dir() / "locks").load(CHOICE_KEY_PREFIX + store_environment())
    store = entry.get("store") if entry else None
    return store if isinstance(store, str) else None


def _record_choice(kind: str) -> None:
    """Record the automatic choice for the fast path (written only when it changes)."""
    try:
        if recorded_choice() != kind:
            store = FileStore(data_dir() / "locks")
            store.save(CHOICE_KEY_PREFIX + store_environment(), {"store": kind})
    except (StorageError, OSError) as error:  # the fast path then misses: slower, never wrong
        logger.debug("could not record the store choice: %s", error)


def _say_fallback(directory: Path, reason: str) -> None:
    global _fallback_said
    if _fallback_said:
        return
    _fallback_said = True
    logger.warning(
        "note: sessions are kept in files under %s, not in the OS keyring: %s. Sessions saved "
        "in the keyring (from a desktop session) are not seen here. Set %s=file to make this "
        "choice explicit and silence this note.",
        directory,
        reason,
        STORE_ENV,
    )


def _current_keyring() -> Any | None:
    try:
        import keyring

        return keyring.get_keyring()
    except Exception:  # keyring missing or its backend discovery failing: no keyring
        return None


def _module_of(backend: Any) -> str:
    return type(backend).__module__
