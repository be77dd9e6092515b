"""``pyamplify auth m2m-token`` and the ``--web`` flags of ``auth sign-in`` in a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jwt
import pytest

from pyamplify.config import AuthConfig, OAuthConfig, UserPoolConfig, write_config

pytestmark = pytest.mark.e2e


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pyamplify", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_m2m_token_and_web_flag_usage(cognito_idp: Any, local_cognito: Any, tmp_path: Path) -> None:
    pool_id = cognito_idp.create_user_pool(PoolName="cli-m2m")["UserPool"]["Id"]
    cognito_idp.create_user_pool_domain(UserPoolId=pool_id, Domain="cli-m2m")
    cognito_idp.create_resource_server(
        UserPoolId=pool_id,
        Identifier="orders",
        Name="o",
        Scopes=[{"ScopeName": "read", "ScopeDescription": "r"}],
    )
    client = cognito_idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="job",
        GenerateSecret=True,
        AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=["orders/read"],
    )["UserPoolClient"]
    config = AuthConfig(
        user_pool=UserPoolConfig(
            pool_id=pool_id,
            app_client_id=client["ClientId"],
            region="us-east-1",
            endpoint=local_cognito.url,
            app_client_secret=client["ClientSecret"],
        ),
        oauth=OAuthConfig(
            web_domain=f"{local_cognito.url}/_domain/cli-m2m",
            app_client_id=client["ClientId"],
            sign_in_redirect_uris=("http://127.0.0.1:53682/callback",),
            sign_out_redirect_uris=("http://127.0.0.1:53682/out",),
            scopes=("orders/read",),
            app_client_secret=client["ClientSecret"],
        ),
    )
    path = tmp_path / "amplifyconfiguration.json"
    write_config(config, path, include_secret=True)
    env = {**os.environ, "PYAMPLIFY_STORE": "file", "PYAMPLIFY_DATA_DIR": str(tmp_path / "d")}
    first = _cli("auth", "m2m-token", "--scopes", "orders/read", "--config", str(path), env=env)
    assert first.returncode == 0, first.stderr
    claims = jwt.decode(first.stdout.strip(), options={"verify_signature": False})
    assert claims["scope"] == "orders/read" and claims["client_id"] == client["ClientId"]
    again = _cli("auth", "m2m-token", "--scopes", "orders/read", "--config", str(path), env=env)
    assert again.stdout == first.stdout  # cached in the store across processes
    usage = _cli("auth", "sign-in", "--provider", "X", "--config", str(path), env=env)
    assert usage.returncode == 2 and "--web" in usage.stderr
