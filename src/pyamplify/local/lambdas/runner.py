"""FunctionRunner: function ARN -> handler, and one invocation as Lambda would run it.

The trigger room calls :meth:`FunctionRunner.invoke` with a Cognito event and gets the
handler's answer as plain JSON data (a dict), or one of the :mod:`.errors` exceptions saying
what went wrong in Lambda's terms. Python handlers run in this process on a worker thread
(:mod:`.threads`), Node.js handlers in one long-lived ``node`` worker (:mod:`.node`).

The event a handler receives is a deep copy (a JSON round trip, so it is also exactly what a
Lambda would receive), and the answer is read back as JSON (tuples become lists; anything that
JSON cannot carry is the Lambda runtime's ``Runtime.MarshalError``).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyamplify.errors import json_type_name
from pyamplify.local.lambdas.context import (
    MEMORY_LIMIT_MB,
    FunctionName,
    LambdaContext,
    parse_function_arn,
)
from pyamplify.local.lambdas.errors import (
    COGNITO_TIMEOUT,
    FunctionBadOutput,
    FunctionFailed,
    FunctionNotMapped,
    FunctionTimedOut,
    HandlerSpecError,
)
from pyamplify.local.lambdas.handlers import (
    Handler,
    HandlerSpec,
    NodeHandler,
    PythonHandler,
    resolve,
)
from pyamplify.local.lambdas.node import NodeWorker
from pyamplify.local.lambdas.output import (
    CURRENT,
    LOG,
    Invocation,
    capture_logging,
    capture_streams,
    tags,
)
from pyamplify.local.lambdas.threads import ThreadPool


@dataclass(frozen=True)
class _Mapped:
    function: FunctionName
    handler: Handler


class FunctionRunner:
    """Runs the handlers mapped to Lambda function ARNs (see the module docstring).

    ``functions`` maps ARNs to handler specs (:data:`~.handlers.HandlerSpec`); relative paths in
    them are resolved from ``base_dir`` (default: the working directory). Every spec is checked
    here: a bad one raises :class:`HandlerSpecError` at once. ``node`` names the Node.js
    executable (default: ``$PYAMPLIFY_NODE``, else ``node`` on PATH).
    """

    def __init__(
        self,
        functions: Mapping[str, HandlerSpec] | None = None,
        *,
        base_dir: Path | None = None,
        log: logging.Logger | None = None,
        node: str | None = None,
    ) -> None:
        self.base_dir = base_dir
        self.log = log or LOG
        self._functions: dict[str, _Mapped] = {}
        self._threads = ThreadPool()
        self._node = NodeWorker(node, self.log)
        for arn, spec in (functions or {}).items():
            self.map(arn, spec)

    # ------------------------------------------------------------------ mapping

    def map(self, arn: str, handler: HandlerSpec, *, base_dir: Path | None = None) -> None:
        """Map ``arn`` to ``handler`` (replacing any previous mapping); checks it first.

        Python modules are imported now; a Node.js module is loaded in the worker now (which
        starts it). :class:`HandlerSpecError` says what is wrong.
        """
        function = parse_function_arn(arn)
        resolved = resolve(handler, base_dir or self.base_dir)
        if isinstance(resolved, NodeHandler):
            try:
                self._node.load(resolved.path, resolved.export)
            except FunctionFailed as error:
                raise HandlerSpecError(
                    f"handler {handler!r}: {error.error_type}: {error.error_message}"
                ) from None
        else:
            capture_logging()
        self._functions[arn] = _Mapped(function, resolved)

    def mapping(self, arn: str) -> str | None:
        """What ``arn`` is mapped to, for people (``"Python triggers/define.py:handler"``)."""
        mapped = self._functions.get(arn)
        return mapped.handler.description if mapped else None

    def arns(self) -> list[str]:
        """The mapped ARNs, in mapping order."""
        return list(self._functions)

    @property
    def node_pid(self) -> int | None:
        """The Node.js worker's process id while it runs (for tests and diagnostics)."""
        return self._node.pid

    # ------------------------------------------------------------------ invoking

    def invoke(
        self,
        arn: str,
        event: dict[str, Any],
        *,
        timeout: float = COGNITO_TIMEOUT,
        function_label: str = "",
    ) -> dict[str, Any]:
        """Run the handler mapped to ``arn`` with ``event``; its answer as a JSON object.

        Raises :class:`FunctionNotMapped`, :class:`FunctionFailed` (the handler raised, its
        answer cannot be JSON, or its runtime died), :class:`FunctionTimedOut` (no answer within
        ``timeout`` seconds) or :class:`FunctionBadOutput` (JSON that is not an object).
        ``function_label`` (e.g. the trigger, ``"PreSignUp"``) is added to the log lines.
        ``TypeError`` means ``event`` itself is not JSON: a bug of the caller.
        """
        mapped = self._functions.get(arn)
        if mapped is None:
            raise FunctionNotMapped(arn)
        request_id = str(uuid.uuid4())
        name = mapped.function.name
        debug = self.log.isEnabledFor(logging.DEBUG)
        if debug:
            suffix = f" ({function_label})" if function_label else ""
            self._line(
                name,
                request_id,
                f"START RequestId: {request_id} Version: {mapped.function.version}{suffix}",
            )
        started = time.perf_counter()
        try:
            if isinstance(mapped.handler, PythonHandler):
                result = self._python(mapped, mapped.handler, event, request_id, timeout)
            else:
                result = self._nodejs(mapped, mapped.handler, event, request_id, timeout)
        finally:
            if debug:
                took = (time.perf_counter() - started) * 1000
                self._line(name, request_id, f"END RequestId: {request_id}")
                self._line(
                    name,
                    request_id,
                    f"REPORT RequestId: {request_id}\tDuration: {took:.2f} ms\t"
                    f"Memory Size: {MEMORY_LIMIT_MB} MB",
                )
        if not isinstance(result, dict):
            raise FunctionBadOutput(
                f"{name} answered {json_type_name(result)}, not a JSON object", request_id
            )
        return result

    def _python(
        self,
        mapped: _Mapped,
        handler: PythonHandler,
        event: dict[str, Any],
        request_id: str,
        timeout: float,
    ) -> Any:
        copy = json.loads(json.dumps(event))
        context = LambdaContext(mapped.function, request_id, time.monotonic() + timeout)
        invocation = Invocation(mapped.function.name, request_id, self.log)
        function = handler.function

        def run() -> Any:
            token = CURRENT.set(invocation)
            try:
                return function(copy, context)
            finally:
                invocation.finish()
                CURRENT.reset(token)

        capture_streams()
        label = f"{mapped.function.name} {request_id}"
        try:
            result = self._threads.call(run, timeout, label)
        except TimeoutError:
            self._line(
                mapped.function.name,
                request_id,
                f"Task timed out after {timeout:.2f} seconds (the handler thread runs on; "
                "Python threads cannot be stopped)",
                logging.WARNING,
            )
            raise FunctionTimedOut(timeout, request_id) from None
        except SystemExit as exit_:
            raise FunctionFailed(
                f"RequestId: {request_id} Error: Runtime exited with error: "
                f"exit status {exit_.code if isinstance(exit_.code, int) else 1}",
                "Runtime.ExitError",
                request_id,
            ) from None
        except Exception as error:
            self.log.error(
                "[%s %s] [ERROR] %s: %s",
                mapped.function.name,
                request_id,
                type(error).__name__,
                error,
                exc_info=error,
                extra=tags(mapped.function.name, request_id, "error"),
            )
            raise FunctionFailed(str(error), type(error).__name__, request_id) from None
        try:
            return json.loads(json.dumps(result))
        except (TypeError, ValueError) as error:
            raise FunctionFailed(
                f"Unable to marshal response: {error}", "Runtime.MarshalError", request_id
            ) from None

    def _nodejs(
        self,
        mapped: _Mapped,
        handler: NodeHandler,
        event: dict[str, Any],
        request_id: str,
        timeout: float,
    ) -> Any:
        function = mapped.function
        request = {
            "op": "invoke",
            "path": str(handler.path),
            "export": handler.export,
            "event": event,
            "timeoutMs": max(1, int(timeout * 1000)),
            "context": {
                "functionName": function.name,
                "functionVersion": function.version,
                "invokedFunctionArn": function.arn,
                "memoryLimitInMB": str(MEMORY_LIMIT_MB),
                "awsRequestId": request_id,
                "logGroupName": function.log_group_name,
                "logStreamName": function.log_stream_name,
            },
        }
        label = f"{function.name} {request_id}"
        try:
            return self._node.request(request, request_id, label, timeout)
        except FunctionFailed as error:
            self._line(
                function.name,
                request_id,
                f"ERROR\tInvoke Error \t{error.error_type}: {error.error_message}",
                logging.ERROR,
            )
            raise
        except FunctionTimedOut:
            self._line(
                function.name,
                request_id,
                f"Task timed out after {timeout:.2f} seconds",
                logging.WARNING,
            )
            raise

    def _line(self, name: str, request_id: str, text: str, level: int = logging.DEBUG) -> None:
        self.log.log(
            level, "[%s %s] %s", name, request_id, text, extra=tags(name, request_id, "runtime")
        )

    # ------------------------------------------------------------------ life cycle

    def close(self) -> None:
        """Stop the Node.js worker and idle threads; the runner stays usable (they restart)."""
        self._node.close()
        self._threads.close()

    def __repr__(self) -> str:
        return f"FunctionRunner({len(self._functions)} functions)"
