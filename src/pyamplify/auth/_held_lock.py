"""Hold a blocking, thread-affine lock from asyncio code without blocking the event loop.

The credential store's lock is an ``RLock`` plus a file lock: it must be released by the thread
that took it, and taking it may wait for another process. ``ThreadHeldLock`` takes it on a
dedicated thread, keeps it while the coroutine awaits network calls, runs the store reads and
writes that need it on that same thread (``await held.run(fn, ...)``), and releases it there.
Leaving ``async with`` waits until that release has happened, so code after the block (or
another thread it wakes) finds the lock free. If the waiting task is cancelled, the lock is
released as soon as the thread gets it.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

T = TypeVar("T")

_Job = tuple[Callable[..., Any], tuple[Any, ...], "asyncio.Future[Any]"]


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class ThreadHeldLock:
    """``async with ThreadHeldLock(lambda: store.lock(key)) as held: await held.run(...)``."""

    def __init__(self, factory: Callable[[], contextlib.AbstractContextManager[None]]) -> None:
        self._factory = factory
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._released: asyncio.Future[None] | None = None

    async def __aenter__(self) -> ThreadHeldLock:
        loop = self._loop = asyncio.get_running_loop()
        acquired: asyncio.Future[None] = loop.create_future()
        released = self._released = loop.create_future()
        thread = threading.Thread(
            target=self._hold,
            args=(loop, acquired, released),
            name="pyamplify-store-lock",
            daemon=True,
        )
        thread.start()
        try:
            await acquired
        except BaseException:
            self._jobs.put(None)  # cancelled or failed: let go as soon as it is held
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._jobs.put(None)
        if self._released is None:
            raise RuntimeError("ThreadHeldLock left without being entered")
        await self._released  # the holding thread has let go (or the release's error is raised)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` on the thread that holds the lock and return its result."""
        assert self._loop is not None, "use inside 'async with'"
        future: asyncio.Future[T] = self._loop.create_future()
        self._jobs.put((fn, args, future))
        return await future

    def _hold(
        self,
        loop: asyncio.AbstractEventLoop,
        acquired: asyncio.Future[None],
        released: asyncio.Future[None],
    ) -> None:
        def reply(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is waiting
                loop.call_soon_threadsafe(_settle, future, result, error)

        held = False
        try:
            with self._factory():
                held = True
                reply(acquired, None, None)
                while (job := self._jobs.get()) is not None:
                    fn, args, future = job
                    try:
                        result = fn(*args)
                    except BaseException as error:
                        reply(future, None, error)
                    else:
                        reply(future, result, None)
        except BaseException as error:  # taking the lock failed, or releasing it did
            reply(released if held else acquired, None, error)
        else:
            reply(released, None, None)
