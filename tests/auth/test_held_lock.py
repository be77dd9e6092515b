"""ThreadHeldLock: a thread-affine lock held across awaits without blocking the event loop."""

from __future__ import annotations

import asyncio
import threading

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
    assert lock.acquire(blocking=False)  # released
    lock.release()


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
