"""``pyamplify auth ...`` against a local Cognito: in-process for speed, and in separate processes
where the point is that the session outlives the process (sign-in here, whoami there)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from pyamplify.config import write_config
from pyamplify.local.testing import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY, provision_pool
from pyamplify.wire.call import idp
from pyamplify.wire.sigv4 import AwsCredentials
from pyamplify.wire.transport import Signer, SyncTransport

from .helpers import run, run_process

pytestmark = pytest.mark.e2e

PASSWORD = "Corr3ct-Horse-Battery"


@pytest.fixture
def config_file(cognito: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh pool (with a client secret) written to a config file; stores under tmp_path."""
    monkeypatch.setenv("PYAMPLIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYAMPLIFY_STORE", "file")
    pool = provision_pool(cognito.url, name=f"cli-{tmp_path.name}", client_secret=True)
    path = tmp_path / "amplifyconfiguration.json"
    write_config(pool.config, path, include_secret=True)
    return path


def _latest_code(cognito: Any, config: Path, username: str) -> str:
    from pyamplify.config import load_config

    pool_id = load_config(config).user_pool.pool_id  # type: ignore[union-attr]
    items = [i for i in cognito.outbox(username) if i["user_pool_id"] == pool_id]
    return str(items[-1]["code"])


def _sign_up(monkeypatch: Any, capsys: Any, cognito: Any, config: Path, user: str) -> None:
    code, out, _ = run(
        monkeypatch,
        capsys,
        *("auth", "sign-up", user, "--attribute", f"email={user}@example.com"),
        *("--password-stdin", "--config", str(config)),
        stdin=PASSWORD + "\n",
    )
    assert code == 0, out
    code, _, _ = run(
        monkeypatch,
        capsys,
        *("auth", "confirm-sign-up", user, _latest_code(cognito, config, user)),
        *("--config", str(config)),
    )
    assert code == 0


def test_sign_up_resend_confirm(
    cognito: Any, config_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    cfg = ("--config", str(config_file))
    code, out, _ = run(
        monkeypatch,
        capsys,
        *("auth", "sign-up", "grace", "--attribute", "email=grace@example.com"),
        *("--password-stdin", "--json", *cfg),
        stdin=PASSWORD + "\n",
    )
    assert code == 0
    document = json.loads(out)
    assert document["is_sign_up_complete"] is False
    assert document["next_step"]["sign_up_step"] == "CONFIRM_SIGN_UP"
    assert document["next_step"]["code_delivery_details"]["delivery_medium"] == "EMAIL"
    code, out, _ = run(monkeypatch, capsys, "auth", "resend-code", "grace", *cfg)
    assert code == 0 and "code was sent by email" in out
    code, out, err = run(monkeypatch, capsys, "auth", "confirm-sign-up", "grace", "000000", *cfg)
    if _latest_code(cognito, config_file, "grace") != "000000":
        assert code == 1 and "CodeMismatchException" in err
    code, out, _ = run(
        monkeypatch,
        capsys,
        *("auth", "confirm-sign-up", "grace", _latest_code(cognito, config_file, "grace"), *cfg),
    )
    assert code == 0 and "Confirmed grace" in out


def test_sign_in_here_whoami_there_sign_out_clears_it(
    cognito: Any, config_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    _sign_up(monkeypatch, capsys, cognito, config_file, "alan")
    cfg = ("--config", str(config_file))
    signed_in = run_process("auth", "sign-in", "alan", "--password-stdin", *cfg, stdin=PASSWORD)
    assert signed_in.returncode == 0, signed_in.stderr
    assert "Signed in as alan" in signed_in.stdout
    assert PASSWORD not in signed_in.stdout + signed_in.stderr

    whoami = run_process("auth", "whoami", "--json", *cfg)
    assert whoami.returncode == 0, whoami.stderr
    document = json.loads(whoami.stdout)
    assert document["username"] == "alan"
    assert document["email"] == "alan@example.com"
    assert document["auth_flow_type"] == "USER_SRP_AUTH"

    token = run_process("auth", "tokens", "--id", *cfg)
    assert token.returncode == 0 and token.stdout.strip().count(".") == 2
    tokens = run_process("auth", "tokens", "--json", *cfg)
    assert set(json.loads(tokens.stdout)) == {
        "id_token",
        "access_token",
        "refresh_token",
        "expires_at",
    }

    signed_out = run_process("auth", "sign-out", *cfg)
    assert signed_out.returncode == 0, signed_out.stderr
    assert "Signed out alan." in signed_out.stdout
    after = run_process("auth", "whoami", "--json", *cfg)
    assert after.returncode == 1
    error = json.loads(after.stdout)["error"]
    assert error["code"] == "SignedOutError" and "not signed in" in error["message"]
    assert error["fix"] == f"pyamplify auth sign-in --profile default --config {config_file}"
    assert "not signed in" in after.stderr


def test_wrong_password_exits_1_with_cognitos_message(
    cognito: Any, config_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    _sign_up(monkeypatch, capsys, cognito, config_file, "ken")
    code, _, err = run(
        monkeypatch,
        capsys,
        *("auth", "sign-in", "ken", "--password-stdin", "--config", str(config_file)),
        stdin="wrong-password\n",
    )
    assert code == 1
    assert "NotAuthorizedException: Incorrect username or password." in err
    assert "wrong-password" not in err


def test_without_a_terminal_the_password_needs_password_stdin(
    config_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    code, _, err = run(
        monkeypatch, capsys, "auth", "sign-in", "ken", "--config", str(config_file), stdin="x\n"
    )
    assert code == 2 and "--password-stdin" in err


def test_usage_errors_exit_2(config_file: Path, monkeypatch: Any, capsys: Any) -> None:
    assert run(monkeypatch, capsys, "auth")[0] == 2
    code, _, err = run(
        monkeypatch,
        capsys,
        *("auth", "sign-up", "u", "--attribute", "no-equals-sign", "--password-stdin"),
        *("--config", str(config_file)),
        stdin="p\n",
    )
    assert code == 2 and "NAME=VALUE" in err
    assert run(monkeypatch, capsys, "auth", "tokens", "--id", "--access")[0] == 2
    # Passwords are never options on the command line.
    assert run(monkeypatch, capsys, "auth", "sign-in", "u", "--password", "p")[0] == 2


def test_unconfirmed_user_is_told_how_to_confirm(
    cognito: Any, config_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    cfg = ("--config", str(config_file))
    run(
        monkeypatch,
        capsys,
        *("auth", "sign-up", "bob", "--attribute", "email=bob@example.com", "--password-stdin"),
        *cfg,
        stdin=PASSWORD + "\n",
    )
    code, out, err = run(
        monkeypatch,
        capsys,
        *("auth", "sign-in", "bob", "--password-stdin", "--json", *cfg),
        stdin=PASSWORD + "\n",
    )
    assert code == 1
    error = json.loads(out)["error"]
    assert error["code"] == "UserNotConfirmedException"
    assert error["next_step"]["sign_in_step"] == "CONFIRM_SIGN_UP"
    assert error["fix"].startswith("pyamplify auth confirm-sign-up bob CODE")
    assert "pyamplify auth confirm-sign-up bob CODE" in err


def test_new_password_required_answered_from_stdin(
    cognito: Any, config_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    from pyamplify.config import load_config

    pool_id = load_config(config_file).user_pool.pool_id  # type: ignore[union-attr]
    admin = SyncTransport(
        cognito.url, signer=Signer(AwsCredentials(LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY), "us-east-1")
    )
    admin.send(
        idp(
            "AdminCreateUser",
            {
                "UserPoolId": pool_id,
                "Username": "margaret",
                "TemporaryPassword": "Temp-Passw0rd!",
                "MessageAction": "SUPPRESS",
            },
        )
    )
    admin.close()
    cfg = ("--config", str(config_file))
    code, out, err = run(
        monkeypatch,
        capsys,
        *("auth", "sign-in", "--password-stdin", "--json", *cfg),
        stdin="margaret\nTemp-Passw0rd!\nBrand-New-Passw0rd!\n",
    )
    assert code == 0, err
    assert json.loads(out)["username"] == "margaret"
    assert "A new password is required." in err
    code, out, _ = run(monkeypatch, capsys, "auth", "whoami", *cfg)
    assert code == 0 and out.startswith("margaret")


def test_profiles_keep_separate_sessions(
    cognito: Any, config_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    cfg = ("--config", str(config_file))
    for user in ("ada", "linus"):
        _sign_up(monkeypatch, capsys, cognito, config_file, user)
        code, _, err = run(
            monkeypatch,
            capsys,
            *("auth", "sign-in", user, "--password-stdin", "--profile", user, *cfg),
            stdin=PASSWORD + "\n",
        )
        assert code == 0, err
    for user in ("ada", "linus"):
        code, out, _ = run(monkeypatch, capsys, "auth", "whoami", "--json", "--profile", user, *cfg)
        assert code == 0 and json.loads(out)["username"] == user
    code, _, err = run(
        monkeypatch,
        capsys,
        *("auth", "sign-in", "ada", "--password-stdin", "--profile", "ada", *cfg),
        stdin=PASSWORD + "\n",
    )
    assert code == 1 and "already signed in" in err
    code, out, _ = run(
        monkeypatch, capsys, "auth", "sign-out", "--global", "--profile", "ada", *cfg
    )
    assert code == 0
    assert run(monkeypatch, capsys, "auth", "whoami", "--profile", "ada", *cfg)[0] == 1
    assert run(monkeypatch, capsys, "auth", "whoami", "--profile", "linus", *cfg)[0] == 0


def test_interactive_sign_in_prompts_without_echo(
    cognito: Any, config_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    pexpect = pytest.importorskip("pexpect")
    _sign_up(monkeypatch, capsys, cognito, config_file, "dennis")
    child = pexpect.spawn(
        sys.executable,
        ["-m", "pyamplify", "auth", "sign-in", "--config", str(config_file)],
        env=dict(os.environ),
        encoding="utf-8",
        timeout=30,
    )
    child.expect("Username: ")
    child.sendline("dennis")
    child.expect("Password: ")
    child.sendline(PASSWORD)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    assert "Signed in as dennis" in child.before
    assert PASSWORD not in child.before  # the terminal never echoed it
    assert run(monkeypatch, capsys, "auth", "whoami", "--config", str(config_file))[0] == 0


@pytest.mark.parametrize(
    "words",
    [
        ("--password", "Hunter2-Secret"),
        ("--password=Hunter2-Secret",),
        ("-pHunter2-Secret",),
        ("--pass=Hunter2-Secret",),  # an abbreviation argparse would call ambiguous, quoting it
        ("Hunter2-Secret",),  # the password typed where nothing asks for it
        ("--password-stdin", "Hunter2-Secret"),
    ],
)
def test_a_password_on_the_command_line_is_refused_without_being_repeated(
    words: tuple[str, ...], monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    code, out, err = run(monkeypatch, capsys, "auth", "sign-in", "ken", *words)
    assert code == 2
    assert "Hunter2-Secret" not in out + err
    assert "--password-stdin" in err


def test_other_commands_still_name_their_unrecognized_arguments(
    monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    code, _, err = run(monkeypatch, capsys, "config", "check", "--no-such-option")
    assert code == 2 and "unrecognized arguments: --no-such-option" in err
