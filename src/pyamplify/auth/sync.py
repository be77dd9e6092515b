"""``Auth``: the Amplify Auth category for ordinary (blocking) Python.

Every method runs a flow from :mod:`pyamplify.auth.flows` with :func:`run_sync`. The session
lives in memory and in the credential store; ``fetch_auth_session`` answers from memory while the
tokens are fresh (one clock read) and otherwise refreshes them in a single flight: one thread of
this object refreshes, the others wait for its result, and the store's inter-process lock makes
other ``Auth`` objects and other processes wait too and then adopt the refreshed tokens.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from pyamplify.auth._core import AuthCore, identity_core_of
from pyamplify.auth.credentials import AWSCredentials
from pyamplify.auth.drivers import run_sync
from pyamplify.auth.effects import IDENTITY, REFRESH, Blocking, Effect, Exclusive, Op
from pyamplify.auth.errors import AlreadySignedInError, NoSignInInProgressError, SignedOutError
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
    SignInDetails,
    SignInResult,
    SignOutResult,
    SignUpResult,
)
from pyamplify.auth.session import AuthSession, CachedSession
from pyamplify.errors import PyamplifyError
from pyamplify.wire.call import Call

if TYPE_CHECKING:
    from pyamplify.config import AuthConfig
    from pyamplify.storage import CredentialStore
    from pyamplify.wire.transport import SyncTransport

T = TypeVar("T")


def already_signed_in(cached: CachedSession, profile: str) -> AlreadySignedInError:
    """The error for ``sign_in`` while someone is signed in (Amplify refuses it too)."""
    return AlreadySignedInError(
        f"{cached.stored.login_id!r} is already signed in on profile {profile!r}; sign out "
        "first (sign_out() / `pyamplify auth sign-out`) or use another profile"
    )


def signed_out_error(profile: str) -> SignedOutError:
    """The error for operations that need a signed-in user."""
    return SignedOutError(
        f"no user is signed in on profile {profile!r}; sign in first "
        "(sign_in() / `pyamplify auth sign-in`)"
    )


def user_of(cached: CachedSession) -> AuthUser:
    """``get_current_user``'s answer for a session."""
    stored = cached.stored
    return AuthUser(
        username=stored.username,
        user_id=stored.user_sub or "",
        sign_in_details=SignInDetails(stored.login_id, stored.auth_flow_type),
    )


class Auth:
    """Sign users in to one Cognito user pool and keep their session (blocking API)."""

    def __init__(
        self,
        config: AuthConfig | str | os.PathLike[str] | None = None,
        *,
        store: CredentialStore | None = None,
        profile: str = "default",
        clock: Callable[[], float] | None = None,
        transport: SyncTransport | None = None,
    ) -> None:
        self._core = AuthCore(config, store=store, profile=profile, clock=clock)
        self._identity = identity_core_of(self._core)
        self._transport = transport
        self._locks = {REFRESH: threading.Lock(), IDENTITY: threading.Lock()}
        self._transport_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Auth({self._core.describe()}, profile={self._core.profile!r})"

    @property
    def events(self) -> EventHub:
        """The event hub: ``auth.events.subscribe(callback) -> unsubscribe``."""
        return self._core.events

    @property
    def config(self) -> AuthConfig:
        """The configuration this object was built from."""
        return self._core.config

    # ------------------------------------------------------------------ plumbing
    def _send(self, call: Call) -> dict[str, Any]:
        transport = self._transport
        if transport is None:
            with self._transport_lock:
                if self._transport is None:
                    from pyamplify.wire.transport import SyncTransport

                    self._transport = SyncTransport(self._core.endpoints())
                transport = self._transport
        return transport.send(call)

    def _perform(self, effect: Effect) -> Any:
        if isinstance(effect, Call):
            return self._send(effect)
        if isinstance(effect, Blocking):
            return effect.fn(*effect.args)
        if isinstance(effect, Exclusive):
            with self._locks[effect.name]:
                return self._run(effect.body)
        with self._core.store.lock(effect.key):
            return self._run(effect.body)

    def _run(self, op: Op[T]) -> T:
        return run_sync(op, self._perform)

    def close(self) -> None:
        """Close the HTTP connections (the session stays in the store)."""
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    def __enter__(self) -> Auth:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _current(self) -> CachedSession | None:
        return self._core.cached if self._core.loaded else self._core.load()

    # ------------------------------------------------------------------ sign-up
    def sign_up(
        self,
        username: str,
        password: str | None = None,
        *,
        attributes: Mapping[str, str] | None = None,
        validation_data: Mapping[str, str] | None = None,
        client_metadata: Mapping[str, str] | None = None,
    ) -> SignUpResult:
        """Register a new user; the result's next step says whether a code must be confirmed."""
        ctx = self._core.context
        return self._run(
            sign_up_flow(
                ctx,
                username,
                password,
                attributes=attributes,
                validation_data=validation_data,
                client_metadata=client_metadata,
            )
        )

    def confirm_sign_up(
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
        return self._run(flow)

    def resend_sign_up_code(
        self, username: str, *, client_metadata: Mapping[str, str] | None = None
    ) -> CodeDeliveryDetails | None:
        """Send the sign-up confirmation code again; returns where it went."""
        flow = resend_sign_up_code_flow(
            self._core.context, username, client_metadata=client_metadata
        )
        return self._run(flow)

    # ------------------------------------------------------------------ sign-in
    def sign_in(
        self,
        username: str,
        password: str | None = None,
        *,
        flow: str | None = None,
        client_metadata: Mapping[str, str] | None = None,
    ) -> SignInResult:
        """Start signing in; ``result.next_step`` says what (if anything) comes next."""
        cached = self._current()
        if cached is not None:
            raise already_signed_in(cached, self._core.profile)
        outcome = self._run(
            sign_in_flow(
                self._core.context,
                username,
                password,
                flow_type=self._core.sign_in_flow_type(flow),
                client_metadata=client_metadata,
                now=self._core.now,
            )
        )
        return self._finish_sign_in(outcome)

    def confirm_sign_in(
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
        outcome = self._run(
            confirm_sign_in_flow(
                self._core.context,
                pending,
                challenge_response,
                attributes=attributes,
                client_metadata=client_metadata,
            )
        )
        return self._finish_sign_in(outcome)

    def _finish_sign_in(self, outcome: SignInOutcome) -> SignInResult:
        stored = self._core.signed_in_record(outcome)
        if stored is not None:
            self._core.save_locked(stored)
            if self._identity is not None:
                self._identity.clear_locked()
            self._core.signed_in(stored)
        return outcome.result

    # ------------------------------------------------------------------ session
    def fetch_auth_session(self, force_refresh: bool = False) -> AuthSession:
        """The current session, refreshed first when it is (nearly) expired or when forced.

        With an identity pool in the configuration it also holds the identity id and AWS
        credentials (the signed-in user's, else a guest's), fetched and refreshed in the same
        single-flight way; identity-pool failures come back as ``credentials_error``.
        """
        known = answer_from_memory(self._core, self._identity, force_refresh)
        if known is not None:
            return known
        return self._run(session_op(self._core, self._identity, force_refresh))

    def _user_session(self, force_refresh: bool = False) -> AuthSession:
        """The user-pool part of the session alone (no identity-pool calls)."""
        return self._run(user_session_op(self._core, force_refresh))

    def fetch_aws_credentials(self, force_refresh: bool = False) -> AWSCredentials:
        """The AWS credentials of the signed-in user, else of a guest; raises the reason
        (Cognito's typed error, ``SessionExpiredError``, ``NoIdentityPoolError``…) when there
        are none."""
        return self._run(aws_credentials_op(self._core, self._identity, force_refresh))

    def boto3_session(self, region_name: str | None = None) -> Any:
        """A ``boto3.Session`` whose credentials are this object's identity-pool credentials
        (the signed-in user's, else a guest's), refreshed through botocore's refreshable
        credentials; ``region_name`` defaults to the identity pool's. Needs
        ``pip install 'pyamplify[boto3]'``."""
        from pyamplify.aws.boto3_session import boto3_session

        return boto3_session(self, region_name)

    def get_current_user(self) -> AuthUser:
        """The signed-in user (refreshing the session first if it is due)."""
        self._user_session()
        cached = self._core.cached
        if cached is None:
            raise signed_out_error(self._core.profile)
        return user_of(cached)

    def fetch_user_attributes(self) -> dict[str, str]:
        """The user's attributes as Cognito holds them now (GetUser)."""
        session = self._user_session()
        if session.tokens is None:
            raise signed_out_error(self._core.profile)
        response = self._run(get_user_flow(session.tokens.access_token.token))
        return {item["Name"]: item.get("Value", "") for item in response.get("UserAttributes", [])}

    # ------------------------------------------------------------------ sign-out
    def sign_out(self, global_sign_out: bool = False) -> SignOutResult:
        """Sign out: revoke the refresh token (or sign out everywhere with ``global_sign_out``)
        and clear the local session, which happens even when the server steps fail."""
        core = self._core
        cached = self._current()
        core.pending = None
        if cached is None:
            if self._identity is not None:
                self._identity.clear_locked()
            return SignOutResult()
        revoke_error: PyamplifyError | None = None
        global_error: PyamplifyError | None = None
        if global_sign_out:
            access = cached.stored.tokens.access_token.token
            try:
                session = self._user_session()
                if session.tokens is not None:
                    access = session.tokens.access_token.token
            except PyamplifyError:
                pass  # a transient refresh failure: try with the token we have
            try:
                self._run(global_sign_out_flow(access))
            except PyamplifyError as error:
                global_error = error
        else:
            tokens = (core.cached or cached).stored.tokens
            if tokens.refresh_token and "origin_jti" in tokens.access_token.claims:
                try:
                    self._run(revoke_token_flow(core.context, tokens.refresh_token))
                except PyamplifyError as error:
                    revoke_error = error
        core.erase_locked()
        if self._identity is not None:
            self._identity.clear_locked()
        core.signed_out(cached.stored.username)
        return SignOutResult(True, revoke_error, global_error)
