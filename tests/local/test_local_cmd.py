"""``pyamplify local start|outbox`` as a user runs them: a real process, restarted on the same
data dir, with state (pools, users, keys, refresh tokens, outbox) surviving the restart."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PASSWORD = "Sup3r-secret!"


@contextmanager
def local_start(*extra: str) -> Iterator[str]:
    """Run ``pyamplify local start --port 0 ...``; yield its URL; stop it with SIGINT."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pyamplify", "local", "start", "--port", "0", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Local Cognito listening on http://127.0.0.1:"), first + (
            process.stderr.read() if process.stderr else ""
        )
        yield first.rsplit(" ", 1)[1].strip()
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
        assert process.returncode == 0, err
        assert "Local Cognito stopped." in out


def test_state_survives_a_restart(tmp_path: Path, make_boto3_client: Any) -> None:
    data_dir = str(tmp_path / "state")
    with local_start("--data-dir", data_dir) as url:
        idp = make_boto3_client("cognito-idp", url)
        pool_id = idp.create_user_pool(PoolName="persist", AutoVerifiedAttributes=["email"])[
            "UserPool"
        ]["Id"]
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="app",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        )["UserPoolClient"]["ClientId"]
        idp.sign_up(
            ClientId=client_id,
            Username="alice",
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": "alice@example.com"}],
        )
        jwks_before = httpx.get(f"{url}/{pool_id}/.well-known/jwks.json").json()
    outbox = subprocess.run(
        [sys.executable, "-m", "pyamplify", "local", "outbox", "--data-dir", data_dir, "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    code = json.loads(outbox.stdout)[-1]["code"]
    with local_start("--data-dir", data_dir) as url:
        idp = make_boto3_client("cognito-idp", url)
        assert idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Name"] == "persist"
        idp.confirm_sign_up(ClientId=client_id, Username="alice", ConfirmationCode=code)
        tokens = idp.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
        )["AuthenticationResult"]
        refresh = tokens["RefreshToken"]
        assert httpx.get(f"{url}/{pool_id}/.well-known/jwks.json").json() == jwks_before
        listed = subprocess.run(
            [sys.executable, "-m", "pyamplify", "local", "outbox", "--endpoint", url],
            capture_output=True,
            text=True,
            check=True,
        )
        assert code in listed.stdout and "SignUp" in listed.stdout
    with local_start("--data-dir", data_dir) as url:
        idp = make_boto3_client("cognito-idp", url)
        again = idp.initiate_auth(
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh},
        )["AuthenticationResult"]
        assert idp.get_user(AccessToken=again["AccessToken"])["Username"] == "alice"
        assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"


def test_ephemeral_start_and_a_taken_port(make_boto3_client: Any) -> None:
    with local_start("--ephemeral") as url:
        port = url.rsplit(":", 1)[1]
        idp = make_boto3_client("cognito-idp", url)
        assert idp.list_user_pools(MaxResults=5)["UserPools"] == []
        taken = subprocess.run(
            [sys.executable, "-m", "pyamplify", "local", "start", "--ephemeral", "--port", port],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert taken.returncode == 1
        assert "cannot listen on 127.0.0.1:" in taken.stderr
        assert "Traceback" not in taken.stderr


def test_outbox_without_a_server_or_state_explains_itself(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pyamplify", "local", "outbox", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "pyamplify local start" in done.stderr


def _pyamplify(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pyamplify", *args], capture_output=True, text=True, timeout=30
    )


def test_start_refuses_a_database_from_a_newer_pyamplify(tmp_path: Path) -> None:
    import hashlib
    import sqlite3

    from pyamplify.local.store import DB_FILENAME, Store
    from pyamplify.local.store.schema import LATEST_VERSION

    Store(tmp_path).close()
    path = tmp_path / DB_FILENAME
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    db.close()
    before = hashlib.sha256(path.read_bytes()).hexdigest()

    for command in (("local", "start", "--port", "0"), ("local", "outbox")):
        refused = _pyamplify(*command, "--data-dir", str(tmp_path))
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert refused.stderr.startswith(f"error: {path} was written by a newer pyamplify")
        assert "upgrade pyamplify" in refused.stderr and "--ephemeral" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert "listening" not in refused.stdout
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_outbox_reads_a_data_dir_written_before_the_schema_was_versioned(tmp_path: Path) -> None:
    import sqlite3

    from pyamplify.local.store import DB_FILENAME

    data = Path(__file__).resolve().parent.parent / "data" / "local_cognito_v0.sql"
    db = sqlite3.connect(tmp_path / DB_FILENAME)
    db.executescript(data.read_text())
    db.close()
    shown = _pyamplify("local", "outbox", "--data-dir", str(tmp_path), "--json")
    assert shown.returncode == 0, shown.stderr
    assert [item["username"] for item in json.loads(shown.stdout)] == ["carol"]


def test_start_with_the_hardening_options(tmp_path: Path, make_boto3_client: Any) -> None:
    """--strict-auth (a made key pair in a 0600 credentials file, removed with an in-memory
    server), --cors-origin, --allowed-host, --max-body and --faults, from the command line."""
    import re

    from botocore.exceptions import ClientError

    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "pyamplify", "local", "start", "--port", "0", "--ephemeral"),
            *("--strict-auth", "--cors-origin", "https://app.example.com"),
            *("--allowed-host", "dev.test", "--max-body", "2KiB"),
            *("--faults", "throttle=100%,ops=DescribeUserPool,seed=3"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(7)]
        url = lines[0].rsplit(" ", 1)[1].strip()
        (strict,) = [line for line in lines if line.startswith("  strict auth:")]
        path = Path(re.search(r"AWS_SHARED_CREDENTIALS_FILE=(\S+)", strict)[1])  # type: ignore[index]
        assert (path.stat().st_mode & 0o777) == 0o600
        assert "aws_secret_access_key" not in "".join(lines)  # the secret is never printed
        assert any(line.startswith("  faults: throttle=1,ops=DescribeUserPool") for line in lines)
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(path)
        try:
            import boto3.session

            idp = boto3.session.Session(profile_name="pyamplify-local").client(
                "cognito-idp", endpoint_url=url, region_name="us-east-1"
            )
            pool_id = idp.create_user_pool(PoolName="strict")["UserPool"]["Id"]
            with pytest.raises(ClientError) as throttled:
                idp.describe_user_pool(UserPoolId=pool_id)
            assert throttled.value.response["Error"]["Code"] == "TooManyRequestsException"
        finally:
            del os.environ["AWS_SHARED_CREDENTIALS_FILE"]
        with pytest.raises(ClientError) as refused:
            make_boto3_client("cognito-idp", url).list_user_pools(MaxResults=1)
        assert refused.value.response["Error"]["Code"] == "UnrecognizedClientException"
        preflight = httpx.options(
            url + "/",
            headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"},
        )
        assert preflight.headers["access-control-allow-origin"] == "https://app.example.com"
        assert httpx.get(url + "/_local/stats", headers={"Host": "dev.test"}).status_code == 200
        assert httpx.get(url + "/_local/stats", headers={"Host": "evil.test"}).status_code == 403
        assert httpx.post(url + "/", content=b" " * 2049).status_code == 413
    finally:
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert not path.exists() and not path.parent.exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--faults", "bogus=1"], "unknown fault 'bogus'"),
        (["--faults", "throttle=2"], "a rate is between 0 and 1"),
        (["--cors-origin", "app.example.com"], "is not an origin"),
        (["--credentials-file", "x"], "--credentials-file goes with --strict-auth"),
        (["--max-body", "lots"], "is not a size"),
    ],
)
def test_bad_hardening_options_are_usage_errors(options: list[str], message: str) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pyamplify",
            "local",
            "start",
            "--port",
            "0",
            "--ephemeral",
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
