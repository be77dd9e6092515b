"""A region with no pool, then one invalid pool, then one valid pool (a module of its own, so
its local Cognito holds exactly these)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import boto3_client

from .e2e import run

pytestmark = pytest.mark.e2e


def test_none_then_the_only_pool_refused_with_its_reason_then_auto_selected(
    local_cognito: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = ("import", "auth", "--endpoint-url", local_cognito.url, "--region", "us-east-1")
    code, _, err = run(monkeypatch, capsys, *argv)
    assert code == 1
    assert "No Cognito User Pools were found in the configured region: us-east-1." in err

    idp = boto3_client("cognito-idp", local_cognito.url)
    pool_id = idp.create_user_pool(PoolName="only")["UserPool"]["Id"]
    idp.create_user_pool_client(UserPoolId=pool_id, ClientName="server", GenerateSecret=True)
    code, _, err = run(monkeypatch, capsys, *argv)
    assert code == 1
    assert (
        f"Only one Cognito User Pool '{pool_id}' found, but it does not meet the requirements "
        "for import:\nThe selected Cognito User Pool does not have at least 1 Web app client "
        "configured." in err
    )

    idp.create_user_pool_client(UserPoolId=pool_id, ClientName="web")
    code, out, err = run(monkeypatch, capsys, *argv)
    assert code == 0, err
    assert (
        f"✔ Only one Cognito User Pool ({pool_id}) found and it was automatically selected." in err
    )
    assert "✅ Cognito User Pool 'only' was successfully imported." in out
