"""The command's skeleton: version, help, usage errors (exit 2) and no tracebacks."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable

import pytest

from pyamplify import __version__
from pyamplify.cli.main import main


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"pyamplify {__version__}"


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["no-such-command"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_no_command_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: pyamplify" in capsys.readouterr().err


def test_console_script_runs_as_a_module() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pyamplify", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert "usage: pyamplify" in done.stdout
    assert "Traceback" not in done.stderr


def test_closed_pipe_is_not_reported_as_an_error() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written: every write hits EPIPE
    try:
        done = subprocess.run(
            [sys.executable, "-m", "pyamplify", "config", "check", "examples/amplify_outputs.json"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


SECRET = "Sup3r-Secret-Passw0rd!"


def _failing_command(error: Exception) -> Callable[[], argparse.ArgumentParser]:
    """A parser whose only command raises ``error`` as a bug deep in a command would."""

    def build() -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(prog="pyamplify")
        parser.add_argument("--debug", action="store_true")
        commands = parser.add_subparsers(dest="command")

        def run(args: argparse.Namespace) -> int:
            raise error

        commands.add_parser("boom").set_defaults(func=run)
        return parser

    return build


@pytest.mark.parametrize(
    "error",
    [
        ValueError(f"invalid literal for int() with base 10: {SECRET!r}"),
        KeyError(SECRET),
        RuntimeError(f"Illegal header value b'{SECRET}'"),
        OSError(f"socket said {SECRET}"),
    ],
    ids=["ValueError", "KeyError", "RuntimeError", "OSError-without-errno"],
)
def test_unexpected_errors_are_named_without_their_message(
    error: Exception, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("pyamplify.cli.main.build_parser", _failing_command(error))
    assert main(["boom"]) == 1
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err
    assert f"error: unexpected {type(error).__name__}\n" in captured.err
    assert "--debug" in captured.err


def test_unexpected_os_errors_keep_their_reason_and_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    error = PermissionError(13, "Permission denied", "/tmp/sessions")
    monkeypatch.setattr("pyamplify.cli.main.build_parser", _failing_command(error))
    assert main(["boom"]) == 1
    err = capsys.readouterr().err
    assert "error: unexpected PermissionError: Permission denied: '/tmp/sessions'" in err


def test_debug_re_raises_unexpected_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pyamplify.cli.main.build_parser", _failing_command(KeyError("k")))
    with pytest.raises(KeyError):
        main(["--debug", "boom"])
