"""``AsyncAuth``: the same API as :class:`~pyamplify.auth.Auth`, as coroutines.

The flows are the very same generators, run by :func:`run_async` over an httpx ``AsyncClient``.
Blocking store I/O runs on threads. A refresh is a single flight among this object's tasks (an
``asyncio.Lock`` per event loop) and, through the store's lock held by a helper thread, among
all threads, ``Auth``/``AsyncAuth`` objects and processes that share the store.
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from pyamplify.auth._core import AuthCore, identity_core_of
from pyamplify.auth._held_lock import ThreadHeldLock
from pyamplify.auth.credentials import AWSCredentials
from pyamplify.auth.drivers import run_async
from pyamplify.auth.effects import IDENTITY, REFRESH, Blocking, Effect, Exclusive, Op
from pyamplify.auth.errors import NoSignInInProgressError
from pyamplify.auth.events import EventHub
from pyamplify.auth.flows import (
    SignInOutcome,
    confirm_sign_in_flow,
    confirm_sign_up_flow,
    get_user_flow,
    global_sign_out_flow,
    resend_sign_up_code_flow,
    revoke_token_flow,
    sign_in_flow,
    sign_up_flow,
)
from pyamplify.auth.operations import (
    answer_from_memory,
    aws_credentials_op,
    session_op,
    user_session_op,
)
from pyamplify.auth.results import (
    AuthUser,
    CodeDeliveryDetails,
    SignInResult,
    SignOutResult,
    SignUpResult,
)
from pyamplify.auth.session import AuthSession, CachedSession
from pyamplify.auth.sync import already_signed_in, signed_out_error, user_of
from pyamplify.errors import PyamplifyError
from pyamplify.wire.call import Call

if TYPE_CHECKING:
    from pyamplify.config import AuthConfig
    from pyamplify.storage import CredentialStore
    from pyamplify.wire.transport import AsyncTransport

T = TypeVar("T")


class AsyncAuth:
    """Sign users in to one Cognito user pool and keep their session (asyncio API)."""

    def __init__(
        self,
        config: AuthConfig | str | os.PathLike[str] | None = None,
        *,
        store: CredentialStore | None = None,
        profile: str = "default",
        clock: Callable[[], float] | None = None,
        transport: AsyncTransport | None = None,
    ) -> None:
        self._core = AuthCore(config, store=store, profile=profile, clock=clock)
        self._identity = identity_core_of(self._core)
        self._transport = transport
        self._transport_loop: asyncio.AbstractEventLoop | None = None
        self._given_transport = transport is not None
        self._locks: dict[str, weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]]
        self._locks = {REFRESH: weakref.WeakKeyDictionary(), IDENTITY: weakref.WeakKeyDictionary()}
        self._locks_guard = threading.Lock()

    def __repr__(self) -> str:
        return f"AsyncAuth({self._core.describe()}, profile={self._core.profile!r})"

    @property
    def events(self) -> EventHub:
        """The event hub: ``auth.events.subscribe(callback) -> unsubscribe``."""
        return self._core.events

    @property
    def config(self) -> AuthConfig:
        """The configuration this object was built from."""
        return self._core.config

    # ------------------------------------------------------------------ plumbing
    def _transport_now(self) -> AsyncTransport:
        loop = asyncio.get_running_loop()
        if self._transport is None or (
            not self._given_transport and self._transport_loop is not loop
        ):
            # An httpx AsyncClient belongs to one event loop: make one per loop.
            from pyamplify.wire.transport import AsyncTransport

            self._transport = AsyncTransport(self._core.endpoints())
            self._transport_loop = loop
        return self._transport

    async def _send(self, call: Call) -> dict[str, Any]:
        return await self._transport_now().send(call)

    async def _perform(self, effect: Effect, held: ThreadHeldLock | None) -> Any:
        if isinstance(effect, Call):
            return await self._send(effect)
        if isinstance(effect, Blocking):
            if held is not None:  # the store lock's thread runs the store work it guards
                return await held.run(effect.fn, *effect.args)
            return await asyncio.to_thread(effect.fn, *effect.args)
        if isinstance(effect, Exclusive):
            async with self._loop_lock(effect.name):
                return await self._run(effect.body, held)
        key, store = effect.key, self._core.store
        async with ThreadHeldLock(lambda: store.lock(key)) as holder:
            return await self._run(effect.body, holder)

    async def _run(self, op: Op[T], held: ThreadHeldLock | None = None) -> T:
        return await run_async(op, lambda effect: self._perform(effect, held))

    def _loop_lock(self, name: str) -> asyncio.Lock:
        """The object's lock ``name`` for the running event loop (an asyncio lock serves one)."""
        loop = asyncio.get_running_loop()
        with self._locks_guard:
            locks = self._locks[name]
            lock = locks.get(loop)
            if lock is None:
                lock = locks[loop] = asyncio.Lock()
            return lock

    async def aclose(self) -> None:
        """Close the HTTP connections (the session stays in the store)."""
        if self._transport is not None:
            await self._transport.aclose()
            self._transport = None

    async def __aenter__(self) -> AsyncAuth:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _current(self) -> CachedSession | None:
        core = self._core
        if core.loaded:
            return core.cached
        return await asyncio.to_thread(core.load)

    # ------------------------------------------------------------------ sign-up
    async def sign_up(
        self,
        username: str,
        password: str | None = None,
        *,
        attributes: Mapping[str, str] | None = None,
        validation_data: Mapping[str, str] | None = None,
        client_metadata: Mapping[str, str] | None = None,
    ) -> SignUpResult:
        """Register a new user; the result's next step says whether a code must be confirmed."""
        return await self._run(
            sign_up_flow(
                self._core.context,
                username,
                password,
                attributes=attributes,
                validation_data=validation_data,
                client_metadata=client_metadata,
            )
        )

    async def confirm_sign_up(
        self,
        username: str,
        code: str,
        *,
        force_alias_creation: bool = False,
        client_metadata: Mapping[str, str] | None = None,
    ) -> SignUpResult:
        """Confirm a sign-up with the code the user received."""
        flow = confirm_sign_up_flow(
            self._core.context,
            username,
            code,
            force_alias_creation=force_alias_creation,
            client_metadata=client_metadata,
        )
        return await self._run(flow)

    async def resend_sign_up_code(
        self, username: str, *, client_metadata: Mapping[str, str] | None = None
    ) -> CodeDeliveryDetails | None:
        """Send the sign-up confirmation code again; returns where it went."""
        flow = resend_sign_up_code_flow(
            self._core.context, username, client_metadata=client_metadata
        )
        return await self._run(flow)

    # ------------------------------------------------------------------ sign-in
    async def sign_in(
        self,
        username: str,
        password: str | None = None,
        *,
        flow: str | None = None,
        client_metadata: Mapping[str, str] | None = None,
    ) -> SignInResult:
        """Start signing in; ``result.next_step`` says what (if anything) comes next."""
        cached = await self._current()
        if cached is not None:
            raise already_signed_in(cached, self._core.profile)
        outcome = await self._run(
            sign_in_flow(
                self._core.context,
                username,
                password,
                flow_type=self._core.sign_in_flow_type(flow),
                client_metadata=client_metadata,
                now=self._core.now,
            )
        )
        return await self._finish_sign_in(outcome)

    async def confirm_sign_in(
        self,
        challenge_response: str,
        *,
        attributes: Mapping[str, str] | None = None,
        client_metadata: Mapping[str, str] | None = None,
    ) -> SignInResult:
        """Answer the pending next step (a new password, a code, a challenge answer)."""
        pending = self._core.pending
        if pending is None:
            raise NoSignInInProgressError(
                "no sign-in is waiting for a next step; call sign_in() first"
            )
        outcome = await self._run(
            confirm_sign_in_flow(
                self._core.context,
                pending,
                challenge_response,
                attributes=attributes,
                client_metadata=client_metadata,
            )
        )
        return await self._finish_sign_in(outcome)

    async def _finish_sign_in(self, outcome: SignInOutcome) -> SignInResult:
        stored = self._core.signed_in_record(outcome)
        if stored is not None:
            await asyncio.to_thread(self._core.save_locked, stored)
            if self._identity is not None:
                await asyncio.to_thread(self._identity.clear_locked)
            self._core.signed_in(stored)
        return outcome.result

    # ------------------------------------------------------------------ session
    async def fetch_auth_session(self, force_refresh: bool = False) -> AuthSession:
        """The current session, refreshed first when it is (nearly) expired or when forced.

        With an identity pool in the configuration it also holds the identity id and AWS
        credentials (the signed-in user's, else a guest's), fetched and refreshed in the same
        single-flight way; identity-pool failures come back as ``credentials_error``.
        """
        known = answer_from_memory(self._core, self._identity, force_refresh)
        if known is not None:
            return known
        return await self._run(session_op(self._core, self._identity, force_refresh))

    async def fetch_aws_credentials(self, force_refresh: bool = False) -> AWSCredentials:
        """The AWS credentials of the signed-in user, else of a guest; raises the reason
        (Cognito's typed error, ``SessionExpiredError``, ``NoIdentityPoolError``…) when there
        are none."""
        return await self._run(aws_credentials_op(self._core, self._identity, force_refresh))

    async def _user_session(self, force_refresh: bool = False) -> AuthSession:
        """The user-pool part of the session alone (no identity-pool calls)."""
        return await self._run(user_session_op(self._core, force_refresh))

    async def get_current_user(self) -> AuthUser:
        """The signed-in user (refreshing the session first if it is due)."""
        await self._user_session()
        cached = self._core.cached
        if cached is None:
            raise signed_out_error(self._core.profile)
        return user_of(cached)

    async def fetch_user_attributes(self) -> dict[str, str]:
        """The user's attributes as Cognito holds them now (GetUser)."""
        session = await self._user_session()
        if session.tokens is None:
            raise signed_out_error(self._core.profile)
        response = await self._run(get_user_flow(session.tokens.access_token.token))
        return {item["Name"]: item.get("Value", "") for item in response.get("UserAttributes", [])}

    # ------------------------------------------------------------------ sign-out
    async def sign_out(self, global_sign_out: bool = False) -> SignOutResult:
        """Sign out: revoke the refresh token (or sign out everywhere with ``global_sign_out``)
        and clear the local session, which happens even when the server steps fail."""
        core = self._core
        cached = await self._current()
        core.pending = None
        if cached is None:
            if self._identity is not None:
                await asyncio.to_thread(self._identity.clear_locked)
            return SignOutResult()
        revoke_error: PyamplifyError | None = None
        global_error: PyamplifyError | None = None
        if global_sign_out:
            access = cached.stored.tokens.access_token.token
            try:
                session = await self._user_session()
                if session.tokens is not None:
                    access = session.tokens.access_token.token
            except PyamplifyError:
                pass  # a transient refresh failure: try with the token we have
            try:
                await self._run(global_sign_out_flow(access))
            except PyamplifyError as error:
                global_error = error
        else:
            tokens = (core.cached or cached).stored.tokens
            if tokens.refresh_token and "origin_jti" in tokens.access_token.claims:
                try:
                    await self._run(revoke_token_flow(core.context, tokens.refresh_token))
                except PyamplifyError as error:
                    revoke_error = error
        await asyncio.to_thread(core.erase_locked)
        if self._identity is not None:
            await asyncio.to_thread(self._identity.clear_locked)
        core.signed_out(cached.stored.username)
        return SignOutResult(True, revoke_error, global_error)
