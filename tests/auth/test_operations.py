"""The shared operations driven by a third, recording driver: no transport, no thread, no loop.

Each test plays the effects itself (store work on a real ``MemoryStore``, canned Cognito
answers, locks as nesting depth), so what is checked is the operation's own decisions: which
locks it takes in which order, that store work happens under the store lock, when it calls
Cognito and what it concludes from the answer. Sync and async behaviour of the same decisions is
covered end to end in ``test_auth_e2e.py`` / ``test_identity_e2e.py`` / ``test_concurrency.py``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from pyamplify.auth._core import AuthCore, identity_core_of
from pyamplify.auth.drivers import run_sync
from pyamplify.auth.effects import IDENTITY, REFRESH, Blocking, Effect, Exclusive, Op, StoreLocked
from pyamplify.auth.errors import GuestAccessDisabledError
from pyamplify.auth.operations import (
    answer_from_memory,
    session_op,
    sign_in_op,
    sign_out_op,
    user_session_op,
)
from pyamplify.auth.session import SIGNED_OUT
from pyamplify.config import IdentityPoolConfig
from pyamplify.storage import MemoryStore
from pyamplify.wire.call import Call
from pyamplify.wire.errors import InternalErrorException, NotAuthorizedException, ProtocolError

from .helpers import authentication_result
from .test_auth_offline import CONFIG

NOW = 1_800_000_000.0


class Clock:
    """A client clock the test moves."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


class Recorder:
    """Performs effects like ``Auth`` does, and writes down what happened, in order."""

    def __init__(self, core: AuthCore, answer: Callable[[Call], dict[str, Any]]) -> None:
        self.core = core
        self.answer = answer
        self.log: list[str] = []
        self.held: list[str] = []
        #: Runs right after the store lock is taken (another process acting first).
        self.on_store_lock: Callable[[], None] = lambda: None

    def perform(self, effect: Effect) -> Any:
        if isinstance(effect, Call):
            self.log.append(f"call {effect.operation}")
            return self.answer(effect)
        if isinstance(effect, Blocking):
            self.log.append(f"store {effect.fn.__name__} holding {'+'.join(self.held) or '-'}")
            return effect.fn(*effect.args)
        if isinstance(effect, Exclusive):
            name = effect.name
        else:
            name = "store:" + ("session" if effect.key == self.core.key else "identity")
        self.log.append(f"lock {name}")
        self.held.append(name)
        try:
            if isinstance(effect, StoreLocked):
                self.on_store_lock()
            return self.run(effect.body)
        finally:
            self.held.pop()
            self.log.append(f"unlock {name}")

    def run(self, op: Op[Any]) -> Any:
        return run_sync(op, self.perform)


def signed_in(core: AuthCore, clock: Clock, username: str = "alice") -> None:
    """Store and adopt a session whose tokens were issued now (valid an hour)."""
    record = core.stored_from_authentication(
        authentication_result(iat=clock(), username=username),
        login_id=username,
        auth_flow_type="USER_SRP_AUTH",
    )
    core.store.save(core.key, record.to_dict())
    core.adopt(record)


def make_core(config: Any = CONFIG) -> tuple[AuthCore, Clock, list[str]]:
    clock = Clock()
    core = AuthCore(config, store=MemoryStore(), profile="default", clock=clock)
    events: list[str] = []
    core.events.subscribe(lambda event: events.append(event.name))
    return core, clock, events


def no_calls(call: Call) -> dict[str, Any]:
    raise AssertionError(f"unexpected call {call.operation}")


def test_a_due_refresh_takes_both_locks_in_order_and_does_its_store_work_under_the_store_lock() -> (
    None
):
    core, clock, events = make_core()
    signed_in(core, clock)
    clock.now += 3600  # expired
    fresh = authentication_result(iat=clock.now, username="alice")
    recorder = Recorder(core, lambda call: {"AuthenticationResult": fresh})

    session = recorder.run(user_session_op(core))

    assert session.tokens.access_token.token == fresh["AccessToken"]
    assert recorder.log == [
        "lock refresh",
        "lock store:session",
        "store read_store holding refresh+store:session",
        "call GetTokensFromRefreshToken",
        "store save holding refresh+store:session",
        "unlock store:session",
        "unlock refresh",
    ]
    assert core.store.load(core.key)["access_token"] == fresh["AccessToken"]
    assert events == ["token_refresh"]


def test_a_refresh_another_process_saved_meanwhile_is_adopted_without_a_call() -> None:
    core, clock, events = make_core()
    signed_in(core, clock)
    clock.now += 3600
    other = core.stored_from_authentication(
        authentication_result(iat=clock.now, username="alice"),
        login_id="alice",
        auth_flow_type="USER_SRP_AUTH",
    )
    recorder = Recorder(core, no_calls)
    recorder.on_store_lock = lambda: core.store.save(core.key, other.to_dict())

    session = recorder.run(user_session_op(core))

    assert session.tokens.access_token.token == other.tokens.access_token.token
    assert not any(line.startswith("call") for line in recorder.log)
    assert events == []  # adopting is not a refresh of ours


def test_a_sign_out_elsewhere_seen_under_the_lock_signs_this_object_out() -> None:
    core, clock, events = make_core()
    signed_in(core, clock)
    clock.now += 3600
    recorder = Recorder(core, no_calls)
    recorder.on_store_lock = lambda: core.store.delete(core.key)

    assert recorder.run(user_session_op(core)) is SIGNED_OUT
    assert core.cached is None and events == ["signed_out"]


def test_a_refused_refresh_ends_the_session_and_a_transient_failure_keeps_it() -> None:
    core, clock, events = make_core()
    signed_in(core, clock)
    clock.now += 3600

    def fault(call: Call) -> dict[str, Any]:
        raise InternalErrorException("Internal server error.")

    with pytest.raises(InternalErrorException):
        Recorder(core, fault).run(user_session_op(core))
    assert core.store.load(core.key) is not None and core.cached is not None
    assert events == ["token_refresh_failure"]

    def refused(call: Call) -> dict[str, Any]:
        raise NotAuthorizedException("Refresh Token has been revoked")

    recorder = Recorder(core, refused)
    assert recorder.run(user_session_op(core)) is SIGNED_OUT
    assert "store delete holding refresh+store:session" in recorder.log
    assert core.store.load(core.key) is None and core.cached is None
    assert core.take_expired() == "alice"
    assert events == ["token_refresh_failure", "token_refresh_failure", "session_expired"]


def test_answer_from_memory_answers_only_what_memory_alone_can() -> None:
    core, clock, _ = make_core()
    assert answer_from_memory(core, None, False) is None  # the store was never read
    assert Recorder(core, no_calls).run(session_op(core, None, False)) is SIGNED_OUT
    assert answer_from_memory(core, None, False) is SIGNED_OUT
    assert answer_from_memory(core, None, True) is None  # forced: the operation decides
    signed_in(core, clock)
    assert answer_from_memory(core, None, False) is core.cached.session  # type: ignore[union-attr]
    clock.now += 3600
    assert answer_from_memory(core, None, False) is None  # due: the operation refreshes


def test_guest_credentials_when_guests_are_off_are_refused_under_both_identity_locks() -> None:
    config = dataclasses.replace(
        CONFIG,
        identity_pool=IdentityPoolConfig(
            "us-east-1:11111111-2222-3333-4444-555555555555", "us-east-1"
        ),
        unauthenticated_identities_enabled=False,
    )
    core, _, _ = make_core(config)
    identity = identity_core_of(core)
    assert identity is not None
    recorder = Recorder(core, no_calls)

    session = recorder.run(session_op(core, identity, False))

    assert not session.is_signed_in and session.credentials is None
    assert isinstance(session.credentials_error, GuestAccessDisabledError)
    assert recorder.log == [
        "store load holding -",
        f"lock {IDENTITY}",
        "lock store:identity",
        "store read holding identity+store:identity",
        "unlock store:identity",
        f"unlock {IDENTITY}",
    ]
    assert REFRESH not in recorder.log  # nobody signed in: no token refresh to single-flight


def test_sign_out_clears_the_session_even_when_revocation_fails() -> None:
    core, clock, events = make_core()
    signed_in(core, clock)

    def unavailable(call: Call) -> dict[str, Any]:
        raise InternalErrorException("Internal server error.")

    recorder = Recorder(core, unavailable)
    result = recorder.run(sign_out_op(core, None, False))

    assert recorder.log == [
        "call RevokeToken",
        "lock store:session",
        "store delete holding store:session",
        "unlock store:session",
    ]
    assert isinstance(result.revoke_token_error, InternalErrorException)
    assert result.signed_out_locally and not result.is_complete
    assert core.store.load(core.key) is None and events == ["signed_out"]


def test_a_finished_sign_in_saves_then_clears_credentials_each_under_its_own_store_lock() -> None:
    config = dataclasses.replace(
        CONFIG,
        identity_pool=IdentityPoolConfig(
            "us-east-1:11111111-2222-3333-4444-555555555555", "us-east-1"
        ),
    )
    core, clock, events = make_core(config)
    identity = identity_core_of(core)
    assert identity is not None
    identity.write(identity.expired(identity.read(), "alice"))  # a session that ended earlier
    tokens = authentication_result(iat=clock.now, username="alice")
    recorder = Recorder(core, lambda call: {"AuthenticationResult": tokens})

    op = sign_in_op(core, identity, "alice", "pw", "USER_PASSWORD_AUTH", None)
    result = recorder.run(op)

    assert result.is_signed_in and events == ["signed_in"]
    # One lock at a time, never nested: the session record, then the identity record.
    assert recorder.log == [
        "store load holding -",
        "call InitiateAuth",
        "lock store:session",
        "store save holding store:session",
        "unlock store:session",
        "lock store:identity",
        "store read holding store:identity",
        "store write holding store:identity",
        "unlock store:identity",
    ]
    assert core.store.load(core.key)["access_token"] == tokens["AccessToken"]
    assert identity.read().expired_login is None


def test_effect_reprs_never_show_store_data() -> None:
    store = MemoryStore()
    effect = Blocking(store.save, "session/key", {"refresh_token": "very-secret-token"})
    assert "very-secret-token" not in repr(effect)
    assert effect.args == ("session/key", {"refresh_token": "very-secret-token"})


def test_a_rotated_refresh_token_is_written_before_anything_else() -> None:
    """Defect 7: after the answer, the new refresh token reaches the store before any other
    effect or event, so a process killed then still holds the token the server rotated to."""
    core, clock, _ = make_core()
    signed_in(core, clock)
    clock.now += 3600
    fresh = {**authentication_result(iat=clock.now), "RefreshToken": "rotated-refresh"}
    recorder = Recorder(core, lambda call: {"AuthenticationResult": fresh})
    core.events.subscribe(lambda event: recorder.log.append(f"event {event.name}"))

    recorder.run(user_session_op(core))

    after = recorder.log[recorder.log.index("call GetTokensFromRefreshToken") + 1 :]
    assert after[0] == "store save holding refresh+store:session"
    assert core.store.load(core.key)["refresh_token"] == "rotated-refresh"


def test_a_rotated_refresh_token_is_kept_when_the_rest_of_the_answer_is_unreadable() -> None:
    """The server has rotated: dropping the new token would sign the user out for nothing.
    It is saved (with the tokens held before) and the failure is reported, session kept."""
    core, clock, events = make_core()
    signed_in(core, clock)
    old_access = core.store.load(core.key)["access_token"]
    clock.now += 3600
    broken = {
        **authentication_result(iat=clock.now),
        "IdToken": "not-a-jwt",
        "RefreshToken": "rotated-refresh",
    }

    with pytest.raises(ProtocolError, match="session is kept"):
        Recorder(core, lambda call: {"AuthenticationResult": broken}).run(user_session_op(core))

    kept = core.store.load(core.key)
    assert kept is not None and kept["refresh_token"] == "rotated-refresh"
    assert kept["access_token"] == old_access
    assert core.cached is not None and core.cached.stored.tokens.refresh_token == "rotated-refresh"
    assert events == ["token_refresh_failure"]
