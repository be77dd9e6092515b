"""Configuring the local Lambda runtime: ``LocalCognito(triggers=...)``, triggers files,
``pyamplify local start --trigger/--triggers`` and ``pyamplify local triggers`` (real processes).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from pyamplify.local import LocalCognito, LocalCognitoError
from pyamplify.local.lambdas import FunctionRunner, FunctionTimedOut
from pyamplify.local.lambdas.listing import function_arns
from pyamplify.local.lambdas.triggers_file import (
    TriggersConfigError,
    map_entries,
    parse_trigger_option,
    read_triggers_file,
)

HANDLERS = Path(__file__).parent / "lambda_handlers"
ARN = "arn:aws:lambda:us-east-1:000000000000:function:{}"
KMS_KEY = "arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab"
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")


def lambda_config() -> dict[str, Any]:
    """A LambdaConfig naming functions every way Cognito's model allows."""
    return {
        "PreSignUp": ARN.format("pre-sign-up"),
        "DefineAuthChallenge": ARN.format("define"),
        "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": ARN.format("tokens")},
        "CustomEmailSender": {"LambdaVersion": "V1_0", "LambdaArn": ARN.format("email")},
        "KMSKeyID": KMS_KEY,
    }


def answer(event: dict[str, Any], context: Any) -> dict[str, Any]:
    event["response"] = {"answeredBy": context.function_name}
    return event


# ---------------------------------------------------------------------- in process


def test_local_cognito_runs_the_triggers_it_was_given(make_boto3_client: Any) -> None:
    with LocalCognito(
        triggers={
            ARN.format("pre-sign-up"): answer,
            ARN.format("tokens"): str(HANDLERS / "behave.py") + ":handler",
        }
    ) as cognito:
        backend = cognito.backend
        assert backend.functions is cognito.functions
        reply = backend.functions.invoke(ARN.format("pre-sign-up"), {"response": {}})
        assert reply["response"] == {"answeredBy": "pre-sign-up"}

        idp = make_boto3_client("cognito-idp", cognito.url)
        pool_id = idp.create_user_pool(PoolName="with-triggers", LambdaConfig=lambda_config())[
            "UserPool"
        ]["Id"]
        idp.create_user_pool(PoolName="without")
        listing = httpx.get(f"{cognito.url}/_local/triggers").json()
    mine = next(pool for pool in listing if pool["pool_id"] == pool_id)
    assert mine["pool_name"] == "with-triggers"
    assert [(t["trigger"], t["arn"], t["version"], t["mapped_to"]) for t in mine["triggers"]] == [
        ("PreSignUp", ARN.format("pre-sign-up"), None, f"Python {__name__}:answer"),
        ("DefineAuthChallenge", ARN.format("define"), None, None),
        (
            "PreTokenGenerationConfig",
            ARN.format("tokens"),
            "V2_0",
            f"Python {HANDLERS / 'behave.py'}:handler",
        ),
        ("CustomEmailSender", ARN.format("email"), "V1_0", None),
    ]
    assert next(pool for pool in listing if pool["pool_name"] == "without")["triggers"] == []


@needs_node
def test_stopping_the_local_cognito_stops_the_node_worker() -> None:
    cognito = LocalCognito(triggers={ARN.format("n"): str(HANDLERS / "behave.mjs") + ":handler"})
    pid = cognito.functions.node_pid
    assert pid is not None  # mapping loaded the module in the worker
    with cognito:
        event = {"userName": "bob", "request": {}, "response": {}}
        assert cognito.backend.functions.invoke(ARN.format("n"), event)["response"]["user"] == "bob"
        assert cognito.functions.node_pid == pid
    assert cognito.functions.node_pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.parametrize(
    "spec",
    [
        str(HANDLERS / "behave.py") + ":handler",
        pytest.param(str(HANDLERS / "behave.mjs") + ":handler", marks=needs_node),
    ],
    ids=["python", "node"],
)
def test_after_a_hanging_handler_the_local_cognito_serves_on(
    spec: str, make_boto3_client: Any
) -> None:
    hang = {"userName": "carol", "request": {"action": "hang", "seconds": 2}, "response": {}}
    with LocalCognito(triggers={ARN.format("h"): spec}) as cognito:
        functions = cognito.backend.functions
        with pytest.raises(FunctionTimedOut):
            functions.invoke(ARN.format("h"), hang, timeout=0.3)
        idp = make_boto3_client("cognito-idp", cognito.url)
        assert idp.create_user_pool(PoolName="after")["UserPool"]["Name"] == "after"
        again = {"userName": "carol", "request": {}, "response": {}}
        assert functions.invoke(ARN.format("h"), again)["response"]["user"] == "carol"


def test_a_bad_trigger_stops_the_local_cognito_before_it_starts() -> None:
    with pytest.raises(LocalCognitoError, match=r"cannot map a trigger: .*no such file"):
        LocalCognito(triggers={ARN.format("x"): "nowhere/handler.py:handler"})


def test_function_arns_skip_the_kms_key() -> None:
    assert [key for key, _arn, _version in function_arns(lambda_config())] == [
        "PreSignUp",
        "DefineAuthChallenge",
        "PreTokenGenerationConfig",
        "CustomEmailSender",
    ]


# ---------------------------------------------------------------------- triggers files


def test_a_toml_triggers_file_resolves_paths_from_its_directory(tmp_path: Path) -> None:
    folder = tmp_path / "config"
    (folder / "handlers").mkdir(parents=True)
    shutil.copy(HANDLERS / "behave.py", folder / "handlers" / "mine.py")
    (folder / "triggers.toml").write_text(
        f'# the triggers of my pool\n"{ARN.format("a")}" = "handlers/mine.py:handler"\n'
    )
    entries = read_triggers_file(folder / "triggers.toml")
    assert [(e.arn, e.spec, e.base_dir) for e in entries] == [
        (ARN.format("a"), "handlers/mine.py:handler", folder.resolve())
    ]
    runner = FunctionRunner()
    map_entries(runner, entries)
    assert runner.mapping(ARN.format("a")) == (
        f"Python {(folder / 'handlers' / 'mine.py').resolve()}:handler"
    )


def test_a_json_triggers_file_maps_modules_from_its_directory(tmp_path: Path) -> None:
    (tmp_path / "json_trigger_module.py").write_text(
        "def handler(event, context):\n    return {'from': 'module'}\n"
    )
    path = tmp_path / "triggers.json"
    path.write_text(json.dumps({ARN.format("m"): "json_trigger_module:handler"}))
    runner = FunctionRunner()
    map_entries(runner, read_triggers_file(path))
    assert runner.invoke(ARN.format("m"), {}) == {"from": "module"}


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("t.json", '{\n  "a": 1,\n  "b" 2\n}', r"t\.json, line 3, column 7: not valid JSON"),
        ("t.toml", '"a" = \n', r"t\.toml: not valid TOML: .*line 1"),
        ("t.json", '["x"]', r"t\.json: expected a table"),
        (
            "t.toml",
            f'# first\n"{ARN.format("a")}" = 3\n',
            rf"t\.toml, line 2, key '{ARN.format('a')}': the handler must be a string",
        ),
    ],
)
def test_a_bad_triggers_file_names_the_file_the_line_and_the_key(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    (tmp_path / name).write_text(text)
    with pytest.raises(TriggersConfigError, match=message):
        read_triggers_file(tmp_path / name)


def test_a_triggers_file_naming_a_missing_handler_names_the_file_line_and_key(
    tmp_path: Path,
) -> None:
    path = tmp_path / "triggers.toml"
    path.write_text(f'\n\n"{ARN.format("gone")}" = "gone.py:handler"\n')
    with pytest.raises(TriggersConfigError) as failure:
        map_entries(FunctionRunner(), read_triggers_file(path))
    assert str(failure.value).startswith(f"{path}, line 3, key '{ARN.format('gone')}': ")
    assert f"no such file {tmp_path.resolve() / 'gone.py'}" in str(failure.value)


def test_a_missing_triggers_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(TriggersConfigError, match="cannot read the triggers file"):
        read_triggers_file(tmp_path / "nope.toml")


@pytest.mark.parametrize("text", ["just-a-handler.py:handler", "=x.py:h", f"{ARN.format('a')}="])
def test_a_trigger_option_needs_arn_equals_handler(text: str) -> None:
    with pytest.raises(TriggersConfigError, match="expected ARN=HANDLER"):
        parse_trigger_option(text)


# ---------------------------------------------------------------------- the CLI, for real


@contextmanager
def local_start(*extra: str, cwd: Path) -> Iterator[tuple[str, list[str]]]:
    """``pyamplify local start --ephemeral --port 0 ...`` in ``cwd``; yields its URL and the
    lines it printed up to its ``triggers:`` line."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pyamplify", "local", "start", "--ephemeral", "--port", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Local Cognito listening on "), first + (
            process.stderr.read() if process.stderr else ""
        )
        printed = [first]
        while not printed[-1].startswith("  triggers:"):
            printed.append(process.stdout.readline())
        yield first.rsplit(" ", 1)[1].strip(), printed
    finally:
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=20)
        assert process.returncode == 0, err


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "pyamplify", "local", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env or dict(os.environ),
        timeout=60,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A directory with ``behave.py`` and ``config/triggers.toml`` naming ``config/tokens.py``."""
    shutil.copy(HANDLERS / "behave.py", tmp_path / "behave.py")
    config = tmp_path / "config"
    config.mkdir()
    shutil.copy(HANDLERS / "behave.py", config / "tokens.py")
    (config / "triggers.toml").write_text(f'"{ARN.format("tokens")}" = "tokens.py:handler"\n')
    return tmp_path


TRIGGER = f"{ARN.format('pre-sign-up')}=behave.py:handler"


@pytest.mark.e2e
@pytest.mark.slow
def test_local_start_maps_triggers_and_local_triggers_lists_them(
    project: Path, make_boto3_client: Any
) -> None:
    options = ("--trigger", TRIGGER, "--triggers", "config/triggers.toml")
    with local_start(*options, cwd=project) as (url, printed):
        assert printed[-1].startswith("  triggers: 2 functions mapped; pyamplify local triggers")
        idp = make_boto3_client("cognito-idp", url)
        pool_id = idp.create_user_pool(PoolName="cli", LambdaConfig=lambda_config())["UserPool"][
            "Id"
        ]
        text = run_cli("triggers", "--endpoint", url, cwd=project)
        as_json = run_cli("triggers", "--endpoint", url, "--json", cwd=project)
    assert text.returncode == 0, text.stderr
    assert f"{pool_id}  cli" in text.stdout
    tokens = (project / "config" / "tokens.py").resolve()
    assert f"-> Python {tokens}:handler" in text.stdout
    assert "-> not mapped" in text.stdout
    listing = json.loads(as_json.stdout)
    assert listing["mappings_known"] is True
    pool = next(p for p in listing["pools"] if p["pool_id"] == pool_id)
    assert {t["trigger"]: t["mapped_to"] for t in pool["triggers"]} == {
        "PreSignUp": f"Python {(project / 'behave.py').resolve()}:handler",
        "DefineAuthChallenge": None,
        "PreTokenGenerationConfig": f"Python {tokens}:handler",
        "CustomEmailSender": None,
    }


@pytest.mark.e2e
def test_local_start_refuses_a_bad_triggers_file_naming_file_line_and_key(project: Path) -> None:
    (project / "config" / "triggers.toml").write_text(
        f'"{ARN.format("a")}" = "tokens.py:handler"\n"{ARN.format("b")}" = "tokens.py:nothing"\n'
    )
    started = run_cli(
        "start", "--ephemeral", "--port", "0", "--triggers", "config/triggers.toml", cwd=project
    )
    assert started.returncode == 1
    assert started.stderr.startswith(
        f"error: {Path('config/triggers.toml')}, line 2, key '{ARN.format('b')}': handler "
        "'tokens.py:nothing': "
    ), started.stderr
    assert "has no attribute 'nothing'" in started.stderr
    assert "Local Cognito listening" not in started.stdout


@pytest.mark.e2e
def test_local_start_with_a_node_handler_and_no_node_says_so(project: Path) -> None:
    shutil.copy(HANDLERS / "behave.mjs", project / "behave.mjs")
    env = {**os.environ, "PATH": str(project / "no-node-here")}
    env.pop("PYAMPLIFY_NODE", None)
    started = run_cli(
        "start",
        "--ephemeral",
        "--port",
        "0",
        "--trigger",
        f"{ARN.format('n')}=behave.mjs:handler",
        cwd=project,
        env=env,
    )
    assert started.returncode == 1
    assert "Node.js handlers need Node.js 18 or later, and there is no `node` on PATH" in (
        started.stderr
    )


@pytest.mark.e2e
def test_local_triggers_reads_a_data_dir_with_the_mappings_given(
    project: Path, make_boto3_client: Any
) -> None:
    data_dir = project / "state"
    with LocalCognito(data_dir) as cognito:
        idp = make_boto3_client("cognito-idp", cognito.url)
        idp.create_user_pool(PoolName="saved", LambdaConfig=lambda_config())
    unknown = run_cli("triggers", "--data-dir", str(data_dir), cwd=project)
    assert unknown.returncode == 0, unknown.stderr
    assert "-> mapping unknown" in unknown.stdout
    (project / "config" / "more.json").write_text(
        json.dumps({ARN.format("define"): "../behave.py:handler"})
    )
    checked = run_cli(
        "triggers",
        *("--data-dir", str(data_dir), "--json"),
        *("--trigger", TRIGGER, "--triggers", "config/more.json"),
        cwd=project,
    )
    assert checked.returncode == 0, checked.stderr
    listing = json.loads(checked.stdout)
    assert listing["mappings_known"] is True
    behave = f"Python {(project / 'behave.py').resolve()}:handler"
    assert [(t["trigger"], t["mapped_to"]) for t in listing["pools"][0]["triggers"]] == [
        ("PreSignUp", behave),
        ("DefineAuthChallenge", behave),
        ("PreTokenGenerationConfig", None),
        ("CustomEmailSender", None),
    ]
