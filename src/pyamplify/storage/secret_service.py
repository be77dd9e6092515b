"""The Freedesktop Secret Service (GNOME Keyring, KWallet, KeePassXC) as ``keyring`` reaches
it, with pyamplify's rules for a locked keyring.

keyring's ``SecretService`` backend unlocks a locked collection itself: it asks the desktop for
its unlock prompt and waits for the answer with no time limit. On a desktop whose keyring is
locked, every call then blocks until someone answers the prompt (and the AWS CLI, waiting on
``credential_process``, hangs with it); without a display the prompt fails at once and keyring
says only "Failed to unlock the collection!". :func:`with_unlock_policy` gives the store a copy
of the backend that unlocks as the store's ``unlock_timeout`` allows:

* ``0``: never show a prompt; a locked collection is an immediate :class:`KeyringLockedError`
  (``pyamplify auth credentials``, which the AWS CLI runs: it must fail fast, with the fix).
* ``> 0``: show the prompt and wait that many seconds at most, then raise. The prompt is left
  on the screen (answering it still unlocks the keyring for the next command): dismissing it
  through the Secret Service API crashes gnome-keyring 42, found by the tests here.

Everything else (which collection, item attributes, labels) stays keyring's, so entries remain
readable by keyring itself and by ``secret-tool``. The copy overrides two of keyring's methods
on the instance (``get_preferred_collection`` and ``unlock``); subclassing instead would register
a new backend class in keyring's own backend discovery.
"""

from __future__ import annotations

import contextlib
import copy
import os
import sys
import time
from typing import Any

from pyamplify.storage.base import KeyringLockedError, StorageError

#: Seconds an unlock prompt may stay open (0: never prompt); the default is
#: :data:`DEFAULT_UNLOCK_TIMEOUT`.
UNLOCK_TIMEOUT_ENV = "PYAMPLIFY_KEYRING_UNLOCK_TIMEOUT"
DEFAULT_UNLOCK_TIMEOUT = 60.0

_BUS_NAME = "org.freedesktop.secrets"
_SERVICE_PATH = "/org/freedesktop/secrets"
_SERVICE_IFACE = "org.freedesktop.Secret.Service"
_PROMPT_IFACE = "org.freedesktop.Secret.Prompt"
_SECRET_SERVICE_BACKEND = "keyring.backends.SecretService.Keyring"

#: Why no unlock was tried or why it did not work (the reason part of KeyringLockedError).
NO_PROMPT = "this command never waits for an unlock prompt"
DISMISSED = "the unlock prompt was dismissed, or could not be shown: no desktop session?"


def unlock_timeout_from_env() -> float:
    """``$PYAMPLIFY_KEYRING_UNLOCK_TIMEOUT`` in seconds, else the default (60)."""
    text = os.environ.get(UNLOCK_TIMEOUT_ENV, "").strip()
    if not text:
        return DEFAULT_UNLOCK_TIMEOUT
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise StorageError(
            f"{UNLOCK_TIMEOUT_ENV}={text!r} is not a number of seconds (0 = never show the "
            "keyring's unlock prompt)"
        )
    return value


def timed_out(timeout: float) -> str:
    """The reason for an unlock prompt nobody answered in time."""
    return (
        f"nobody answered the unlock prompt within {timeout:g} s ({UNLOCK_TIMEOUT_ENV}); "
        "answering it still unlocks the keyring"
    )


def locked_error(what: str, reason: str | None = None) -> KeyringLockedError:
    """The one message for a locked keyring: ``the keyring is locked (why), so <what>. <fix>``."""
    why = f" ({reason})" if reason else ""
    if sys.platform == "darwin":
        fix = "unlock it (Keychain Access, or `security unlock-keychain`) and try again"
    else:
        fix = (
            "unlock it and try again: a pyamplify command run in a terminal of your desktop "
            "session (e.g. `pyamplify auth whoami`) shows the unlock prompt, or unlock it in the "
            "desktop's keyring app (GNOME: Passwords and Keys)"
        )
    return KeyringLockedError(f"the keyring is locked{why}, so {what}; {fix}")


def is_secret_service(backend: Any) -> bool:
    """Whether ``backend`` is keyring's Secret Service backend."""
    kind = type(backend)
    return f"{kind.__module__}.{kind.__qualname__}" == _SECRET_SERVICE_BACKEND


def effective_backend(backend: Any) -> Any:
    """The backend entries really go to: a keyring chainer writes to its first backend."""
    if type(backend).__name__ == "ChainerBackend":
        with contextlib.suppress(Exception):
            inner = list(backend.backends)
            if inner:
                return inner[0]
    return backend


def with_unlock_policy(backend: Any, timeout: float) -> Any:
    """The backend the store calls: for the Secret Service (alone or first in a chainer), a copy
    that unlocks only as ``timeout`` allows (see the module docstring); others as they are."""
    inner = effective_backend(backend)
    if not is_secret_service(inner):
        return backend
    guarded = copy.copy(inner)
    guarded.get_preferred_collection = lambda: _collection(inner, timeout)
    guarded.unlock = _refuse_locked_item
    return guarded


#: Pauses before asking again for a collection the Secret Service says it does not have.
#: gnome-keyring reloads a keyring whose file another process just rewrote, and a request that
#: lands meanwhile finds no collection (seen as "no default keyring" in one save of five, with
#: three processes saving and loading on a loaded 2-core machine); a missing keyring is still
#: reported, 0.35 s later.
_RELOAD_PAUSES = (0.05, 0.1, 0.2)


def _collection(backend: Any, timeout: float) -> Any:
    """keyring's ``get_preferred_collection`` with the unlock policy (and never a prompt to
    create a collection: a missing default collection is an error that says what to do)."""
    import secretstorage
    from secretstorage.exceptions import ItemNotFoundException

    connection = secretstorage.dbus_init()
    try:
        path = getattr(backend, "preferred_collection", None)
        for pause in (*_RELOAD_PAUSES, None):
            try:
                if path:
                    collection = secretstorage.Collection(connection, path)
                else:
                    collection = secretstorage.get_collection_by_alias(connection, "default")
                break
            except ItemNotFoundException:
                if pause is None:
                    raise StorageError(
                        "the Secret Service has no default keyring; create one and make it the "
                        "default (GNOME: Passwords and Keys), or set PYAMPLIFY_STORE=file"
                    ) from None
                time.sleep(pause)
        if collection.is_locked():
            unlock_collection(connection, collection.collection_path, timeout)
    except BaseException:
        connection.close()
        raise
    return collection


def _refuse_locked_item(item: Any) -> None:
    # Items unlock with their collection, which _collection has done; an item still locked
    # means the keyring was locked again meanwhile: no second prompt.
    if item.is_locked():
        raise KeyringLockedError(NO_PROMPT)


def unlock_collection(connection: Any, path: str, timeout: float) -> None:
    """Unlock the collection at ``path`` through the desktop's prompt, waiting ``timeout``
    seconds at most (0: no prompt at all); raise :class:`KeyringLockedError` if it stays
    locked."""
    if timeout <= 0:
        raise KeyringLockedError(NO_PROMPT)
    from jeepney import DBusAddress, MatchRule, MessageType, new_method_call
    from jeepney.wrappers import unwrap_msg

    service = DBusAddress(_SERVICE_PATH, bus_name=_BUS_NAME, interface=_SERVICE_IFACE)
    reply = connection.send_and_get_reply(new_method_call(service, "Unlock", "ao", ([path],)))
    unlocked, prompt_path = unwrap_msg(reply)
    if prompt_path == "/":
        if path in unlocked:
            return
        raise KeyringLockedError(DISMISSED)
    prompt = DBusAddress(prompt_path, bus_name=_BUS_NAME, interface=_PROMPT_IFACE)
    rule = MatchRule(
        type=MessageType.signal, path=prompt_path, interface=_PROMPT_IFACE, member="Completed"
    )
    with connection.filter(rule) as completed:
        unwrap_msg(connection.send_and_get_reply(new_method_call(prompt, "Prompt", "s", ("",))))
        try:
            dismissed, _ = connection.recv_until_filtered(completed, timeout=timeout).body
        except TimeoutError:
            # Not Prompt.Dismiss: gnome-keyring 42 aborts (an assertion in perform_next_unlock)
            # when an unlock prompt that is on the screen is dismissed. The prompt stays up;
            # answering it later unlocks the keyring for the next command.
            raise KeyringLockedError(timed_out(timeout)) from None
    if dismissed:
        raise KeyringLockedError(DISMISSED)


def needs_session_bus() -> bool:
    """Whether the OS keyring here is reached over D-Bus (Linux and the BSDs)."""
    return sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd", "dragonfly"))


def no_session_bus() -> bool:
    """Whether the keyring's D-Bus session bus is missing: ``DBUS_SESSION_BUS_ADDRESS`` unset,
    as in SSH shells, cron jobs and containers (the Secret Service clients look nowhere else)."""
    return needs_session_bus() and not os.environ.get("DBUS_SESSION_BUS_ADDRESS", "").strip()


NO_BUS_REASON = (
    "there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set, as in SSH shells, cron "
    "jobs and containers), so the desktop keyring cannot be reached"
)


def secret_service_problem() -> str | None:
    """Why keyring's Secret Service backend cannot be used here, or ``None`` if it can."""
    if not needs_session_bus():
        return None
    if no_session_bus():
        return NO_BUS_REASON
    try:
        from keyring.backends import SecretService

        SecretService.Keyring.priority  # noqa: B018 - the property checks the service
    except Exception as error:  # RuntimeError with keyring's explanation, or an import error
        return f"the Secret Service cannot be used ({error})"
    return None
