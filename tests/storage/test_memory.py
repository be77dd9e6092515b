"""MemoryStore: same contract as the persistent stores, thread locks only."""

from __future__ import annotations

import threading

import pytest

from pyamplify.storage import MemoryStore, StorageError, StoreLockTimeout

from .conftest import held_by_another_thread

KEY = "session/us-east-1_abc/client123/default"


def test_round_trip_copies_values() -> None:
    store = MemoryStore()
    value = {"tokens": {"refresh": "r"}, "n": 1}
    store.save(KEY, value)
    value["n"] = 2
    loaded = store.load(KEY)
    assert loaded == {"tokens": {"refresh": "r"}, "n": 1}
    assert loaded is not None
    loaded["n"] = 3
    assert store.load(KEY) == {"tokens": {"refresh": "r"}, "n": 1}
    assert store.keys() == [KEY] and store.keys("other") == []
    store.delete(KEY)
    store.delete(KEY)
    assert store.load(KEY) is None


def test_refuses_what_a_file_store_would_refuse() -> None:
    with pytest.raises(StorageError):
        MemoryStore().save(KEY, {"raw": b"secret"})


def test_repr_shows_no_content() -> None:
    store = MemoryStore()
    store.save(KEY, {"refresh": "SECRET"})
    assert "SECRET" not in repr(store) and KEY not in repr(store)


def test_lock_is_reentrant_and_excludes_other_threads() -> None:
    store = MemoryStore(lock_timeout=0.05)
    with held_by_another_thread(store, KEY):
        with pytest.raises(StoreLockTimeout), store.lock(KEY):
            pass
        with store.lock("another"):
            pass


def test_threads_lose_no_update() -> None:
    store = MemoryStore()

    def work() -> None:
        for _ in range(200):
            with store.lock(KEY):
                value = store.load(KEY) or {"n": 0}
                value["n"] += 1
                store.save(KEY, value)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.load(KEY) == {"n": 1600}
