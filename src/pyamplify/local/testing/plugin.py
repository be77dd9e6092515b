"""pytest fixtures for a local Cognito: what moto's ``mock_aws`` gives, with real SRP and tokens.

Registered as the ``pyamplify`` ``pytest11`` entry point, so every pytest run in an environment
with pyamplify has these fixtures (``-p no:pyamplify`` turns them off):

``local_cognito`` (session)
    An in-memory local Cognito on a free loopback port. After each test its clock is put back
    if the test changed it (with a warning): use ``cognito_clock`` to move time.
``cognito_clock``
    A :class:`~pyamplify.local.clock.ManualClock` at the real time, installed on
    ``local_cognito`` for one test (``cognito_clock.advance(3600)`` expires tokens).
``user_pool``
    A fresh user pool and app client for one test (deleted afterwards), as a
    :class:`~pyamplify.local.testing.LocalPool`: ``Auth(user_pool.config)``. Options with
    ``@pytest.mark.user_pool(secret=True, mfa="ON", identity_pool=True, ...)`` or, to run a test
    over several, ``@pytest.mark.parametrize("user_pool", [{...}, {...}], indirect=True)``.
``cognito_user``
    A confirmed user of ``user_pool`` with a known password, as a
    :class:`~pyamplify.local.testing.CognitoUser`; ``@pytest.mark.cognito_user(username=...,
    password=..., attributes={...}, totp=True)``. In an ``mfa="ON"`` pool it has a software token.
``signed_in_auth``
    A :class:`pyamplify.Auth` for ``user_pool`` with ``cognito_user`` signed in (in memory, its
    clock the server's, MFA answered).

The plugin is loaded by pytest runs that never use it, so loading it imports only the standard
library and pytest; the local Cognito's dependencies (``pyamplify[local]``) load when
``local_cognito`` starts, and without them every fixture skips saying how to install them.
"""

from __future__ import annotations

import importlib.util
import itertools
import warnings
import weakref
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import pytest

from pyamplify.local.testing.provisioning import (
    DEFAULT_PASSWORD,
    MFA_MODES,
    CognitoUser,
    LocalAdmin,
    LocalPool,
)

if TYPE_CHECKING:
    from pyamplify.auth import Auth
    from pyamplify.local import LocalCognito
    from pyamplify.local.clock import ManualClock

#: What ``pyamplify[local]`` adds that the local Cognito cannot start without.
LOCAL_EXTRA_MODULES = ("starlette", "uvicorn", "cryptography")
INSTALL_HINT = "pip install 'pyamplify[local]'"

_pool_names = itertools.count(1)


class LocalCognitoClockWarning(UserWarning):
    """A test changed a shared local Cognito's clock and did not put it back."""


def pytest_configure(config: pytest.Config) -> None:
    """Declare the fixtures' markers (so ``--strict-markers`` accepts them)."""
    config.addinivalue_line(
        "markers",
        "user_pool(secret=False, mfa='OFF', identity_pool=False, guests=True, "
        "access_token_minutes=60, pool=None, client=None): options of pyamplify's user_pool "
        "fixture",
    )
    config.addinivalue_line(
        "markers",
        "cognito_user(username='tester', password=DEFAULT_PASSWORD, attributes=None, totp=None): "
        "options of pyamplify's cognito_user fixture",
    )


# ---------------------------------------------------------------------- the server


def missing_local_extra() -> list[str]:
    """The modules of ``pyamplify[local]`` that are not installed (looked up, not imported)."""
    return [name for name in LOCAL_EXTRA_MODULES if importlib.util.find_spec(name) is None]


class _Servers:
    """The local Cognitos the plugin's helpers started, their own clocks, and their admins."""

    def __init__(self) -> None:
        self.clocks: dict[LocalCognito, Callable[[], float]] = {}
        self.admins: weakref.WeakKeyDictionary[LocalCognito, LocalAdmin] = (
            weakref.WeakKeyDictionary()
        )

    def admin(self, server: LocalCognito) -> LocalAdmin:
        """One management connection per server, kept while it runs."""
        admin = self.admins.get(server)
        if admin is None:
            admin = self.admins[server] = LocalAdmin(server.url, region=server.region)
        return admin

    def restore_clocks(self, nodeid: str) -> None:
        """Put back every watched server's own clock, warning about each that was moved."""
        for server, own in self.clocks.items():
            if server.clock is not own:
                server.clock = own
                warnings.warn(
                    f"{nodeid} changed local_cognito.clock and did not put it back; the local "
                    "Cognito is on its own clock again. Use the cognito_clock fixture to move "
                    "time in one test, or start a LocalCognito(clock=...) for a whole module.",
                    LocalCognitoClockWarning,
                    stacklevel=1,
                )

    def close(self) -> None:
        for admin in list(self.admins.values()):
            admin.close()
        self.admins.clear()


_SERVERS = pytest.StashKey[_Servers]()


def _servers(config: pytest.Config) -> _Servers:
    servers = config.stash.get(_SERVERS, None)
    if servers is None:
        servers = config.stash[_SERVERS] = _Servers()
    return servers


def serve_local_cognito(request: pytest.FixtureRequest, **options: Any) -> Iterator[LocalCognito]:
    """Body of a ``local_cognito`` fixture of any scope (``yield from`` it in a conftest).

    Skips when ``pyamplify[local]`` is missing; ``options`` go to ``LocalCognito`` (``region``,
    ``issuer``, ``clock``, ...). The server's clock is put back after each test that moved it.
    """
    missing = missing_local_extra()
    if missing:
        pytest.skip(f"the local Cognito needs {', '.join(missing)}: {INSTALL_HINT}")
    from pyamplify.local import LocalCognito

    servers = _servers(request.config)
    server = LocalCognito(**options).start()
    servers.clocks[server] = server.clock
    try:
        yield server
    finally:
        servers.clocks.pop(server, None)
        admin = servers.admins.pop(server, None)
        if admin is not None:
            admin.close()
        server.stop()


@pytest.fixture(scope="session")
def local_cognito(request: pytest.FixtureRequest) -> Iterator[LocalCognito]:
    """An in-memory local Cognito on a free loopback port, shared by the test session."""
    yield from serve_local_cognito(request)


@pytest.fixture
def cognito_clock(local_cognito: LocalCognito) -> Iterator[ManualClock]:
    """A manual clock at the real time on ``local_cognito`` for this test (then put back)."""
    from pyamplify.local.clock import ManualClock

    clock = ManualClock()
    previous = local_cognito.clock
    local_cognito.clock = clock
    try:
        yield clock
    finally:
        local_cognito.clock = previous


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, None, None]:
    """After a test's fixtures are gone, put back a server clock the test left moved."""
    try:
        yield
    finally:  # a failing teardown must not leave the next test on a moved clock
        servers = item.config.stash.get(_SERVERS, None)
        if servers is not None and servers.clocks:
            servers.restore_clocks(item.nodeid)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Close the management connections of servers the plugin did not start."""
    servers = session.config.stash.get(_SERVERS, None)
    if servers is not None:
        servers.close()


# ---------------------------------------------------------------------- pools and users


@dataclass(frozen=True)
class PoolOptions:
    """What ``@pytest.mark.user_pool(...)`` (or an indirect parameter) may say."""

    secret: bool = False
    mfa: str = "OFF"
    identity_pool: bool = False
    guests: bool = True
    access_token_minutes: int = 60
    pool: Mapping[str, Any] | None = None
    client: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class UserOptions:
    """What ``@pytest.mark.cognito_user(...)`` may say."""

    username: str = "tester"
    password: str = DEFAULT_PASSWORD
    attributes: Mapping[str, str] | None = None
    totp: bool | None = None


def _options(request: pytest.FixtureRequest, marker: str, kind: type[Any]) -> Any:
    """``kind`` from the closest ``marker`` overlaid with an indirect parameter (a dict)."""
    given: dict[str, Any] = {}
    found = request.node.get_closest_marker(marker)
    if found is not None:
        if found.args:
            pytest.fail(f"@pytest.mark.{marker} takes keyword arguments only", pytrace=False)
        given.update(found.kwargs)
    param = getattr(request, "param", None)
    if param is not None:
        if not isinstance(param, Mapping):
            pytest.fail(f"an indirect {marker} parameter must be a dict of options", pytrace=False)
        given.update(param)
    try:
        return kind(**given)
    except TypeError:
        valid = ", ".join(kind.__dataclass_fields__)
        unknown = ", ".join(sorted(set(given) - set(kind.__dataclass_fields__)))
        pytest.fail(f"{marker}: unknown option(s) {unknown}; valid: {valid}", pytrace=False)


@pytest.fixture
def user_pool(request: pytest.FixtureRequest, local_cognito: LocalCognito) -> Iterator[LocalPool]:
    """A fresh user pool and app client (SRP, password, refresh) for this test."""
    options: PoolOptions = _options(request, "user_pool", PoolOptions)
    if options.mfa not in MFA_MODES:
        pytest.fail(f"user_pool: mfa must be one of {', '.join(MFA_MODES)}", pytrace=False)
    admin = _servers(request.config).admin(local_cognito)
    pool = admin.create_pool(
        name=f"pytest-{next(_pool_names)}",
        client_secret=options.secret,
        access_token_minutes=options.access_token_minutes,
        mfa=options.mfa,
        extra_pool=options.pool,
        extra_client=options.client,
    )
    try:
        if options.identity_pool:
            pool = admin.add_identity_pool(pool, allow_guests=options.guests)
        yield pool
    finally:
        admin.delete_pool(pool)


def _follow(server: LocalCognito) -> Callable[[], float]:
    """A clock that reads whatever clock ``server`` has now (``cognito_clock`` included)."""

    def now() -> float:
        return server.clock()

    return now


def _new_auth(pool: LocalPool, server: LocalCognito) -> Auth:
    from pyamplify.auth import Auth
    from pyamplify.storage import MemoryStore

    return Auth(pool.config, store=MemoryStore(), clock=_follow(server))


@pytest.fixture
def cognito_user(
    request: pytest.FixtureRequest, local_cognito: LocalCognito, user_pool: LocalPool
) -> CognitoUser:
    """A confirmed user of ``user_pool`` with a known password (a software token under MFA)."""
    options: UserOptions = _options(request, "cognito_user", UserOptions)
    attributes = (
        options.attributes
        if options.attributes is not None
        else {"email": f"{options.username}@example.com"}
    )
    admin = _servers(request.config).admin(local_cognito)
    user = admin.create_user(user_pool, options.username, options.password, attributes)
    user = replace(user, clock=_follow(local_cognito))
    wants_totp = options.totp if options.totp is not None else user_pool.mfa == "ON"
    if wants_totp:
        if user_pool.mfa == "OFF":
            pytest.fail("cognito_user(totp=True) needs a pool with MFA: user_pool(mfa=...)", False)
        from pyamplify.local.testing.signing_in import enroll_totp

        with _new_auth(user_pool, local_cognito) as auth:
            user = enroll_totp(auth, user)
    return user


@pytest.fixture
def signed_in_auth(
    local_cognito: LocalCognito, user_pool: LocalPool, cognito_user: CognitoUser
) -> Iterator[Auth]:
    """``Auth`` for ``user_pool`` with ``cognito_user`` signed in (session kept in memory)."""
    from pyamplify.local.testing.signing_in import SignInIncomplete, sign_in

    auth = _new_auth(user_pool, local_cognito)
    try:
        try:
            sign_in(auth, cognito_user)
        except SignInIncomplete as incomplete:
            pytest.fail(f"signed_in_auth: {incomplete}", pytrace=False)
        yield auth
    finally:
        auth.close()
