"""Fixtures for the provision tests: AWS settings isolated from the developer's machine."""

from __future__ import annotations

from pathlib import Path

import pytest


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
