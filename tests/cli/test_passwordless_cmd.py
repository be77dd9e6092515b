"""``pyamplify auth sign-in --passwordless email|sms|passkey``, the first-factor choice, and
``pyamplify auth passkeys add|list|delete`` against a local Cognito.

The commands run in this process with a scripted stdin whose lines are read when the command
asks: a one-time code line is the newest code in the local outbox at that moment. The passkey
authenticator is the software CTAP2 key of ``tests/passkey_device.py``, put where the command
looks for the machine's security key.
"""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from passkey_device import SoftAuthenticator
from pyamplify.auth import passkey_sign_in
from pyamplify.auth.passkeys import Fido2Authenticator
from pyamplify.cli.main import main
from pyamplify.config import write_config
from pyamplify.local.testing import LocalAdmin, provision_pool, provision_user

pytestmark = pytest.mark.e2e

PASSWORD = "Correct-Horse-9-battery"
RP_ID = "passkeys.example.com"


class ScriptedStdin:
    """stdin for a command: each line is a string, or a function called when it is read."""

    def __init__(self, *lines: str | Callable[[], str]) -> None:
        self.lines = list(lines)

    def readline(self) -> str:
        if not self.lines:
            return ""
        line = self.lines.pop(0)
        return (line() if callable(line) else line) + "\n"

    def isatty(self) -> bool:
        return False


def _run(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *argv: str,
    stdin: ScriptedStdin | None = None,
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", stdin or ScriptedStdin())
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def setup(
    cognito: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, str, Callable[[], str]]:
    """A USER_AUTH pool with every first factor, its config file, a user with e-mail and
    phone, and a function giving the user's newest code."""
    monkeypatch.setenv("PYAMPLIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYAMPLIFY_STORE", "file")
    sms = {"SnsCallerArn": "arn:aws:iam::123456789012:role/CognitoSms"}
    factors = ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"]
    pool = provision_pool(
        cognito.url,
        name=f"pl-{secrets.token_hex(3)}",
        extra_pool={
            "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": factors}},
            "SmsConfiguration": sms,
        },
        extra_client={
            "ExplicitAuthFlows": [
                "ALLOW_USER_AUTH",
                "ALLOW_USER_SRP_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH",
            ]
        },
    )
    with LocalAdmin(cognito.url) as admin:
        admin.send(
            "SetUserPoolMfaConfig",
            {"UserPoolId": pool.pool_id, "WebAuthnConfiguration": {"RelyingPartyId": RP_ID}},
        )
    user = f"u{secrets.token_hex(3)}"
    attributes = {"email": f"{user}@example.com", "phone_number": "+15555550123"}
    provision_user(cognito.url, pool, user, PASSWORD, attributes)
    path = tmp_path / "amplifyconfiguration.json"
    write_config(pool.config, path)

    def code() -> str:
        items = [i for i in cognito.outbox(user) if i["user_pool_id"] == pool.pool_id]
        return str(items[-1]["code"])

    return path, user, code


@pytest.mark.parametrize(("way", "medium"), [("email", "EMAIL"), ("sms", "SMS")])
def test_passwordless_sign_in_with_a_code(
    setup: tuple[Path, str, Callable[[], str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    way: str,
    medium: str,
) -> None:
    path, user, code = setup
    exit_code, out, err = _run(
        monkeypatch,
        capsys,
        "auth",
        "sign-in",
        user,
        "--passwordless",
        way,
        "--config",
        str(path),
        "--json",
        stdin=ScriptedStdin(code),
    )
    assert exit_code == 0, err
    document = json.loads(out)
    assert document["is_signed_in"] and document["username"] == user
    assert "code" in err.lower() and "Password" not in err


def test_the_first_factor_is_chosen_at_the_prompt(
    setup: tuple[Path, str, Callable[[], str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, user, _code = setup
    exit_code, out, err = _run(
        monkeypatch,
        capsys,
        "auth",
        "sign-in",
        user,
        "--flow",
        "USER_AUTH",
        "--password-stdin",
        "--config",
        str(path),
        stdin=ScriptedStdin("PASSWORD_SRP", PASSWORD),
    )
    assert exit_code == 0, err
    assert "Sign in with (PASSWORD/PASSWORD_SRP/EMAIL_OTP/SMS_OTP)" in err
    assert f"Signed in as {user}" in out


def test_passkeys_add_list_sign_in_and_delete(
    setup: tuple[Path, str, Callable[[], str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, user, _code = setup
    key = Fido2Authenticator(SoftAuthenticator())
    # "The machine's security key": registration and sign-in both ask passkey_sign_in for it.
    monkeypatch.setattr(passkey_sign_in, "default_authenticator", lambda *others: key)
    config = ("--config", str(path))
    signed = _run(
        monkeypatch,
        capsys,
        "auth",
        "sign-in",
        user,
        "--password-stdin",
        *config,
        stdin=ScriptedStdin(PASSWORD),
    )
    assert signed[0] == 0, signed[2]
    added = _run(monkeypatch, capsys, "auth", "passkeys", "add", *config, "--json")
    assert added[0] == 0, added[2]
    (new,) = json.loads(added[1])["added"]
    assert new["relying_party_id"] == RP_ID
    listed = _run(monkeypatch, capsys, "auth", "passkeys", "list", *config)
    assert new["credential_id"] in listed[1]
    assert _run(monkeypatch, capsys, "auth", "sign-out", *config)[0] == 0

    passkey = _run(
        monkeypatch, capsys, "auth", "sign-in", user, "--passwordless", "passkey", *config
    )
    assert passkey[0] == 0, passkey[2]
    assert f"Signed in as {user}" in passkey[1]

    deleted = _run(monkeypatch, capsys, "auth", "passkeys", "delete", new["credential_id"], *config)
    assert deleted[0] == 0, deleted[2]
    assert "No passkeys." in _run(monkeypatch, capsys, "auth", "passkeys", "list", *config)[1]


def test_passwordless_does_not_mix_with_another_flow(
    setup: tuple[Path, str, Callable[[], str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path, user, _code = setup
    exit_code, _out, err = _run(
        monkeypatch,
        capsys,
        "auth",
        "sign-in",
        user,
        "--passwordless",
        "email",
        "--flow",
        "USER_SRP_AUTH",
        "--config",
        str(path),
    )
    assert exit_code == 2 and "--passwordless" in err
