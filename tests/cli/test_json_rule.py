"""One rule for ``--json`` in every command: the result on success; on failure the object
``{"error": {"code", "message", "fix"}}`` on stdout with the same exit code as without
``--json``; ``--format`` with ``--json`` is a usage error; ``--debug`` may follow a subcommand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .helpers import run

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _error(out: str) -> dict[str, Any]:
    document = json.loads(out)
    assert set(document) == {"error"}, document
    error: dict[str, Any] = document["error"]
    assert {"code", "message", "fix"} <= set(error)
    return error


@pytest.fixture(autouse=True)
def _private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYAMPLIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYAMPLIFY_STORE", "file")
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (("auth", "whoami", "--json", "--config", "missing.json"), 1),  # no such file
        (("auth", "sign-in", "--json", "--no-such-option"), 2),  # argparse's usage error
        (("doctor", "--offline", "--json", "--config", "missing.json"), 1),
        (("import", "auth", "--json", "--yes", "--endpoint-url", "http://127.0.0.1:1"), 1),
        (("config", "check", "--json", "missing.json"), 1),
        (("aws", "configure", "x", "--json", "--config", "missing.json"), 1),
        (("auth", "profiles", "--json", "--config", "missing.json"), 1),
        (
            ("auth", "mfa", "status", "--json", "--config", str(EXAMPLES / "amplify_outputs.json")),
            1,
        ),
        (("auth", "attributes", "--json", "--config", str(EXAMPLES / "amplify_outputs.json")), 1),
        (("local", "outbox", "--json", "--endpoint", "http://127.0.0.1:1", "--data-dir", "no"), 1),
        (
            ("local", "triggers", "--json", "--endpoint", "http://127.0.0.1:1", "--data-dir", "no"),
            1,
        ),
    ],
)
def test_failures_are_one_error_object_with_the_plain_exit_code(
    argv: tuple[str, ...], code: int, monkeypatch: Any, capsys: Any
) -> None:
    status, out, err = run(monkeypatch, capsys, *argv)
    assert status == code, err
    error = _error(out)
    assert error["message"] and "error" in err  # people still read stderr
    plain = [word for word in argv if word != "--json"]
    assert run(monkeypatch, capsys, *plain)[0] == code


def test_format_and_json_together_are_a_usage_error(monkeypatch: Any, capsys: Any) -> None:
    status, out, _ = run(monkeypatch, capsys, "auth", "credentials", "--format", "env", "--json")
    assert status == 2
    error = _error(out)
    assert error["code"] == "UsageError" and "--format" in error["message"]


def test_debug_is_accepted_after_the_subcommand(monkeypatch: Any, capsys: Any) -> None:
    gen2 = str(EXAMPLES / "amplify_outputs.json")
    assert run(monkeypatch, capsys, "config", "check", gen2, "--debug")[0] == 0
    assert run(monkeypatch, capsys, "--debug", "config", "check", gen2)[0] == 0
    status, _, err = run(monkeypatch, capsys, "auth", "whoami", "--config", gen2, "--debug")
    assert status == 1 and "not signed in" in err
