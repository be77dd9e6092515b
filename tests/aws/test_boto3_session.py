"""boto3 with identity-pool credentials, against the local Cognito's STS (which verifies the
SigV4 signatures botocore makes): ``Auth.boto3_session()`` and an AWS CLI ``credential_process``
profile that runs the installed ``pyamplify`` command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from pyamplify.auth import Auth, MissingDependencyError, NoIdentityPoolError
from pyamplify.cli.main import main
from pyamplify.local.testing import AUTH_ROLE_ARN, UNAUTH_ROLE_ARN, provision_pool

from .conftest import PASSWORD, App, register

boto3 = pytest.importorskip("boto3")
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

pytestmark = pytest.mark.e2e

NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"})


def assumed_role_arn(role_arn: str) -> str:
    """What STS answers for credentials of ``role_arn`` minted by an identity pool."""
    account, role = role_arn.split(":")[4], role_arn.rsplit("/", 1)[1]
    return f"arn:aws:sts::{account}:assumed-role/{role}/CognitoIdentityCredentials"


def caller_arn(session: Any, url: str) -> str:
    return str(
        session.client("sts", endpoint_url=url, config=NO_RETRIES).get_caller_identity()["Arn"]
    )


class MovableClock:
    def __init__(self) -> None:
        import time

        self.offset = 0.0
        self._time = time.time

    def __call__(self) -> float:
        return self._time() + self.offset


def test_boto3_session_signs_as_the_authenticated_role(local_cognito: Any, make_app: Any) -> None:
    app: App = make_app()
    with Auth(app.config) as auth:
        guest = auth.boto3_session()
        assert guest.region_name == "us-east-1"
        assert caller_arn(guest, local_cognito.url) == assumed_role_arn(UNAUTH_ROLE_ARN)
        register(auth, local_cognito, "ada")
        session = auth.boto3_session(region_name="us-east-1")
        assert caller_arn(session, local_cognito.url) == assumed_role_arn(AUTH_ROLE_ARN)
        used = session.get_credentials().get_frozen_credentials()
        assert used.access_key == auth.fetch_aws_credentials().access_key_id
        assert session.get_credentials().method == "pyamplify-identity-pool"


@pytest.mark.user_pool(identity_pool=True)
def test_a_tampered_secret_key_is_refused(local_cognito: Any, signed_in_auth: Auth) -> None:
    creds = signed_in_auth.fetch_aws_credentials()
    tampered = creds.secret_access_key[:-1] + ("A" if creds.secret_access_key[-1] != "A" else "B")
    session = boto3.Session(
        aws_access_key_id=creds.access_key_id,
        aws_secret_access_key=tampered,
        aws_session_token=creds.session_token,
        region_name="us-east-1",
    )
    with pytest.raises(ClientError) as caught:
        caller_arn(session, local_cognito.url)
    assert caught.value.response["Error"]["Code"] == "SignatureDoesNotMatch"


def test_boto3_session_refreshes_expiring_credentials(local_cognito: Any, make_app: Any) -> None:
    app: App = make_app(ttl=120)
    clock = MovableClock()
    with Auth(app.config, clock=clock) as auth:
        register(auth, local_cognito, "grace")
        session = auth.boto3_session()
        caller_arn(session, local_cognito.url)
        first = session.get_credentials().get_frozen_credentials().access_key
        calls = local_cognito.calls["GetCredentialsForIdentity"]
        caller_arn(session, local_cognito.url)  # botocore asks (under 15 min left); cache answers
        assert local_cognito.calls["GetCredentialsForIdentity"] == calls
        clock.offset = 100  # due on the Auth's clock
        assert caller_arn(session, local_cognito.url) == assumed_role_arn(AUTH_ROLE_ARN)
        second = session.get_credentials().get_frozen_credentials().access_key
    assert second != first
    assert local_cognito.calls["GetCredentialsForIdentity"] == calls + 1


def test_credential_process_profile_reaches_the_same_role(
    local_cognito: Any,
    make_app: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    app: App = make_app()
    with Auth(app.config) as auth:
        auth.sign_up("hopper", PASSWORD, attributes={"email": "hopper@example.com"})
        items = [i for i in local_cognito.outbox("hopper") if i["user_pool_id"] == app.pool.pool_id]
        auth.confirm_sign_up("hopper", str(items[-1]["code"]))
    # Sign in the way a user would: the CLI, password on stdin.
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["auth", "sign-in", "hopper", "--password-stdin", "--config", str(app.path)]) == 0
    capsys.readouterr()

    command = Path(sys.executable).with_name("pyamplify")
    assert command.exists(), "the venv's pyamplify script is missing; run scripts/setup.sh"
    config_file = tmp_path / "aws-config"
    config_file.write_text(
        "[profile cognito-app]\n"
        f"credential_process = {command} auth credentials --format process --config {app.path}\n"
        "region = us-east-1\n"
    )
    (tmp_path / "aws-credentials").write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config_file))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)

    session = boto3.Session(profile_name="cognito-app")
    assert session.get_credentials().method == "custom-process"
    assert caller_arn(session, local_cognito.url) == assumed_role_arn(AUTH_ROLE_ARN)
    calls = local_cognito.calls["GetCredentialsForIdentity"]
    again = boto3.Session(profile_name="cognito-app")  # a new process run: the cache answers
    assert caller_arn(again, local_cognito.url) == assumed_role_arn(AUTH_ROLE_ARN)
    assert local_cognito.calls["GetCredentialsForIdentity"] == calls


def test_user_pool_only_config_and_missing_boto3_are_clear_errors(
    local_cognito: Any, monkeypatch: pytest.MonkeyPatch, make_app: Any
) -> None:
    pool = provision_pool(local_cognito.url, name="aws-no-identity")
    with (
        Auth(pool.config) as auth,
        pytest.raises(NoIdentityPoolError, match="no identity pool"),
    ):
        auth.boto3_session()
    app: App = make_app()
    monkeypatch.setitem(sys.modules, "boto3", None)
    with (
        Auth(app.config) as auth,
        pytest.raises(MissingDependencyError, match=r"pip install 'pyamplify\[boto3\]'"),
    ):
        auth.boto3_session()
