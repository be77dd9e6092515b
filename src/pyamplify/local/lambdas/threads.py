"""Run a Python call on a worker thread and stop waiting for it at a deadline.

Python cannot kill a thread, and a handler stuck in ``time.sleep`` or a socket read cannot be
interrupted from outside either. So a handler runs on a worker thread while the caller waits
for it with a time-out; at the limit the caller gives up and reports the time-out, and the
worker finishes in the background (its answer discarded, a warning logged), then goes back to
the pool. A hung handler therefore keeps one thread busy for as long as it hangs; the next
invocation takes another thread. The threads are daemons: a process that exits does not wait
for them.

The hand-off is two plain locks (no queue, no condition variable), which costs a few tens of
microseconds: the price of being able to stop waiting.
"""

from __future__ import annotations

import _thread
import threading
from collections.abc import Callable
from typing import Any

from pyamplify.local.lambdas.output import LOG


class _Job:
    __slots__ = ("abandoned", "call", "done", "error", "label", "result")

    def __init__(self, call: Callable[[], Any], label: str) -> None:
        self.call = call
        self.label = label
        self.done = _thread.allocate_lock()
        self.done.acquire()
        self.result: Any = None
        self.error: BaseException | None = None
        self.abandoned = False


class _Worker:
    def __init__(self, pool: ThreadPool) -> None:
        self._pool = pool
        self._wake = _thread.allocate_lock()
        self._wake.acquire()
        self.job: _Job | None = None
        thread = threading.Thread(target=self._loop, name="pyamplify-lambda", daemon=True)
        thread.start()

    def run(self, job: _Job) -> None:
        self.job = job
        self._wake.release()

    def stop(self) -> None:
        self.job = None
        self._wake.release()

    def _loop(self) -> None:
        while True:
            self._wake.acquire()
            job = self.job
            if job is None:  # the pool is closing
                return
            self.job = None
            try:
                job.result = job.call()
            except BaseException as error:  # handed to the caller, which decides
                job.error = error
            if job.abandoned:
                LOG.warning("%s finished after its time-out; its answer was discarded", job.label)
            job.done.release()
            self._pool.put_back(self)


class ThreadPool:
    """Idle worker threads, created on demand; one call per thread at a time."""

    def __init__(self) -> None:
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()

    def call(self, function: Callable[[], Any], timeout: float, label: str) -> Any:
        """``function()`` on a worker thread; :class:`TimeoutError` if it runs past ``timeout``.

        Exceptions the function raises are raised here.
        """
        with self._lock:
            worker = self._idle.pop() if self._idle else None
        if worker is None:
            worker = _Worker(self)
        job = _Job(function, label)
        worker.run(job)
        if not job.done.acquire(timeout=max(timeout, 0.0)):
            job.abandoned = True
            if job.done.acquire(blocking=False):  # it finished in the meantime after all
                job.abandoned = False
            else:
                raise TimeoutError(timeout)
        if job.error is not None:
            raise job.error
        return job.result

    def put_back(self, worker: _Worker) -> None:
        """Return a worker whose call has returned to the idle list."""
        with self._lock:
            self._idle.append(worker)

    def close(self) -> None:
        """Let the idle threads exit; the pool stays usable (new threads start on demand)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()
