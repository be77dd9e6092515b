"""Where new pools' RSA signing keys come from: made ahead of need, each handed out once.

Making an RSA-2048 key pair costs ~80 ms of CPU, and a pool needs two (ID and access tokens) at
its first sign-in, so a test that makes a fresh pool would spend most of its time waiting for
them. Keys are therefore made before anyone asks:

* :class:`ReadyKeys` keeps a few freshly made key pairs in memory, topped up by a daemon thread
  (OpenSSL's key generation releases the GIL, so it runs beside the server and the tests);
* for in-memory (ephemeral) servers, :class:`~pyamplify.local.key_cache.KeyCache` reuses test
  keys across runs from a private file in the user cache dir.

The rules that keep tokens of different pools apart, and why each holds:

* a key is handed to one pool at a time: :class:`ReadyKeys` pops what it hands out, and the
  cache hands out each of its keys once until the ephemeral server that got it stops (then
  nobody can verify with it any more and it may serve another in-memory pool);
* a persistent (data-dir) server only ever gets fresh keys, which are never written anywhere
  but its own store, so its keys are never reused elsewhere;
* two ephemeral servers at the same time never share a key: in one process they share one
  supply, and each process holds its own slot of the cache under a file lock.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

if TYPE_CHECKING:
    from pyamplify.local.key_cache import KeyCache

#: Cognito signs with RS256 over 2048-bit keys.
KEY_SIZE = 2048
PUBLIC_EXPONENT = 65537
#: Fresh key pairs kept ready: two pools' worth. More buys nothing once the cache holds keys
#: (BENCHMARKS.md), and each one costs ~80 ms of CPU beside the tests on a cold start.
READY_TARGET = 4


def kid_of(public_key: rsa.RSAPublicKey) -> str:
    """A key's ``kid``: base64 of the SHA-256 of its SubjectPublicKeyInfo (stable, unique)."""
    der = public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


@dataclass(frozen=True, repr=False)
class KeyPair:
    """An RSA private key with its ``kid``, parsed once and kept as an object."""

    kid: str
    private_key: rsa.RSAPrivateKey

    @classmethod
    def of(cls, private_key: rsa.RSAPrivateKey) -> KeyPair:
        """Wrap ``private_key``, computing its ``kid``."""
        return cls(kid_of(private_key.public_key()), private_key)

    def pem(self) -> bytes:
        """Unencrypted PKCS#8 PEM, the form the store keeps."""
        return self._pkcs8(serialization.Encoding.PEM)

    def der(self) -> bytes:
        """Unencrypted PKCS#8 DER, the form the key cache keeps."""
        return self._pkcs8(serialization.Encoding.DER)

    def _pkcs8(self, encoding: serialization.Encoding) -> bytes:
        return self.private_key.private_bytes(
            encoding, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def __repr__(self) -> str:
        return f"KeyPair(kid={self.kid!r})"


def new_key_pair() -> KeyPair:
    """A freshly generated RSA-2048 key pair."""
    return KeyPair.of(rsa.generate_private_key(public_exponent=PUBLIC_EXPONENT, key_size=KEY_SIZE))


class ReadyKeys:
    """Fresh key pairs kept ready by a daemon thread; :meth:`take` pops one (or makes one).

    The thread starts on the first :meth:`keep` with a positive count and sleeps whenever
    enough keys are ready, so a process that never needs fresh keys never makes any.
    """

    def __init__(self, make: Callable[[], KeyPair] = new_key_pair) -> None:
        self._make = make
        self._keys: deque[KeyPair] = deque()
        self._wanted = 0
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        #: Keys the thread has made so far (for tests and benchmarks).
        self.made = 0

    def keep(self, count: int) -> None:
        """Keep ``count`` keys ready from now on (the thread makes the missing ones)."""
        with self._changed:
            self._wanted = max(0, count)
            if self._wanted and self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="local-cognito-keys", daemon=True
                )
                self._thread.start()
            self._changed.notify_all()

    @property
    def ready(self) -> int:
        """How many keys are ready now."""
        with self._changed:
            return len(self._keys)

    def take(self) -> KeyPair:
        """A ready key, or one made now in the calling thread when none is ready."""
        with self._changed:
            if self._keys:
                key = self._keys.popleft()
                self._changed.notify_all()
                return key
        return self._make()

    def wait_ready(self, count: int, timeout: float) -> bool:
        """Block until ``count`` keys are ready (tests, benchmarks); ``False`` on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self._keys) >= count, timeout)

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: len(self._keys) < self._wanted)
            key = self._make()  # outside the lock: takers are never held up by a key in progress
            with self._changed:
                self._keys.append(key)
                self.made += 1
                self._changed.notify_all()


class KeySupply:
    """Hands key pairs to key rings, choosing the source by who asks (module docstring)."""

    def __init__(
        self, cache: KeyCache | None, ready: ReadyKeys | None = None, target: int = READY_TARGET
    ) -> None:
        self._cache = cache
        self._ready = ready if ready is not None else ReadyKeys()
        self._target = target
        self._lock = threading.Lock()
        self._opened = False
        self._persistent_servers = False

    @property
    def ready(self) -> ReadyKeys:
        """The fresh keys kept ready."""
        return self._ready

    @property
    def cache(self) -> KeyCache | None:
        """The cross-run cache ephemeral servers draw from, if any."""
        return self._cache

    def prepare(self, *, ephemeral: bool) -> None:
        """A server is starting: open the cache (once) and start making keys it will lack."""
        with self._lock:
            if ephemeral and not self._opened and self._cache is not None:
                self._opened = True
                self._cache.open()
            if not ephemeral:
                self._persistent_servers = True
            self._top_up()

    def take(self, *, ephemeral: bool) -> KeyPair:
        """A key no pool holds: cached or fresh for ephemeral servers, fresh otherwise."""
        with self._lock:
            cached = self._cache.take() if ephemeral and self._cache is not None else None
            self._top_up()
        if cached is not None:
            return cached
        key = self._ready.take()
        if ephemeral and self._cache is not None:
            with self._lock:
                self._cache.record(key)
        return key

    def give_back(self, keys: Iterable[KeyPair]) -> None:
        """Keys of a stopped ephemeral server: cached ones may serve another in-memory pool."""
        if self._cache is None:
            return
        with self._lock:
            for key in keys:
                self._cache.give_back(key)

    def _top_up(self) -> None:
        available = self._cache.available if self._cache is not None and self._opened else 0
        wanted = self._target if self._persistent_servers else self._target - available
        self._ready.keep(wanted)


_default: KeySupply | None = None
_default_lock = threading.Lock()


def default_supply() -> KeySupply:
    """The process-wide supply every :class:`~pyamplify.local.signing.KeyRing` uses."""
    global _default
    with _default_lock:
        if _default is None:
            from pyamplify.local.key_cache import KeyCache, cache_directory

            directory = cache_directory()
            _default = KeySupply(KeyCache(directory) if directory is not None else None)
        return _default


def _forget_default_after_fork() -> None:
    """A forked child must not hand out its parent's keys: it builds its own supply."""
    global _default, _default_lock
    _default = None
    _default_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_default_after_fork)
