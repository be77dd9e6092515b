"""FileStore: atomic private files, corruption handled as signed out, locks across processes."""

from __future__ import annotations

import logging
import os
import stat
import tempfile
import threading
from pathlib import Path

import pytest

from pyamplify.storage import FileStore, StorageError, StoreLockTimeout, session_key

from .conftest import held_by_another_thread, start_file_locker, start_workers

KEY = session_key("us-east-1_abc", "client123", "alice")
SECRET = "eyJSECRET-REFRESH-TOKEN-do-not-log"
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX modes, users and fork")


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_round_trip_and_missing(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "sessions")
    assert store.load(KEY) is None
    store.save(KEY, {"refresh_token": SECRET, "n": 1, "nested": {"ü": [1, 2]}})
    assert store.load(KEY) == {"refresh_token": SECRET, "n": 1, "nested": {"ü": [1, 2]}}
    store.delete(KEY)
    assert store.load(KEY) is None
    store.delete(KEY)  # deleting again is fine


@posix_only
def test_directory_is_0700_and_files_0600(tmp_path: Path) -> None:
    old_umask = os.umask(0o000)  # even a permissive umask must not widen them
    try:
        store = FileStore(tmp_path / "a" / "sessions")
        store.save(KEY, {"x": 1})
    finally:
        os.umask(old_umask)
    assert mode_of(store.directory) == 0o700
    assert mode_of(store.path_of(KEY)) == 0o600
    with store.lock(KEY):
        pass
    lock_files = list(store.directory.glob("*.lock"))
    assert lock_files and all(mode_of(p) == 0o600 for p in lock_files)


@posix_only
def test_existing_shared_directory_is_left_alone_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    store = FileStore(shared)
    with caplog.at_level(logging.WARNING, "pyamplify.storage"):
        store.save(KEY, {"x": 1})
        store.save(KEY, {"x": 2})
    assert mode_of(shared) == 0o755
    assert mode_of(store.path_of(KEY)) == 0o600
    assert len([r for r in caplog.records if "accessible by other users" in r.message]) == 1


def test_file_names_are_hashes_and_keys_are_listed(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    keys = [KEY, session_key("us-east-1_abc", "client123", "Alice"), "odd/../../key\0:*?"]
    for i, key in enumerate(keys):
        store.save(key, {"i": i})
    names = sorted(p.name for p in tmp_path.glob("*.json"))
    assert len(names) == 3
    assert all(len(n) == len("0" * 64 + ".json") for n in names)
    assert store.keys() == sorted(keys)
    assert store.keys("session/us-east-1_abc/client123/A") == [keys[1]]
    assert [store.load(k) for k in keys] == [{"i": 0}, {"i": 1}, {"i": 2}]


@pytest.mark.parametrize(
    "content",
    [
        b'{"format": 1, "key": "' + KEY.encode() + b'", "value": {"refresh_token": "eyJSEC',
        b"\xff\xfe\x00garbage\x80\x81" + SECRET.encode(),
        b"",
        b"[1, 2, 3]",
        b'{"format": 1, "key": "some/other/key", "value": {"a": 1}}',
        b'{"format": 1, "key": "' + KEY.encode() + b'", "value": "' + SECRET.encode() + b'"}',
        b"[" * 100_000,
    ],
    ids=["truncated", "binary", "empty", "array", "other-key", "value-not-object", "deep"],
)
def test_corrupt_entry_is_signed_out_with_a_warning_and_the_next_save_works(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, content: bytes
) -> None:
    store = FileStore(tmp_path)
    store.save(KEY, {"n": 1})
    store.path_of(KEY).write_bytes(content)
    with caplog.at_level(logging.WARNING, "pyamplify.storage"):
        assert store.load(KEY) is None
    [record] = caplog.records
    assert KEY in record.getMessage() and str(store.path_of(KEY)) in record.getMessage()
    assert "SEC" not in record.getMessage() and "garbage" not in record.getMessage()
    store.save(KEY, {"n": 2})
    assert store.load(KEY) == {"n": 2}


def test_entry_that_is_a_directory_is_unreadable_not_a_crash(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = FileStore(tmp_path)
    store.path_of(KEY).mkdir()
    with caplog.at_level(logging.WARNING, "pyamplify.storage"):
        assert store.load(KEY) is None
    assert "cannot be read" in caplog.text and KEY in caplog.text
    # and a save that cannot replace it fails cleanly, leaving no temp file behind
    with pytest.raises(StorageError, match="could not save"):
        store.save(KEY, {"refresh_token": SECRET})
    assert [p.name for p in tmp_path.iterdir()] == [store.path_of(KEY).name]


def load_as_another_user(store: FileStore, key: str) -> tuple[bool, list[str]]:
    """Load ``key`` with the permissions of ``nobody`` (when root) or as ourselves otherwise,
    in a forked child; answers (whether load returned None, the warnings it logged)."""
    import json
    import pwd

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        try:
            messages: list[str] = []
            handler = logging.Handler()
            handler.emit = lambda record: messages.append(record.getMessage())  # type: ignore[method-assign]
            logging.getLogger("pyamplify.storage").addHandler(handler)
            if os.geteuid() == 0:
                nobody = pwd.getpwnam("nobody")
                os.setgid(nobody.pw_gid)
                os.setuid(nobody.pw_uid)
            result = store.load(key)
            os.write(write_end, json.dumps([result is None, messages]).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    is_none, messages = json.loads(data)
    return is_none, messages


@posix_only
def test_unreadable_file_is_signed_out_with_a_warning() -> None:
    """A 0600 file of another user (when root, the load runs as ``nobody``); else mode 000."""
    directory = Path(tempfile.mkdtemp())  # pytest's tmp dirs are not traversable by others
    try:
        directory.chmod(0o711)
        store = FileStore(directory)
        store.save(KEY, {"refresh_token": SECRET})
        if os.geteuid() != 0:
            store.path_of(KEY).chmod(0o000)
        is_none, messages = load_as_another_user(store, KEY)
        assert is_none
        [message] = messages
        assert "cannot be read (PermissionError" in message and KEY in message
        assert SECRET not in message
        store.path_of(KEY).chmod(0o600)
        store.save(KEY, {"n": 3})
        assert store.load(KEY) == {"n": 3}
    finally:
        for path in directory.iterdir():
            path.unlink()
        directory.rmdir()


def test_save_refuses_non_json_without_showing_the_value(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    with pytest.raises(StorageError) as raised:
        store.save(KEY, {"token": SECRET, "raw": SECRET.encode()})
    assert SECRET not in str(raised.value) and KEY in str(raised.value)
    with pytest.raises(StorageError):
        store.save(KEY, {"nan": float("nan")})
    assert list(tmp_path.iterdir()) == []


def test_many_saves_leave_only_entry_and_lock_files(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    for n in range(50):
        with store.lock(KEY):
            store.save(KEY, {"n": n})
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".json", ".lock"]
    assert store.load(KEY) == {"n": 49}


def test_repr_names_the_directory_only(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    store.save(KEY, {"refresh_token": SECRET})
    assert repr(store) == f"FileStore({str(tmp_path)!r})"


def test_lock_is_reentrant_for_its_thread_and_excludes_others(tmp_path: Path) -> None:
    holder = FileStore(tmp_path)
    other = FileStore(tmp_path, lock_timeout=0.05)  # another object, same files: same lock
    with held_by_another_thread(holder, KEY):
        with pytest.raises(StoreLockTimeout, match="could not lock"), other.lock(KEY):
            pass
        with other.lock(session_key("us-east-1_abc", "client123", "bob")):
            pass  # other keys are independent
    with other.lock(KEY):
        pass


def test_lock_excludes_another_process(tmp_path: Path) -> None:
    child = start_file_locker(tmp_path, KEY)
    try:
        with pytest.raises(StoreLockTimeout), FileStore(tmp_path, lock_timeout=0.1).lock(KEY):
            pass
    finally:
        child.communicate("release\n", timeout=30)
    with FileStore(tmp_path, lock_timeout=5).lock(KEY):
        pass


def test_lock_of_a_killed_process_is_released(tmp_path: Path) -> None:
    child = start_file_locker(tmp_path, KEY)
    child.kill()
    child.wait(30)
    with FileStore(tmp_path, lock_timeout=5).lock(KEY):
        pass


def test_two_processes_lose_no_update_and_a_reader_never_sees_a_torn_file(
    tmp_path: Path,
) -> None:
    base = {"kind": "file", "directory": str(tmp_path), "key": KEY}
    reports = start_workers(
        [
            {**base, "mode": "increment", "count": 200},
            {**base, "mode": "increment", "count": 200},
            {**base, "mode": "read", "until": 400},
        ]
    )
    assert FileStore(tmp_path).load(KEY) == {"n": 400, "pad": "x" * (400 % 7 * 300)}
    assert all(report["warnings"] == [] for report in reports)
    reader = reports[2]["seen"]
    assert reader["last"] == 400 and reader["reads"] > 400  # it read all along
    assert reader["went_back"] == 0 and reader["vanished"] == 0
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".json", ".lock"]


def test_threads_lose_no_update(tmp_path: Path) -> None:
    stores = [FileStore(tmp_path) for _ in range(2)]

    def work(store: FileStore) -> None:
        for _ in range(40):
            with store.lock(KEY):
                value = store.load(KEY) or {"n": 0}
                value["n"] += 1
                store.save(KEY, value)

    threads = [threading.Thread(target=work, args=(stores[i % 2],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert FileStore(tmp_path).load(KEY) == {"n": 240}


# ------------------------------------------------------------- a writer killed mid-save
_KILLED_MID_SAVE = """
import os, signal, sys
from pyamplify.storage import FileStore

def killed(*args, **kwargs):  # the temp file is written and synced; the rename never happens
    os.kill(os.getpid(), signal.SIGKILL)

os.replace = killed
FileStore(sys.argv[1]).save(sys.argv[2], {"refresh_token": sys.argv[3]})
"""


def kill_during_save(directory: Path, key: str, secret: str) -> None:
    """Run a process that is SIGKILLed between writing its temp file and renaming it."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _KILLED_MID_SAVE, str(directory), key, secret], check=False
    )
    assert done.returncode == -9


def files_holding(directory: Path, secret: str) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if secret.encode() in p.read_bytes())


@posix_only
def test_sign_out_removes_the_refresh_token_a_killed_save_left_in_a_temp_file(
    tmp_path: Path,
) -> None:
    store = FileStore(tmp_path)
    store.save(KEY, {"refresh_token": "the-old-one"})
    kill_during_save(tmp_path, KEY, SECRET)
    stray = files_holding(tmp_path, SECRET)
    assert len(stray) == 1 and stray[0].startswith(".tmp-")  # what a crash leaves
    assert store.keys() == [KEY]
    store.delete(KEY)
    assert files_holding(tmp_path, SECRET) == []
    assert store.keys() == []


@posix_only
def test_the_next_save_removes_temp_files_of_dead_writers(tmp_path: Path) -> None:
    other = session_key("us-east-1_abc", "client123", "bob")
    kill_during_save(tmp_path, KEY, SECRET)
    kill_during_save(tmp_path, other, SECRET + "-bob")
    FileStore(tmp_path).save(other, {"n": 1})
    assert files_holding(tmp_path, SECRET) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".tmp-")] == []


@posix_only
def test_a_save_leaves_the_temp_file_of_a_live_writer_alone(tmp_path: Path) -> None:
    """Another process may be between its write and its rename: its file is not stray."""
    other = session_key("us-east-1_abc", "client123", "bob")
    store = FileStore(tmp_path)
    live = store.temp_prefix(other)  # this process is alive
    (tmp_path / f"{live}inflight.json").write_text("{}")
    store.save(KEY, {"n": 1})
    assert (tmp_path / f"{live}inflight.json").exists()
