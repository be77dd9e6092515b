"""``pyamplify auth reset-password | change-password | attributes | delete-user | profiles`` and
``sign-in --force`` against a local Cognito: from scripts (stdin lines, ``--json``, in-process)
and from a real terminal (pexpect), where a user told to reset their password at sign-in resets
it and is signed in."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from pyamplify.config import load_config, write_config
from pyamplify.local.testing import provision_pool

from .helpers import run

pytestmark = pytest.mark.e2e

PASSWORD = "Corr3ct-Horse-Battery"
NEW_PASSWORD = "Brand-New-Passw0rd!"


@pytest.fixture
def config_file(cognito: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh pool whose app client has a secret, written to a config file."""
    monkeypatch.setenv("PYAMPLIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYAMPLIFY_STORE", "file")
    pool = provision_pool(cognito.url, name=f"acct-{tmp_path.name}"[:60], client_secret=True)
    path = tmp_path / "amplifyconfiguration.json"
    write_config(pool.config, path, include_secret=True)
    return path


def _pool_id(config: Path) -> str:
    pool = load_config(config).user_pool
    assert pool is not None
    return pool.pool_id


def _latest_code(cognito: Any, config: Path, username: str) -> str:
    items = [i for i in cognito.outbox(username) if i["user_pool_id"] == _pool_id(config)]
    return str(items[-1]["code"])


class Cli:
    """``pyamplify`` in this process with one config file."""

    def __init__(self, monkeypatch: Any, capsys: Any, config: Path) -> None:
        self.monkeypatch, self.capsys, self.config = monkeypatch, capsys, config

    def __call__(self, *argv: str, stdin: str = "") -> tuple[int, str, str]:
        return run(self.monkeypatch, self.capsys, *argv, "--config", str(self.config), stdin=stdin)

    def json(self, *argv: str, stdin: str = "", code: int = 0) -> Any:
        status, out, err = self(*argv, "--json", stdin=stdin)
        assert status == code, err
        return json.loads(out)


@pytest.fixture
def cli(monkeypatch: Any, capsys: Any, config_file: Path) -> Cli:
    return Cli(monkeypatch, capsys, config_file)


def _registered(cli: Cli, cognito: Any, user: str, *, sign_in: bool = True) -> None:
    status, _, err = cli(
        "auth",
        "sign-up",
        user,
        "--attribute",
        f"email={user}@example.com",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert status == 0, err
    assert cli("auth", "confirm-sign-up", user, _latest_code(cognito, cli.config, user))[0] == 0
    if sign_in:
        status, _, err = cli("auth", "sign-in", user, "--password-stdin", stdin=PASSWORD + "\n")
        assert status == 0, err


def _spawn(config: Path, *argv: str) -> Any:
    pexpect = pytest.importorskip("pexpect")
    return pexpect.spawn(
        sys.executable,
        ["-m", "pyamplify", *argv, "--config", str(config)],
        env=dict(os.environ),
        encoding="utf-8",
        timeout=30,
    )


def _finish(child: Any) -> str:
    import pexpect

    child.expect(pexpect.EOF)
    child.close()
    output = str(child.before)
    assert child.exitstatus == 0, output
    return output


# ---------------------------------------------------------------------- reset-password


def test_reset_password_from_a_script_in_two_steps(cli: Cli, cognito: Any) -> None:
    _registered(cli, cognito, "ada", sign_in=False)
    sent = cli.json("auth", "reset-password", "ada", "--send-code")
    step = sent["next_step"]
    assert step["reset_password_step"] == "CONFIRM_RESET_PASSWORD_WITH_CODE"
    assert step["code_delivery_details"]["delivery_medium"] == "EMAIL"
    code = _latest_code(cognito, cli.config, "ada")

    wrong = cli.json(
        "auth",
        "reset-password",
        "ada",
        "--code",
        "000000",
        "--password-stdin",
        stdin=NEW_PASSWORD + "\n",
        code=1,
    )
    assert wrong["error"]["code"] == "CodeMismatchException"
    assert wrong["error"]["fix"] == "check the code, or ask for a new one"
    done = cli.json(
        "auth",
        "reset-password",
        "ada",
        "--code",
        code,
        "--password-stdin",
        stdin=NEW_PASSWORD + "\n",
    )
    assert done["is_password_reset"] is True
    assert done["next_step"]["reset_password_step"] == "DONE"
    assert cli("auth", "sign-in", "ada", "--password-stdin", stdin=NEW_PASSWORD + "\n")[0] == 0


def test_reset_password_on_a_terminal(cli: Cli, cognito: Any, config_file: Path) -> None:
    _registered(cli, cognito, "joan", sign_in=False)
    child = _spawn(config_file, "auth", "reset-password", "joan")
    child.expect(r"A code was sent by email to \S+\. Code: ")
    child.sendline(_latest_code(cognito, config_file, "joan"))
    child.expect("New password: ")
    child.sendline(NEW_PASSWORD)
    child.expect("Repeat the new password: ")
    child.sendline(NEW_PASSWORD)
    output = _finish(child)
    assert "Password reset for joan." in output and NEW_PASSWORD not in output
    assert cli("auth", "sign-in", "joan", "--password-stdin", stdin=NEW_PASSWORD + "\n")[0] == 0


def test_reset_required_at_sign_in_is_reset_on_the_terminal(
    cli: Cli, cognito: Any, config_file: Path, make_boto3_client: Any
) -> None:
    _registered(cli, cognito, "grace", sign_in=False)
    admin = make_boto3_client("cognito-idp", cognito.url)
    admin.admin_reset_user_password(UserPoolId=_pool_id(config_file), Username="grace")
    # A script is told what to run.
    error = cli.json("auth", "sign-in", "grace", "--password-stdin", stdin=PASSWORD + "\n", code=1)[
        "error"
    ]
    assert error["code"] == "PasswordResetRequiredException"
    assert error["fix"] == "pyamplify auth reset-password grace"
    # A person is offered the reset, and signed in with the new password.
    child = _spawn(config_file, "auth", "sign-in", "grace")
    child.expect("Password: ")
    child.sendline(PASSWORD)
    child.expect(r"must reset their password. Reset it now\? \[Y/n\] ")
    child.sendline("")
    child.expect("Code: ")
    child.sendline(_latest_code(cognito, config_file, "grace"))
    child.expect("New password: ")
    child.sendline(NEW_PASSWORD)
    child.expect("Repeat the new password: ")
    child.sendline(NEW_PASSWORD)
    output = _finish(child)
    assert "Signed in as grace" in output and NEW_PASSWORD not in output
    assert cli("auth", "whoami")[0] == 0


# ---------------------------------------------------------------------- change-password


def test_change_password_from_stdin_and_on_a_terminal(
    cli: Cli, cognito: Any, config_file: Path
) -> None:
    _registered(cli, cognito, "linus")
    changed = cli.json(
        "auth", "change-password", "--password-stdin", stdin=f"{PASSWORD}\n{NEW_PASSWORD}\n"
    )
    assert changed == {"password_changed": True, "username": "linus"}
    wrong = cli.json(
        "auth", "change-password", "--password-stdin", stdin=f"{PASSWORD}\n{PASSWORD}\n", code=1
    )
    assert wrong["error"]["code"] == "NotAuthorizedException"

    child = _spawn(config_file, "auth", "change-password")
    child.expect("Current password: ")
    child.sendline(NEW_PASSWORD)
    child.expect("New password: ")
    child.sendline(PASSWORD)
    child.expect("Repeat the new password: ")
    child.sendline(PASSWORD)
    assert "Password changed for linus." in _finish(child)
    assert cli("auth", "sign-out")[0] == 0
    assert cli("auth", "sign-in", "linus", "--password-stdin", stdin=PASSWORD + "\n")[0] == 0


def test_change_password_needs_a_signed_in_user(cli: Cli) -> None:
    error = cli.json("auth", "change-password", "--password-stdin", stdin="a\nb\n", code=1)
    assert error["error"]["code"] == "SignedOutError"
    assert error["error"]["fix"].startswith("pyamplify auth sign-in --profile default")


# ---------------------------------------------------------------------- attributes


def test_attributes_show_set_verify_delete_as_a_script(cli: Cli, cognito: Any) -> None:
    _registered(cli, cognito, "hedy")
    shown = cli.json("auth", "attributes")
    assert shown["username"] == "hedy"
    assert shown["attributes"]["email"] == "hedy@example.com"
    assert cli.json("auth", "attributes", "show")["attributes"] == shown["attributes"]

    result = cli.json("auth", "attributes", "set", "given_name=Hedy", "email=hedy@new.example.com")
    assert result["given_name"] == {
        "is_updated": True,
        "next_step": {"update_attribute_step": "DONE", "code_delivery_details": None},
    }
    email = result["email"]
    assert email["is_updated"] is False
    assert email["next_step"]["update_attribute_step"] == "CONFIRM_ATTRIBUTE_WITH_CODE"
    assert email["next_step"]["code_delivery_details"]["attribute_name"] == "email"
    code = _latest_code(cognito, cli.config, "hedy")
    assert cli.json("auth", "attributes", "verify", "email", code) == {
        "attribute": "email",
        "verified": True,
    }
    assert cli.json("auth", "attributes")["attributes"]["email_verified"] == "true"

    resent = cli.json("auth", "attributes", "verify", "email", "--send-code")
    assert resent["code_delivery_details"]["delivery_medium"] == "EMAIL"
    status, _, _ = cli(
        "auth", "attributes", "verify", "email", stdin=_latest_code(cognito, cli.config, "hedy")
    )
    assert status == 1  # a new code was sent, so the one read from stdin is the old one
    deleted = cli.json("auth", "attributes", "delete", "given_name")
    assert deleted == {"deleted": ["given_name"]}
    assert "given_name" not in cli.json("auth", "attributes")["attributes"]
    bad = cli.json("auth", "attributes", "set", "no-equals", code=2)
    assert bad["error"]["code"] == "UsageError" and "KEY=VALUE" in bad["error"]["message"]


def test_attribute_options_before_the_subcommand_are_kept(
    cli: Cli, cognito: Any, monkeypatch: Any, capsys: Any
) -> None:
    _registered(cli, cognito, "barbara")
    status, out, err = run(
        monkeypatch,
        capsys,
        "auth",
        "attributes",
        "--config",
        str(cli.config),
        "--json",
        "set",
        "given_name=Barbara",
    )
    assert status == 0, err
    assert json.loads(out)["given_name"]["is_updated"] is True


def test_attributes_set_on_a_terminal_takes_the_code_at_once(
    cli: Cli, cognito: Any, config_file: Path
) -> None:
    _registered(cli, cognito, "katherine")
    child = _spawn(config_file, "auth", "attributes", "set", "email=kj@new.example.com")
    child.expect(r"Code for email \(Enter to verify later\): ")
    child.sendline(_latest_code(cognito, config_file, "katherine"))
    assert "email: updated and verified" in _finish(child)
    assert cli.json("auth", "attributes")["attributes"]["email_verified"] == "true"


# ---------------------------------------------------------------------- delete-user


def test_delete_user_asks_for_the_username_or_yes(
    cli: Cli, cognito: Any, config_file: Path
) -> None:
    _registered(cli, cognito, "alan")
    refused = cli.json("auth", "delete-user", code=2)["error"]  # no terminal, no --yes
    assert refused["code"] == "UsageError" and "--yes" in refused["message"]

    child = _spawn(config_file, "auth", "delete-user")
    child.expect("Type the username to confirm: ")
    child.sendline("not-alan")
    child.expect("that is not the username")
    child.expect(pytest.importorskip("pexpect").EOF)
    child.close()
    assert child.exitstatus == 2
    assert cli("auth", "whoami")[0] == 0  # still there

    child = _spawn(config_file, "auth", "delete-user")
    child.expect("Type the username to confirm: ")
    child.sendline("alan")
    assert "Deleted the account of alan." in _finish(child)
    assert cli.json("auth", "whoami", code=1)["error"]["code"] == "SignedOutError"
    status, _, err = cli("auth", "sign-in", "alan", "--password-stdin", stdin=PASSWORD + "\n")
    assert status == 1 and ("UserNotFoundException" in err or "NotAuthorized" in err)

    _registered(cli, cognito, "edsger")
    assert cli.json("auth", "delete-user", "--yes")["deleted"] is True


# ---------------------------------------------------------------------- profiles, --force


def test_profiles_lists_every_stored_session(cli: Cli, cognito: Any, monkeypatch: Any) -> None:
    assert cli.json("auth", "profiles")["profiles"] == []
    _registered(cli, cognito, "ada")
    _registered(cli, cognito, "bob", sign_in=False)
    status, _, err = cli(
        "auth", "sign-in", "bob", "--profile", "work", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert status == 0, err
    listing = cli.json("auth", "profiles")
    assert listing["store"]["kind"] == "file" and listing["store"]["chosen_by"]
    rows = {row["profile"]: row for row in listing["profiles"]}
    assert set(rows) == {"default", "work"}
    assert rows["work"]["login_id"] == "bob" and rows["default"]["username"] == "ada"
    assert rows["work"]["user_pool_id"] == _pool_id(cli.config)
    assert {row["status"] for row in rows.values()} == {"signed in"}
    status, out, _ = cli("auth", "profiles")
    assert status == 0 and "PROFILE" in out and "work" in out and "signed in" in out
    assert out.startswith("Sessions in files in ")
    import time

    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 7200)
    assert {row["status"] for row in cli.json("auth", "profiles")["profiles"]} == {"tokens expired"}


def test_sign_in_force_replaces_the_session(cli: Cli, cognito: Any) -> None:
    _registered(cli, cognito, "ada")
    _registered(cli, cognito, "bob", sign_in=False)
    refused = cli.json("auth", "sign-in", "bob", "--password-stdin", stdin=PASSWORD + "\n", code=1)
    assert refused["error"]["code"] == "AlreadySignedInError"
    status, out, err = cli(
        "auth", "sign-in", "bob", "--force", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert status == 0, err
    assert "Signed out ada (--force)." in err and "Signed in as bob" in out
    assert cli.json("auth", "whoami")["username"] == "bob"


# ---------------------------------------------------------------------- tryout 8


def test_sign_up_says_when_no_code_was_sent(
    cognito: Any, tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    monkeypatch.setenv("PYAMPLIFY_DATA_DIR", str(tmp_path / "data"))
    pool = provision_pool(
        cognito.url, name=f"nocode-{tmp_path.name}"[:60], extra_pool={"AutoVerifiedAttributes": []}
    )
    path = tmp_path / "amplifyconfiguration.json"
    write_config(pool.config, path)
    status, out, _ = run(
        monkeypatch,
        capsys,
        "auth",
        "sign-up",
        "ken",
        "--attribute",
        "email=ken@example.com",
        "--password-stdin",
        "--config",
        str(path),
        stdin=PASSWORD + "\n",
    )
    assert status == 0
    assert "No confirmation code was sent" in out and "administrator must confirm" in out
    assert "code was sent" not in out.replace("No confirmation code was sent", "")
    assert [i for i in cognito.outbox("ken") if i["user_pool_id"] == pool.pool_id] == []
