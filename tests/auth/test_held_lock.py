"""ThreadHeldLock: a thread-affine lock held across awaits without blocking the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator

import pytest

from pyamplify.auth._held_lock import ThreadHeldLock


def test_store_work_runs_on_the_holding_thread_and_the_loop_stays_free() -> None:
    lock = threading.RLock()  # thread-affine: must be released by the thread that took it

    async def scenario() -> None:
        holder_threads: list[int] = []
        async with ThreadHeldLock(lambda: lock) as held:
            holder_threads.append(await held.run(threading.get_ident))
            holder_threads.append(await held.run(threading.get_ident))
            # The loop still runs other work while the lock is held.
            await asyncio.wait_for(asyncio.sleep(0.01), 1)
            assert await held.run(lock.acquire, False)  # re-entrant on the holder thread
            await held.run(lock.release)
        assert len(set(holder_threads)) == 1
        assert holder_threads[0] != threading.get_ident()

    asyncio.run(scenario())
    assert lock.acquire(blocking=False)  # released before ``async with`` returned
    lock.release()


def test_leaving_the_block_waits_until_the_holding_thread_has_released() -> None:
    """A release that takes a while (a file lock being unlocked) is over when the block ends,
    so the caller may take the lock again at once (before, it could still be held)."""
    lock = threading.RLock()
    log: list[str] = []

    @contextlib.contextmanager
    def slow_to_release() -> Iterator[None]:
        with lock:
            yield
            time.sleep(0.05)  # still holding: the block must not end before this is over
            log.append("released")

    async def scenario() -> None:
        async with ThreadHeldLock(slow_to_release):
            log.append("inside")
        log.append("after")
        assert lock.acquire(blocking=False)  # this thread can take it: nobody holds it
        lock.release()

    asyncio.run(scenario())
    assert log == ["inside", "released", "after"]


def test_a_failed_release_is_raised_where_the_block_ends() -> None:
    @contextlib.contextmanager
    def fails_to_release() -> Iterator[None]:
        yield
        raise OSError("unlock failed")

    async def scenario() -> None:
        async with ThreadHeldLock(fails_to_release):
            pass

    with pytest.raises(OSError, match="unlock failed"):
        asyncio.run(scenario())


def test_errors_come_back_to_the_awaiting_task() -> None:
    async def scenario() -> None:
        async with ThreadHeldLock(threading.Lock) as held:
            with pytest.raises(ZeroDivisionError):
                await held.run(lambda: 1 / 0)

    asyncio.run(scenario())


def test_cancelled_waiter_does_not_leak_the_lock() -> None:
    lock = threading.Lock()
    lock.acquire()  # someone else holds it

    async def scenario() -> None:
        waiter = asyncio.ensure_future(ThreadHeldLock(lambda: lock).__aenter__())
        await asyncio.sleep(0.01)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter

    asyncio.run(scenario())
    lock.release()  # now the helper thread takes it and must let go at once
    assert lock.acquire(timeout=5)
    lock.release()
