"""Which file is loaded: explicit path, then $PYAMPLIFY_CONFIG, then the current directory."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pyamplify.config import ConfigError, load_config, load_config_with_warnings

from .conftest import EXAMPLES, GEN1, GEN2, WEB, to_js


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_an_explicit_path_wins(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workdir / "amplifyconfiguration.json").write_text("{broken")
    monkeypatch.setenv("PYAMPLIFY_CONFIG", str(workdir / "missing.json"))
    config = load_config(EXAMPLES / "amplify_outputs.json")
    assert config.source_format == "gen2"


def test_the_environment_variable_comes_next(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (workdir / "amplifyconfiguration.json").write_text("{broken")
    (workdir / "elsewhere.json").write_text(json.dumps(GEN2))
    monkeypatch.setenv("PYAMPLIFY_CONFIG", str(workdir / "elsewhere.json"))
    assert load_config().source == str(workdir / "elsewhere.json")


def test_gen1_file_in_the_current_directory_comes_before_gen2(workdir: Path) -> None:
    (workdir / "amplifyconfiguration.json").write_text(json.dumps(GEN1))
    (workdir / "amplify_outputs.json").write_text("{broken")
    config = load_config()
    assert (config.source, config.source_format) == ("amplifyconfiguration.json", "gen1")


def test_gen2_file_in_the_current_directory_is_the_last_resort(workdir: Path) -> None:
    shutil.copy(EXAMPLES / "amplify_outputs.json", workdir)
    assert load_config().source == "amplify_outputs.json"


def test_no_file_anywhere_is_a_clear_error(workdir: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config()
    message = str(caught.value)
    assert "no configuration file found" in message
    assert "$PYAMPLIFY_CONFIG is not set" in message
    assert "amplifyconfiguration.json nor amplify_outputs.json exists" in message


def test_a_missing_file_from_the_environment_says_so(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYAMPLIFY_CONFIG", "nowhere.json")
    with pytest.raises(ConfigError) as caught:
        load_config_with_warnings()
    problem = caught.value.problems[0]
    assert problem.file == "nowhere.json"
    assert "cannot read the configuration file (from $PYAMPLIFY_CONFIG)" in problem.message


def test_load_config_logs_warnings(workdir: Path, caplog: pytest.LogCaptureFixture) -> None:
    shutil.copy(EXAMPLES / "amplifyconfiguration.json", workdir)
    with caplog.at_level("WARNING", logger="pyamplify.config"):
        load_config()
    assert "trailing comma" in caplog.text


def test_files_read_only_when_named_are_pointed_out(workdir: Path) -> None:
    (workdir / "src").mkdir()
    (workdir / "src" / "aws-exports.js").write_text("export default {};")
    with pytest.raises(ConfigError) as caught:
        load_config()
    (problem,) = caught.value.problems
    assert problem.message.endswith("; src/aws-exports.js is here: name it to use it")
    assert problem.example.startswith("pyamplify config check src/aws-exports.js")


def test_an_aws_exports_file_named_by_the_variable_is_read(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (workdir / "aws-exports.js").write_text(to_js(WEB))
    monkeypatch.setenv("PYAMPLIFY_CONFIG", "aws-exports.js")
    config = load_config()
    assert (config.source_format, config.source_syntax) == ("aws-exports", "javascript")
