"""``pyamplify aws configure PROFILE`` and ``credential_process`` strictness, proven through
boto3: a ``boto3.Session`` whose profile runs our command gets the signed-in user's credentials;
for a profile nobody is signed in on (never, or signed out) boto3 raises; ``--guest`` gives a
guest's. The AWS config file lives in a temporary folder (``AWS_CONFIG_FILE``)."""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path
from typing import Any

import pytest

from pyamplify.aws.config_file import write_section
from pyamplify.config import write_config
from pyamplify.local.testing import provision_identity_pool, provision_pool

from .helpers import run

pytestmark = pytest.mark.e2e

PASSWORD = "Corr3ct-Horse-Battery"
OTHER_SECTIONS = """# my own notes
[default]
region = eu-west-1

[profile work]
sso_session = corp
"""


@pytest.fixture
def setup(cognito: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A config with an identity pool, and an AWS config file that already has sections."""
    monkeypatch.setenv("PYAMPLIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYAMPLIFY_STORE", "file")
    aws_config = tmp_path / "aws" / "config"
    aws_config.parent.mkdir()
    aws_config.write_text(OTHER_SECTIONS)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(aws_config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws" / "credentials"))
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    pool = provision_pool(cognito.url, name=f"awscfg-{tmp_path.name}"[:60])
    _, config = provision_identity_pool(cognito.url, pool, name=f"ids{tmp_path.name[-8:]}")
    path = tmp_path / "app" / "amplifyconfiguration.json"
    path.parent.mkdir()
    write_config(config, path)
    return path, aws_config


def _frozen(profile: str) -> Any:
    import boto3

    return boto3.Session(profile_name=profile).get_credentials().get_frozen_credentials()


def test_configure_writes_a_section_boto3_uses_strictly(
    setup: tuple[Path, Path], cognito: Any, monkeypatch: Any, capsys: Any
) -> None:
    path, aws_config = setup
    code, _out, err = run(monkeypatch, capsys, "aws", "configure", "my-app", "--config", str(path))
    assert code == 0, err
    text = aws_config.read_text()
    assert text.startswith(OTHER_SECTIONS)  # nothing else touched
    section = text[len(OTHER_SECTIONS) :]
    assert section.startswith("\n[profile my-app]\ncredential_process = ")
    line = next(s for s in section.splitlines() if s.startswith("credential_process"))
    words = shlex.split(line.partition("=")[2])
    assert os.path.isabs(words[0])  # the full path of the command
    assert words[-4:] == ["--format", "process", "--config", str(path)]
    assert "region = us-east-1" in section

    # Nobody signed in: boto3 raises (credential_process exits 1), no guest credentials.
    from botocore.exceptions import CredentialRetrievalError

    with pytest.raises(CredentialRetrievalError) as raised:
        _frozen("my-app")
    assert "pyamplify auth sign-in --profile default" in str(raised.value)

    # Signed in: the user's credentials.
    from pyamplify.auth import Auth

    with Auth(path) as auth:
        auth.sign_up("ada", PASSWORD, attributes={"email": "ada@example.com"})
        pool_id = auth.config.user_pool.pool_id  # type: ignore[union-attr]
        code_sent = [i for i in cognito.outbox("ada") if i["user_pool_id"] == pool_id][-1]
        auth.confirm_sign_up("ada", str(code_sent["code"]))
        auth.sign_in("ada", PASSWORD)
    user = _frozen("my-app")
    assert user.access_key.startswith("ASIA") and user.token

    # Signed out: boto3 raises again.
    assert run(monkeypatch, capsys, "auth", "sign-out", "--config", str(path))[0] == 0
    with pytest.raises(CredentialRetrievalError):
        _frozen("my-app")

    # A profile set up for guests gets a guest's credentials.
    code, _, err = run(
        monkeypatch, capsys, "aws", "configure", "my-app-guest", "--guest", "--config", str(path)
    )
    assert code == 0, err
    guest = _frozen("my-app-guest")
    assert guest.access_key.startswith("ASIA") and guest.access_key != user.access_key


def test_an_unknown_pyamplify_profile_is_refused_through_boto3(
    setup: tuple[Path, Path], monkeypatch: Any, capsys: Any
) -> None:
    path, _ = setup
    code, _, err = run(
        monkeypatch,
        capsys,
        "aws",
        "configure",
        "nobody",
        "--profile",
        "nobody",
        "--config",
        str(path),
    )
    assert code == 0, err
    from botocore.exceptions import CredentialRetrievalError

    with pytest.raises(CredentialRetrievalError) as raised:
        _frozen("nobody")
    assert "pyamplify auth sign-in --profile nobody" in str(raised.value)


def test_print_writes_nothing_and_an_existing_section_needs_force(
    setup: tuple[Path, Path], monkeypatch: Any, capsys: Any
) -> None:
    path, aws_config = setup
    before = aws_config.read_text()
    code, out, _ = run(
        monkeypatch, capsys, "aws", "configure", "work", "--print", "--config", str(path)
    )
    assert code == 0 and out.startswith("[profile work]\ncredential_process = ")
    assert aws_config.read_text() == before
    code, out, _err = run(
        monkeypatch, capsys, "aws", "configure", "work", "--json", "--config", str(path)
    )
    error = json.loads(out)["error"]
    assert code == 1 and error["code"] == "ProfileExists"
    assert error["previous"] == {"sso_session": "corp"}
    assert aws_config.read_text() == before
    code, out, _ = run(
        monkeypatch, capsys, "aws", "configure", "work", "--force", "--json", "--config", str(path)
    )
    assert code == 0 and json.loads(out)["outcome"] == "replaced"
    text = aws_config.read_text()
    assert text.startswith("# my own notes\n[default]\nregion = eu-west-1\n\n[profile work]\n")
    assert "sso_session" not in text
    code, out, _ = run(
        monkeypatch, capsys, "aws", "configure", "work", "--json", "--config", str(path)
    )
    assert json.loads(out)["outcome"] == "unchanged"


def test_write_section_creates_the_file_and_its_folder(tmp_path: Path) -> None:
    target = tmp_path / "new" / "config"
    change = write_section(str(target), "default", {"region": "us-east-1"})
    assert change.outcome == "written"
    assert target.read_text() == "[default]\nregion = us-east-1\n"
    assert (target.stat().st_mode & 0o777) == 0o600
