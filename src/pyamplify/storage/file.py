"""Sessions as one JSON file per key in a private directory, safe across processes.

* Names: ``<sha256(key)>.json``. Hashing keeps names short, free of path separators and of
  names Windows reserves, and distinct on case-insensitive file systems (``Alice``/``alice``).
  The key itself is kept inside the file, which is how :meth:`FileStore.keys` lists them.
* Writes are atomic: a temp file in the same directory (created 0600 by ``mkstemp``), fsync,
  ``os.replace`` over the old file, then fsync of the directory. A reader sees the old or the
  new file, never half of one.
* A writer killed between its write and its rename leaves its temp file, which holds the value
  (a refresh token). Temp files are named ``.tmp-<key digest>-<pid>-<random>.json``, so
  :meth:`FileStore.delete` removes every temp file of its key (sign-out leaves no token behind)
  and every :meth:`FileStore.save` removes the temp files of writers that are no longer running
  (or that are older than :data:`ABANDONED_AFTER`: the pid may have been reused).
* The directory is 0700 and files are 0600.
* ``lock(key)`` takes ``<sha256(key)>.lock`` with ``filelock`` plus a process-wide thread lock.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

from pyamplify.storage._locks import hold_lock
from pyamplify.storage.base import (
    StorageError,
    decode_value,
    encode_value,
    logger,
    warn_unusable,
)

_FORMAT = 1
_TEMP_PREFIX = ".tmp-"
#: ``.tmp-<first 16 hex of the key digest>-<writer pid>-<mkstemp's random part>.json``; the
#: versions before had ``.tmp-<random>.json`` (no owner known: treated by age alone).
_TEMP_NAME = re.compile(r"\.tmp-(?:(?P<key>[0-9a-f]{16})-(?P<pid>\d+)-)?.*\.json")
#: A temp file this old is abandoned whoever wrote it: no save takes ten minutes.
ABANDONED_AFTER = 600.0


class FileStore:
    """A credential store in ``directory`` (created 0700 on first write)."""

    def __init__(
        self, directory: str | os.PathLike[str], *, lock_timeout: float | None = 60.0
    ) -> None:
        self.directory = Path(directory)
        self._lock_timeout = lock_timeout
        self._checked_mode = False

    def __repr__(self) -> str:
        return f"FileStore({str(self.directory)!r})"

    def path_of(self, key: str) -> Path:
        """The file that holds ``key``."""
        return self.directory / f"{_digest(key)}.json"

    def temp_prefix(self, key: str) -> str:
        """How this process's temp files for ``key`` begin (owner and key in the name)."""
        return f"{_TEMP_PREFIX}{_digest(key)[:16]}-{os.getpid()}-"

    def load(self, key: str) -> dict[str, Any] | None:
        """The object saved under ``key``; ``None`` (and a warning) if corrupt or unreadable."""
        path = self.path_of(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            warn_unusable(key, str(path), f"it cannot be read ({_describe(error)})")
            return None
        envelope = decode_value(key, data, str(path))
        if envelope is None:
            return None
        value = envelope.get("value")
        if envelope.get("format") != _FORMAT or envelope.get("key") != key:
            warn_unusable(key, str(path), "it was not written by this version for this key")
            return None
        if not isinstance(value, dict):
            warn_unusable(key, str(path), "its value is not a JSON object")
            return None
        return value

    def save(self, key: str, value: dict[str, Any]) -> None:
        """Atomically replace the file of ``key``."""
        encode_value(key, value)  # a clear error for non-JSON values before touching the disk
        text = json.dumps({"format": _FORMAT, "key": key, "value": value}, ensure_ascii=False)
        self._ensure_directory()
        self._remove_stray_temp_files(None)
        path = self.path_of(key)
        try:
            fd, temp_name = tempfile.mkstemp(
                prefix=self.temp_prefix(key), suffix=".json", dir=self.directory
            )
        except OSError as error:
            raise _write_error(key, path, error) from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as temp:
                temp.write(text)
                temp.flush()
                os.fsync(temp.fileno())
            os.replace(temp_name, path)
        except OSError as error:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise _write_error(key, path, error) from None
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)
            raise
        _fsync_directory(self.directory)

    def delete(self, key: str) -> None:
        """Remove the file of ``key`` (its lock file stays: another process may hold it)."""
        path = self.path_of(key)
        try:
            path.unlink(missing_ok=True)
            self._remove_stray_temp_files(key)
        except OSError as error:
            raise StorageError(
                f"could not delete credential store entry {key!r} ({path}): {_describe(error)}"
            ) from None
        _fsync_directory(self.directory)

    def _remove_stray_temp_files(self, key: str | None) -> None:
        """Remove temp files left by writers that died mid-save, and (``key`` given, for a
        delete) every temp file of ``key``: a save racing a sign-out must not outlive it."""
        digest = _digest(key)[:16] if key is not None else None
        try:
            entries = [e for e in os.scandir(self.directory) if e.name.startswith(_TEMP_PREFIX)]
        except OSError:
            return
        for entry in entries:
            named = _TEMP_NAME.fullmatch(entry.name)
            if named is None:
                continue
            if digest is None or named["key"] != digest:
                try:
                    age = time.time() - entry.stat().st_mtime
                except OSError:
                    continue
                pid = named["pid"]
                if age < ABANDONED_AFTER and (pid is None or _running(int(pid))):
                    continue
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)

    def keys(self, prefix: str = "") -> list[str]:
        """Keys of the readable entries that start with ``prefix``, sorted."""
        found = []
        try:
            paths = sorted(self.directory.glob("*.json"))
        except OSError:
            return []
        for path in paths:
            if path.name.startswith(_TEMP_PREFIX):
                continue
            try:
                envelope = json.loads(path.read_bytes())
            except (OSError, ValueError, RecursionError):
                continue
            key = envelope.get("key") if isinstance(envelope, dict) else None
            if isinstance(key, str) and key.startswith(prefix) and self.path_of(key) == path:
                found.append(key)
        return sorted(found)

    def lock(self, key: str) -> contextlib.AbstractContextManager[None]:
        """Exclusive lock on ``key`` across threads and processes (re-entrant per thread)."""
        self._ensure_directory()
        return hold_lock(self.directory / f"{_digest(key)}.lock", self._lock_timeout, key)

    def _ensure_directory(self) -> None:
        """Create the directory 0700 if missing; an existing one is left as it is (it may be
        shared on purpose), with one warning if others can enter it: files stay 0600."""
        try:
            if not self.directory.is_dir():
                self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
                self.directory.chmod(0o700)  # mkdir's mode is filtered by the umask
            elif os.name == "posix" and not self._checked_mode:
                mode = stat.S_IMODE(self.directory.stat().st_mode)
                if mode & 0o077:
                    logger.warning(
                        "credential store directory %s is accessible by other users (mode %o); "
                        "its files are private (0600), but consider chmod 700",
                        self.directory,
                        mode,
                    )
            self._checked_mode = True
        except OSError as error:
            raise StorageError(
                f"cannot use {self.directory} for credentials: {_describe(error)}; set "
                "PYAMPLIFY_DATA_DIR to a writable directory"
            ) from None


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists (POSIX); elsewhere assume so and go by age alone
    (``os.kill(pid, 0)`` on Windows would terminate the process)."""
    if os.name != "posix" or pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # e.g. another user's process: alive
    return True


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _describe(error: OSError) -> str:
    return f"{type(error).__name__}: {error.strerror or error}"


def _write_error(key: str, path: Path, error: OSError) -> StorageError:
    return StorageError(
        f"could not save credential store entry {key!r} to {path}: {_describe(error)}"
    )


def _fsync_directory(directory: Path) -> None:
    """Make a rename durable (POSIX); Windows cannot open directories and needs no such step."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
