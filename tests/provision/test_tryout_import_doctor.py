"""The new-user tryout's reproductions around ``import auth``, ``doctor`` and ``local outbox``
(issue 13, items 2, 4 and 6), each as it was met."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pyamplify.config import load_config

from .e2e import Runner, make_pool, make_user, run

pytestmark = pytest.mark.e2e


def test_import_creates_the_output_folder(idp: Any, cli: Runner) -> None:
    """Item 4: a missing folder used to fail and suggest ./amplifyconfiguration.json."""
    pool = make_pool(idp, {"web": {}})
    code, _, err = cli(
        "import",
        "auth",
        "--format",
        "gen2",
        "--output",
        "g2/amplify_outputs.json",
        "--user-pool-id",
        pool.pool_id,
        "--yes",
    )
    assert code == 0, err
    assert "Created the folder g2 for amplify_outputs.json." in err
    assert load_config("g2/amplify_outputs.json").source_format == "gen2"


def test_a_write_failure_suggests_the_formats_own_file_name(tmp_path: Path) -> None:
    """Item 4: the suggestion names the file of the format being written."""
    from pyamplify.config import AuthConfig, ConfigError, UserPoolConfig, write_config

    config = AuthConfig(user_pool=UserPoolConfig("us-east-1_abc", "client1", "us-east-1"))
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    with pytest.raises(ConfigError) as raised:
        write_config(config, blocker / "amplify_outputs.json", "gen2")
    assert "./amplify_outputs.json" in str(raised.value)
    assert "amplifyconfiguration.json" not in str(raised.value)


def test_a_refused_overwrite_names_added_changed_removed(idp: Any, cli: Runner) -> None:
    """Item 6: removed keys used to be listed with '-' only."""
    pool = make_pool(idp, {"web": {}})
    assert cli("import", "auth", "--user-pool-id", pool.pool_id, "--yes")[0] == 0
    path = Path("amplifyconfiguration.json")
    document = json.loads(path.read_text())
    document["auth"]["plugins"]["awsCognitoAuthPlugin"]["Extra"] = {"kept": "by hand"}
    path.write_text(json.dumps(document))
    code, _, err = cli("import", "auth", "--user-pool-id", pool.pool_id, "--yes")
    assert code == 1
    assert "not overwritten (pass --force to replace it)" in err
    assert "1 key removed (in the existing file only; gone after --force):" in err
    assert "- $.auth.plugins.awsCognitoAuthPlugin.Extra.kept" in err
    code, out, _ = cli("import", "auth", "--user-pool-id", pool.pool_id, "--yes", "--json")
    error = json.loads(out)["error"]
    assert code == 1 and error["code"] == "FileExists"
    assert [c["kind"] for c in error["changes"]] == ["removed"]


def test_doctor_asks_the_configurations_endpoint(
    idp: Any, local_cognito: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path
) -> None:
    """Item 2: without --endpoint-url the doctor used to ask AWS, not the file's Endpoint."""
    monkeypatch.chdir(tmp_path)
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"):
        monkeypatch.delenv(name, raising=False)
    pool = make_pool(idp, {"web": {}})
    code, _, err = run(
        monkeypatch,
        capsys,
        "import",
        "auth",
        "--user-pool-id",
        pool.pool_id,
        "--yes",
        "--endpoint-url",
        local_cognito.url,
    )
    assert code == 0, err
    assert load_config("amplifyconfiguration.json").user_pool.endpoint  # type: ignore[union-attr]
    code, out, err = run(monkeypatch, capsys, "doctor", "--json")
    assert code == 0, out + err
    assert json.loads(out)["findings"] == []


def test_local_outbox_asks_the_configurations_endpoint(
    idp: Any, local_cognito: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path
) -> None:
    """Item 2: ``local outbox`` used to ask port 9229 whatever the configuration said."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PYAMPLIFY_LOCAL_ENDPOINT", raising=False)
    monkeypatch.setenv("PYAMPLIFY_DATA_DIR", str(tmp_path / "nothing-here"))
    pool = make_pool(idp, {"web": {}})
    make_user(idp, pool.pool_id, "otto")
    assert (
        run(
            monkeypatch,
            capsys,
            "import",
            "auth",
            "--user-pool-id",
            pool.pool_id,
            "--yes",
            "--endpoint-url",
            local_cognito.url,
        )[0]
        == 0
    )
    idp.admin_update_user_attributes(
        UserPoolId=pool.pool_id,
        Username="otto",
        UserAttributes=[
            {"Name": "email", "Value": "otto@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    idp.admin_reset_user_password(UserPoolId=pool.pool_id, Username="otto")
    code, out, err = run(monkeypatch, capsys, "local", "outbox", "--username", "otto", "--json")
    assert code == 0, err
    assert [item["username"] for item in json.loads(out)] == ["otto"]


def test_the_aws_profile_flag_and_its_deprecated_spelling(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path
) -> None:
    """One meaning for --profile: in import and doctor the AWS profile is --aws-profile;
    --profile still works there, with a note."""
    from pyamplify.config import AuthConfig, UserPoolConfig, write_config

    path = tmp_path / "amplifyconfiguration.json"
    write_config(AuthConfig(user_pool=UserPoolConfig("us-east-1_abc", "c1", "us-east-1")), path)
    base = ("doctor", "--offline", "--config", str(path))
    code, _, err = run(monkeypatch, capsys, *base, "--aws-profile", "dev")
    assert code in (0, 1) and "deprecated" not in err
    code, _, err = run(monkeypatch, capsys, *base, "--profile", "dev")
    assert code in (0, 1)
    assert "note: --profile is deprecated here: it is --aws-profile" in err
