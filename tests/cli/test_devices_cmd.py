"""``pyamplify auth devices list | remember | forget`` against a local Cognito, in-process from
scripts (stdin lines, ``--json``): a device-tracking pool with e-mail MFA, whose second sign-in
from the same profile asks for no code."""

from __future__ import annotations

import json
import secrets
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pyamplify.cli.main import main
from pyamplify.config import write_config
from pyamplify.local.testing import provision_pool

from .helpers import run

pytestmark = pytest.mark.e2e

PASSWORD = "Corr3ct-Horse-Battery"


class LazyStdin:
    """stdin whose lines are computed when read (the MFA code exists only once it was sent)."""

    def __init__(self, *lines: Callable[[], str]) -> None:
        self._lines: Iterator[Callable[[], str]] = iter(lines)

    def readline(self) -> str:
        line = next(self._lines, None)
        return "" if line is None else line() + "\n"

    def isatty(self) -> bool:
        return False


@pytest.fixture
def device_user(
    cognito: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_boto3_client: Any
) -> tuple[Path, str]:
    """A pool that tracks devices and requires e-mail MFA, its config file, and a user."""
    monkeypatch.setenv("PYAMPLIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYAMPLIFY_STORE", "file")
    admin = make_boto3_client("cognito-idp", cognito.url)
    tracking = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}
    pool = provision_pool(
        cognito.url,
        name=f"cli-devices-{secrets.token_hex(3)}",
        client_secret=True,
        extra_pool={"DeviceConfiguration": tracking},
    )
    pool_id = pool.config.user_pool.pool_id
    admin.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="ON",
        EmailMfaConfiguration={"Message": "Code {####}", "Subject": "Code"},
    )
    user = f"u-{secrets.token_hex(3)}"
    admin.admin_create_user(
        UserPoolId=pool_id,
        Username=user,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": f"{user}@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    admin.admin_set_user_password(
        UserPoolId=pool_id, Username=user, Password=PASSWORD, Permanent=True
    )
    path = tmp_path / "amplifyconfiguration.json"
    write_config(pool.config, path, include_secret=True)
    return path, user


def test_devices_list_remember_and_forget(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, cognito: Any, device_user: tuple[Path, str]
) -> None:
    path, user = device_user
    config = ("--config", str(path))

    def emailed_code() -> str:
        return str(cognito.outbox(user)[-1]["code"])

    monkeypatch.setattr(sys, "stdin", LazyStdin(lambda: PASSWORD, emailed_code))
    assert main(["auth", "sign-in", user, "--password-stdin", "--json", *config]) == 0
    assert json.loads(capsys.readouterr().out)["is_signed_in"]

    code, out, err = run(monkeypatch, capsys, "auth", "devices", "list", "--json", *config)
    assert code == 0, err
    (device,) = json.loads(out)["devices"]
    assert device["this_device"] and device["remembered"] and device["name"]
    code, out, err = run(monkeypatch, capsys, "auth", "devices", "list", *config)
    assert code == 0 and device["id"] in out and "this computer" in out

    assert run(monkeypatch, capsys, "auth", "sign-out", *config)[0] == 0
    codes = len(cognito.outbox(user))
    code, out, err = run(
        monkeypatch,
        capsys,
        *("auth", "sign-in", user, "--password-stdin", "--json", *config),
        stdin=f"{PASSWORD}\n",  # no MFA code: the remembered device proves itself
    )
    assert code == 0, err
    assert json.loads(out)["is_signed_in"] and len(cognito.outbox(user)) == codes

    code, out, err = run(monkeypatch, capsys, "auth", "devices", "remember", "--json", *config)
    assert code == 0, err
    assert json.loads(out) == {"remembered": True, "device_id": device["id"]}

    code, out, err = run(monkeypatch, capsys, "auth", "devices", "forget", *config)
    assert code == 0, err
    assert f"forgot this computer {device['id']}" in out
    code, out, err = run(monkeypatch, capsys, "auth", "devices", "list", *config)
    assert code == 0 and out.strip() == "no devices"
    code, out, err = run(
        monkeypatch, capsys, "auth", "devices", "forget", device["id"], "--json", *config
    )
    assert code == 1 and "Device does not exist." in out + err


def test_devices_need_a_signed_in_user(
    monkeypatch: pytest.MonkeyPatch, capsys: Any, device_user: tuple[Path, str]
) -> None:
    path, _user = device_user
    code, _out, err = run(monkeypatch, capsys, "auth", "devices", "list", "--config", str(path))
    assert code != 0 and "sign in" in err
