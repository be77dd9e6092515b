"""A long-lived ``node`` process that runs Lambda Node.js handlers (``worker.mjs`` beside this).

Started on first use (mapping a Node.js handler asks it to load the module, so a bad file fails
at start-up), it reads one JSON request per line on stdin and answers with one JSON message per
line on stdout, each prefixed by a random token so that bytes a handler writes to fd 1 itself
cannot pass for an answer; ``console.*`` and ``process.stdout/stderr.write`` arrive as tagged
log messages. A reader thread sorts the lines: answers to the waiting caller, the rest to the
log.

**One request at a time.** Lambda runs one request per execution environment, and handler code
relies on it (module-level state set during an invocation); the local Cognito answers its
operations on one thread anyway. A second caller waits for the first.

**Time limit.** A handler past its limit may be spinning (``while (true) {}``) where no timer
inside Node can stop it, so the caller kills the process at the limit and reports the time-out;
the next request starts a fresh worker (modules load again, as after a Lambda cold start). A
worker that exits by itself (``process.exit``, an uncaught error in a stray timer) fails the
request in flight as Lambda does: ``Runtime.ExitError``, "Runtime exited with error: exit status
N".

Every worker is stopped by :meth:`NodeWorker.close` (the local Cognito's ``stop()``), at
interpreter exit (``atexit``), and by itself when its stdin closes, so none outlives its parent.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import secrets
import shutil
import subprocess
import threading
import weakref
from pathlib import Path
from typing import IO, Any

from pyamplify.local.lambdas.errors import (
    FunctionFailed,
    FunctionTimedOut,
    NodeNotFoundError,
)
from pyamplify.local.lambdas.output import LOG, Invocation, emit

WORKER_SCRIPT = Path(__file__).with_name("worker.mjs")
#: Environment variable naming the ``node`` executable (default: ``node`` on PATH).
NODE_ENV = "PYAMPLIFY_NODE"
_START_TIMEOUT = 15.0
_LEVELS = {
    "TRACE": logging.DEBUG,
    "DEBUG": logging.DEBUG,
    "INFO": logging.INFO,
    "WARN": logging.WARNING,
    "ERROR": logging.ERROR,
}


def find_node() -> str:
    """The ``node`` executable to run; :class:`NodeNotFoundError` when there is none."""
    configured = os.environ.get(NODE_ENV)
    found = shutil.which(configured or "node")
    if found is None:
        problem = (
            f"${NODE_ENV}={configured!r} is not an executable"
            if configured
            else "there is no `node` on PATH"
        )
        raise NodeNotFoundError(
            f"Node.js handlers need Node.js 18 or later, and {problem}; install Node.js, "
            f"or set ${NODE_ENV} to the node executable"
        )
    return found


class _Pending:
    """A request waiting for its answer: ``key`` in the protocol, ``request_id`` for people."""

    __slots__ = ("done", "exited", "key", "message", "request_id")

    def __init__(self, key: str, request_id: str) -> None:
        self.key = key
        self.request_id = request_id
        self.done = threading.Lock()
        self.done.acquire()
        self.message: dict[str, Any] | None = None
        self.exited = False


class _Process:
    """One running ``node worker.mjs`` and the threads reading its output."""

    def __init__(self, node: str, log: logging.Logger) -> None:
        self.log = log
        self.token = secrets.token_hex(8)
        self._token = self.token.encode()
        self.pending: _Pending | None = None
        self.ready = threading.Event()
        self.alive = True
        self._streams: dict[str, Invocation] = {}
        self.popen = subprocess.Popen(
            [node, str(WORKER_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYAMPLIFY_LAMBDA_TOKEN": self.token},
        )
        assert self.popen.stdout is not None and self.popen.stderr is not None
        for target, stream in ((self._read_messages, self.popen.stdout), (self._read_stderr, None)):
            threading.Thread(
                target=target, args=(stream,) if stream else (), name="pyamplify-node", daemon=True
            ).start()

    # -------------------------------------------------------------- reading

    def _read_messages(self, stdout: IO[bytes]) -> None:
        try:
            for raw in stdout:
                at = raw.find(self._token)
                if at < 0:
                    self._stray("stdout", raw)
                    continue
                if at > 0:
                    self._stray("stdout", raw[:at] + b"\n")
                self._dispatch(json.loads(raw[at + len(self._token) :]))
        except (OSError, ValueError):  # a closed pipe; a line that is not ours after all
            self.log.exception("the Node.js worker's output could not be read")
        finally:
            self.alive = False
            self.ready.set()
            pending = self.pending
            if pending is not None and pending.message is None:
                pending.exited = True
                pending.done.release()

    def _read_stderr(self) -> None:
        assert self.popen.stderr is not None
        for raw in self.popen.stderr:
            self._stray("stderr", raw)

    def _stray(self, stream: str, raw: bytes) -> None:
        pending = self.pending
        request_id = pending.request_id if pending else "-"
        text = raw.decode("utf-8", "replace").rstrip("\n")
        emit(self.log, "node", request_id, stream, text, logging.WARNING)

    def _dispatch(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "log":
            level = str(message.get("level", "INFO"))
            text = f"{level}\t{message.get('text', '')}"
            emit(
                self.log,
                str(message.get("functionName") or "node"),
                str(message.get("requestId") or "-"),
                "console",
                text,
                _LEVELS.get(level, logging.INFO),
            )
        elif kind == "write":
            key = str(message.get("requestId") or "-")
            invocation = self._streams.get(key)
            if invocation is None:
                function = str(message.get("functionName") or "node")
                invocation = self._streams[key] = Invocation(function, key, self.log)
            invocation.write(str(message.get("stream", "stdout")), str(message.get("text", "")))
        elif kind == "ready":
            self.ready.set()
        else:
            pending = self.pending
            if pending is not None and message.get("id") == pending.key:
                pending.message = message
                leftover = self._streams.pop(pending.request_id, None)
                if leftover is not None:
                    leftover.finish()
                pending.done.release()

    # -------------------------------------------------------------- life cycle

    def send(self, request: dict[str, Any]) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.write(json.dumps(request, separators=(",", ":")).encode() + b"\n")
        self.popen.stdin.flush()

    def stop(self, *, kill: bool) -> int | None:
        """End the process (kill it, or close its stdin and let it exit); its exit status."""
        self.alive = False
        if kill:
            self.popen.kill()
        else:
            try:
                if self.popen.stdin is not None:
                    self.popen.stdin.close()
            except OSError:
                pass
        try:
            return self.popen.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            return self.popen.wait()
        finally:
            for stream in (self.popen.stdout, self.popen.stderr, self.popen.stdin):
                try:
                    if stream is not None:
                        stream.close()
                except OSError:
                    pass


_workers: weakref.WeakSet[NodeWorker] = weakref.WeakSet()


class NodeWorker:
    """Runs Node.js handlers in one long-lived ``node`` process, one request at a time."""

    def __init__(self, node: str | None = None, log: logging.Logger = LOG) -> None:
        self._node = node
        self._log = log
        self._lock = threading.Lock()
        self._process: _Process | None = None
        self._next = 0
        _workers.add(self)

    @property
    def pid(self) -> int | None:
        """The running worker's process id, or ``None`` (not started, or stopped)."""
        process = self._process
        return process.popen.pid if process is not None and process.alive else None

    def load(self, path: Path, export: str, timeout: float = _START_TIMEOUT) -> None:
        """Import ``path`` in the worker and check that ``export`` is a function.

        Raises :class:`FunctionFailed` (``Runtime.ImportModuleError``,
        ``Runtime.UserCodeSyntaxError``, ``Runtime.HandlerNotFound``) when it cannot be.
        """
        self.request({"op": "load", "path": str(path), "export": export}, "", "", timeout)

    def request(self, request: dict[str, Any], request_id: str, label: str, timeout: float) -> Any:
        """Send one request; the handler's result (JSON), or an :class:`InvocationError`."""
        with self._lock:
            process = self._running()
            self._next += 1
            pending = _Pending(f"{self._next}", request_id or "-")
            request["id"] = pending.key
            process.pending = pending
            if not process.alive:  # it died before the request could be sent
                pending.exited = True
            else:
                # If it died, the reader has seen (or will see) the end of its output.
                with contextlib.suppress(OSError):
                    process.send(request)
            if not pending.exited and not pending.done.acquire(timeout=timeout):
                process.stop(kill=True)
                self._process = None
                raise FunctionTimedOut(timeout, request_id)
            process.pending = None
            if pending.message is not None and pending.message.get("fatal"):
                process.stop(kill=False)  # it is exiting: the next request starts a fresh one
                self._process = None
            if pending.exited:
                status = process.stop(kill=False)
                self._process = None
                raise FunctionFailed(
                    f"RequestId: {request_id} Error: Runtime exited with error: "
                    + (
                        f"signal: {-status}"
                        if status is not None and status < 0
                        else f"exit status {status}"
                    ),
                    "Runtime.ExitError",
                    request_id,
                )
        message = pending.message or {}
        if message.get("type") == "result":
            return message.get("result")
        raise FunctionFailed(
            str(message.get("errorMessage", "")), str(message.get("errorType", "Error")), request_id
        )

    def _running(self) -> _Process:
        process = self._process
        if process is not None and process.alive:
            return process
        try:
            process = _Process(self._node or find_node(), self._log)
        except OSError as error:
            raise FunctionFailed(f"cannot start Node.js: {error}", "Runtime.StartError") from None
        if not process.ready.wait(_START_TIMEOUT) or not process.alive:
            process.stop(kill=True)
            raise FunctionFailed(
                "the Node.js worker did not start (see the log above)", "Runtime.StartError"
            )
        self._process = process
        return process

    def close(self) -> None:
        """Stop the worker process (a later request starts a new one)."""
        with self._lock:
            process, self._process = self._process, None
        if process is not None:
            process.stop(kill=False)


@atexit.register
def _stop_all_workers() -> None:
    for worker in list(_workers):
        worker.close()
