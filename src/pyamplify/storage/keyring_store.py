"""Sessions in the operating system's secret store (macOS Keychain, Windows Credential
Manager, Secret Service) through ``keyring``.

* One keyring entry per key (service = ``service``, username = the key), holding the JSON text.
  Text longer than ``max_entry_chars`` is split over several entries, because Windows
  Credential Manager refuses secrets over 2,560 bytes and a session with three JWTs is about
  4 KB. The head entry then names a fresh *generation* of parts, written before the head and
  removed after it, so a reader never combines parts of two different saves.
* ``lock(key)`` is a lock file in ``lock_directory`` (the keyring has no locks of its own).
* ``keys()`` reads an index (key names only, nothing secret) kept in a small
  :class:`~pyamplify.storage.file.FileStore` in ``lock_directory``: keyring cannot list entries.
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
    StorageError,
    decode_value,
    encode_value,
    warn_unusable,
)
from pyamplify.storage.file import FileStore

_CHUNK_MARK = "pyamplify-chunks:1:"
#: Windows stores secrets as UTF-16 with a 2,560-byte cap: 1,200 characters fit with room.
_WINDOWS_ENTRY_CHARS = 1200


class KeyringStore:
    """A credential store in the OS keyring under ``service``."""

    def __init__(
        self,
        service: str = "pyamplify",
        lock_directory: str | os.PathLike[str] | None = None,
        *,
        backend: Any = None,
        max_entry_chars: int | None = None,
        lock_timeout: float | None = 60.0,
    ) -> None:
        self.service = service
        self._lock_directory = None if lock_directory is None else Path(lock_directory)
        self._backend = backend
        if max_entry_chars is None:
            max_entry_chars = _WINDOWS_ENTRY_CHARS if sys.platform == "win32" else 1 << 20
        if max_entry_chars < 64:
            raise StorageError("max_entry_chars must be at least 64")
        self._max_entry_chars = max_entry_chars
        self._lock_timeout = lock_timeout

    def __repr__(self) -> str:
        return f"KeyringStore(service={self.service!r}, backend={self.backend_name})"

    @property
    def backend_name(self) -> str:
        """The keyring backend's class, e.g. ``keyring.backends.macOS.Keyring``."""
        backend = self._get_backend()
        return f"{type(backend).__module__}.{type(backend).__qualname__}"

    @property
    def lock_directory(self) -> Path:
        """Where lock files and the key index live (default: ``<data dir>/locks``)."""
        if self._lock_directory is None:
            from pyamplify.storage.default import data_dir

            self._lock_directory = data_dir() / "locks"
        return self._lock_directory

    # ------------------------------------------------------------------ the store interface

    def load(self, key: str) -> dict[str, Any] | None:
        """The object saved under ``key``; ``None`` (and a warning) if unusable."""
        where = f"keyring service {self.service!r}"
        try:
            head = self._get_backend().get_password(self.service, key)
            if head is None:
                return None
            text = self._join_chunks(key, head)
        except _ChunkError as error:
            warn_unusable(key, where, str(error))
            return None
        except Exception as error:  # backends raise anything from KeyringError to D-Bus errors
            warn_unusable(key, where, f"the keyring could not be read ({type(error).__name__})")
            return None
        return decode_value(key, text, where)

    def save(self, key: str, value: dict[str, Any]) -> None:
        """Replace the entry (or entries) of ``key``."""
        text = encode_value(key, value)
        backend = self._get_backend()
        try:
            old_head = backend.get_password(self.service, key)
        except Exception:
            old_head = None
        try:
            if len(text) <= self._max_entry_chars:
                backend.set_password(self.service, key, text)
            else:
                generation = secrets.token_hex(4)
                chunks = [
                    text[i : i + self._max_entry_chars]
                    for i in range(0, len(text), self._max_entry_chars)
                ]
                for index, chunk in enumerate(chunks):
                    backend.set_password(self.service, _part_name(key, generation, index), chunk)
                head = f"{_CHUNK_MARK}{generation}:{len(chunks)}:{_fingerprint(text)}"
                backend.set_password(self.service, key, head)
        except Exception as error:
            raise StorageError(
                f"could not save credential store entry {key!r} in the keyring "
                f"({self.backend_name}): {type(error).__name__}; set PYAMPLIFY_STORE=file to "
                "keep sessions in a private file instead"
            ) from None
        self._delete_parts(key, old_head)
        self._update_index(key, present=True)

    def delete(self, key: str) -> None:
        """Remove the entry (and its parts) of ``key``; a missing key is not an error."""
        backend = self._get_backend()
        try:
            head = backend.get_password(self.service, key)
        except Exception:
            head = None
        self._delete_entry(key)
        self._delete_parts(key, head)
        self._update_index(key, present=False)

    def keys(self, prefix: str = "") -> list[str]:
        """Keys saved through this store (from the index), starting with ``prefix``."""
        index = self._index_store().load(self._index_key) or {}
        names = index.get("keys", [])
        return sorted(k for k in names if isinstance(k, str) and k.startswith(prefix))

    def lock(self, key: str) -> contextlib.AbstractContextManager[None]:
        """Exclusive lock on ``key`` across threads and processes (a lock file)."""
        digest = hashlib.sha256(f"{self.service}\0{key}".encode()).hexdigest()
        return hold_lock(self.lock_directory / f"keyring-{digest}.lock", self._lock_timeout, key)

    # ------------------------------------------------------------------ helpers

    def _get_backend(self) -> Any:
        if self._backend is None:
            import keyring

            self._backend = keyring.get_keyring()
        return self._backend

    def _join_chunks(self, key: str, head: str) -> str:
        if not head.startswith(_CHUNK_MARK):
            return head
        try:
            generation, count_text, fingerprint = head[len(_CHUNK_MARK) :].split(":")
            count = int(count_text)
        except ValueError:
            raise _ChunkError("its chunk header is malformed") from None
        parts = []
        for index in range(count):
            part = self._get_backend().get_password(
                self.service, _part_name(key, generation, index)
            )
            if part is None:
                raise _ChunkError(f"part {index + 1} of {count} is missing")
            parts.append(part)
        text = "".join(parts)
        if _fingerprint(text) != fingerprint:
            raise _ChunkError("its parts do not belong together (changed while reading?)")
        return text

    def _delete_parts(self, key: str, head: str | None) -> None:
        if head is None or not head.startswith(_CHUNK_MARK):
            return
        try:
            generation, count_text, _ = head[len(_CHUNK_MARK) :].split(":")
            count = int(count_text)
        except ValueError:
            return
        current = None
        with contextlib.suppress(Exception):
            current = self._get_backend().get_password(self.service, key)
        if current is not None and current.startswith(f"{_CHUNK_MARK}{generation}:"):
            return  # still in use
        for index in range(count):
            self._delete_entry(_part_name(key, generation, index))

    def _delete_entry(self, name: str) -> None:
        with contextlib.suppress(Exception):  # PasswordDeleteError when absent, and the like
            self._get_backend().delete_password(self.service, name)

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


class _ChunkError(Exception):
    """A chunked entry cannot be put back together."""


def _part_name(key: str, generation: str, index: int) -> str:
    return f"{key}#{generation}.{index}"


def _fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
