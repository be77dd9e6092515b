"""Fixtures for the auth room's end-to-end tests: a local Cognito over real loopback HTTP.

Pools and clients are created through the Cognito API (``provision_pool``, the demo's code), each
test gets its own pool so tests never see each other's users, and every store points into the
test's temporary directory so nothing touches the real user's data.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pyamplify.auth import AsyncAuth, Auth
from pyamplify.local.backend import Backend
from pyamplify.local.idp import hooks
from pyamplify.local.testing import LocalPool, provision_pool
from pyamplify.storage import CredentialStore, MemoryStore

_names = itertools.count()


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYAMPLIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYAMPLIFY_STORE", "file")
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def cognito(local_cognito: Any) -> Any:
    """The module's local Cognito (``tests/conftest.py``), also what the plugin's fixtures use."""
    return local_cognito


@pytest.fixture
def make_pool(cognito: Any) -> Callable[..., LocalPool]:
    """Create a fresh pool + client: ``make_pool(client_secret=True, access_token_minutes=5)``."""

    def make(**options: Any) -> LocalPool:
        return provision_pool(cognito.url, name=f"test-{next(_names)}", **options)

    return make


class ClientClock:
    """The client's clock: real time plus an offset the test moves (no sleeping)."""

    def __init__(self) -> None:
        import time

        self.offset = 0.0
        self._time = time.time

    def __call__(self) -> float:
        return self._time() + self.offset


@pytest.fixture
def clock() -> ClientClock:
    """A movable client clock."""
    return ClientClock()


class SyncFacade:
    """Runs an ``AsyncAuth``'s coroutines on its own event loop so one test body can drive
    ``Auth`` and ``AsyncAuth`` alike (the coroutines really run on a loop)."""

    def __init__(self, auth: AsyncAuth) -> None:
        self.inner = auth
        self.loop = asyncio.new_event_loop()

    @property
    def events(self) -> Any:
        return self.inner.events

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if not inspect.iscoroutinefunction(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            return self.loop.run_until_complete(attribute(*args, **kwargs))

        return call

    def close(self) -> None:
        self.loop.run_until_complete(self.inner.aclose())
        self.loop.close()


AuthFactory = Callable[..., Any]


@pytest.fixture(params=["sync", "async"])
def make_auth(request: pytest.FixtureRequest) -> Iterator[AuthFactory]:
    """Build ``Auth`` (sync) or ``AsyncAuth`` behind the same blocking interface."""
    made: list[Any] = []

    def make(
        pool: LocalPool,
        *,
        store: CredentialStore | None = None,
        clock: Callable[[], float] | None = None,
        profile: str = "default",
        **options: Any,
    ) -> Any:
        store = store if store is not None else MemoryStore()
        if request.param == "sync":
            auth: Any = Auth(pool.config, store=store, clock=clock, profile=profile, **options)
        else:
            twin = AsyncAuth(pool.config, store=store, clock=clock, profile=profile, **options)
            auth = SyncFacade(twin)
        made.append(auth)
        return auth

    yield make
    for auth in made:
        auth.close()


def register_user(
    auth: Any, cognito: Any, username: str, password: str, email: str | None = None
) -> None:
    """Sign up and confirm ``username`` with the code from the local outbox."""
    email = email or f"{username}@example.com"
    auth.sign_up(username, password, attributes={"email": email})
    auth.confirm_sign_up(username, latest_code(cognito, auth.config.user_pool.pool_id, username))


def latest_code(cognito: Any, pool_id: str, username: str) -> str:
    """The newest code the local Cognito 'sent' to ``username`` of ``pool_id``."""
    items = [item for item in cognito.outbox(username) if item["user_pool_id"] == pool_id]
    assert items, f"no code was sent to {username}"
    return str(items[-1]["code"])


@pytest.fixture
def sources() -> Iterator[list[str]]:
    """The token-generation source of every ID/access token pair the server makes meanwhile."""
    seen: list[str] = []

    def record(backend: Backend, generation: hooks.TokenGeneration) -> None:
        seen.append(generation.source)

    with hooks.TOKEN_GENERATION.added(record):
        yield seen
