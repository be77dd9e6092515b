"""``pyamplify auth mfa …`` against a local Cognito: TOTP setup on a real terminal, whose QR code
is read back from the screen and decoded by an independent QR reader (zxing-cpp) to the very
``otpauth://`` URI shown; the two-step script form; status, enable, disable, prefer."""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import stat
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from pyamplify.cli import qr
from pyamplify.config import write_config
from pyamplify.local.idp import totp
from pyamplify.local.testing import provision_pool

from .helpers import run

pytestmark = pytest.mark.e2e

PASSWORD = "Corr3ct-Horse-Battery"


def decode(modules: list[list[bool]]) -> list[str]:
    """Every QR code zxing-cpp finds in ``modules`` (light True), drawn 4 pixels a module."""
    zxingcpp = pytest.importorskip("zxingcpp")
    scale = 4
    height, width = len(modules) * scale, max(len(row) for row in modules) * scale
    pixels = bytearray(b"\x00" * (height * width))
    for y, row in enumerate(modules):
        for x, light in enumerate(row):
            if light:
                for dy in range(scale):
                    start = (y * scale + dy) * width + x * scale
                    pixels[start : start + scale] = b"\xff" * scale
    image = memoryview(bytes(pixels)).cast("B", (height, width))
    return [found.text for found in zxingcpp.read_barcodes(image)]


def test_a_drawn_code_decodes_to_its_uri() -> None:
    uri = "otpauth://totp/My%20App:ada@example.com?secret=JBSWY3DPEHPK3PXP&issuer=My%20App"
    out = io.StringIO()
    qr.draw(uri, out)
    assert decode(qr.modules_from_text(out.getvalue())) == [uri]
    assert decode(qr.modules_from_text(out.getvalue().replace("█", "▀"))) != [uri]  # can fail


@pytest.fixture
def totp_user(
    cognito: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make_boto3_client: Any
) -> tuple[Path, str]:
    """An OPTIONAL-TOTP pool, its config file in an app folder, and a user signed in there."""
    monkeypatch.setenv("PYAMPLIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYAMPLIFY_STORE", "file")
    pool = provision_pool(cognito.url, name=f"mfa-{secrets.token_hex(3)}")
    admin = make_boto3_client("cognito-idp", cognito.url)
    admin.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    user = f"u{secrets.token_hex(3)}"
    admin.admin_create_user(UserPoolId=pool.pool_id, Username=user, MessageAction="SUPPRESS")
    admin.admin_set_user_password(
        UserPoolId=pool.pool_id, Username=user, Password=PASSWORD, Permanent=True
    )
    app = tmp_path / "my-notes-app"
    app.mkdir()
    path = app / "amplifyconfiguration.json"
    write_config(pool.config, path)
    from pyamplify.auth import Auth

    with Auth(path) as auth:
        auth.sign_in(user, PASSWORD)
    return path, user


def _cli(monkeypatch: Any, capsys: Any, path: Path, *argv: str, stdin: str = "") -> Any:
    return run(monkeypatch, capsys, *argv, "--config", str(path), stdin=stdin)


def test_setup_totp_on_a_terminal_shows_a_qr_code_that_scans(
    totp_user: tuple[Path, str], monkeypatch: Any, capsys: Any
) -> None:
    pexpect = pytest.importorskip("pexpect")
    path, user = totp_user
    child = pexpect.spawn(
        sys.executable,
        ["-m", "pyamplify", "auth", "mfa", "setup-totp", "--config", str(path)],
        env=dict(os.environ),
        encoding="utf-8",
        timeout=30,
    )
    child.expect("Code from the app: ")
    screen = str(child.before).replace("\r\n", "\n")
    uri = re.search(r"uri: (\S+)", screen)
    key = re.search(r"key: (\S+)", screen)
    assert uri is not None and key is not None, screen
    assert uri.group(1) == (
        f"otpauth://totp/my-notes-app:{user}?secret={key.group(1)}&issuer=my-notes-app"
    )
    assert decode(qr.modules_from_text(screen)) == [uri.group(1)]  # the QR code scans
    child.sendline(totp.code_at(key.group(1), time.time()))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "TOTP is on and preferred." in str(child.before)
    code, out, err = _cli(monkeypatch, capsys, path, "auth", "mfa", "status", "--json")
    assert code == 0, err
    assert json.loads(out) == {
        "enabled": ["TOTP"],
        "preferred": "TOTP",
        "pool": {"mfa_configuration": None, "mfa_types": []},
    }


def test_setup_totp_from_a_script_in_two_steps(
    totp_user: tuple[Path, str], monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    path, user = totp_user
    code, out, err = _cli(monkeypatch, capsys, path, "auth", "mfa", "setup-totp", "--json")
    assert code == 2 and "terminal" in err and "otpauth" not in out + err  # secret not shown
    assert json.loads(out)["error"]["code"] == "UsageError"

    image = tmp_path / "qr.svg"
    code, out, err = _cli(
        monkeypatch,
        capsys,
        path,
        "auth",
        "mfa",
        "setup-totp",
        "--print-secret",
        "--json",
        "--issuer",
        "Notes & Co",
        "--qr-file",
        str(image),
    )
    assert code == 0, err
    shown = json.loads(out)
    assert shown["verified"] is False
    assert shown["setup_uri"].startswith(f"otpauth://totp/Notes%20%26%20Co:{user}?secret=")
    assert stat.S_IMODE(image.stat().st_mode) == 0o600 and image.read_text().startswith("<?xml")
    secret = shown["shared_secret"]
    code, out, err = _cli(
        monkeypatch,
        capsys,
        path,
        "auth",
        "mfa",
        "setup-totp",
        "--json",
        "--code",
        totp.code_at(secret, time.time()),
    )
    assert code == 0, err
    assert json.loads(out) == {"verified": True, "totp": "PREFERRED"}


def test_enable_disable_prefer(totp_user: tuple[Path, str], monkeypatch: Any, capsys: Any) -> None:
    path, _ = totp_user
    from pyamplify.auth import Auth

    with Auth(path) as auth:  # an authenticator app set up beforehand
        secret = auth.set_up_totp().shared_secret
        auth.verify_totp_setup(totp.code_at(secret, time.time()))

    def mfa(*argv: str, expect: int = 0) -> Any:
        code, out, err = _cli(monkeypatch, capsys, path, "auth", "mfa", *argv, "--json")
        assert code == expect, err
        return json.loads(out)

    assert mfa("disable", "totp") == {"enabled": [], "preferred": None}
    assert mfa("enable", "TOTP") == {"enabled": ["TOTP"], "preferred": None}
    assert mfa("prefer", "totp") == {"enabled": ["TOTP"], "preferred": "TOTP"}
    refused = mfa("prefer", "sms", expect=1)["error"]
    assert refused["code"] == "InvalidParameterException"
    code, _, err = _cli(monkeypatch, capsys, path, "auth", "mfa", "prefer", "carrier-pigeon")
    assert code == 2 and "invalid choice" in err
