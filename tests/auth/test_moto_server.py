"""The client against moto's server, a Cognito stand-in many teams run, on the flows moto
implements honestly: password sign-in, wrong password, refresh, attributes, global sign-out.

moto's server runs as a subprocess on a loopback port for the module. It has no
GetTokensFromRefreshToken (it answers HTTP 500 with an HTML page), so the refresh goes through
the fallback to ``InitiateAuth REFRESH_TOKEN_AUTH`` (``pyamplify.auth.refresh_support``).
moto's SRP is not real SRP, so sign-in uses USER_PASSWORD_AUTH.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pyamplify.auth import Auth
from pyamplify.config import AuthConfig, UserPoolConfig
from pyamplify.storage import MemoryStore
from pyamplify.wire.errors import NotAuthorizedException

pytestmark = pytest.mark.e2e

PASSWORD = "Moto-passw0rd!"
MOTO_SERVER = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    if not Path(MOTO_SERVER).exists():
        pytest.skip("moto[server] is not installed (it is in the dev extra)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [MOTO_SERVER, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/moto-api/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("moto_server did not start")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def moto_pool(moto_url: str) -> tuple[str, str]:
    import boto3

    idp = boto3.client(
        "cognito-idp",
        endpoint_url=moto_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    pool_id = idp.create_user_pool(PoolName="moto")["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="app",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    for name in ("mia", "max", "mo"):
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username=name,
            UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}],
            MessageAction="SUPPRESS",
        )
        idp.admin_set_user_password(
            UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True
        )
    return pool_id, client_id


def auth_for(moto_url: str, moto_pool: tuple[str, str]) -> Auth:
    pool_id, client_id = moto_pool
    config = AuthConfig(
        user_pool=UserPoolConfig(pool_id, client_id, "us-east-1", endpoint=moto_url),
        authentication_flow_type="USER_PASSWORD_AUTH",
    )
    return Auth(config, store=MemoryStore())


def test_password_sign_in_and_a_wrong_password(moto_url: str, moto_pool: Any) -> None:
    auth = auth_for(moto_url, moto_pool)
    with pytest.raises(NotAuthorizedException, match="Incorrect username or password"):
        auth.sign_in("mia", "wrong-password")
    result = auth.sign_in("mia", PASSWORD)
    assert result.is_signed_in
    session = auth.fetch_auth_session()
    assert session.tokens is not None and session.tokens.access_token.claims["username"] == "mia"


def test_refresh_falls_back_to_refresh_token_auth_and_remembers_it(
    moto_url: str, moto_pool: Any
) -> None:
    auth = auth_for(moto_url, moto_pool)
    auth.sign_in("max", PASSWORD)
    before = auth.fetch_auth_session().tokens
    assert before is not None
    time.sleep(1.1)  # moto's iat has one-second resolution: make the new tokens differ
    refreshed = auth.fetch_auth_session(force_refresh=True).tokens
    assert refreshed is not None
    assert refreshed.access_token.token != before.access_token.token
    assert refreshed.refresh_token == before.refresh_token  # no rotation on this path
    from pyamplify.auth.refresh_support import RefreshFallback

    assert RefreshFallback(moto_url).known
    again = auth.fetch_auth_session(force_refresh=True)
    assert again.is_signed_in


def test_attributes_and_global_sign_out(moto_url: str, moto_pool: Any) -> None:
    auth = auth_for(moto_url, moto_pool)
    auth.sign_in("mo", PASSWORD)
    assert auth.fetch_user_attributes()["email"] == "mo@example.com"
    session = auth.fetch_auth_session()
    assert session.tokens is not None
    old_access = session.tokens.access_token.token
    old_refresh = session.tokens.refresh_token
    result = auth.sign_out(global_sign_out=True)
    assert result.signed_out_locally and result.global_sign_out_error is None
    assert not auth.fetch_auth_session().is_signed_in
    answer = httpx.post(
        moto_url + "/",
        headers={"X-Amz-Target": "AWSCognitoIdentityProviderService.GetUser"},
        content=f'{{"AccessToken": "{old_access}"}}',
    )
    assert answer.status_code == 400 and answer.json()["__type"] == "NotAuthorizedException"
    revoked = httpx.post(
        moto_url + "/",
        headers={"X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"},
        json={
            "ClientId": moto_pool[1],
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "AuthParameters": {"REFRESH_TOKEN": old_refresh},
        },
    )
    assert revoked.json()["message"] == "Refresh Token has been revoked"
