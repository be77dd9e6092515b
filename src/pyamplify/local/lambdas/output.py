"""A function's output goes to the local Cognito's log, tagged as CloudWatch would show it.

On AWS each function writes to its own log group; here everything a handler prints or logs
becomes a record of the ``pyamplify.local.lambdas`` logger whose message starts with
``[<function name> <request id>]`` and which carries ``lambda_function``, ``aws_request_id`` and
``lambda_stream`` attributes (for filters and tests).

Python handlers run in this process, so their output has to be picked out of everyone else's:

* ``print()`` and ``sys.stdout``/``sys.stderr`` writes: :func:`capture_streams` replaces the two
  streams once by proxies that look at a context variable set only while a handler runs on the
  current thread (and in the asyncio tasks it starts). Every other thread writes through to the
  original stream, untouched. If someone replaces the streams later (pytest does, per test), the
  next invocation wraps the new ones.
* ``logging``: a record factory (installed once, chained to the previous one) sees every record
  created while a handler runs. It re-emits the record on ``pyamplify.local.lambdas`` with the
  tags and the same level, and lowers the original's level below every threshold so that it is
  not printed twice. The handler's own level settings still decide what is logged at all: as on
  AWS, ``logger.info`` shows nothing until the handler sets its logger's level to INFO.

Node.js output arrives from the worker already tagged and goes through :func:`emit`.
"""

from __future__ import annotations

import logging
import sys
import threading
from contextvars import ContextVar
from typing import Any, TextIO

LOG = logging.getLogger("pyamplify.local.lambdas")

#: Below every handler's threshold (NOTSET is 0): a record at this level is printed by no one.
_SILENCED = -1


class Invocation:
    """One running invocation's tags and the partial lines its streams have written."""

    __slots__ = ("function", "log", "partial", "request_id")

    def __init__(self, function: str, request_id: str, log: logging.Logger = LOG) -> None:
        self.function = function
        self.request_id = request_id
        self.log = log
        self.partial: dict[str, str] = {}

    def write(self, stream: str, text: str) -> None:
        """Buffer ``text``; log each completed line."""
        pending = self.partial.get(stream, "") + text
        *lines, rest = pending.split("\n")
        self.partial[stream] = rest
        for line in lines:
            emit(self.log, self.function, self.request_id, stream, line)

    def finish(self) -> None:
        """Log what is left of unterminated lines."""
        for stream, rest in self.partial.items():
            if rest:
                emit(self.log, self.function, self.request_id, stream, rest)
        self.partial.clear()


CURRENT: ContextVar[Invocation | None] = ContextVar("pyamplify_lambda_invocation", default=None)


def emit(
    log: logging.Logger,
    function: str,
    request_id: str,
    stream: str,
    text: str,
    level: int = logging.INFO,
) -> None:
    """Log one line of a function's output, tagged with the function and the request id."""
    if log.isEnabledFor(level):
        log.log(
            level,
            "[%s %s] %s",
            function,
            request_id,
            text,
            extra={
                "lambda_function": function,
                "aws_request_id": request_id,
                "lambda_stream": stream,
            },
        )


def tags(function: str, request_id: str, stream: str) -> dict[str, str]:
    """The attributes of a function's log records (``extra=`` of a logging call)."""
    return {"lambda_function": function, "aws_request_id": request_id, "lambda_stream": stream}


class _InvocationStream:
    """``sys.stdout``/``sys.stderr`` stand-in: a running handler's writes become log lines."""

    def __init__(self, target: TextIO, name: str) -> None:
        self._target = target
        self._name = name

    def write(self, text: str) -> int:
        invocation = CURRENT.get()
        if invocation is None:
            return self._target.write(text)
        invocation.write(self._name, text)
        return len(text)

    def flush(self) -> None:
        if CURRENT.get() is None:
            self._target.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._target, name)


def capture_streams() -> None:
    """Make sure ``sys.stdout`` and ``sys.stderr`` are proxies (cheap when they already are)."""
    if not isinstance(sys.stdout, _InvocationStream) and sys.stdout is not None:
        sys.stdout = _InvocationStream(sys.stdout, "stdout")
    if not isinstance(sys.stderr, _InvocationStream) and sys.stderr is not None:
        sys.stderr = _InvocationStream(sys.stderr, "stderr")


_factory_lock = threading.Lock()
_factory_installed = False


def capture_logging() -> None:
    """Install the record factory that moves handlers' log records to our logger (once)."""
    global _factory_installed
    with _factory_lock:
        if _factory_installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            invocation = CURRENT.get()
            if invocation is not None and not record.name.startswith(invocation.log.name):
                _forward(record, invocation)
            return record

        logging.setLogRecordFactory(factory)
        _factory_installed = True


def _forward(record: logging.LogRecord, invocation: Invocation) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: show it as written rather than lose the line
        message = str(record.msg)
    log = invocation.log
    tagged = logging.LogRecord(
        log.name,
        record.levelno,
        record.pathname,
        record.lineno,
        "[%s %s] [%s] %s",
        (invocation.function, invocation.request_id, record.levelname, message),
        record.exc_info,
        record.funcName,
        record.stack_info,
    )
    tagged.lambda_function = invocation.function
    tagged.aws_request_id = invocation.request_id
    tagged.lambda_stream = "logging"
    tagged.lambda_logger = record.name
    log.handle(tagged)  # the handler's own level check already passed; ours must not drop it
    record.levelno = _SILENCED
