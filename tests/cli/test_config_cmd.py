"""``pyamplify config check``: output, masking, exit codes 0/1/2, no tracebacks, fast import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pyamplify.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SECRET = "qoq7cd5ci045rnckr335b3vl47l0k4ss9db00696dpkscofsb2o"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "PYAMPLIFY_CONFIG",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
        "AWS_ENDPOINT_URL_COGNITO_IDENTITY",
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def with_secret(tmp_path: Path) -> Path:
    document = json.loads((EXAMPLES / "amplify_outputs.json").read_text())
    document["auth"]["user_pool_client_secret"] = SECRET
    document["auth"]["user_pool_endpoint"] = "http://127.0.0.1:9229"
    path = tmp_path / "amplify_outputs.json"
    path.write_text(json.dumps(document))
    return path


def test_a_valid_file_prints_the_resolved_config_and_its_warning(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["config", "check", str(EXAMPLES / "amplifyconfiguration.json")]) == 0
    out = capsys.readouterr().out
    assert "OK (Gen 1 amplifyconfiguration.json)" in out
    assert "us-east-1_Xk2Pq7RtZ" in out
    assert "https://cognito-idp.us-east-1.amazonaws.com/ (AWS default)" in out
    assert "1 warning:" in out
    assert "trailing comma on line 38" in out


def test_secrets_are_masked(with_secret: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", str(with_secret)]) == 0
    out = capsys.readouterr().out
    assert SECRET not in out
    assert "qoq7…" in out
    assert "http://127.0.0.1:9229/ (Endpoint in the configuration)" in out


def test_json_output_is_one_document_with_masked_secrets(
    with_secret: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["config", "check", str(with_secret), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["ok"] is True and document["format"] == "gen2"
    assert document["config"]["user_pool"]["app_client_secret"] == "qoq7…"
    assert document["config"]["oauth"]["app_client_secret"] == "qoq7…"
    assert SECRET not in json.dumps(document)


def test_environment_overrides_show_where_the_endpoint_came_from(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY", "http://localhost:9230")
    assert main(["config", "check", str(EXAMPLES / "amplify_outputs.json")]) == 0
    assert "http://localhost:9230/ ($AWS_ENDPOINT_URL_COGNITO_IDENTITY)" in capsys.readouterr().out


def test_every_error_is_printed_and_the_exit_code_is_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["config", "check", str(EXAMPLES / "amplifyconfiguration.seed.json")]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "9 problems in the configuration" in captured.err
    assert captured.err.count("placeholder") == 9
    assert "1 warning:" in captured.err
    assert "Traceback" not in captured.err


def test_errors_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    seed = str(EXAMPLES / "amplifyconfiguration.seed.json")
    assert main(["config", "check", seed, "--json"]) == 1
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["code"] == "ConfigError" and "9 problems" in error["message"]
    assert error["fix"].endswith("pyamplify config check")
    assert len(error["problems"]) == 9
    first = error["problems"][0]
    assert set(first) == {"file", "line", "column", "path", "message", "example"}
    assert first["file"] == seed and first["line"] == 11
    assert len(error["warnings"]) == 1


def test_a_bad_environment_endpoint_is_an_error_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://example.com")
    assert main(["config", "check", str(EXAMPLES / "amplify_outputs.json")]) == 1
    err = capsys.readouterr().err
    assert "<environment>: $AWS_ENDPOINT_URL: " in err


def test_a_missing_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", str(tmp_path / "nope.json")]) == 1
    assert "cannot read the configuration file" in capsys.readouterr().err


def test_discovery_is_used_without_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["config", "check"]) == 1
    assert "no configuration file found" in capsys.readouterr().err
    monkeypatch.setenv("PYAMPLIFY_CONFIG", str(EXAMPLES / "amplify_outputs.json"))
    assert main(["config", "check"]) == 0


@pytest.mark.parametrize(
    "argv",
    [["config", "check", "a.json", "b.json"], ["config", "check", "--yaml"], ["config", "nope"]],
)
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "usage: pyamplify" in err and "error:" in err


def test_the_group_alone_prints_its_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config"]) == 2
    assert "check" in capsys.readouterr().err


def test_the_installed_command_never_shows_a_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"auth": \xff\xfe [}')
    done = subprocess.run(
        [sys.executable, "-m", "pyamplify", "config", "check", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "not valid UTF-8 (byte 0xff at line 1, column 10)" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_command_module_imports_only_the_standard_library() -> None:
    code = (
        "import sys, pyamplify.cli.config_cmd\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('pyamplify.config'))\n"
        "print(loaded)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


CORPUS = Path(__file__).resolve().parents[1] / "config" / "corpus"


@pytest.mark.parametrize(
    ("name", "read_as"),
    [
        ("aws-exports-cli.js", "Gen 1 web aws-exports.js, Amplify JS keys"),
        (
            "amplifyconfiguration-web.json",
            "Gen 1 web amplifyconfiguration.json, Amplify JS keys as in aws-exports.js",
        ),
        ("awsconfiguration.json", "AWS Mobile SDK awsconfiguration.json"),
        ("gen1-android-cli-siblings.json", "Gen 1 amplifyconfiguration.json"),
        ("gen2-with-data-storage.json", "Gen 2 amplify_outputs.json"),
    ],
)
def test_check_says_which_format_it_read(
    name: str, read_as: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(CORPUS / name)
    assert main(["config", "check", path]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"{path}: OK ({read_as})"
    assert "warning" not in out  # the CLI's sibling keys and other categories are quiet
    assert main(["config", "check", path, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["read_as"] == read_as
    assert document["syntax"] == ("javascript" if name.endswith(".js") else "json")


def test_a_refused_file_still_says_which_format_it_was_read_as(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(CORPUS / "refused-gen1-angle-placeholders.json")
    assert main(["config", "check", path]) == 1
    err = capsys.readouterr().err
    assert "(read as: Gen 1 amplifyconfiguration.json)" in err
    assert err.count("left in; replace it with your real value") == 3
    assert main(["config", "check", path, "--json"]) == 1
    document = json.loads(capsys.readouterr().out)["error"]
    assert (document["format"], document["syntax"]) == ("gen1", "json")
    assert document["read_as"] == "Gen 1 amplifyconfiguration.json"


def test_an_aws_exports_file_with_code_is_refused_with_its_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(CORPUS / "refused-aws-exports-process-env.js")
    assert main(["config", "check", path]) == 1
    err = capsys.readouterr().err
    assert f"{path}:4:22: $.aws_user_pools_id: cannot read the JavaScript at line 4" in err
    assert "invalid JSON" not in err and "Traceback" not in err


def test_the_string_min_length_warning_names_the_key_on_normal_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(CORPUS / "gen1-flutter-string-min-length.json")
    assert main(["config", "check", path]) == 0
    out = capsys.readouterr().out
    assert "1 warning:" in out
    assert ".passwordProtectionSettings.passwordPolicyMinLength: passwordPolicyMinLength is " in out
    assert "password policy          min length 8" in out
