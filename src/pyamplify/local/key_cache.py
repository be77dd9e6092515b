"""Test keys of in-memory local Cognitos, reused from one run to the next.

A run of a test suite makes hundreds of pools on ephemeral servers, each needing two RSA key pairs
(~80 ms each to make). Their keys die with the server, so the next run may use them again: this
cache keeps them in a private file under the user cache dir (``PYAMPLIFY_LOCAL_KEY_CACHE``
names another directory, ``off`` turns the cache off).

The directory holds *slots*, ``slot-<n>.keys`` (a header line, then one base64 PKCS#8 DER key per
line), each guarded by ``slot-<n>.lock``. A process takes the first slot whose lock it can get
and holds the lock until it exits (the OS drops it if the process dies), so two processes (two
terminals, pytest-xdist workers) never use the same keys; within a process one
:class:`~pyamplify.local.key_supply.KeySupply` hands each key to one pool at a time. Fresh keys
that ephemeral servers needed are appended for the next run, up to :data:`CAPACITY` per slot.

Only ephemeral servers use the cache: its private keys are test keys, readable by the user, so a
persistent (data-dir) server never takes one and its own keys are never written here. A cache
that cannot be read, or is not private, or has a line that is not such a key is ignored with one
warning (and replaced on the next write); the server then makes keys as it would without it.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import os
import stat
import warnings
from collections import deque
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from pyamplify.local.key_supply import KEY_SIZE, PUBLIC_EXPONENT, KeyPair

ENV_VAR = "PYAMPLIFY_LOCAL_KEY_CACHE"
HEADER = "pyamplify local-cognito test keys v1"
#: Slots tried before giving up (more processes than this at once run without the cache).
SLOTS = 32
#: Keys one slot keeps (~1.6 KB each): more than a large suite holds at any one time.
CAPACITY = 2048
_OFF = {"", "0", "off", "no", "false", "none"}


def cache_directory() -> Path | None:
    """Where the cache lives: ``$PYAMPLIFY_LOCAL_KEY_CACHE``, else the user cache dir."""
    configured = os.environ.get(ENV_VAR)
    if configured is not None:
        return None if configured.strip().lower() in _OFF else Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("pyamplify", appauthor=False)) / "local-test-keys"


class CacheProblem(Exception):
    """Why the cache is ignored (the message of the one warning)."""


class KeyCache:
    """One slot of the cross-run key cache, held by this process (module docstring)."""

    def __init__(self, directory: Path, *, slots: int = SLOTS, capacity: int = CAPACITY) -> None:
        self.directory = directory
        self._slots = slots
        self._capacity = capacity
        self._lock: Any = None
        self.path: Path | None = None
        #: Keys nobody holds, in file order.
        self._free: deque[KeyPair] = deque()
        #: Every key in the slot (held or free), by kid.
        self._known: dict[str, KeyPair] = {}
        #: Kids of the slot's keys that a pool holds now: only these may be given back.
        self._held: set[str] = set()
        self._rewrite = False
        self._warned = False
        self._usable = False

    @property
    def available(self) -> int:
        """Keys ready to hand out."""
        return len(self._free)

    @property
    def slot_size(self) -> int:
        """Keys in this process's slot."""
        return len(self._known)

    def open(self) -> None:
        """Take a free slot and read its keys; problems turn the cache off with one warning."""
        try:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            self.path = self._claim_slot()
        except OSError as error:
            self._warn(f"cannot use {self.directory}: {error.strerror or error}")
            return
        if self.path is None:
            return  # every slot is held by another process: fresh keys only
        self._usable = True
        try:
            keys = self._read(self.path)
        except CacheProblem as problem:
            self._warn(f"{self.path}: {problem}")
            self._rewrite = True
            return
        for key in keys:
            if key.kid not in self._known:
                self._known[key.kid] = key
                self._free.append(key)

    def take(self) -> KeyPair | None:
        """A cached key nobody holds, or ``None``."""
        if not self._free:
            return None
        key = self._free.popleft()
        self._held.add(key.kid)
        return key

    def give_back(self, key: KeyPair) -> None:
        """A key of a stopped ephemeral server; only held keys of this slot are taken back."""
        if key.kid in self._held:
            self._held.discard(key.kid)
            self._free.append(self._known[key.kid])

    def record(self, key: KeyPair) -> None:
        """Keep a fresh key an ephemeral server now holds, for the next runs (it is held)."""
        if not self._usable or self.path is None or len(self._known) >= self._capacity:
            return
        self._known[key.kid] = key
        self._held.add(key.kid)
        try:
            if self._rewrite or not self.path.exists():
                self._write_all(self.path)
                self._rewrite = False
            else:
                self._append(self.path, key)
        except OSError as error:
            self._usable = False
            self._warn(f"cannot write {self.path}: {error.strerror or error}")

    def close(self) -> None:
        """Let go of the slot (another process may take it); the keys stay in the file."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None
        self._usable = False
        self._free.clear()

    # ------------------------------------------------------------------ files

    def _claim_slot(self) -> Path | None:
        import filelock

        for number in range(self._slots):
            lock = filelock.FileLock(
                str(self.directory / f"slot-{number}.lock"),
                timeout=0,
                mode=0o600,
                thread_local=False,
            )
            try:
                lock.acquire()
            except filelock.Timeout:
                continue
            self._lock = lock  # held for the life of the process; the OS frees it at exit
            return self.directory / f"slot-{number}.keys"
        return None

    def _read(self, path: Path) -> list[KeyPair]:
        try:
            handle = open(path, "rb")  # noqa: SIM115 - the stat must be of the opened file
        except FileNotFoundError:
            return []
        except OSError as error:
            raise CacheProblem(f"cannot be read ({error.strerror or error})") from None
        with handle:
            info = os.fstat(handle.fileno())
            if hasattr(os, "getuid") and (
                info.st_uid != os.getuid() or info.st_mode & (stat.S_IRWXG | stat.S_IRWXO)
            ):
                raise CacheProblem("is not private to this user (owner and mode 0600 expected)")
            try:
                lines = handle.read().decode("ascii").splitlines()
            except (OSError, UnicodeDecodeError):
                raise CacheProblem("cannot be read as text") from None
        if not lines or lines[0] != HEADER:
            raise CacheProblem("does not start with the cache header")
        return [_parse(number, line) for number, line in enumerate(lines[1:], start=2)]

    def _write_all(self, path: Path) -> None:
        body = HEADER + "\n" + "".join(_line(key) for key in self._known.values())
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(descriptor, "w", encoding="ascii") as handle:
                handle.write(body)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def _append(self, path: Path, key: KeyPair) -> None:
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(descriptor, _line(key).encode("ascii"))  # one write: no torn lines
        finally:
            os.close(descriptor)

    def _warn(self, problem: str) -> None:
        if self._warned:
            return
        self._warned = True
        warnings.warn(
            f"ignoring the local Cognito's test key cache ({problem}); new keys are made "
            f"instead (set {ENV_VAR}=off to silence this)",
            RuntimeWarning,
            stacklevel=2,
        )


def _line(key: KeyPair) -> str:
    return base64.b64encode(key.der()).decode("ascii") + "\n"


def _parse(number: int, line: str) -> KeyPair:
    """One cache line as a key; anything but an RSA-2048 private key is a :class:`CacheProblem`."""
    try:
        der = base64.b64decode(line, validate=True)
        # Our own keys, written by _line: the ~60 ms RSA consistency check would undo the cache.
        loaded = serialization.load_der_private_key(
            der, password=None, unsafe_skip_rsa_key_validation=True
        )
    except (binascii.Error, ValueError, TypeError):
        raise CacheProblem(f"line {number} is not a private key") from None
    if (
        not isinstance(loaded, rsa.RSAPrivateKey)
        or loaded.key_size != KEY_SIZE
        or loaded.public_key().public_numbers().e != PUBLIC_EXPONENT
    ):
        raise CacheProblem(f"line {number} is not an RSA-{KEY_SIZE} key")
    return KeyPair.of(loaded)
