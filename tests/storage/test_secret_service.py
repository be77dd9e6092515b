"""KeyringStore against a real Freedesktop Secret Service: Debian's gnome-keyring on a private
D-Bus session bus (``secret_service`` in conftest), through keyring's own SecretService backend.

A locked keyring is locked, never "signed out" or a silently skipped delete; the unlock prompt
is shown only as ``unlock_timeout`` allows; chunked entries survive a concurrent save; identity
records leave their short-lived credentials (only) in a 0600 cache file.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from keyring.backends import SecretService as SecretServiceBackend

from desktop_keyring import SecretService
from pyamplify.storage import FileStore, KeyringLockedError, KeyringStore, session_key
from pyamplify.storage.keyring_store import credentials_cache_key

KEY = session_key("us-east-1_desk", "client123", "alice")
IDENTITY_KEY = session_key("us-east-1_desk", "client123", "alice", "us-east-1:pool")
SECRET = "eyJSECRET-REFRESH-TOKEN-do-not-log"


def make_store(tmp_path: Path, **options: Any) -> KeyringStore:
    """A store on the private Secret Service under a service name of its own."""
    service = f"pyamplify-test-{uuid.uuid4().hex[:8]}"
    return KeyringStore(
        service, tmp_path / "locks", backend=SecretServiceBackend.Keyring(), **options
    )


def in_thread(action: Any, wait: float = 30.0) -> BaseException | None:
    """Run ``action`` on a daemon thread; the exception it raised. Fails the test (instead of
    hanging it) if it is still running after ``wait`` seconds: blocked on an unlock prompt."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            action()
            outcome.append(None)
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(wait)
    assert outcome, f"still waiting after {wait} s: blocked on the keyring's unlock prompt"
    return outcome[0]


def test_round_trip_in_gnome_keyring_readable_by_secret_tool(
    on_the_bus: SecretService, tmp_path: Path
) -> None:
    store = make_store(tmp_path)
    store.save(KEY, {"refresh_token": SECRET})
    assert store.load(KEY) == {"refresh_token": SECRET}
    assert store.backend_name == "keyring.backends.SecretService.Keyring"
    if shutil.which("secret-tool"):  # libsecret's own client sees a standard item
        found = subprocess.run(
            ["secret-tool", "lookup", "service", store.service, "username", KEY],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        assert SECRET in found.stdout
    store.delete(KEY)
    assert store.load(KEY) is None and store.keys() == []


def test_a_locked_keyring_is_locked_not_signed_out(
    on_the_bus: SecretService, tmp_path: Path
) -> None:
    """Defect 2 at the store: load() said None ("signed out") for a locked keyring."""
    store = make_store(tmp_path)
    store.save(KEY, {"refresh_token": SECRET})
    with on_the_bus.locked():
        with pytest.raises(KeyringLockedError) as raised:
            store.load(KEY)
        message = str(raised.value)
        assert message.startswith("the keyring is locked") and KEY in message
        assert "unlock it" in message and SECRET not in message
    assert store.load(KEY) == {"refresh_token": SECRET}


def test_delete_with_the_keyring_locked_raises_and_keeps_the_entry(
    on_the_bus: SecretService, tmp_path: Path
) -> None:
    """Defect 1 at the store: delete() swallowed the error and dropped the key from its index,
    leaving the session in the keyring for the next process."""
    store = make_store(tmp_path)
    store.save(KEY, {"refresh_token": SECRET})
    with on_the_bus.locked(), pytest.raises(KeyringLockedError, match="could not be removed"):
        store.delete(KEY)
    assert store.keys() == [KEY]
    assert store.load(KEY) == {"refresh_token": SECRET}
    store.delete(KEY)
    assert store.load(KEY) is None and store.keys() == []


def test_save_with_the_keyring_locked_says_locked(
    on_the_bus: SecretService, tmp_path: Path
) -> None:
    store = make_store(tmp_path)
    with on_the_bus.locked(), pytest.raises(KeyringLockedError) as raised:
        store.save(KEY, {"refresh_token": SECRET})
    assert "could not be saved" in str(raised.value) and SECRET not in str(raised.value)
    assert store.load(KEY) is None and store.keys() == []


def test_no_prompt_at_all_with_unlock_timeout_zero(
    on_the_bus: SecretService, tmp_path: Path
) -> None:
    """Defect 5, credential_process: keyring's backend shows the unlock prompt and waits for it
    forever; with unlock_timeout=0 there is no prompt and the answer is immediate."""
    store = make_store(tmp_path, unlock_timeout=0)
    store.save(KEY, {"n": 1})
    with on_the_bus.locked(), on_the_bus.unanswered_prompter() as prompter:
        error = in_thread(lambda: store.load(KEY))
    assert isinstance(error, KeyringLockedError)
    assert "never waits for an unlock prompt" in str(error)
    assert prompter.calls == []  # the desktop was never asked


def test_the_unlock_prompt_waits_only_so_long(on_the_bus: SecretService, tmp_path: Path) -> None:
    """Defect 5, a desktop: the prompt is shown, nobody answers, the store gives up after
    unlock_timeout seconds and says so (keyring alone would wait forever)."""
    store = make_store(tmp_path, unlock_timeout=0.5)
    store.save(KEY, {"n": 1})
    with on_the_bus.locked(), on_the_bus.unanswered_prompter() as prompter:
        error = in_thread(lambda: store.load(KEY))
    assert isinstance(error, KeyringLockedError)
    assert "nobody answered the unlock prompt within 0.5 s" in str(error)
    assert "PYAMPLIFY_KEYRING_UNLOCK_TIMEOUT" in str(error)
    assert prompter.calls[:1] == ["BeginPrompting"]  # the prompt was shown


def test_without_a_display_the_prompt_fails_and_says_so(
    on_the_bus: SecretService, tmp_path: Path
) -> None:
    store = make_store(tmp_path)  # the default timeout; no prompter on the bus
    with on_the_bus.locked(), pytest.raises(KeyringLockedError) as raised:
        store.save(KEY, {"n": 1})
    assert "could not be shown: no desktop session?" in str(raised.value)
    assert "unlock it" in str(raised.value)


def test_unlock_timeout_from_the_environment(
    on_the_bus: SecretService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYAMPLIFY_KEYRING_UNLOCK_TIMEOUT", "0")
    assert make_store(tmp_path).unlock_timeout == 0
    monkeypatch.delenv("PYAMPLIFY_KEYRING_UNLOCK_TIMEOUT")
    assert make_store(tmp_path).unlock_timeout == 60
    monkeypatch.setenv("PYAMPLIFY_KEYRING_UNLOCK_TIMEOUT", "soon")
    with pytest.raises(Exception, match="not a number of seconds"):
        make_store(tmp_path)


#: A process that re-saves a chunked entry under its lock (``writer``), or loads it without the
#: lock, as a new process's first load does, until the writer is done (``reader``).
CHUNK_WORKER = r"""
import json, os, sys
from keyring.backends import SecretService
from pyamplify.storage import KeyringStore
spec = json.loads(sys.argv[1])
store = KeyringStore(spec["service"], spec["locks"], backend=SecretService.Keyring(),
                     max_entry_chars=spec["chars"])
key = spec["key"]
if spec["role"] == "writer":
    for n in range(spec["saves"]):
        with store.lock(key):
            store.save(key, {"n": n, "pad": "x" * (spec["chars"] * 7 + n)})  # 8 parts
    open(spec["done"], "w").close()
    print(json.dumps({}))
else:
    loads = missing = 0
    while not os.path.exists(spec["done"]):
        loads += 1
        missing += store.load(key) is None
    print(json.dumps({"loads": loads, "missing": missing}))
"""


@pytest.mark.slow
def test_chunked_entries_never_read_as_signed_out_during_a_save(
    on_the_bus: SecretService, tmp_path: Path
) -> None:
    """Defect 7: entries split in parts (the Windows path) read as missing while another
    process saved, because a first load is not under the lock (before the fix, about one load
    in six said "signed out" here)."""
    store = make_store(tmp_path, max_entry_chars=300)
    store.save(KEY, {"n": -1})
    spec = {
        "service": store.service,
        "locks": str(tmp_path / "locks"),
        "key": KEY,
        "chars": 300,
        "saves": 6,
        "done": str(tmp_path / "writer-done"),
    }

    def start(role: str) -> subprocess.Popen[str]:
        argv = [sys.executable, "-c", CHUNK_WORKER, json.dumps({**spec, "role": role})]
        return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    readers = [start("reader"), start("reader")]
    writer = start("writer")
    reports = []
    for process in (writer, *readers):
        out, err = process.communicate(timeout=110)
        assert process.returncode == 0, err
        assert "ignoring" not in err  # no entry was found unusable either
        reports.append(json.loads(out))
    loads = sum(report["loads"] for report in reports[1:])
    missing = sum(report["missing"] for report in reports[1:])
    assert loads >= 6
    assert missing == 0, f"{missing} of {loads} loads said signed out during a save"
    assert store.load(KEY) == {"n": 5, "pad": "x" * (300 * 7 + 5)}


def test_identity_records_leave_only_their_credentials_in_a_private_cache(
    on_the_bus: SecretService, tmp_path: Path
) -> None:
    store = make_store(tmp_path)
    current = {"access_key_id": "ASIA1", "secret_access_key": "s", "refresh_at": 1.0}
    record = {"version": 1, "identities": {"login": "us-east-1:id"}, "current": current}
    store.save(IDENTITY_KEY, record)
    store.save(KEY, {"refresh_token": SECRET})  # a user session: never cached
    cache = FileStore(tmp_path / "locks")
    name = credentials_cache_key(store.service, IDENTITY_KEY)
    assert cache.load(name) == {"version": 1, "current": current}
    assert cache.load(credentials_cache_key(store.service, KEY)) is None
    path = cache.path_of(name)
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert all(SECRET not in p.read_text() for p in (tmp_path / "locks").glob("*.json"))
    store.save(IDENTITY_KEY, {**record, "current": None})  # signed out: nothing to serve
    assert cache.load(name) is None
    store.save(IDENTITY_KEY, record)
    store.delete(IDENTITY_KEY)
    assert not path.exists()
