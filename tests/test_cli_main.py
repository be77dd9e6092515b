"""The command's skeleton: version, help, usage errors (exit 2) and no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys

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
