"""``pyamplify auth verify TOKEN`` and ``auth tokens --decode`` against a local Cognito."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pyamplify.config import write_config
from pyamplify.local.testing import provision_pool, provision_user

from .helpers import run

pytestmark = pytest.mark.e2e

PASSWORD = "Corr3ct-Horse-Battery"


@pytest.fixture
def signed_in(cognito: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> Path:
    """A pool written to a config file, and its user signed in through the CLI."""
    monkeypatch.setenv("PYAMPLIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYAMPLIFY_STORE", "file")
    pool = provision_pool(cognito.url, name=f"verify-{tmp_path.name}")
    provision_user(cognito.url, pool, "vera", PASSWORD)
    path = tmp_path / "amplifyconfiguration.json"
    write_config(pool.config, path)
    code, _, err = run(
        monkeypatch,
        capsys,
        *("auth", "sign-in", "vera", "--password-stdin", "--config", str(path)),
        stdin=PASSWORD + "\n",
    )
    assert code == 0, err
    return path


def token(monkeypatch: Any, capsys: Any, config: Path, which: str) -> str:
    code, out, _ = run(monkeypatch, capsys, "auth", "tokens", f"--{which}", "--config", str(config))
    assert code == 0
    return out.strip()


def test_tokens_decode_prints_headers_and_claims(
    signed_in: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    code, out, _ = run(
        monkeypatch, capsys, "auth", "tokens", "--decode", "--config", str(signed_in)
    )
    assert code == 0
    decoded = json.loads(out)
    assert decoded["id_token"]["claims"]["cognito:username"] == "vera"
    assert decoded["access_token"]["claims"]["token_use"] == "access"
    assert decoded["id_token"]["header"]["alg"] == "RS256"
    code, out, _ = run(
        monkeypatch, capsys, "auth", "tokens", "--access", "--decode", "--config", str(signed_in)
    )
    assert list(json.loads(out)) == ["access_token"]
    code, _, err = run(
        monkeypatch, capsys, "auth", "tokens", "--refresh", "--decode", "--config", str(signed_in)
    )
    assert code == 1 and "opaque" in err


def test_verify_accepts_the_sessions_tokens(
    signed_in: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    id_token = token(monkeypatch, capsys, signed_in, "id")
    code, out, _ = run(monkeypatch, capsys, "auth", "verify", id_token, "--config", str(signed_in))
    assert code == 0, out
    assert out.startswith("valid id token of vera for app client ")
    assert "/.well-known/jwks.json" in out  # keys through the configured endpoint
    access = token(monkeypatch, capsys, signed_in, "access")
    code, out, _ = run(
        monkeypatch,
        capsys,
        *("auth", "verify", "-", "--json", "--token-use", "access", "--config", str(signed_in)),
        stdin=access + "\n",
    )
    document = json.loads(out)
    assert code == 0 and document["valid"] and document["claims"]["username"] == "vera"


def test_verify_refuses_a_tampered_or_mistyped_token(
    signed_in: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    id_token = token(monkeypatch, capsys, signed_in, "id")
    head, body, signature = id_token.split(".")
    tampered = f"{head}.{body}.{signature[:-4]}AAAA"
    code, out, err = run(
        monkeypatch, capsys, "auth", "verify", tampered, "--json", "--config", str(signed_in)
    )
    assert code == 1
    assert json.loads(out) == {
        "valid": False,
        "error": "InvalidSignatureError",
        "reason": "the token's signature does not verify with the pool's key",
    }
    assert tampered not in err and tampered not in out
    code, _, err = run(
        monkeypatch,
        capsys,
        *("auth", "verify", id_token, "--token-use", "access", "--config", str(signed_in)),
    )
    assert code == 1 and "expected an access token" in err
    code, _, err = run(monkeypatch, capsys, "auth", "verify", "junk", "--config", str(signed_in))
    assert code == 1 and "invalid:" in err
