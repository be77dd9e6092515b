"""Fixtures for the provision tests: AWS settings isolated from the developer's machine, boto3
clients at the module's local Cognito, and the ``cli`` runner the end-to-end modules share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import boto3_client

from .e2e import Runner, run


@pytest.fixture(autouse=True)
def isolated_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No AWS profile, credentials or endpoint from the machine; sessions in tmp_path."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
        "AWS_ENDPOINT_URL_COGNITO_IDENTITY",
        "PYAMPLIFY_CONFIG",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("PYAMPLIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYAMPLIFY_STORE", "file")


@pytest.fixture(scope="module")
def idp(local_cognito: Any) -> Any:
    """boto3 cognito-idp at the module's local Cognito."""
    return boto3_client("cognito-idp", local_cognito.url, local_cognito.region)


@pytest.fixture(scope="module")
def identity(local_cognito: Any) -> Any:
    """boto3 cognito-identity at the module's local Cognito."""
    return boto3_client("cognito-identity", local_cognito.url, local_cognito.region)


@pytest.fixture
def cli(local_cognito: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path) -> Runner:
    """``cli("import", "auth", ...)`` in tmp_path, with --endpoint-url for import and doctor."""
    monkeypatch.chdir(tmp_path)

    def invoke(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        args = list(argv)
        if args[:2] == ["import", "auth"] or args[:1] == ["doctor"]:
            args += ["--endpoint-url", local_cognito.url]
        return run(monkeypatch, capsys, *args, stdin=stdin)

    return invoke
