"""LocalCognito's life cycle: context manager, URL, counters, outbox, clock, persistence."""

from __future__ import annotations

import re
import socket
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest

from pyamplify.local import LocalCognito, LocalCognitoError
from pyamplify.local.clock import ManualClock

pytestmark = pytest.mark.e2e

TARGET = "AWSCognitoIdentityProviderService"
SIGNED = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/cognito-idp/x"}


def post(url: str, operation: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        url + "/", json=body, headers={"X-Amz-Target": f"{TARGET}.{operation}", **SIGNED}
    )


def test_context_manager_serves_on_a_free_loopback_port() -> None:
    with LocalCognito() as cognito:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", cognito.url)
        assert cognito.region == "us-east-1"
        index = httpx.get(cognito.url + "/").json()
        assert index["service"] == "pyamplify local Cognito"
        assert index["targets"] == [
            "AWSCognitoIdentityProviderService",
            "AWSCognitoIdentityService",
        ]
        url = cognito.url
    with pytest.raises(httpx.TransportError):
        httpx.get(url + "/", timeout=1)


def test_calls_are_counted_from_many_threads_and_can_be_reset() -> None:
    with LocalCognito() as cognito:

        def work() -> None:
            with httpx.Client() as http:
                for _ in range(10):
                    http.post(
                        cognito.url + "/",
                        json={"MaxResults": 1},
                        headers={"X-Amz-Target": f"{TARGET}.ListUserPools", **SIGNED},
                    )

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert cognito.calls["ListUserPools"] == 40
        assert httpx.get(cognito.url + "/_local/stats").json() == {"ListUserPools": 40}
        cognito.reset_calls()
        assert cognito.calls == {}


def test_clock_can_be_replaced_while_running() -> None:
    clock = ManualClock(1_800_000_000)
    with LocalCognito(clock=clock) as cognito:
        created = post(cognito.url, "CreateUserPool", {"PoolName": "t"}).json()["UserPool"]
        assert created["CreationDate"] == 1_800_000_000
        cognito.clock = ManualClock(1_900_000_000)
        again = post(cognito.url, "CreateUserPool", {"PoolName": "u"}).json()["UserPool"]
        assert again["CreationDate"] == 1_900_000_000


def test_in_process_restart_on_a_data_dir_keeps_state(tmp_path: Path) -> None:
    with LocalCognito(tmp_path) as cognito:
        pool_id = post(cognito.url, "CreateUserPool", {"PoolName": "kept"}).json()["UserPool"]["Id"]
    with LocalCognito(tmp_path) as cognito:
        described = post(cognito.url, "DescribeUserPool", {"UserPoolId": pool_id}).json()
        assert described["UserPool"]["Name"] == "kept"
    with LocalCognito() as ephemeral:  # no data dir: nothing carried over
        missing = post(ephemeral.url, "DescribeUserPool", {"UserPoolId": pool_id})
        assert missing.json()["__type"] == "ResourceNotFoundException"


def test_a_taken_port_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        with pytest.raises(LocalCognitoError, match=f"cannot listen on 127.0.0.1:{port}"):
            LocalCognito(port=port).start()


def test_backend_before_start_is_an_error() -> None:
    with pytest.raises(LocalCognitoError, match="not started"):
        _ = LocalCognito().calls


def test_passwords_never_reach_the_database(tmp_path: Path) -> None:
    password, changed = "Unique-Passw0rd-7781", "Other-Passw0rd-9912"
    with LocalCognito(tmp_path) as cognito:
        pool_id = post(cognito.url, "CreateUserPool", {"PoolName": "p"}).json()["UserPool"]["Id"]
        client_id = post(
            cognito.url,
            "CreateUserPoolClient",
            {
                "UserPoolId": pool_id,
                "ClientName": "c",
                "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            },
        ).json()["UserPoolClient"]["ClientId"]
        post(cognito.url, "SignUp", {"ClientId": client_id, "Username": "u", "Password": password})
        post(cognito.url, "AdminConfirmSignUp", {"UserPoolId": pool_id, "Username": "u"})
        tokens = post(
            cognito.url,
            "InitiateAuth",
            {
                "ClientId": client_id,
                "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": "u", "PASSWORD": password},
            },
        ).json()["AuthenticationResult"]
        answered = post(
            cognito.url,
            "ChangePassword",
            {
                "AccessToken": tokens["AccessToken"],
                "PreviousPassword": password,
                "ProposedPassword": changed,
            },
        )
        assert answered.status_code == 200
        stored = b"".join(path.read_bytes() for path in tmp_path.iterdir())
    assert pool_id.encode() in stored  # the database really is there
    for secret in (password, changed, tokens["RefreshToken"]):
        assert secret.encode() not in stored
