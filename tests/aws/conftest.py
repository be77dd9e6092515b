"""Fixtures for the aws room: a user pool + identity pool on the shared local Cognito, written
to a Gen 1 file, with sessions in the test's own data dir (the file store)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pyamplify.config import AuthConfig, write_config
from pyamplify.local.testing import LocalPool, provision_identity_pool, provision_pool

PASSWORD = "Corr3ct-Horse-Battery"
_names = itertools.count()


@dataclass(frozen=True)
class App:
    """An app's pools on the local Cognito and its configuration file."""

    pool: LocalPool
    config: AuthConfig
    path: Path
    identity_pool_id: str


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYAMPLIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYAMPLIFY_STORE", "file")
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_COGNITO_IDENTITY", "PYAMPLIFY_CONFIG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def make_app(local_cognito: Any, tmp_path: Path) -> Any:
    """``make_app(guests=True, ttl=None)``: new pools, written to ``tmp_path``."""

    def make(*, guests: bool = True, ttl: int | None = None) -> App:
        pool = provision_pool(local_cognito.url, name=f"aws-{next(_names)}")
        identity_pool_id, config = provision_identity_pool(
            local_cognito.url, pool, allow_guests=guests, credentials_ttl=ttl
        )
        path = tmp_path / f"app-{next(_names)}" / "amplifyconfiguration.json"
        path.parent.mkdir()
        write_config(config, path)
        return App(pool, config, path, identity_pool_id)

    return make


def register(auth: Any, cognito: Any, username: str) -> None:
    """Sign up and confirm ``username`` (code from the local outbox), then sign in."""
    pool_id = auth.config.user_pool.pool_id
    auth.sign_up(username, PASSWORD, attributes={"email": f"{username}@example.com"})
    items = [i for i in cognito.outbox(username) if i["user_pool_id"] == pool_id]
    auth.confirm_sign_up(username, str(items[-1]["code"]))
    assert auth.sign_in(username, PASSWORD).is_signed_in
