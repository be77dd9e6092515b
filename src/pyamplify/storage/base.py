"""The credential-store interface shared by every store, plus the key scheme and errors.

A store maps a string key to a JSON object (``dict``). Sessions are saved under
:func:`session_key`, so several pools, clients and users (profiles) can be signed in at once.
Stores never raise for a corrupt or unreadable entry: ``load`` logs a warning that names the
entry and what went wrong (never its content) and answers ``None``, which callers treat as
"signed out". ``lock(key)`` is the one exclusive lock that serialises "load, maybe refresh, save"
across threads and, for the file and keyring stores, across processes.
"""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any, Protocol, runtime_checkable
from urllib.parse import quote

from pyamplify.errors import PyamplifyError

#: Every store logs here; messages name entries and files, never their content.
logger = logging.getLogger("pyamplify.storage")

#: Characters kept as they are in the parts of a session key (besides letters, digits, ``_.-~``).
_KEY_PART_SAFE = ":@+=,"


class StorageError(PyamplifyError):
    """A credential store could not be written, configured or locked."""


class StoreLockTimeout(StorageError):
    """Another thread or process held a store entry's lock for longer than the lock timeout."""


class KeyringLockedError(StorageError):
    """The OS keyring is locked, so an entry could not be read, saved or removed.

    Never "signed out": the session may well be there, behind the lock. The message says why no
    unlock happened (no prompt for this command, the prompt timed out or was dismissed) and how to
    unlock. "Locked" is the one word pyamplify uses for this state, in messages and in
    ``whoami --json`` alike.
    """


@runtime_checkable
class CredentialStore(Protocol):
    """Where sessions live between calls and processes: one JSON object per string key."""

    def load(self, key: str) -> dict[str, Any] | None:
        """The object saved under ``key``; ``None`` when missing, corrupt or unreadable."""
        ...

    def save(self, key: str, value: dict[str, Any]) -> None:
        """Replace the object under ``key`` (all or nothing: readers never see half of it)."""
        ...

    def delete(self, key: str) -> None:
        """Remove ``key``; removing a missing key is not an error."""
        ...

    def lock(self, key: str) -> contextlib.AbstractContextManager[None]:
        """An exclusive lock on ``key``: across threads always, across processes where stored
        data is shared (file and keyring stores). Re-entrant within one thread."""
        ...

    def keys(self, prefix: str = "") -> list[str]:
        """The stored keys that start with ``prefix``, sorted."""
        ...


def session_key(
    user_pool_id: str | None,
    client_id: str | None,
    profile: str = "default",
    identity_pool_id: str | None = None,
) -> str:
    """The store key of one signed-in session: ``session/<pool>/<client>/<profile>[/<idpool>]``.

    Each part is percent-quoted (``/`` and ``%`` never appear raw), so distinct inputs always
    give distinct keys; a missing pool or client is spelled ``-``.
    """
    if not profile:
        raise StorageError("the profile name is empty; give a name such as 'default'")
    if user_pool_id is None and client_id is None and identity_pool_id is None:
        raise StorageError(
            "a session key needs a user pool and client, or an identity pool; check the config"
        )
    parts = ["session", _part(user_pool_id), _part(client_id), _part(profile)]
    if identity_pool_id is not None:
        parts.append(_part(identity_pool_id))
    return "/".join(parts)


def is_identity_key(key: str) -> bool:
    """Whether ``key`` is a :func:`session_key` with an identity pool: the key of an identity
    record (identity ids and short-lived AWS credentials, no refresh token)."""
    return key.startswith("session/") and key.count("/") == 4


def _part(value: str | None) -> str:
    if value is None:
        return "-"
    if value == "-":
        return "%2D"
    return quote(value, safe=_KEY_PART_SAFE)


def encode_value(key: str, value: dict[str, Any]) -> str:
    """Serialise ``value`` for storage, with a StorageError naming the key if it is not JSON."""
    if not isinstance(value, dict):
        raise StorageError(f"store entry {key!r}: expected a dict, got {type(value).__name__}")
    try:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as error:
        # The messages name types or 'Out of range float', never values.
        raise StorageError(f"store entry {key!r} cannot be saved as JSON: {error}") from None


def decode_value(key: str, text: str | bytes, where: str) -> dict[str, Any] | None:
    """Parse a stored entry; on any problem log a warning (no content) and answer ``None``."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as error:  # JSONDecodeError, UnicodeDecodeError
        warn_unusable(key, where, f"it is not valid JSON ({type(error).__name__})")
        return None
    if not isinstance(value, dict):
        warn_unusable(key, where, f"it holds a JSON {type(value).__name__}, not an object")
        return None
    return value


def warn_unusable(key: str, where: str, what: str) -> None:
    """Log that an entry is ignored, naming it and the reason; the caller treats it as absent."""
    logger.warning(
        "ignoring credential store entry %r (%s): %s; treating it as signed out", key, where, what
    )
