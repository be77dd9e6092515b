"""``pyamplify auth credentials``: the full command and its cache-hit fast path, in-process and
as the separate process the AWS CLI would start."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from pyamplify.auth import Auth
from pyamplify.cli import credentials_fast
from pyamplify.config import write_config
from pyamplify.local.testing import provision_identity_pool, provision_pool
from pyamplify.storage import FileStore, data_dir, session_key
from pyamplify.storage import default as storage_default

from .helpers import run, run_process

pytestmark = pytest.mark.e2e

PASSWORD = "Corr3ct-Horse-Battery"


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYAMPLIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYAMPLIFY_STORE", "file")
    monkeypatch.delenv("PYAMPLIFY_CONFIG", raising=False)


def make_config(cognito: Any, tmp_path: Path, *, identity: bool = True) -> Path:
    pool = provision_pool(cognito.url, name=f"creds-{tmp_path.name}", client_secret=True)
    config = pool.config
    if identity:
        _, config = provision_identity_pool(cognito.url, pool)
    path = tmp_path / "amplifyconfiguration.json"
    write_config(config, path, include_secret=True)
    return path


def sign_up_and_in(
    cognito: Any, path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any, name: str
) -> None:
    with Auth(path) as auth:
        auth.sign_up(name, PASSWORD, attributes={"email": f"{name}@example.com"})
        pool_id = auth.config.user_pool.pool_id  # type: ignore[union-attr]
        code = [i for i in cognito.outbox(name) if i["user_pool_id"] == pool_id][-1]["code"]
        auth.confirm_sign_up(name, str(code))
    status, _, err = run(
        monkeypatch,
        capsys,
        *("auth", "sign-in", name, "--password-stdin", "--config", str(path)),
        stdin=PASSWORD + "\n",
    )
    assert status == 0, err


def test_formats_and_the_fast_path_in_new_processes(
    cognito: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    path = make_config(cognito, tmp_path)
    # Nobody signed in: guest credentials (the full path fetches and caches them).
    code, out, err = run(
        monkeypatch, capsys, "auth", "credentials", "--config", str(path), "--json", "--guest"
    )
    assert code == 0, err
    guest = json.loads(out)
    assert guest["guest"] is True and guest["access_key_id"].startswith("ASIA")

    sign_up_and_in(cognito, path, monkeypatch, capsys, "ada")
    first = run_process("auth", "credentials", "--format", "process", "--config", str(path))
    assert first.returncode == 0, first.stderr
    document = json.loads(first.stdout)
    assert set(document) == {
        "Version",
        "AccessKeyId",
        "SecretAccessKey",
        "SessionToken",
        "Expiration",
    }
    assert document["Version"] == 1 and document["AccessKeyId"] != guest["access_key_id"]
    assert document["Expiration"].endswith("Z") and "T" in document["Expiration"]

    calls = sum(cognito.calls.values())
    hit = run_process(
        "auth", "credentials", "--config", str(path), python_flags=("-X", "importtime")
    )
    assert hit.returncode == 0 and json.loads(hit.stdout) == document
    imported = {line.rsplit("|", 1)[-1].strip() for line in hit.stderr.splitlines()}
    for heavy in ("httpx", "argparse", "pyamplify.auth", "pyamplify.config", "typing"):
        assert heavy not in imported, f"the fast path imported {heavy}"
    env = run_process("auth", "credentials", "--format=env", "--config", str(path))
    assert env.stdout.splitlines()[0] == f"export AWS_ACCESS_KEY_ID={document['AccessKeyId']}"
    assert "export AWS_CREDENTIAL_EXPIRATION=" + document["Expiration"] in env.stdout
    as_json = json.loads(run_process("auth", "credentials", "--config", str(path), "--json").stdout)
    assert as_json["guest"] is False and as_json["identity_id"].startswith("us-east-1:")
    assert sum(cognito.calls.values()) == calls  # cache hits: no call at all


def test_identity_ids_are_stable_across_processes(
    cognito: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    path = make_config(cognito, tmp_path)

    def identity_in_new_process() -> tuple[str, bool]:
        done = run_process("auth", "credentials", "--json", "--guest", "--config", str(path))
        assert done.returncode == 0, done.stderr
        document = json.loads(done.stdout)
        return document["identity_id"], document["guest"]

    guest_id, is_guest = identity_in_new_process()
    assert is_guest
    sign_up_and_in(cognito, path, monkeypatch, capsys, "hopper")
    user_id, is_guest = identity_in_new_process()
    assert not is_guest and user_id != guest_id
    code, out, _ = run(monkeypatch, capsys, "auth", "whoami", "--config", str(path))
    assert code == 0 and f"identity {user_id}: AWS credentials valid until" in out
    get_id = cognito.calls["GetId"]
    # Sign out and in again: each process fetches new credentials (the sign-in cleared them)
    # for the identity ids the store remembers, with no GetId.
    assert run(monkeypatch, capsys, "auth", "sign-out", "--config", str(path))[0] == 0
    assert identity_in_new_process() == (guest_id, True)
    signed_in_again = run(
        monkeypatch,
        capsys,
        *("auth", "sign-in", "hopper", "--password-stdin", "--config", str(path)),
        stdin=PASSWORD + "\n",
    )
    assert signed_in_again[0] == 0
    assert identity_in_new_process() == (user_id, False)
    assert cognito.calls["GetId"] == get_id


def test_a_due_cache_falls_back_to_the_full_command(
    cognito: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    path = make_config(cognito, tmp_path)
    guest = ("--config", str(path), "--guest")
    code, out, _ = run(monkeypatch, capsys, "auth", "credentials", *guest)
    first = json.loads(out)
    store = FileStore(tmp_path / "data" / "sessions")
    (key,) = store.keys()
    record = store.load(key)
    assert record is not None
    record["current"]["refresh_at"] = time.time() - 1  # due now
    store.save(key, record)
    calls = cognito.calls["GetCredentialsForIdentity"]
    code, out, _ = run(monkeypatch, capsys, "auth", "credentials", *guest)
    assert code == 0 and json.loads(out)["AccessKeyId"] != first["AccessKeyId"]
    assert cognito.calls["GetCredentialsForIdentity"] == calls + 1


def test_an_ended_session_asks_the_user_to_sign_in(
    cognito: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    path = make_config(cognito, tmp_path)
    sign_up_and_in(cognito, path, monkeypatch, capsys, "turing")
    with Auth(path, profile="elsewhere") as other:  # the same user on another device
        other.sign_in("turing", PASSWORD)
        assert other.sign_out(global_sign_out=True).is_complete
    # An hour later (our clock only): the tokens are due, the refresh token is revoked.
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 3600)
    ended = "the session of 'turing' ended: its refresh token no longer works"
    for _ in range(2):  # and again: no silent switch to guest credentials
        code, out, err = run(monkeypatch, capsys, "auth", "credentials", "--config", str(path))
        assert code == 1 and out == ""
        assert ended in err and "run `pyamplify auth sign-in`" in err
    # Tryout 7: whoami and sign-out say the same thing as credentials.
    code, out, err = run(monkeypatch, capsys, "auth", "whoami", "--json", "--config", str(path))
    error = json.loads(out)["error"]
    assert code == 1 and error["code"] == "SessionEndedError" and ended in error["message"]
    assert error["fix"] == f"pyamplify auth sign-in --profile default --config {path}"
    code, out, err = run(monkeypatch, capsys, "auth", "sign-out", "--config", str(path))
    assert code == 0 and out.startswith("The session of 'turing' ended: its refresh token")
    assert "Signed out" in out
    code, out, _ = run(
        monkeypatch, capsys, "auth", "credentials", "--json", "--guest", "--config", str(path)
    )
    assert code == 0 and json.loads(out)["guest"] is True


def test_a_config_without_identity_pool_is_a_clear_error(
    cognito: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    path = make_config(cognito, tmp_path, identity=False)
    code, out, err = run(monkeypatch, capsys, "auth", "credentials", "--config", str(path))
    assert code == 1 and out == ""
    assert "has no identity pool" in err and str(path) in err


def test_usage_errors_go_through_argparse(monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    code, _, err = run(monkeypatch, capsys, "auth", "credentials", "--format", "yaml")
    assert code == 2 and "invalid choice" in err


# --------------------------------------------------------------------------- the fast path's
# own copies of the key scheme, the data dir and the option syntax agree with the library's


@pytest.mark.parametrize(
    "parts",
    [
        ("us-east-1_abc", "client1", "default", "us-east-1:1111-2222"),
        (None, None, "prof/ile %x", "us-east-1:ab"),
        ("-", "c~l.i_e-n+t", "ünï cödé", "eu-west-2:zz"),
    ],
)
def test_fast_key_matches_session_key(parts: tuple[Any, Any, str, str]) -> None:
    assert credentials_fast.identity_key(*parts) == session_key(*parts)


def test_fast_data_dir_matches_the_library(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert credentials_fast.data_dir() == str(data_dir())
    monkeypatch.delenv("PYAMPLIFY_DATA_DIR")
    assert credentials_fast.data_dir() == str(data_dir())
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert credentials_fast.data_dir() == str(storage_default.data_dir())


def test_fast_option_parsing() -> None:
    parsed = credentials_fast.parse(["--format=env", "--config", "a.json", "--profile", "p"])
    assert parsed is not None
    assert (parsed.output_format, parsed.config, parsed.profile) == ("env", "a.json", "p")
    assert credentials_fast.parse(["--json"]).output_format == "json"  # type: ignore[union-attr]
    for unusual in (["--format", "yaml"], ["--config"], ["--debug"], ["extra"], ["--profile="]):
        assert credentials_fast.parse(unusual) is None


def test_fast_path_reads_gen2_and_gen1_ids() -> None:
    gen2 = {"auth": {"user_pool_id": "u", "user_pool_client_id": "c", "identity_pool_id": "i"}}
    assert credentials_fast.pool_ids(gen2) == ("u", "c", "i")
    gen1 = {
        "auth": {
            "plugins": {
                "awsCognitoAuthPlugin": {
                    "CognitoUserPool": {"Default": {"PoolId": "u", "AppClientId": "c"}},
                    "CredentialsProvider": {"CognitoIdentity": {"Default": {"PoolId": "i"}}},
                }
            }
        }
    }
    assert credentials_fast.pool_ids(gen1) == ("u", "c", "i")
    assert credentials_fast.pool_ids({"auth": {"user_pool_id": "u"}}) is None
    assert credentials_fast.pool_ids([]) is None
