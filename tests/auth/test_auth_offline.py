"""``Auth``/``AsyncAuth`` behaviour that needs no server: the store, argument checks, reprs.

The endpoint is a closed loopback port, so any accidental network call fails loudly.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import socket
from typing import Any

import pytest

from pyamplify.auth import (
    AsyncAuth,
    Auth,
    AuthValidationError,
    NoSignInInProgressError,
    SignedOutError,
)
from pyamplify.auth.session import StoredSession
from pyamplify.config import AuthConfig, UserPoolConfig
from pyamplify.storage import MemoryStore

from .helpers import authentication_result


def _dead_endpoint() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


CONFIG = AuthConfig(
    user_pool=UserPoolConfig(
        pool_id="us-east-1_Offline1",
        app_client_id="offlineclient1234567890abc",
        region="us-east-1",
        app_client_secret="averysecretclientsecretvalue0123456789",
        endpoint=_dead_endpoint(),
    )
)


def test_signed_out_answers_need_no_network() -> None:
    auth = Auth(CONFIG, store=MemoryStore())
    session = auth.fetch_auth_session()
    assert not session.is_signed_in and session.tokens is None
    assert not auth.fetch_auth_session(force_refresh=True).is_signed_in
    with pytest.raises(SignedOutError, match="no user is signed in on profile 'default'"):
        auth.get_current_user()
    assert auth.sign_out().is_complete
    with pytest.raises(NoSignInInProgressError):
        auth.confirm_sign_in("123456")


def test_bad_arguments_fail_before_any_call() -> None:
    auth = Auth(CONFIG, store=MemoryStore())
    with pytest.raises(AuthValidationError, match="needs a password"):
        auth.sign_in("alice")
    with pytest.raises(AuthValidationError, match="NO_SUCH_FLOW"):
        auth.sign_in("alice", "pw", flow="NO_SUCH_FLOW")
    with pytest.raises(AuthValidationError, match="CUSTOM_WITH_SRP needs a password"):
        auth.sign_in("alice", flow="CUSTOM_WITH_SRP")


def test_a_configured_user_auth_flow_is_used_not_replaced() -> None:
    """The configuration's USER_AUTH (choice-based sign-in) is what sign_in starts, never
    silently SRP (as Swift and Android do with a flow they do not know)."""
    from pyamplify.wire.call import Call
    from pyamplify.wire.errors import NotAuthorizedException

    calls: list[Call] = []

    class Recording:
        def send(self, call: Call) -> dict[str, Any]:
            calls.append(call)
            raise NotAuthorizedException("stop here")

    config = dataclasses.replace(CONFIG, authentication_flow_type="USER_AUTH")
    auth = Auth(config, store=MemoryStore(), transport=Recording())  # type: ignore[arg-type]
    with pytest.raises(NotAuthorizedException):
        auth.sign_in("alice")
    assert calls[0].payload["AuthFlow"] == "USER_AUTH"
    assert calls[0].payload["AuthParameters"]["USERNAME"] == "alice"
    assert "PREFERRED_CHALLENGE" not in calls[0].payload["AuthParameters"]


def test_a_stored_session_is_picked_up_and_a_corrupt_one_is_signed_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import time

    store = MemoryStore()
    writer = Auth(CONFIG, store=store)
    record = writer._core.stored_from_authentication(
        authentication_result(iat=time.time()), login_id="alice", auth_flow_type="USER_SRP_AUTH"
    )
    store.save(writer._core.key, record.to_dict())
    reader = Auth(CONFIG, store=store)
    assert reader.get_current_user().username == "alice"
    assert reader.fetch_auth_session().user_sub == "sub-1"

    store.save(writer._core.key, {**record.to_dict(), "access_token": "garbage"})
    with caplog.at_level(logging.WARNING, logger="pyamplify.auth"):
        assert not Auth(CONFIG, store=store).fetch_auth_session().is_signed_in
    assert "ignoring the stored session" in caplog.text
    assert "garbage" not in caplog.text


def test_async_twin_reads_the_same_store() -> None:
    import time

    store = MemoryStore()
    core = Auth(CONFIG, store=store)._core
    record: StoredSession = core.stored_from_authentication(
        authentication_result(iat=time.time(), username="bob"),
        login_id="bob@example.com",
        auth_flow_type="USER_PASSWORD_AUTH",
    )
    store.save(core.key, record.to_dict())

    async def scenario() -> None:
        auth = AsyncAuth(CONFIG, store=store)
        user = await auth.get_current_user()
        assert user.username == "bob"
        assert user.sign_in_details is not None
        assert user.sign_in_details.login_id == "bob@example.com"
        await auth.aclose()

    asyncio.run(scenario())


def test_reprs_never_show_secrets() -> None:
    auth = Auth(CONFIG, store=MemoryStore())
    text = repr(auth) + repr(AsyncAuth(CONFIG, store=MemoryStore())) + repr(auth._core.context)
    assert "averysecret" not in text
