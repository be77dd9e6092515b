"""Shared pieces for the storage tests: a worker that hammers a store from another process,
a thread and a process that hold a lock while the test tries to take it, and a real Secret
Service (gnome-keyring on a private D-Bus session bus) per test module."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop_keyring import SecretService, unavailable
from pyamplify.storage import CredentialStore


@pytest.fixture(scope="module")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecretService]:
    """gnome-keyring with an unlocked login keyring on a private session bus, for the module.

    Skips (saying why) only where the Debian packages cannot be had; where they must be there
    (``scripts/test.sh`` as root, which installs them first, or ``CI``) it fails instead.
    """
    reason = unavailable()
    if reason is not None:
        if os.environ.get("PYAMPLIFY_REQUIRE_SECRET_SERVICE") == "1" or os.environ.get("CI"):
            pytest.fail(f"the Secret Service tests must run here, but {reason}")
        pytest.skip(reason)
    with SecretService(tmp_path_factory.mktemp("secret-service")) as service:
        yield service


@pytest.fixture
def on_the_bus(
    secret_service: SecretService, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SecretService]:
    """This process pointed at the private bus (no display), and the keyring unlocked after."""
    for name, value in secret_service.env({}).items():
        monkeypatch.setenv(name, value)
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    yield secret_service
    if secret_service.is_locked():
        secret_service.unlock()


#: Runs in a child process: increments a counter under ``lock`` (or only reads, without it)
#: and reports what it saw as one JSON line. The store is rebuilt from a JSON spec.
WORKER = r"""
import json, logging, sys
from pyamplify import storage

spec = json.loads(sys.argv[1])
warnings = []

class Count(logging.Handler):
    def emit(self, record):
        warnings.append(record.getMessage())

logging.getLogger("pyamplify.storage").addHandler(Count())
if spec["kind"] == "file":
    store = storage.FileStore(spec["directory"])
else:
    import keyrings.alt.file
    backend = keyrings.alt.file.PlaintextKeyring()
    backend.file_path = spec["keyring_file"]
    store = storage.KeyringStore(spec["service"], spec["lock_directory"], backend=backend,
                                 max_entry_chars=spec.get("max_entry_chars"))
key = spec["key"]
print("ready", flush=True)
sys.stdin.readline()  # start together
seen = None
if spec["mode"] == "increment":
    for _ in range(spec["count"]):
        with store.lock(key):
            value = store.load(key) or {"n": 0, "pad": ""}
            value["n"] += 1
            value["pad"] = "x" * (value["n"] % 7 * 300)  # sizes vary: torn files would show
            store.save(key, value)
else:  # read without the lock until the writers are done: every read must be a whole file
    import time
    deadline = time.monotonic() + 90
    last, reads, went_back, vanished = 0, 0, 0, 0
    while last < spec["until"] and time.monotonic() < deadline:
        value = store.load(key)
        reads += 1
        if value is None:
            vanished += last > 0  # once written, the entry never disappears
            continue
        went_back += value["n"] < last
        last = value["n"]
    seen = {"reads": reads, "last": last, "went_back": went_back, "vanished": vanished}
print(json.dumps({"warnings": warnings, "seen": seen}), flush=True)
"""


def start_workers(specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Start one worker per spec, release them at once, and return their reports."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, json.dumps(spec)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for spec in specs
    ]
    for proc in procs:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.write("go\n")
        proc.stdin.flush()
    reports = []
    for proc in procs:
        out, _ = proc.communicate(timeout=110)
        assert proc.returncode == 0, out
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports


@pytest.fixture
def keyring_file(tmp_path: Path) -> Path:
    """Where a keyrings.alt plaintext backend keeps its entries for one test."""
    return tmp_path / "keyring_pass.cfg"


@contextlib.contextmanager
def held_by_another_thread(store: CredentialStore, key: str) -> Iterator[None]:
    """While inside, another thread holds ``store.lock(key)`` (taken twice: it is re-entrant)."""
    entered, release = threading.Event(), threading.Event()

    def hold() -> None:
        with store.lock(key), store.lock(key):
            entered.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert entered.wait(30)
        yield
    finally:
        release.set()
        thread.join()


def start_file_locker(directory: Path, key: str) -> subprocess.Popen[str]:
    """A process holding ``FileStore(directory).lock(key)`` until a line arrives on its stdin."""
    script = (
        "import sys\n"
        "from pyamplify.storage import FileStore\n"
        f"with FileStore({str(directory)!r}).lock({key!r}):\n"
        "    print('locked', flush=True)\n"
        "    sys.stdin.readline()\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "locked"
    return child
