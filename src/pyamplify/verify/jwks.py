"""The user pool's public keys (JWKS), fetched once and kept, by URI and ``kid``.

A verifier needs the key named by a token's ``kid``. Keys are fetched on first use and kept; a
``kid`` the cache does not know makes it fetch again once (Cognito added a key). A fetch that
did not find the ``kid`` (or failed) shuts the URI out for ``min_refetch_interval``, so a stream
of tokens with made-up ``kid``s cannot turn the verifier into a request generator against the
key endpoint (aws-jwt-verify's "penalty box"). Sync callers fetch with ``httpx.Client``,
async ones with ``httpx.AsyncClient``; both share one cache. Keys are turned into
``cryptography`` public keys by PyJWT (imported on first use), never by hand.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pyamplify.verify.errors import JwksFetchError, KeyNotFoundError

DEFAULT_MIN_REFETCH_INTERVAL = 10.0
DEFAULT_TIMEOUT = 5.0


@dataclass
class _Entry:
    keys: dict[str, Any] = field(default_factory=dict)
    #: No fetch before this ``clock()`` (after one that did not find its ``kid`` or failed).
    blocked_until: float = float("-inf")
    error: str | None = None


def parse_jwks(document: object, uri: str) -> dict[str, Any]:
    """``kid`` -> public key for the RS256 signing keys of a JWKS document."""
    import jwt

    keys = document.get("keys") if isinstance(document, Mapping) else None
    if not isinstance(keys, list):
        raise JwksFetchError(f"{uri} did not answer with a JWKS (a JSON object with 'keys')")
    found: dict[str, Any] = {}
    for item in keys:
        if not isinstance(item, Mapping) or item.get("kty") != "RSA":
            continue
        if item.get("use", "sig") != "sig" or item.get("alg", "RS256") != "RS256":
            continue
        kid = item.get("kid")
        if not isinstance(kid, str):
            continue
        try:
            found[kid] = jwt.PyJWK(dict(item), algorithm="RS256").key
        except jwt.PyJWTError:
            continue  # a malformed key is skipped, as if absent
    return found


class JwksCache:
    """Public keys by JWKS URI and ``kid`` (see the module docstring); thread-safe."""

    def __init__(
        self,
        *,
        min_refetch_interval: float = DEFAULT_MIN_REFETCH_INTERVAL,
        timeout: float = DEFAULT_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.min_refetch_interval = min_refetch_interval
        self.timeout = timeout
        self._clock = clock
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._fetch_locks: dict[str, threading.Lock] = {}
        #: Fetches made, by URI (how often the endpoint was asked).
        self.fetches: dict[str, int] = {}

    def load(self, uri: str, document: Mapping[str, Any]) -> None:
        """Use ``document`` (a JWKS) for ``uri`` without fetching it (offline verification)."""
        keys = parse_jwks(document, uri)
        with self._lock:
            self._entries[uri] = _Entry(keys)

    def cached(self, uri: str, kid: str) -> Any | None:
        """The key if it is cached (no I/O)."""
        entry = self._entries.get(uri)
        return entry.keys.get(kid) if entry is not None else None

    def _may_fetch(self, uri: str, kid: str) -> Any | None:
        """The key if cached now; else ``None`` when a fetch may be made; else raise."""
        entry = self._entries.get(uri)
        if entry is None:
            return None
        if kid in entry.keys:
            return entry.keys[kid]
        wait = entry.blocked_until - self._clock()
        if wait > 0:
            if entry.error is not None:
                raise JwksFetchError(
                    f"the keys at {uri} could not be fetched ({entry.error}); not asking again "
                    f"for {wait:.0f}s"
                )
            raise KeyNotFoundError(
                f"the token's key (kid {kid[:64]!r}) is not among the keys at {uri} (not "
                f"fetched again for {wait:.0f}s)"
            )
        return None

    def _after_fetch(
        self, uri: str, kid: str, keys: dict[str, Any] | None, error: str | None
    ) -> Any:
        with self._lock:
            entry = self._entries.setdefault(uri, _Entry())
            entry.error = error
            if keys is not None:
                entry.keys = keys
            if error is not None or kid not in entry.keys:
                entry.blocked_until = self._clock() + self.min_refetch_interval
            self.fetches[uri] = self.fetches.get(uri, 0) + 1
        if error is not None:
            raise JwksFetchError(f"cannot fetch the keys at {uri}: {error}")
        if kid not in entry.keys:
            raise KeyNotFoundError(
                f"the token's key (kid {kid[:64]!r}) is not among the keys at {uri}"
            )
        return entry.keys[kid]

    # ------------------------------------------------------------------ sync
    def key(self, uri: str, kid: str) -> Any:
        """The public key ``kid`` of ``uri``, fetching the JWKS if needed (blocking)."""
        found = self._may_fetch(uri, kid)
        if found is not None:
            return found
        with self._lock:
            lock = self._fetch_locks.setdefault(uri, threading.Lock())
        with lock:  # one fetch per URI at a time; waiters then see its result
            found = self._may_fetch(uri, kid)
            if found is not None:
                return found
            keys, error = self._fetch(uri)
            return self._after_fetch(uri, kid, keys, error)

    def _fetch(self, uri: str) -> tuple[dict[str, Any] | None, str | None]:
        import httpx

        try:
            answer = httpx.get(uri, timeout=self.timeout, headers={"Accept": "application/json"})
        except httpx.HTTPError as error:
            return None, f"{type(error).__name__}: {error}"
        return _read(answer, uri)

    # ------------------------------------------------------------------ async
    async def key_async(self, uri: str, kid: str) -> Any:
        """The public key ``kid`` of ``uri``, fetching the JWKS with ``httpx.AsyncClient``."""
        found = self._may_fetch(uri, kid)
        if found is not None:
            return found
        import httpx

        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                answer = await client.get(uri, headers={"Accept": "application/json"})
        except httpx.HTTPError as error:
            return self._after_fetch(uri, kid, None, f"{type(error).__name__}: {error}")
        keys, problem = _read(answer, uri)
        return self._after_fetch(uri, kid, keys, problem)


def _read(answer: Any, uri: str) -> tuple[dict[str, Any] | None, str | None]:
    if answer.status_code != 200:
        return None, f"HTTP {answer.status_code}"
    try:
        document = answer.json()
    except ValueError:
        return None, "the answer is not JSON"
    try:
        return parse_jwks(document, uri), None
    except JwksFetchError as error:
        return None, str(error)
