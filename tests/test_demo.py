"""``pyamplify demo``: the README's main command walks through everything on a local Cognito."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from pyamplify.cli.main import main
from pyamplify.config import load_config
from pyamplify.storage import FileStore

pytest.importorskip("uvicorn")

pytestmark = pytest.mark.e2e


def test_demo_walks_through_every_step_in_seconds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.perf_counter()
    assert main(["demo", "--keep", str(tmp_path)]) == 0
    elapsed = time.perf_counter() - started
    out = capsys.readouterr().out
    for expected in (
        "CreateUserPool       -> us-east-1_",
        "CreateIdentityPool   -> us-east-1:",
        "SetIdentityPoolRoles -> signed in: pyamplify-demo-authenticated, guests: "
        "pyamplify-demo-guest",
        "STS GetCallerIdentity (signed by pyamplify's SigV4): arn:aws:sts::123456789012:"
        "assumed-role/pyamplify-demo-guest/CognitoIdentityCredentials",
        "STS GetCallerIdentity (signed by pyamplify's SigV4): arn:aws:sts::123456789012:"
        "assumed-role/pyamplify-demo-authenticated/CognitoIdentityCredentials",
        "a new identity, not the guest's: True",
        "back to the guest identity: True",
        "next step: CONFIRM_SIGN_UP (code sent by EMAIL to a****@e****)",
        "sign-up complete: True",
        "event: signed_in",
        "signed in: True, next step: DONE",
        "who: ada (sub ",
        "email: ada@example.com",
        "event: token_refresh",
        "new access token: True",
        "sign-out: complete",
        "signed in now: False",
        "the old refresh token is refused: NotAuthorizedException: Refresh Token has been revoked",
        "access key ASIA…, expires at ",
        "next step: CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE: 'What is 6 x 7?'",
        "answer 41 -> CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE (a second try)",
        "answer 42 -> signed in: True",
        "next step: CONFIRM_SIGN_IN_WITH_EMAIL_CODE (sent to h****@e****)",
        "-> signed in: True\n   remembered devices: ",
    ):
        assert expected in out
    assert elapsed < 20, f"the demo took {elapsed:.1f} s"
    # The configuration it wrote is a real Gen 1 file that loads back.
    config_file = tmp_path / "amplifyconfiguration.json"
    document = json.loads(config_file.read_text())
    assert "awsCognitoAuthPlugin" in document["auth"]["plugins"]
    config = load_config(config_file)
    assert config.user_pool is not None and config.identity_pool is not None
    # Signed out: no user session is left behind; the identity-pool record keeps only the
    # guest's identity id (and the credentials it got after sign-out), as Amplify does.
    store = FileStore(tmp_path / "sessions")
    (key,) = store.keys()
    assert key.endswith("/" + config.identity_pool.pool_id)
    record = store.load(key)
    assert record is not None and record["guest_identity_id"] and record["expired_login"] is None
    assert record["current"]["login"] is None


def test_a_local_pool_repr_never_shows_its_client_secret() -> None:
    from pyamplify.config import AuthConfig, UserPoolConfig
    from pyamplify.local.testing import LocalPool

    config = AuthConfig(UserPoolConfig("us-east-1_abc", "client1", "us-east-1", "s3cretvalue99"))
    pool = LocalPool("us-east-1_abc", "client1", "s3cretvalue99", config)
    assert repr(pool) == "LocalPool('us-east-1_abc', 'client1', <client secret>)"
    assert "s3cretvalue99" not in str(pool)
