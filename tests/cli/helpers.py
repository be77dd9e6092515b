"""Running the ``pyamplify`` command in the test process or in a new one."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from pyamplify.cli.main import main


def run(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *argv: str,
    stdin: str = "",
) -> tuple[int, str, str]:
    """Run the command in-process with ``stdin`` (not a terminal): exit code, stdout, stderr."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_process(
    *argv: str, stdin: str = "", python_flags: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """Run ``pyamplify`` in a new process (inheriting the test's PYAMPLIFY_* settings)."""
    return subprocess.run(
        [sys.executable, *python_flags, "-m", "pyamplify", *argv],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),
        check=False,
    )
