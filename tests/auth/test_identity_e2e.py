"""Identity-pool credentials end to end against the local Cognito over loopback HTTP, for
``Auth`` and ``AsyncAuth`` alike (``make_auth``): signed-in and guest credentials, persisted
identity ids, Cognito's refusals as typed errors, refresh ahead of expiry in a single flight."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pyamplify.auth import (
    AsyncAuth,
    Auth,
    AWSCredentials,
    NoIdentityPoolError,
    SessionExpiredError,
)
from pyamplify.auth.drivers import run_sync
from pyamplify.auth.identity_flows import credentials_flow, provider_name
from pyamplify.config import AuthConfig
from pyamplify.local.clock import ManualClock
from pyamplify.local.testing import LocalPool, provision_identity_pool
from pyamplify.storage import FileStore, MemoryStore
from pyamplify.wire.errors import NotAuthorizedException
from pyamplify.wire.transport import SyncTransport

from .conftest import AuthFactory, ClientClock, register_user

pytestmark = pytest.mark.e2e

PASSWORD = "Corr3ct-Horse-Battery"
GET_CREDS = "GetCredentialsForIdentity"


def with_identity_pool(
    cognito: Any, pool: LocalPool, *, guests: bool = True, ttl: int | None = None
) -> LocalPool:
    """``pool`` plus a new identity pool attached to its client."""
    _, config = provision_identity_pool(cognito.url, pool, allow_guests=guests, credentials_ttl=ttl)
    return pool._replace(config=config)


@pytest.fixture
def server_clock(cognito: Any) -> Any:
    """The local Cognito's clock, movable by the test (put back afterwards)."""
    manual = ManualClock()
    previous = cognito.clock
    cognito.clock = manual
    yield manual
    cognito.clock = previous


def _signed_in(auth: Any, cognito: Any, name: str) -> None:
    register_user(auth, cognito, name, PASSWORD)
    assert auth.sign_in(name, PASSWORD).is_signed_in


def test_guest_then_signed_in_credentials(
    cognito: Any, make_pool: Any, make_auth: AuthFactory
) -> None:
    pool = with_identity_pool(cognito, make_pool())
    store = MemoryStore()
    auth = make_auth(pool, store=store)
    before = cognito.calls["GetId"]

    guest = auth.fetch_auth_session()
    assert not guest.is_signed_in and guest.credentials_error is None
    assert isinstance(guest.credentials, AWSCredentials)
    assert guest.credentials.access_key_id.startswith("ASIA")
    assert len(guest.credentials.secret_access_key) == 40
    assert guest.identity_id and guest.identity_id.startswith("us-east-1:")
    assert auth.fetch_aws_credentials() == guest.credentials
    assert auth.fetch_auth_session() is guest  # memoised: no call
    assert cognito.calls["GetId"] == before + 1

    _signed_in(auth, cognito, "grace")
    user = auth.fetch_auth_session()
    assert user.is_signed_in and user.credentials is not None
    assert user.identity_id != guest.identity_id
    assert user.credentials.access_key_id != guest.credentials.access_key_id
    described = _describe_identity(cognito, user.identity_id)
    assert list(described["Logins"]) == [provider_name("us-east-1", pool.pool_id)]

    # Secrets stay out of reprs.
    for text in (repr(user), repr(user.credentials)):
        assert user.credentials.secret_access_key not in text
        assert user.credentials.session_token not in text
        assert user.credentials.access_key_id not in text

    # Sign-out drops the user's credentials and keeps the guest's identity id (as Amplify).
    auth.sign_out()
    assert store.load(auth._identity.key)["current"] is None
    again = auth.fetch_auth_session()
    assert again.identity_id == guest.identity_id
    assert again.credentials is not None and again.credentials != user.credentials


def _describe_identity(cognito: Any, identity_id: str) -> dict[str, Any]:
    from pyamplify.local.testing import LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY
    from pyamplify.wire.call import identity_call
    from pyamplify.wire.sigv4 import AwsCredentials
    from pyamplify.wire.transport import Signer

    signer = Signer(AwsCredentials(LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY), "us-east-1")
    transport = SyncTransport(cognito.url, signer=signer)
    try:
        return transport.send(identity_call("DescribeIdentity", {"IdentityId": identity_id}))
    finally:
        transport.close()


def test_identity_ids_are_persisted_per_login_and_reused(
    cognito: Any, make_pool: Any, tmp_path: Path
) -> None:
    pool = with_identity_pool(cognito, make_pool())
    store = FileStore(tmp_path / "sessions")
    with Auth(pool.config, store=store) as first:
        _signed_in(first, cognito, "hopper")
        identity_id = first.fetch_auth_session().identity_id
    get_id = cognito.calls["GetId"]
    # A new object (as a new process would) on the same store: same id, no GetId.
    with Auth(pool.config, store=store) as second:
        session = second.fetch_auth_session(force_refresh=True)
        assert session.identity_id == identity_id
        second.sign_out()
        second.sign_in("hopper", PASSWORD)
        assert second.fetch_auth_session().identity_id == identity_id
    assert cognito.calls["GetId"] == get_id
    # An empty store (another machine): Cognito maps the same login to the same identity.
    with Auth(pool.config, store=MemoryStore()) as elsewhere:
        elsewhere.sign_in("hopper", PASSWORD)
        assert elsewhere.fetch_auth_session().identity_id == identity_id
    assert cognito.calls["GetId"] == get_id + 1


def test_a_pool_without_guest_access_gives_cognitos_message(
    cognito: Any, make_pool: Any, make_auth: AuthFactory
) -> None:
    pool = with_identity_pool(cognito, make_pool(), guests=False)
    auth = make_auth(pool)
    session = auth.fetch_auth_session()
    assert session.credentials is None and session.identity_id is None
    error = session.credentials_error
    assert isinstance(error, NotAuthorizedException)
    assert error.message == "Unauthenticated access is not supported for this identity pool."
    calls = cognito.calls["GetId"]
    with pytest.raises(NotAuthorizedException, match="Unauthenticated access is not supported"):
        auth.fetch_aws_credentials()
    assert cognito.calls["GetId"] == calls  # remembered, not asked again
    # Signing in still works for this pool.
    _signed_in(auth, cognito, "lovelace")
    assert auth.fetch_aws_credentials().access_key_id.startswith("ASIA")


def test_configuration_turning_guests_off_makes_no_call(
    cognito: Any, make_pool: Any, make_auth: AuthFactory
) -> None:
    pool = with_identity_pool(cognito, make_pool())
    config = replace(pool.config, unauthenticated_identities_enabled=False)
    auth = make_auth(pool._replace(config=config))
    calls = cognito.calls["GetId"]
    session = auth.fetch_auth_session()
    assert session.credentials is None
    assert "guest access off" in str(session.credentials_error)
    assert cognito.calls["GetId"] == calls


def test_a_token_of_another_user_pool_is_not_a_supported_provider(
    cognito: Any, make_pool: Any, make_auth: AuthFactory
) -> None:
    attached = with_identity_pool(cognito, make_pool())
    other = make_pool()
    assert attached.config.identity_pool is not None
    config = replace(other.config, identity_pool=attached.config.identity_pool)
    auth = make_auth(other._replace(config=config))
    _signed_in(auth, cognito, "turing")
    session = auth.fetch_auth_session()
    assert session.is_signed_in and session.credentials is None
    assert isinstance(session.credentials_error, NotAuthorizedException)
    assert session.credentials_error.message == (
        "Token is not from a supported provider of this identity pool."
    )


def test_an_access_token_is_refused_with_cognitos_message(
    cognito: Any, make_pool: Any, make_auth: AuthFactory
) -> None:
    pool = with_identity_pool(cognito, make_pool())
    auth = make_auth(pool)
    _signed_in(auth, cognito, "noether")
    tokens = auth.fetch_auth_session().tokens
    assert pool.config.identity_pool is not None
    logins = {provider_name("us-east-1", pool.pool_id): tokens.access_token.token}
    transport = SyncTransport(cognito.url)
    try:
        with pytest.raises(NotAuthorizedException) as caught:
            run_sync(
                credentials_flow(pool.config.identity_pool.pool_id, logins, None), transport.send
            )
    finally:
        transport.close()
    assert caught.value.message == "Invalid login token. Missing a required claim: aud"


def test_an_expired_id_token_is_refused_with_cognitos_message(
    cognito: Any, make_pool: Any, make_auth: AuthFactory, server_clock: ManualClock
) -> None:
    plain = make_pool()
    store = MemoryStore()
    signer = make_auth(plain, store=store)  # same user pool and client, no identity pool
    _signed_in(signer, cognito, "hamilton")
    exp = int(signer.fetch_auth_session().tokens.id_token.expires_at)
    # The server's clock jumps two hours; ours does not, so the client still trusts its ID
    # token (no refresh) and sends one that Cognito finds expired.
    now = server_clock.advance(7200)
    auth = make_auth(with_identity_pool(cognito, plain), store=store)
    session = auth.fetch_auth_session()
    assert session.is_signed_in and session.credentials is None
    error = session.credentials_error
    assert isinstance(error, NotAuthorizedException)
    assert error.message == f"Invalid login token. Token expired: {int(now)} >= {exp}"


def test_user_pool_only_configuration_has_no_credentials(
    cognito: Any, make_pool: Any, make_auth: AuthFactory
) -> None:
    pool = make_pool()
    auth = make_auth(pool)
    _signed_in(auth, cognito, "knuth")
    session = auth.fetch_auth_session()
    assert session.credentials is None and session.credentials_error is None
    with pytest.raises(NoIdentityPoolError, match="no identity pool"):
        auth.fetch_aws_credentials()


def test_guest_only_configuration(cognito: Any, make_pool: Any, make_auth: AuthFactory) -> None:
    pool = with_identity_pool(cognito, make_pool())
    assert pool.config.identity_pool is not None
    config = AuthConfig(identity_pool=pool.config.identity_pool)
    auth = make_auth(pool._replace(config=config))
    assert auth.fetch_aws_credentials().access_key_id.startswith("ASIA")
    assert "identity_pool=" in repr(getattr(auth, "inner", auth))
    with pytest.raises(Exception, match="no user pool"):
        auth.sign_in("someone", PASSWORD)


def test_credentials_follow_a_new_id_token(
    cognito: Any, make_pool: Any, make_auth: AuthFactory
) -> None:
    pool = with_identity_pool(cognito, make_pool())
    auth = make_auth(pool)
    _signed_in(auth, cognito, "shannon")
    first = auth.fetch_auth_session()
    calls = cognito.calls[GET_CREDS]
    second = auth.fetch_auth_session(force_refresh=True)  # new tokens and new credentials
    assert second.tokens.id_token.token != first.tokens.id_token.token
    assert second.credentials != first.credentials
    assert second.identity_id == first.identity_id
    assert cognito.calls[GET_CREDS] == calls + 1


def test_an_ended_session_withholds_guest_credentials_until_sign_in_or_out(
    cognito: Any, make_pool: Any, make_auth: AuthFactory
) -> None:
    pool = with_identity_pool(cognito, make_pool())
    laptop = make_auth(pool)
    phone = make_auth(pool)
    register_user(laptop, cognito, "dijkstra", PASSWORD)
    laptop.sign_in("dijkstra", PASSWORD)
    phone.sign_in("dijkstra", PASSWORD)
    assert phone.fetch_auth_session().credentials is not None
    assert laptop.sign_out(global_sign_out=True).is_complete
    ended = phone.fetch_auth_session(force_refresh=True)
    assert not ended.is_signed_in and ended.credentials is None
    assert isinstance(ended.credentials_error, SessionExpiredError)
    assert "pyamplify auth sign-in" in str(ended.credentials_error)
    with pytest.raises(SessionExpiredError):
        phone.fetch_aws_credentials(force_refresh=True)
    phone.sign_out()  # the user chooses guest access
    assert phone.fetch_auth_session().credentials is not None


def test_refresh_on_expiry_is_one_call_for_many_threads_and_objects(
    cognito: Any, make_pool: Any, clock: ClientClock, tmp_path: Path
) -> None:
    pool = with_identity_pool(cognito, make_pool(), ttl=120)
    store = FileStore(tmp_path / "sessions")
    with Auth(pool.config, store=store, clock=clock) as auth:
        register_user(auth, cognito, "liskov", PASSWORD)
        auth.sign_in("liskov", PASSWORD)
        first = auth.fetch_aws_credentials()
    assert first.expires_at - clock() <= 121
    objects = [Auth(pool.config, store=store, clock=clock) for _ in range(3)]
    for auth in objects:
        assert auth.fetch_aws_credentials() == first  # from the store, no call
    before = cognito.calls[GET_CREDS]
    clock.offset = 100  # within the last quarter of the 120 s lifetime: due
    results: list[AWSCredentials] = []
    barrier = threading.Barrier(30)

    def worker(auth: Auth) -> None:
        barrier.wait()
        results.append(auth.fetch_aws_credentials())

    threads = [threading.Thread(target=worker, args=(objects[i % 3],)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cognito.calls[GET_CREDS] == before + 1
    assert len({creds.access_key_id for creds in results}) == 1
    assert results[0] != first
    for auth in objects:
        auth.close()


def test_async_refresh_on_expiry_is_one_call_for_many_tasks(
    cognito: Any, make_pool: Any, clock: ClientClock
) -> None:
    pool = with_identity_pool(cognito, make_pool(), ttl=120)
    store = MemoryStore()

    async def scenario() -> tuple[int, set[str]]:
        async with AsyncAuth(pool.config, store=store, clock=clock) as auth:
            await auth.sign_up("wing", PASSWORD, attributes={"email": "wing@example.com"})
            code = [i for i in cognito.outbox("wing") if i["user_pool_id"] == pool.pool_id][-1]
            await auth.confirm_sign_up("wing", str(code["code"]))
            await auth.sign_in("wing", PASSWORD)
            await auth.fetch_aws_credentials()
            before = cognito.calls[GET_CREDS]
            clock.offset = 100
            results = await asyncio.gather(*(auth.fetch_aws_credentials() for _ in range(40)))
            return cognito.calls[GET_CREDS] - before, {c.access_key_id for c in results}

    calls, keys = asyncio.run(scenario())
    assert calls == 1 and len(keys) == 1
