"""The local Lambda runtime: real Python handlers in threads, real Node.js handlers in a real
``node`` worker, the same handler logic in both languages passing the same tests.

The handlers live in ``lambda_handlers/``: ``behave.py`` and ``behave_logic.cjs`` are the same
logic; the Node.js variants wrap it in each style Lambda accepts (async ESM, a promise from
CommonJS, a callback in a ``.js`` whose package.json says CommonJS, ESM in a ``.js`` whose
package.json says module).
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pyamplify.local.lambdas import (
    FunctionBadOutput,
    FunctionFailed,
    FunctionNotMapped,
    FunctionRunner,
    FunctionTimedOut,
    HandlerSpecError,
    NodeNotFoundError,
)
from pyamplify.local.lambdas.errors import failed_with_error, invocation_failed

HANDLERS = Path(__file__).parent / "lambda_handlers"
ARN = "arn:aws:lambda:us-east-1:000000000000:function:{}"
LOG_NAME = "pyamplify.local.lambdas"
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")


def _behave_callable() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("behave_for_tests", HANDLERS / "behave.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.handler


#: variant -> (spec, base_dir); the same logic behind every one.
VARIANTS: dict[str, tuple[Any, Path | None]] = {
    "python-callable": (_behave_callable(), None),
    "python-module": ("behave:handler", HANDLERS),
    "python-file": (str(HANDLERS / "behave.py") + ":handler", None),
    "node-mjs-async": ("behave.mjs:handler", HANDLERS),
    "node-cjs-promise": ("promise.cjs:handler", HANDLERS),
    "node-js-callback": ("callback_pkg/index.js:handler", HANDLERS),
    "node-js-esm": ("esm_pkg/index.js:handler", HANDLERS),
}
PYTHON = [name for name in VARIANTS if name.startswith("python")]
NODE = [pytest.param(name, marks=needs_node) for name in VARIANTS if name.startswith("node")]
ALL = [*PYTHON, *NODE]


@pytest.fixture(scope="module")
def runner() -> Iterator[FunctionRunner]:
    """One runner with every variant mapped (one Node.js worker for the module)."""
    functions = FunctionRunner()
    for name, (spec, base_dir) in VARIANTS.items():
        if name.startswith("node") and shutil.which("node") is None:
            continue
        functions.map(ARN.format(name), spec, base_dir=base_dir)
    yield functions
    functions.close()


def event(action: str = "answer", **request: Any) -> dict[str, Any]:
    """A Cognito-shaped event for ``behave``."""
    return {
        "version": "1",
        "triggerSource": "DefineAuthChallenge_Authentication",
        "userName": "alice",
        "request": {"action": action, "session": [{"challengeName": "SRP_A"}], **request},
        "response": {},
    }


# ---------------------------------------------------------------------- answers


@pytest.mark.parametrize("variant", ALL)
def test_the_answer_is_the_event_the_handler_filled_in(
    runner: FunctionRunner, variant: str
) -> None:
    sent = event()
    answer = runner.invoke(ARN.format(variant), sent, timeout=2.0)
    assert answer["response"]["sessionLength"] == 1
    assert answer["response"]["user"] == "alice"
    assert answer["triggerSource"] == "DefineAuthChallenge_Authentication"
    assert sent["response"] == {}, "the handler got a copy, not the caller's event"


@pytest.mark.parametrize("variant", ALL)
def test_the_context_is_lambdas(runner: FunctionRunner, variant: str) -> None:
    context = runner.invoke(ARN.format(variant), event(), timeout=2.0)["response"]["context"]
    assert context["functionName"] == variant
    assert context["functionVersion"] == "$LATEST"
    assert context["invokedFunctionArn"] == ARN.format(variant)
    assert context["memoryLimitInMB"] == "128"
    assert len(context["awsRequestId"]) == 36
    assert context["logGroupName"] == f"/aws/lambda/{variant}"
    assert "[$LATEST]" in context["logStreamName"]
    assert 0 < context["remaining"] <= 2000


@pytest.mark.parametrize("variant", ALL)
def test_each_invocation_has_its_own_request_id(runner: FunctionRunner, variant: str) -> None:
    ids = {
        runner.invoke(ARN.format(variant), event())["response"]["context"]["awsRequestId"]
        for _ in range(3)
    }
    assert len(ids) == 3


# ---------------------------------------------------------------------- failures


@pytest.mark.parametrize("variant", ALL)
def test_a_raising_handler_fails_with_its_message_and_type(
    runner: FunctionRunner, variant: str
) -> None:
    with pytest.raises(FunctionFailed) as failure:
        runner.invoke(ARN.format(variant), event("raise"))
    assert failure.value.error_message == "rejected: alice"
    assert failure.value.error_type == "TriggerRejected"
    assert len(failure.value.request_id) == 36
    assert failed_with_error("DefineAuthChallenge", failure.value.error_message) == (
        "DefineAuthChallenge failed with error rejected: alice."
    )


@pytest.mark.parametrize("variant", ALL)
@pytest.mark.parametrize(("action", "kind"), [("not-an-object", "a string"), ("null", "null")])
def test_an_answer_that_is_not_an_object_is_bad_output(
    runner: FunctionRunner, variant: str, action: str, kind: str
) -> None:
    with pytest.raises(FunctionBadOutput, match=f"answered {kind}, not a JSON object"):
        runner.invoke(ARN.format(variant), event(action))


@pytest.mark.parametrize("variant", ALL)
def test_an_answer_json_cannot_carry_is_a_marshal_error(
    runner: FunctionRunner, variant: str
) -> None:
    with pytest.raises(FunctionFailed) as failure:
        runner.invoke(ARN.format(variant), event("unserialisable"))
    assert failure.value.error_type == "Runtime.MarshalError"
    assert failure.value.error_message.startswith("Unable to")


def test_an_arn_nothing_is_mapped_to_says_how_to_map_it(runner: FunctionRunner) -> None:
    arn = ARN.format("nobody")
    with pytest.raises(FunctionNotMapped) as failure:
        runner.invoke(arn, event())
    assert failure.value.arn == arn
    assert f"--trigger {arn}=" in str(failure.value)
    assert runner.mapping(arn) is None
    assert invocation_failed("PreSignUp", "AccessDeniedException") == (
        "PreSignUp invocation failed due to error AccessDeniedException."
    )


def test_an_event_that_is_not_json_is_the_callers_bug(runner: FunctionRunner) -> None:
    with pytest.raises(TypeError):
        runner.invoke(ARN.format("python-file"), {"request": {"x": {1}}})


# ---------------------------------------------------------------------- output


@pytest.mark.parametrize("variant", ALL)
def test_printed_lines_reach_the_log_tagged_with_function_and_request_id(
    runner: FunctionRunner, variant: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOG_NAME)
    runner.invoke(ARN.format(variant), event("print"))
    lines = [r for r in caplog.records if r.name == LOG_NAME and r.levelno == logging.INFO]
    texts = [r.getMessage() for r in lines]
    hello = next(r for r in lines if "hello alice from" in r.getMessage())
    request_id = hello.getMessage().rsplit(" ", 1)[1]
    assert hello.aws_request_id == request_id  # type: ignore[attr-defined]
    assert hello.lambda_function == variant  # type: ignore[attr-defined]
    assert hello.getMessage().startswith(f"[{variant} {request_id}] ")
    assert any(t == f"[{variant} {request_id}] second line" for t in texts), texts


@pytest.mark.parametrize("variant", ALL)
def test_logging_reaches_the_log_once_with_its_level(
    runner: FunctionRunner, variant: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOG_NAME)
    runner.invoke(ARN.format(variant), event("log"))
    warned = [r for r in caplog.records if "warned about alice" in r.getMessage()]
    assert len(warned) == 1, [r.getMessage() for r in caplog.records]
    assert warned[0].name == LOG_NAME
    assert warned[0].levelno == logging.WARNING
    assert warned[0].getMessage().startswith(f"[{variant} ")


def test_prints_of_other_threads_are_not_captured(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOG_NAME)
    inside, leave = threading.Event(), threading.Event()

    def waits(event: dict[str, Any], context: Any) -> dict[str, Any]:
        print("from the handler")
        inside.set()
        leave.wait(5)
        return event

    functions = FunctionRunner({ARN.format("waits"): waits})
    try:
        caller = threading.Thread(target=functions.invoke, args=(ARN.format("waits"), {}))
        caller.start()
        assert inside.wait(5)
        print("from the test, meanwhile")
        leave.set()
        caller.join(5)
    finally:
        functions.close()
    assert "from the test, meanwhile" in capsys.readouterr().out
    assert any("from the handler" in r.getMessage() for r in caplog.records)
    assert not any("meanwhile" in r.getMessage() for r in caplog.records)


# ---------------------------------------------------------------------- time limits


def test_a_python_handler_past_its_limit_times_out_and_the_runner_serves_on(
    runner: FunctionRunner,
) -> None:
    with pytest.raises(FunctionTimedOut) as failure:
        runner.invoke(ARN.format("python-file"), event("hang", seconds=3), timeout=0.3)
    assert failure.value.seconds == 0.3
    assert str(failure.value) == "Task timed out after 0.30 seconds"
    answer = runner.invoke(ARN.format("python-file"), event())
    assert answer["response"]["user"] == "alice"


@needs_node
def test_a_node_handler_past_its_limit_is_killed_and_the_worker_restarts() -> None:
    functions = FunctionRunner({ARN.format("node"): "behave.mjs:handler"}, base_dir=HANDLERS)
    try:
        before = functions.node_pid
        assert before is not None  # mapping loaded the module in a started worker
        with pytest.raises(FunctionTimedOut):
            functions.invoke(ARN.format("node"), event("hang"), timeout=0.5)
        assert functions.node_pid is None
        assert not _alive(before)
        answer = functions.invoke(ARN.format("node"), event())
        assert answer["response"]["user"] == "alice"
        assert functions.node_pid not in (None, before)
    finally:
        functions.close()


@needs_node
def test_a_node_handler_that_exits_fails_as_lambda_reports_it_and_the_next_call_works() -> None:
    functions = FunctionRunner(
        {ARN.format("exits"): "behave.mjs:exits", ARN.format("ok"): "behave.mjs:handler"},
        base_dir=HANDLERS,
    )
    try:
        with pytest.raises(FunctionFailed) as failure:
            functions.invoke(ARN.format("exits"), event())
        assert failure.value.error_type == "Runtime.ExitError"
        assert failure.value.error_message == (
            f"RequestId: {failure.value.request_id} Error: Runtime exited with error: exit status 3"
        )
        assert functions.invoke(ARN.format("ok"), event())["response"]["user"] == "alice"
        functions.map(ARN.format("stray"), "behave.mjs:strayTimerThrows", base_dir=HANDLERS)
        with pytest.raises(FunctionFailed) as stray:
            functions.invoke(ARN.format("stray"), event())
        assert (stray.value.error_type, stray.value.error_message) == (
            "RangeError",
            "thrown from a timer",
        )
        assert functions.invoke(ARN.format("ok"), event())["response"]["user"] == "alice"
    finally:
        functions.close()


# ---------------------------------------------------------------------- Node.js styles


@needs_node
def test_node_styles_lambda_honours(
    runner: FunctionRunner, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOG_NAME)
    for name in ("syncReturn", "waitsForTimer", "legacySucceed"):
        runner.map(ARN.format(name), f"behave.mjs:{name}", base_dir=HANDLERS)
    # A handler that neither returns a promise nor calls back answers null, as on Lambda.
    with pytest.raises(FunctionBadOutput, match="null"):
        runner.invoke(ARN.format("syncReturn"), event())
    # context.succeed (legacy) answers.
    assert runner.invoke(ARN.format("legacySucceed"), event())["userName"] == "alice"
    # callbackWaitsForEmptyEventLoop: the answer waits for the handler's timer...
    caplog.clear()
    runner.invoke(ARN.format("waitsForTimer"), event(wait=True))
    assert any("timer done" in r.getMessage() for r in caplog.records)
    # ... unless the handler turns it off.
    caplog.clear()
    runner.invoke(ARN.format("waitsForTimer"), event(wait=False))
    assert not any("timer done" in r.getMessage() for r in caplog.records)


# ---------------------------------------------------------------------- bad specs


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("missing.py:handler", "no such file"),
        ("behave.py:nothing", "has no attribute 'nothing'"),
        ("behave.py:NOT_CALLABLE", "NOT_CALLABLE is a int, not a function"),
        ("no_such_module_here:handler", "no Python module named 'no_such_module_here'"),
        ("behave:nothing", "has no attribute 'nothing'"),
        ("handler.ts:handler", "unknown file type '.ts'"),
        ("behave.py", "expected FILE:FUNCTION or MODULE:FUNCTION"),
        ("behave.py:", "expected FILE:FUNCTION or MODULE:FUNCTION"),
        pytest.param("missing.mjs:handler", "no such file", marks=needs_node),
        pytest.param(
            "behave.mjs:nothing",
            "Runtime.HandlerNotFound: .*nothing is undefined",
            marks=needs_node,
        ),
        pytest.param(
            "behave.mjs:notAFunction", "notAFunction is a number, not a function", marks=needs_node
        ),
        pytest.param("broken.mjs:handler", "Runtime.UserCodeSyntaxError", marks=needs_node),
    ],
)
def test_a_bad_spec_fails_when_mapped(runner: FunctionRunner, spec: str, message: str) -> None:
    with pytest.raises(HandlerSpecError, match=message):
        runner.map(ARN.format("bad"), spec, base_dir=HANDLERS)
    assert runner.mapping(ARN.format("bad")) is None


def test_a_python_file_that_fails_to_import_fails_when_mapped(tmp_path: Path) -> None:
    (tmp_path / "fails.py").write_text("raise RuntimeError('no database configured')\n")
    with pytest.raises(HandlerSpecError, match="RuntimeError: no database configured"):
        FunctionRunner({ARN.format("f"): "fails.py:handler"}, base_dir=tmp_path)


@pytest.mark.parametrize(
    "arn",
    ["not-an-arn", "arn:aws:lambda:us-east-1:000000000000:layer:x", "arn:aws:s3:::bucket"],
)
def test_only_lambda_function_arns_can_be_mapped(arn: str) -> None:
    with pytest.raises(HandlerSpecError, match="is not a Lambda function ARN"):
        FunctionRunner({arn: _behave_callable()})


def test_a_node_handler_without_node_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYAMPLIFY_NODE", "/nonexistent/node")
    with pytest.raises(NodeNotFoundError, match=r"Node\.js handlers need Node\.js"):
        FunctionRunner({ARN.format("n"): "behave.mjs:handler"}, base_dir=HANDLERS)


def test_mappings_describe_the_handler(runner: FunctionRunner) -> None:
    assert runner.mapping(ARN.format("python-module")) == "Python behave:handler"
    assert runner.mapping(ARN.format("python-file")) == f"Python {HANDLERS / 'behave.py'}:handler"
    assert runner.mapping(ARN.format("python-callable")) == ("Python behave_for_tests:handler")
    if shutil.which("node"):
        assert runner.mapping(ARN.format("node-mjs-async")) == (
            f"Node.js {HANDLERS / 'behave.mjs'}:handler"
        )


def test_python_handlers_run_side_by_side() -> None:
    both_inside = threading.Barrier(2, timeout=5)

    def meets(event: dict[str, Any], context: Any) -> dict[str, Any]:
        both_inside.wait()  # only returns if the two invocations run at the same time
        return {"request": context.aws_request_id}

    functions = FunctionRunner({ARN.format("meets"): meets})
    answers: list[dict[str, Any]] = []
    callers = [
        threading.Thread(target=lambda: answers.append(functions.invoke(ARN.format("meets"), {})))
        for _ in range(2)
    ]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(10)
    functions.close()
    assert len({answer["request"] for answer in answers}) == 2


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A killed child that its parent has reaped is gone; a zombie would still answer.
    return True
