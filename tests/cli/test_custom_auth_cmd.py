"""``pyamplify auth sign-in`` walks a custom-authentication conversation (CUSTOM_AUTH).

The pool's Define/Create/VerifyAuthChallenge are the demo's question handlers, run by the local
Cognito's Lambda runtime in this process; the command runs in its own process, from a real
terminal (pexpect) and from scripts (``--answer-stdin``, ``--password-stdin``, ``--json``).
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pyamplify.cli import demo_cmd
from pyamplify.config import write_config
from pyamplify.local.testing import provision_pool, provision_user

from .helpers import run_process

PASSWORD = "Custom-Passw0rd!"
ARNS = {
    trigger: f"arn:aws:lambda:us-east-1:000000000000:function:cli-{trigger}"
    for trigger in ("DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse")
}


@pytest.fixture(scope="module")
def custom_pool(cognito: Any) -> Any:
    handlers = (demo_cmd._define, demo_cmd._create, demo_cmd._verify)
    for arn, handler in zip(ARNS.values(), handlers, strict=True):
        cognito.functions.map(arn, handler)
    pool = provision_pool(
        cognito.url,
        name="cli-custom",
        extra_pool={"LambdaConfig": ARNS},
        extra_client={"ExplicitAuthFlows": ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
    )
    for name in ("grace", "hedy", "ida"):
        provision_user(cognito.url, pool, name, PASSWORD)
    return pool


@pytest.fixture
def config_file(custom_pool: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PYAMPLIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYAMPLIFY_STORE", "file")
    path = tmp_path / "amplifyconfiguration.json"
    write_config(replace(custom_pool.config, authentication_flow_type="CUSTOM_AUTH"), path)
    return path


def test_scripted_answers_with_json(config_file: Path) -> None:
    done = run_process(
        "auth",
        "sign-in",
        "grace",
        "--config",
        str(config_file),
        "--answer-stdin",
        "--json",
        stdin="41\n42\n",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["is_signed_in"] is True and result["username"] == "grace"
    assert done.stderr.count("question: What is 6 x 7?") == 2  # asked again after 41
    assert "Answer:" not in done.stderr  # --answer-stdin: no prompts
    whoami = run_process("auth", "whoami", "--config", str(config_file), "--json")
    assert json.loads(whoami.stdout)["username"] == "grace"


def test_three_wrong_answers_fail_with_cognitos_error(config_file: Path) -> None:
    done = run_process(
        "auth",
        "sign-in",
        "hedy",
        "--config",
        str(config_file),
        "--answer-stdin",
        "--json",
        stdin="1\n2\n3\n",
    )
    assert done.returncode == 1
    error = json.loads(done.stdout)["error"]
    assert error["code"] == "NotAuthorizedException"
    assert error["message"] == "Incorrect username or password."


def test_custom_with_srp_takes_the_password_first(config_file: Path) -> None:
    """The password is read first (``--password-stdin``), then the answers: Define decides
    whether the password step comes (the demo's goes straight to its question)."""
    done = run_process(
        "auth",
        "sign-in",
        "ida",
        "--config",
        str(config_file),
        "--flow",
        "CUSTOM_WITH_SRP",
        "--password-stdin",
        "--answer-stdin",
        "--json",
        stdin=f"{PASSWORD}\n42\n",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["is_signed_in"] is True


def test_a_terminal_shows_the_challenge_and_asks(config_file: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "pyamplify", "auth", "sign-in", "--config", str(config_file), "--force"],
        env=dict(os.environ),
        encoding="utf-8",
        timeout=30,
    )
    child.expect("Username: ")
    child.sendline("grace")
    child.expect(r"Password \(Enter for none: the custom challenge first\): ")
    child.sendline("")
    child.expect("question: What is 6 x 7\\?")
    child.expect("Answer: ")
    child.sendline("42")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "Signed in as grace" in child.before
