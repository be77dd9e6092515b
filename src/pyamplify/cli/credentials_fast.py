"""The fast path of ``pyamplify auth credentials``: cached credentials with almost no imports.

The AWS CLI and SDKs run a profile's ``credential_process`` every time they need credentials,
so a cache hit must cost little more than starting Python: this module is run by
:func:`pyamplify.cli.main.main` *before* argparse and the command modules load, and it imports
only ``os``, ``json``, ``hashlib`` and :mod:`pyamplify.aws.process`. It:

1. recognises ``--format F``, ``--config PATH``, ``--profile NAME``, ``--json`` and ``--guest``
   (anything else, or ``--format`` with ``--json``: not handled here);
2. finds the configuration file as :func:`pyamplify.config.find_config` does and reads only the
   pool ids from it with ``json`` (no validation: a file the full loader would refuse either
   fails here too, or maps to a key under which nothing was ever stored);
3. finds the store in use without importing keyring: ``PYAMPLIFY_STORE`` when set, else the
   automatic choice the library recorded for this environment
   (:func:`pyamplify.storage.default.store_environment`: the interpreter and the variables
   keyring reads, such as ``DBUS_SESSION_BUS_ADDRESS``), so that a desktop shell on the
   keyring never answers from a file session left by an SSH shell, or the other way round;
4. reads the identity-pool record of those pools and profile from that store's file, at the
   path :class:`pyamplify.storage.FileStore` uses (``sha256(key).json``), without its lock
   (writes are atomic replacements): the record itself under ``<data dir>/sessions`` for the
   file store, the credentials cache the keyring store keeps beside its entries (short-lived
   AWS credentials only, ``<data dir>/locks``) for the keyring store;
5. prints the current credentials if they are not yet due for refresh (``refresh_at``, written
   by the library, already includes the clock drift and a 15-minute margin) and, when they are
   a guest's, only with ``--guest`` or for a configuration without a user pool.

On any miss (no record, due, no recorded choice yet, the memory store, a platform whose data
dir only ``platformdirs`` knows) it returns ``None`` and the full command runs: it refreshes
through the library, which writes the record (and the choice) the next run will hit. It never
talks to the keyring, so it never waits for an unlock prompt. The key scheme mirrors
:func:`pyamplify.storage.session_key`, the cache key
:func:`pyamplify.storage.keyring_store.credentials_cache_key` and the record layout
:class:`pyamplify.auth.credentials.IdentityRecord`; tests check that they agree.
"""

from __future__ import annotations

import os
import sys
import time

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (mypy treats this name the same way).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pyamplify.aws.process import CredentialFields

#: Store entry envelope and identity record versions this reader understands.
_ENVELOPE_FORMAT = 1
_RECORD_VERSION = 1
_KEY_SAFE = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~" + ":@+=,"
)
_CONFIG_FILES = ("amplifyconfiguration.json", "amplify_outputs.json")
#: The keyring service of the default KeyringStore, and the variables that decide its backend
#: (``pyamplify.storage.default.STORE_ENVIRONMENT_VARIABLES``).
_KEYRING_SERVICE = "pyamplify"
_STORE_ENVIRONMENT = ("DBUS_SESSION_BUS_ADDRESS", "PYTHON_KEYRING_BACKEND", "XDG_CONFIG_HOME")


class _Options:
    __slots__ = ("config", "format_given", "guest", "json", "output_format", "profile")

    def __init__(self) -> None:
        self.config: str | None = None
        self.profile = "default"
        self.output_format = "process"
        self.guest = False
        self.json = False
        self.format_given = False


def parse(argv: list[str]) -> _Options | None:
    """The options after ``auth credentials``, or ``None`` for anything unusual."""
    options = _Options()
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg in ("--json", "--guest"):
            setattr(options, arg[2:], True)
            index += 1
            continue
        name, sep, value = arg.partition("=")
        if name not in ("--format", "--config", "--profile"):
            return None
        if not sep:
            index += 1
            if index >= len(argv):
                return None
            value = argv[index]
        index += 1
        if name == "--format":
            if value not in ("process", "env", "json"):
                return None
            options.output_format = value
            options.format_given = True
        elif name == "--config":
            options.config = value
        else:
            options.profile = value
    if options.json:
        if options.format_given:  # a usage error: the full command says so
            return None
        options.output_format = "json"
    return options if options.profile else None


def config_path(explicit: str | None) -> str | None:
    """The configuration file the full command would read, or ``None`` if there is none."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get("PYAMPLIFY_CONFIG", "")
    if from_env:
        return from_env
    for name in _CONFIG_FILES:
        if os.path.isfile(name):
            return name
    return None


def pool_ids(document: object) -> tuple[str | None, str | None, str] | None:
    """(user pool id, app client id, identity pool id) of a Gen 1 or Gen 2 document."""
    if not isinstance(document, dict):
        return None
    auth = document.get("auth")
    if not isinstance(auth, dict):
        return None
    plugins = auth.get("plugins")
    if isinstance(plugins, dict):  # Gen 1
        plugin = plugins.get("awsCognitoAuthPlugin")
        if not isinstance(plugin, dict):
            return None
        user_pool = _default(plugin.get("CognitoUserPool"))
        provider = plugin.get("CredentialsProvider")
        identity = _default(provider.get("CognitoIdentity") if isinstance(provider, dict) else None)
        ids = (
            user_pool.get("PoolId"),
            user_pool.get("AppClientId"),
            identity.get("PoolId"),
        )
    else:  # Gen 2
        ids = (
            auth.get("user_pool_id"),
            auth.get("user_pool_client_id"),
            auth.get("identity_pool_id"),
        )
    user_pool_id, client_id, identity_pool_id = ids
    if not isinstance(identity_pool_id, str) or not identity_pool_id:
        return None
    if not isinstance(user_pool_id, (str, type(None))):
        return None
    if not isinstance(client_id, (str, type(None))):
        return None
    return user_pool_id, client_id, identity_pool_id


def _default(section: object) -> dict[str, object]:
    if isinstance(section, dict):
        default = section.get("Default")
        if isinstance(default, dict):
            return default
    return {}


def _part(value: str | None) -> str:
    if value is None:
        return "-"
    if value == "-":
        return "%2D"
    return "".join(
        char if char in _KEY_SAFE else "".join(f"%{byte:02X}" for byte in char.encode())
        for char in value
    )


def identity_key(
    user_pool_id: str | None, client_id: str | None, profile: str, identity_pool_id: str
) -> str:
    """The store key of the identity record (``pyamplify.storage.session_key``'s scheme)."""
    parts = (user_pool_id, client_id, profile, identity_pool_id)
    return "session/" + "/".join(_part(part) for part in parts)


def data_dir() -> str | None:
    """pyamplify's data dir as ``pyamplify.storage.data_dir`` finds it, where that needs no
    ``platformdirs`` (Linux and other XDG systems, macOS); ``None`` elsewhere."""
    configured = os.environ.get("PYAMPLIFY_DATA_DIR")
    if configured:
        return os.path.expanduser(configured)
    if sys.platform == "darwin":
        return os.path.join(os.path.expanduser("~/Library/Application Support"), "pyamplify")
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        base = os.environ.get("XDG_DATA_HOME", "").strip() or os.path.expanduser("~/.local/share")
        return os.path.join(base, "pyamplify")
    return None


def _read_json(path: str) -> object:
    import json

    try:
        with open(path, "rb") as handle:
            return json.loads(handle.read())
    except (OSError, ValueError, RecursionError):
        return None


def store_environment() -> str:
    """``pyamplify.storage.default.store_environment()``, computed the same way."""
    import hashlib

    parts = [sys.prefix, *(os.environ.get(name, "") for name in _STORE_ENVIRONMENT)]
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]


def _entry(directory: str, key: str) -> dict[str, object] | None:
    """The value of a FileStore entry (``{"format", "key", "value"}`` in ``sha256(key).json``)."""
    import hashlib

    name = hashlib.sha256(key.encode("utf-8")).hexdigest() + ".json"
    envelope = _read_json(os.path.join(directory, name))
    if not isinstance(envelope, dict) or envelope.get("format") != _ENVELOPE_FORMAT:
        return None
    value = envelope.get("value")
    if envelope.get("key") != key or not isinstance(value, dict):
        return None
    return value


def store_in_use(directory: str) -> str | None:
    """``file`` or ``keyring`` as the library would choose here, or ``None`` if unknown."""
    forced = os.environ.get("PYAMPLIFY_STORE", "").strip().lower()
    if forced:
        return forced if forced in ("file", "keyring") else None
    recorded = _entry(os.path.join(directory, "locks"), "store-choice/" + store_environment())
    store = recorded.get("store") if recorded else None
    return store if store in ("file", "keyring") else None


def cached_fields(options: _Options) -> CredentialFields | None:
    """The cached, still fresh credentials for ``options``, or ``None`` on any miss."""
    path = config_path(options.config)
    directory = data_dir()
    if path is None or directory is None:
        return None
    ids = pool_ids(_read_json(path))
    if ids is None:
        return None
    key = identity_key(ids[0], ids[1], options.profile, ids[2])
    store = store_in_use(directory)
    if store == "file":
        record = _entry(os.path.join(directory, "sessions"), key)
    elif store == "keyring":
        cache_key = f"keyring-credentials/{_KEYRING_SERVICE}/{key}"
        record = _entry(os.path.join(directory, "locks"), cache_key)
    else:
        return None
    if record is None:
        return None
    current = record.get("current")
    if record.get("version") != _RECORD_VERSION or not isinstance(current, dict):
        return None
    refresh_at = current.get("refresh_at")
    if not isinstance(refresh_at, (int, float)) or time.time() >= refresh_at:
        return None
    if current.get("login") is None and ids[0] is not None and not options.guest:
        # A guest's credentials only with --guest (or without a user pool): the full command
        # then says to sign in instead of handing them to the AWS CLI.
        return None
    from pyamplify.aws.process import CredentialFields

    try:
        return CredentialFields(
            access_key_id=_text(current["access_key_id"]),
            secret_access_key=_text(current["secret_access_key"]),
            session_token=_text(current["session_token"]),
            expiration=_text(current["expiration_iso"]),
            identity_id=_text(current["identity_id"]),
            guest=current.get("login") is None,
        )
    except (KeyError, TypeError):
        return None


def _text(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise TypeError("not a string")
    return value


def run(argv: list[str]) -> int | None:
    """Print cached credentials for ``auth credentials ARGS`` and return 0, or ``None`` to let
    the full command run."""
    options = parse(argv)
    if options is None:
        return None
    fields = cached_fields(options)
    if fields is None:
        return None
    from pyamplify.aws.process import render

    sys.stdout.write(render(fields, options.output_format) + "\n")
    return 0
