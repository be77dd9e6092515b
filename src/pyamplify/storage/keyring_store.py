"""Sessions in the operating system's secret store (macOS Keychain, Windows Credential
Manager, Secret Service) through ``keyring``.

* One keyring entry per key (service = ``service``, username = the key), holding the JSON text.
  Text longer than ``max_entry_chars`` is split over several entries, because Windows
  Credential Manager refuses secrets over 2,560 bytes and a session with three JWTs is about
  4 KB. The head entry then names a fresh *generation* of parts, written before the head and
  removed after it, so a reader never combines parts of two different saves. A reader that
  finds the parts changing under it (a save in another process) reads again under the entry's
  lock, which every writer holds: a concurrent save never reads as "signed out".
* A locked keyring is :class:`~pyamplify.storage.base.KeyringLockedError` on every operation,
  never "signed out" and never a silently skipped delete. The Secret Service's unlock prompt is
  shown only as ``unlock_timeout`` allows (:mod:`pyamplify.storage.secret_service`).
* ``lock(key)`` is a lock file in ``lock_directory`` (the keyring has no locks of its own).
* ``keys()`` reads an index (key names only, nothing secret) kept in a small
  :class:`~pyamplify.storage.file.FileStore` in ``lock_directory``: keyring cannot list entries.
* Identity records (``is_identity_key``) also leave their short-lived AWS credentials (never a
  refresh token) in a 0600 file of that FileStore, under :func:`credentials_cache_key`: the
  ``pyamplify auth credentials`` fast path reads them there without importing keyring or
  talking to D-Bus, so a cached answer costs the same on every store.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from pyamplify.storage._locks import hold_lock
from pyamplify.storage.base import (
    KeyringLockedError,
    StorageError,
    decode_value,
    encode_value,
    is_identity_key,
    logger,
    warn_unusable,
)
from pyamplify.storage.file import FileStore

_CHUNK_MARK = "pyamplify-chunks:1:"
#: Windows stores secrets as UTF-16 with a 2,560-byte cap: 1,200 characters fit with room.
_WINDOWS_ENTRY_CHARS = 1200
#: The fields of an identity record that the credentials cache keeps.
_CACHED_FIELDS = ("version", "current")
#: Exception class names (keyring's, SecretStorage's) that mean "the keyring is locked".
_LOCKED_NAMES = frozenset({"KeyringLocked", "LockedException"})
#: SecretStorage's "the item was there a moment ago" (deleted between search and read).
_VANISHED_NAMES = frozenset({"ItemNotFoundException"})


def credentials_cache_key(service: str, key: str) -> str:
    """The key, in the lock directory's FileStore, of the cached credentials of ``key``."""
    return f"keyring-credentials/{service}/{key}"


class KeyringStore:
    """A credential store in the OS keyring under ``service``.

    ``unlock_timeout``: seconds the Secret Service's unlock prompt may wait for the person at
    the desktop (``0``: never show it, fail at once); ``None`` reads
    ``PYAMPLIFY_KEYRING_UNLOCK_TIMEOUT`` (default 60).
    """

    def __init__(
        self,
        service: str = "pyamplify",
        lock_directory: str | os.PathLike[str] | None = None,
        *,
        backend: Any = None,
        max_entry_chars: int | None = None,
        lock_timeout: float | None = 60.0,
        unlock_timeout: float | None = None,
    ) -> None:
        from pyamplify.storage.secret_service import unlock_timeout_from_env

        self.service = service
        self._lock_directory = None if lock_directory is None else Path(lock_directory)
        self._backend = backend
        self._policy_backend: Any = None
        if max_entry_chars is None:
            max_entry_chars = _WINDOWS_ENTRY_CHARS if sys.platform == "win32" else 1 << 20
        if max_entry_chars < 64:
            raise StorageError("max_entry_chars must be at least 64")
        self._max_entry_chars = max_entry_chars
        self._lock_timeout = lock_timeout
        if unlock_timeout is None:
            unlock_timeout = unlock_timeout_from_env()
        #: Seconds the unlock prompt may wait (0: never shown).
        self.unlock_timeout = unlock_timeout

    def __repr__(self) -> str:
        return f"KeyringStore(service={self.service!r}, backend={self.backend_name})"

    @property
    def backend_name(self) -> str:
        """The keyring backend entries go to, e.g. ``keyring.backends.SecretService.Keyring``
        (for a keyring chainer, its first backend, which is where it writes)."""
        from pyamplify.storage.secret_service import effective_backend

        backend = effective_backend(self._get_backend())
        return f"{type(backend).__module__}.{type(backend).__qualname__}"

    @property
    def lock_directory(self) -> Path:
        """Where lock files, the key index and the credentials cache live (default:
        ``<data dir>/locks``)."""
        if self._lock_directory is None:
            from pyamplify.storage.default import data_dir

            self._lock_directory = data_dir() / "locks"
        return self._lock_directory

    # ------------------------------------------------------------------ the store interface

    def load(self, key: str) -> dict[str, Any] | None:
        """The object saved under ``key``; ``None`` (and a warning) if the entry is unusable.
        A keyring that cannot be read (locked, unreachable) raises :class:`StorageError`."""
        where = f"keyring service {self.service!r}"
        try:
            text = self._read_entry(key)
        except _ChunkError:
            # Parts changed between our reads: another process is saving. Writers hold the
            # entry's lock (re-entrant if this thread already holds it), so read again under it.
            with self.lock(key):
                try:
                    text = self._read_entry(key)
                except _ChunkError as error:
                    warn_unusable(key, where, str(error))
                    return None
        return None if text is None else decode_value(key, text, where)

    def save(self, key: str, value: dict[str, Any]) -> None:
        """Replace the entry (or entries) of ``key``."""
        text = encode_value(key, value)
        old_head = self._get(key, key, "saved")
        if len(text) <= self._max_entry_chars:
            self._set(key, key, text)
        else:
            generation = secrets.token_hex(4)
            chunks = [
                text[i : i + self._max_entry_chars]
                for i in range(0, len(text), self._max_entry_chars)
            ]
            for index, chunk in enumerate(chunks):
                self._set(key, _part_name(key, generation, index), chunk)
            self._set(key, key, f"{_CHUNK_MARK}{generation}:{len(chunks)}:{_fingerprint(text)}")
        self._delete_parts(key, old_head)
        self._update_index(key, present=True)
        self._cache_credentials(key, value)

    def delete(self, key: str) -> None:
        """Remove the entry (and its parts) of ``key``; a missing key is not an error, a keyring
        that refuses (locked, unreachable) raises and leaves the index and entry as they are."""
        head = self._get(key, key, "removed")
        if head is not None:
            self._remove(key, key)
        self._delete_parts(key, head)
        self._update_index(key, present=False)
        self._cache_credentials(key, None)

    def keys(self, prefix: str = "") -> list[str]:
        """Keys saved through this store (from the index), starting with ``prefix``."""
        index = self._index_store().load(self._index_key) or {}
        names = index.get("keys", [])
        return sorted(k for k in names if isinstance(k, str) and k.startswith(prefix))

    def lock(self, key: str) -> contextlib.AbstractContextManager[None]:
        """Exclusive lock on ``key`` across threads and processes (a lock file)."""
        digest = hashlib.sha256(f"{self.service}\0{key}".encode()).hexdigest()
        return hold_lock(self.lock_directory / f"keyring-{digest}.lock", self._lock_timeout, key)

    # ------------------------------------------------------------------ backend calls

    def _get_backend(self) -> Any:
        if self._backend is None:
            import keyring

            self._backend = keyring.get_keyring()
        return self._backend

    def _api(self) -> Any:
        """The backend with the unlock policy applied (see secret_service)."""
        if self._policy_backend is None:
            from pyamplify.storage.secret_service import with_unlock_policy

            self._policy_backend = with_unlock_policy(self._get_backend(), self.unlock_timeout)
        return self._policy_backend

    def _get(self, key: str, name: str, doing: str = "read") -> str | None:
        try:
            value = self._api().get_password(self.service, name)
        except Exception as error:  # backends raise anything from KeyringError to D-Bus errors
            if doing == "read" and type(error).__name__ in _VANISHED_NAMES:
                # Found, then gone before its secret was read: a save in another process.
                raise _ChunkError("it changed while being read") from None
            raise self._failure(key, doing, error) from None
        return value if isinstance(value, str) or value is None else str(value)

    def _set(self, key: str, name: str, text: str) -> None:
        try:
            self._api().set_password(self.service, name, text)
        except Exception as error:
            raise self._failure(key, "saved", error) from None

    def _remove(self, key: str, name: str) -> None:
        try:
            self._api().delete_password(self.service, name)
        except Exception as error:
            if type(error).__name__ == "PasswordDeleteError":  # already gone
                return
            raise self._failure(key, "removed", error) from None

    def _failure(self, key: str, doing: str, error: Exception) -> StorageError:
        """The StorageError for a backend exception (its type only: messages may quote data)."""
        from pyamplify.storage.secret_service import NO_BUS_REASON, locked_error, no_session_bus

        what = f"credential store entry {key!r} could not be {doing}"
        if isinstance(error, KeyringLockedError):
            return locked_error(what, str(error))
        if any(kind.__name__ in _LOCKED_NAMES for kind in type(error).__mro__):
            return locked_error(what)
        if isinstance(error, StorageError):
            return StorageError(f"{what}: {error}")
        if type(error).__name__ == "SecretServiceNotAvailableException" and no_session_bus():
            return StorageError(f"{what}: {NO_BUS_REASON}; set PYAMPLIFY_STORE=file to use files")
        return StorageError(
            f"{what} in the keyring ({self.backend_name}): {type(error).__name__}; set "
            "PYAMPLIFY_STORE=file to keep sessions in a private file instead"
        )

    # ------------------------------------------------------------------ helpers

    def _read_entry(self, key: str) -> str | None:
        head = self._get(key, key)
        if head is None or not head.startswith(_CHUNK_MARK):
            return head
        try:
            generation, count_text, fingerprint = head[len(_CHUNK_MARK) :].split(":")
            count = int(count_text)
        except ValueError:
            raise _ChunkError("its chunk header is malformed") from None
        parts = []
        for index in range(count):
            part = self._get(key, _part_name(key, generation, index))
            if part is None:
                raise _ChunkError(f"part {index + 1} of {count} is missing")
            parts.append(part)
        text = "".join(parts)
        if _fingerprint(text) != fingerprint:
            raise _ChunkError("its parts do not belong together (changed while reading?)")
        return text

    def _delete_parts(self, key: str, head: str | None) -> None:
        """Remove the parts ``head`` named, unless a newer save reuses them. Best effort: the
        head no longer names them, so a leftover part is unreachable, never read."""
        if head is None or not head.startswith(_CHUNK_MARK):
            return
        try:
            generation, count_text, _ = head[len(_CHUNK_MARK) :].split(":")
            count = int(count_text)
        except ValueError:
            return
        with contextlib.suppress(StorageError, _ChunkError):
            current = self._get(key, key)
            if current is not None and current.startswith(f"{_CHUNK_MARK}{generation}:"):
                return  # still in use
            for index in range(count):
                self._remove(key, _part_name(key, generation, index))

    @property
    def _index_key(self) -> str:
        return f"keyring-index/{self.service}"

    def _index_store(self) -> FileStore:
        return FileStore(self.lock_directory, lock_timeout=self._lock_timeout)

    def _update_index(self, key: str, *, present: bool) -> None:
        store = self._index_store()
        try:
            with store.lock(self._index_key):
                index = store.load(self._index_key) or {}
                names = {k for k in index.get("keys", []) if isinstance(k, str)}
                if (key in names) == present:
                    return
                names = names | {key} if present else names - {key}
                store.save(self._index_key, {"keys": sorted(names)})
        except StorageError:
            pass  # the index only serves keys(); the secret itself is saved

    def _cache_credentials(self, key: str, value: dict[str, Any] | None) -> None:
        """Keep (or drop) the short-lived AWS credentials of an identity record in a 0600 file
        for the ``auth credentials`` fast path. A cache that cannot be written is removed, so
        it never serves credentials the keyring no longer holds; if even that fails, raise."""
        if not is_identity_key(key):
            return
        cache = self._index_store()
        name = credentials_cache_key(self.service, key)
        if value is not None and value.get("current"):
            try:
                cache.save(name, {field: value.get(field) for field in _CACHED_FIELDS})
                return
            except StorageError as error:
                logger.warning("the credentials cache could not be written: %s", error)
        cache.delete(name)


class _ChunkError(Exception):
    """A chunked entry cannot be put back together."""


def _part_name(key: str, generation: str, index: int) -> str:
    return f"{key}#{generation}.{index}"


def _fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
