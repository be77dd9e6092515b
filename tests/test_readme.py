"""The README stays true: its library example runs as written against the local Cognito.

Only two things are substituted, both things a reader supplies: the configuration file's path
(written for the plugin's ``user_pool``) and the code Cognito e-mailed (read from the local
outbox). Everything else runs verbatim. The README's testing example runs as a fresh project in
``tests/local_testing/test_outside_project.py``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pyamplify.config import write_config
from pyamplify.local import LocalCognito
from pyamplify.local.testing import LocalPool

pytestmark = pytest.mark.e2e

README = Path(__file__).resolve().parent.parent / "README.md"


def library_example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## The library", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None, "README lost its library example"
    return match.group(1)


def test_readme_library_example_runs_as_written(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    local_cognito: LocalCognito,
    user_pool: LocalPool,
) -> None:
    monkeypatch.setenv("PYAMPLIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYAMPLIFY_STORE", "file")
    example = library_example()
    assert '"amplifyconfiguration.json"' in example and '"123456"' in example
    config_path = tmp_path / "amplifyconfiguration.json"
    write_config(user_pool.config, config_path)

    def code_from_outbox(username: str) -> str:
        return str(local_cognito.outbox(username)[-1]["code"])

    runnable = example.replace('"amplifyconfiguration.json"', repr(str(config_path))).replace(
        '"123456"', 'code_from_outbox("ada")'
    )
    namespace: dict[str, Any] = {"code_from_outbox": code_from_outbox}
    revoked_before = local_cognito.calls["RevokeToken"]
    exec(compile(runnable, "README.md", "exec"), namespace)
    # The example's sign_out() really signed out.
    assert local_cognito.calls["RevokeToken"] == revoked_before + 1
    out = capsys.readouterr().out
    assert "ada@example.com" in out
    assert "signed_in" in out and "signed_out" in out
