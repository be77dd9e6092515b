"""``pyamplify auth sign-in`` with MFA against a local Cognito: a TOTP code read as a stdin line,
and TOTP setup during sign-in, which shows the secret key only on a terminal."""

from __future__ import annotations

import json
import re
import secrets
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pyamplify.auth import Auth
from pyamplify.cli.main import main
from pyamplify.config import AuthConfig, write_config
from pyamplify.local.idp import totp
from pyamplify.local.testing import provision_pool
from pyamplify.storage import MemoryStore

from .helpers import run

pytestmark = pytest.mark.e2e

PASSWORD = "Corr3ct-Horse-Battery"


@pytest.fixture
def mfa_config(
    cognito: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_boto3_client: Any
) -> Callable[[str], tuple[AuthConfig, Path, str]]:
    """``mfa_config(mode)``: a TOTP pool in ``mode``, its config file and a confirmed user."""
    monkeypatch.setenv("PYAMPLIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYAMPLIFY_STORE", "file")
    admin = make_boto3_client("cognito-idp", cognito.url)

    def make(mode: str) -> tuple[AuthConfig, Path, str]:
        pool = provision_pool(cognito.url, name=f"cli-mfa-{secrets.token_hex(3)}")
        pool_id = pool.config.user_pool.pool_id
        admin.set_user_pool_mfa_config(
            UserPoolId=pool_id,
            MfaConfiguration=mode,
            SoftwareTokenMfaConfiguration={"Enabled": True},
        )
        user = f"u-{secrets.token_hex(3)}"
        admin.admin_create_user(UserPoolId=pool_id, Username=user, MessageAction="SUPPRESS")
        admin.admin_set_user_password(
            UserPoolId=pool_id, Username=user, Password=PASSWORD, Permanent=True
        )
        path = tmp_path / f"{user}.json"
        write_config(pool.config, path)
        return pool.config, path, user

    return make


class LazyStdin:
    """stdin whose lines are computed when read (a code depends on what was shown before)."""

    def __init__(self, *lines: Callable[[], str]) -> None:
        self._lines: Iterator[Callable[[], str]] = iter(lines)

    def readline(self) -> str:
        line = next(self._lines, None)
        return "" if line is None else line() + "\n"

    def isatty(self) -> bool:
        return False


def test_sign_in_answers_a_totp_challenge_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, mfa_config: Any
) -> None:
    config, path, user = mfa_config("OPTIONAL")
    with Auth(config, store=MemoryStore()) as auth:  # enrol the user's app beforehand
        auth.sign_in(user, PASSWORD)
        secret = auth.set_up_totp().shared_secret
        auth.verify_totp_setup(totp.code_at(secret, time.time()))
    # The next step's code (inside the server's window): the setup's code is used up.
    stdin = f"{PASSWORD}\n{totp.code_at(secret, time.time() + totp.STEP_SECONDS)}\n"
    code, out, err = run(
        monkeypatch,
        capsys,
        *("auth", "sign-in", user, "--password-stdin", "--json", "--config", str(path)),
        stdin=stdin,
    )
    assert code == 0, err
    document = json.loads(out)
    assert document["is_signed_in"] and document["username"] == user


def test_totp_setup_needs_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, mfa_config: Any
) -> None:
    _, path, user = mfa_config("ON")
    code, out, err = run(
        monkeypatch,
        capsys,
        *("auth", "sign-in", user, "--password-stdin", "--config", str(path)),
        stdin=f"{PASSWORD}\n",
    )
    assert code == 2
    assert "terminal" in err and "otpauth" not in err + out


def test_totp_setup_on_a_terminal_shows_the_key_and_takes_the_code(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, mfa_config: Any
) -> None:
    _, path, user = mfa_config("ON")
    shown: list[str] = []

    def code_for_the_shown_key() -> str:
        shown.append(capsys.readouterr().err)
        key = re.search(r"key: (\S+)", shown[-1])
        assert key is not None, shown[-1]
        return totp.code_at(key.group(1), time.time())

    monkeypatch.setattr(sys, "stdin", LazyStdin(lambda: PASSWORD, code_for_the_shown_key))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    code = main(["auth", "sign-in", user, "--password-stdin", "--json", "--config", str(path)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert f"otpauth://totp/{path.parent.name}:{user}?" in shown[0]  # issuer: the app folder
    key = re.search(r"key: (\S+)", shown[0])
    assert key is not None and key.group(1) not in captured.out
    assert json.loads(captured.out)["is_signed_in"]
