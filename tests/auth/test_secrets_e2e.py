"""No secret escapes: a whole life cycle against the local Cognito, with a client secret and an
identity pool, while every logger records at DEBUG; then the CLI's commands on the same pool.

The secrets (password, client secret, SECRET_HASH, ID/access/refresh tokens, AWS secret key and
session token) must appear in no log record, in no ``repr``/``str`` of any object the public API
hands back (except ``str(jwt)``, which is the token by design), in no error message, and in no
CLI output except that of ``auth tokens`` / ``auth credentials``, whose job is to print them.
"""

from __future__ import annotations

import io
import json
import logging
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from pyamplify.cli.main import main
from pyamplify.config import write_config
from pyamplify.local.testing import LocalPool, provision_identity_pool
from pyamplify.srp import compute_secret_hash as secret_hash
from pyamplify.wire.errors import NotAuthorizedException

from .conftest import AuthFactory, latest_code, register_user

pytestmark = pytest.mark.e2e

PASSWORD = "Leak-Canary-Passw0rd!"
WRONG_PASSWORD = "Wrong-Canary-Passw0rd!"


def _collect_secrets(pool: LocalPool, username: str, session: Any) -> dict[str, str]:
    """Every secret the life cycle handled, by name (for readable failures)."""
    assert pool.client_secret is not None and session.tokens is not None
    found = {
        "password": PASSWORD,
        "wrong password": WRONG_PASSWORD,
        "client secret": pool.client_secret,
        "secret hash": secret_hash(username, pool.client_id, pool.client_secret),
        "id token": str(session.tokens.id_token),
        "access token": str(session.tokens.access_token),
        "refresh token": str(session.tokens.refresh_token),
    }
    if session.credentials is not None:
        found["aws secret key"] = session.credentials.secret_access_key
        found["aws session token"] = session.credentials.session_token
    return found


def _assert_clean(where: str, text: str, secrets: dict[str, str]) -> None:
    leaked = [name for name, value in secrets.items() if value and value in text]
    assert not leaked, f"{where} shows the {', '.join(leaked)}"


def _shown(value: object) -> str:
    """Everything a log line, a print or a debugger would show of ``value``."""
    return f"{value!r}\n{value}"


def test_no_secret_reaches_logs_reprs_or_errors(
    cognito: Any,
    make_pool: Any,
    make_auth: AuthFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    pool: LocalPool = make_pool(client_secret=True)
    _, config = provision_identity_pool(cognito.url, pool)
    pool = pool._replace(config=config)
    auth = make_auth(pool)
    shown: list[tuple[str, object]] = [("pool", pool), ("config", config), ("auth", auth)]
    auth.events.subscribe(lambda event: shown.append((f"event {event.name}", event)))

    shown.append(("guest session", auth.fetch_auth_session()))
    shown.append(("sign-up", auth.sign_up("canary", PASSWORD, attributes={"email": "c@x.org"})))
    code = latest_code(cognito, pool.pool_id, "canary")
    shown.append(("confirm-sign-up", auth.confirm_sign_up("canary", code)))
    with pytest.raises(NotAuthorizedException) as refused:
        auth.sign_in("canary", WRONG_PASSWORD)
    shown.append(("wrong-password error", refused.value))
    shown.append(("sign-in", auth.sign_in("canary", PASSWORD)))
    session = auth.fetch_auth_session()
    shown.append(("session", session))
    shown.append(("tokens", session.tokens))
    # str(JWT) is the compact token by design (what callers put in a header); its repr is not.
    shown.append(("id token repr", repr(session.tokens.id_token)))
    shown.append(("credentials", session.credentials))
    shown.append(("refreshed session", auth.fetch_auth_session(force_refresh=True)))
    shown.append(("user", auth.get_current_user()))
    shown.append(("sign-out", auth.sign_out()))
    with pytest.raises(NotAuthorizedException) as password_flow:
        auth.sign_in("canary", WRONG_PASSWORD, flow="USER_PASSWORD_AUTH")
    shown.append(("password-flow error", password_flow.value))

    secrets = _collect_secrets(pool, "canary", session)
    for name, value in shown:
        _assert_clean(name, _shown(value), secrets)
    _assert_clean("the DEBUG logs", caplog.text, secrets)
    _assert_clean("the log records' arguments", repr([r.args for r in caplog.records]), secrets)


def _run(argv: list[str], stdin: str, capsys: pytest.CaptureFixture[str], monkeypatch: Any) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    main(argv)
    captured = capsys.readouterr()
    return captured.out + captured.err


def test_the_cli_shows_no_secret_outside_tokens_and_credentials(
    cognito: Any,
    make_pool: Any,
    make_auth: AuthFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    pool: LocalPool = make_pool(client_secret=True)
    register_user(make_auth(pool), cognito, "cli-canary", PASSWORD)
    path = tmp_path / "amplifyconfiguration.json"
    write_config(pool.config, path, include_secret=True)
    common = ["--config", str(path)]

    outputs = {
        "config check": _run(["config", "check", str(path)], "", capsys, monkeypatch),
        "config check --json": _run(
            ["config", "check", str(path), "--json"], "", capsys, monkeypatch
        ),
        "wrong sign-in": _run(
            ["auth", "sign-in", *common, "--password-stdin", "cli-canary"],
            f"{WRONG_PASSWORD}\n",
            capsys,
            monkeypatch,
        ),
        "sign-in": _run(
            ["auth", "sign-in", *common, "--password-stdin", "cli-canary", "--json"],
            f"{PASSWORD}\n",
            capsys,
            monkeypatch,
        ),
        "whoami": _run(["auth", "whoami", *common, "--json"], "", capsys, monkeypatch),
    }
    tokens = _run(["auth", "tokens", *common, "--json"], "", capsys, monkeypatch)
    printed = json.loads(tokens)
    secrets = {
        "password": PASSWORD,
        "wrong password": WRONG_PASSWORD,
        "client secret": str(pool.client_secret),
        "secret hash": secret_hash("cli-canary", pool.client_id, str(pool.client_secret)),
        **{name: str(value) for name, value in printed.items() if name.endswith("_token")},
    }
    assert {"id_token", "access_token", "refresh_token"} <= set(secrets)
    outputs["sign-out"] = _run(["auth", "sign-out", *common], "", capsys, monkeypatch)
    for name, text in outputs.items():
        _assert_clean(f"`pyamplify {name}`", text, secrets)
    _assert_clean("the DEBUG logs", caplog.text, secrets)
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        sessions = Path(os.environ["PYAMPLIFY_DATA_DIR"]) / "sessions"
        for entry in sessions.glob("*.json"):
            assert stat.S_IMODE(entry.stat().st_mode) == 0o600, entry
