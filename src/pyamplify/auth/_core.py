"""The state and rules ``Auth`` and ``AsyncAuth`` share; no I/O happens here except through
the store methods, which the operations (:mod:`pyamplify.auth.operations`) ask the drivers to
run (the async twin runs them on a thread).

One ``AuthCore`` serves one (user pool, app client, profile): the in-memory copy of the
session, the sign-in waiting for a next step, the event hub, and the decisions (is the session
fresh, is a refresh failure an auth failure or a transient one) that must not differ between the
sync and async APIs.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timezone
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, overload

from pyamplify.auth.errors import AuthValidationError, InvalidTokenError
from pyamplify.auth.events import (
    SESSION_EXPIRED,
    SIGNED_IN,
    SIGNED_OUT,
    TOKEN_REFRESH,
    TOKEN_REFRESH_FAILURE,
    AuthEvent,
    EventHub,
)
from pyamplify.auth.flows import USER_SRP_AUTH, ClientContext, SignInOutcome
from pyamplify.auth.refresh_support import RefreshFallback
from pyamplify.auth.session import SIGNED_OUT as SIGNED_OUT_SESSION
from pyamplify.auth.session import AuthSession, CachedSession, StoredSession, username_of
from pyamplify.auth.tokens import JWT, AuthTokens
from pyamplify.errors import PyamplifyError
from pyamplify.wire.call import IDENTITY, IDP
from pyamplify.wire.errors import (
    NotAuthorizedException,
    PasswordResetRequiredException,
    ProtocolError,
    RefreshTokenReuseException,
    UserNotConfirmedException,
    UserNotFoundException,
)

if TYPE_CHECKING:
    from pyamplify.auth._identity_core import IdentityCore
    from pyamplify.auth.credentials import AWSCredentials
    from pyamplify.auth.flows import PendingChallenge
    from pyamplify.auth.passkeys import PasskeyAuthenticator
    from pyamplify.auth.user_auth_operations import AutoSignIn
    from pyamplify.config import AuthConfig
    from pyamplify.storage import CredentialStore

logger = logging.getLogger("pyamplify.auth")

#: Refresh failures that mean the session is over (amplify-js clears tokens for these too);
#: anything else (timeouts, throttling, 5xx) keeps the session and is raised to the caller.
AUTH_FAILURES: tuple[type[PyamplifyError], ...] = (
    NotAuthorizedException,
    UserNotFoundException,
    PasswordResetRequiredException,
    UserNotConfirmedException,
    RefreshTokenReuseException,
    InvalidTokenError,
)


def resolve_config(config: AuthConfig | str | os.PathLike[str] | None) -> AuthConfig:
    """An ``AuthConfig`` as given, or loaded from a path (``None``: the default search)."""
    from pyamplify.config import AuthConfig, load_config

    if isinstance(config, AuthConfig):
        return config
    return load_config(config)


def identity_core_of(core: AuthCore) -> IdentityCore | None:
    """The identity-pool half for ``core``'s configuration, or ``None`` without an identity pool."""
    if core.config.identity_pool is None:
        return None
    from pyamplify.auth._identity_core import IdentityCore

    return IdentityCore(core.config, store=core.store, profile=core.profile, clock=core.clock)


def credentials_or_raise(session: AuthSession) -> AWSCredentials:
    """``session.credentials``, or the reason there are none, raised."""
    if session.credentials is not None:
        return session.credentials
    if session.credentials_error is not None:
        raise session.credentials_error
    raise PyamplifyError("no AWS credentials could be obtained")  # pragma: no cover


class AuthCore:
    """Shared state of one Auth object (see the module docstring)."""

    def __init__(
        self,
        config: AuthConfig | str | os.PathLike[str] | None,
        *,
        store: CredentialStore | None,
        profile: str,
        clock: Callable[[], float] | None,
    ) -> None:
        from pyamplify.storage import default_store, session_key

        self.config = resolve_config(config)
        pool = self.config.user_pool
        identity_pool = self.config.identity_pool
        if pool is None and identity_pool is None:  # pragma: no cover - AuthConfig refuses it
            raise AuthValidationError(
                "the configuration has neither a user pool nor an identity pool"
            )
        self._context = (
            ClientContext(pool.pool_id, pool.app_client_id, pool.app_client_secret)
            if pool is not None
            else None
        )
        # Used as configured: an unsupported value is reported at sign-in, never silently
        # replaced by SRP (as Swift and Android do).
        self.default_flow = self.config.authentication_flow_type or USER_SRP_AUTH
        self.store: CredentialStore = store if store is not None else default_store()
        self.profile = profile
        if pool is not None:
            self.key = session_key(pool.pool_id, pool.app_client_id, profile)
        else:  # a guest-only configuration: no user session is ever stored
            assert identity_pool is not None
            self.key = session_key(None, None, profile, identity_pool.pool_id) + "/no-user-pool"
        self.clock: Callable[[], float] = clock or time.time
        self.events = EventHub()
        self.cached: CachedSession | None = None
        self.loaded = pool is None
        self.pending: PendingChallenge | None = None
        #: The login id of a session that ended by itself during the current call (consumed by
        #: the identity-pool part, which then withholds guest credentials).
        self.expired_login: str | None = None
        #: ClientMetadata sent with every token refresh (``set_token_refresh_client_metadata``).
        self.refresh_client_metadata: Mapping[str, str] | None = None
        #: Client-credentials tokens in memory, by client and scopes (``web_operations``).
        self.m2m_tokens: dict[str, Any] = {}
        #: What makes and uses passkeys (``None``: the machine's, found when first needed), and
        #: the origin claimed to the relying party (``None``: ``https://<rp id>``).
        self.passkey_authenticator: PasskeyAuthenticator | None = None
        self.passkey_origin: str | None = None
        #: A sign-up waiting for ``auto_sign_in`` (``user_auth_operations``).
        self.auto_sign_in: AutoSignIn | None = None

    @property
    def context(self) -> ClientContext:
        """The app client every user-pool flow needs (an error for guest-only configs)."""
        if self._context is None:
            raise AuthValidationError(
                "the configuration has no user pool (CognitoUserPool / auth.user_pool_id), "
                "only an identity pool: sign-up and sign-in need one; guests can still get AWS "
                "credentials with fetch_auth_session()"
            )
        return self._context

    def describe(self) -> str:
        """``pool=…`` for reprs."""
        if self._context is not None:
            return f"pool={self._context.user_pool_id!r}"
        pool = self.config.identity_pool
        return f"identity_pool={pool.pool_id if pool else None!r}"

    def take_expired(self) -> str | None:
        """The login id of a session that just ended by itself (once), else ``None``."""
        login, self.expired_login = self.expired_login, None
        return login

    def endpoint(self) -> str:
        """Where user-pool calls go, resolved now (environment overrides apply at call time)."""
        return self.config.user_pool_endpoint_url()

    def refresh_fallback(self) -> RefreshFallback | None:
        """For a custom user pool endpoint, the memory of its refresh call; ``None`` for AWS's
        own endpoint, which always answers GetTokensFromRefreshToken."""
        resolved = self.config.resolve_user_pool_endpoint()
        if resolved.origin == "AWS default":
            return None
        return RefreshFallback(resolved.url)

    def endpoints(self) -> dict[str, str]:
        """Where calls go, per service, for the pools this configuration has."""
        found: dict[str, str] = {}
        if self.config.user_pool is not None:
            found[IDP] = self.config.user_pool_endpoint_url()
        if self.config.identity_pool is not None:
            found[IDENTITY] = self.config.identity_pool_endpoint_url()
        return found

    # ------------------------------------------------------------------ time
    def now(self) -> datetime:
        """The client clock as an aware UTC datetime (for SRP's TIMESTAMP)."""
        return datetime.fromtimestamp(self.clock(), timezone.utc)

    def is_fresh(self, cached: CachedSession) -> bool:
        """Whether ``cached`` can be used without refreshing (drift-corrected)."""
        return self.clock() < cached.refresh_at

    def settled_while_waiting(
        self, cached: CachedSession, seen: CachedSession, force: bool
    ) -> bool:
        """Whether a caller that waited for the refresh lock can use ``cached`` as it is:
        someone else refreshed (or signed in again) meanwhile, or it is simply fresh."""
        if cached is not seen:
            return force or self.is_fresh(cached)
        return not force and self.is_fresh(cached)

    # ------------------------------------------------------------------ store (blocking)
    def read_store(self) -> StoredSession | None:
        """The stored session, or ``None`` (missing, corrupt and foreign records alike)."""
        data = self.store.load(self.key)
        if data is None:
            return None
        try:
            return StoredSession.from_dict(data)
        except InvalidTokenError as error:
            logger.warning("ignoring the stored session %r: %s; signed out", self.key, error)
            return None

    def load(self) -> CachedSession | None:
        """Read the store into memory (once; later calls use memory)."""
        if not self.loaded:
            self.adopt(self.read_store())
            self.loaded = True
        return self.cached

    # ------------------------------------------------------------------ memory
    @overload
    def adopt(self, stored: StoredSession) -> CachedSession: ...
    @overload
    def adopt(self, stored: None) -> None: ...
    def adopt(self, stored: StoredSession | None) -> CachedSession | None:
        """Make ``stored`` the in-memory session (``None``: nobody is signed in)."""
        self.cached = None if stored is None else CachedSession.of(stored)
        self.loaded = True
        return self.cached

    def stored_from_authentication(
        self,
        result: Mapping[str, Any],
        *,
        login_id: str,
        auth_flow_type: str,
        previous: StoredSession | None = None,
    ) -> StoredSession:
        """Build the record for fresh tokens; measures the clock drift from ``iat``."""
        try:
            access = JWT.parse(str(result["AccessToken"]))
            id_token = JWT.parse(str(result["IdToken"]))
        except KeyError as missing:
            raise InvalidTokenError(f"Cognito's answer has no {missing}") from None
        kept = previous.tokens.refresh_token if previous else None
        refresh = result.get("RefreshToken") or kept
        tokens = AuthTokens(id_token=id_token, access_token=access, refresh_token=refresh)
        # The device the tokens belong to (a device-tracking pool names it in the access token;
        # every refresh must name it again).
        claimed = access.claims.get("device_key")
        device = claimed if isinstance(claimed, str) and claimed else None
        device = device or (result.get("NewDeviceMetadata") or {}).get("DeviceKey")
        return StoredSession(
            tokens=tokens,
            username=username_of(tokens),
            login_id=login_id,
            auth_flow_type=auth_flow_type,
            clock_drift=access.issued_at - self.clock(),
            device_key=device or (previous.device_key if previous else None),
            extras=previous.extras if previous else MappingProxyType({}),
        )

    def refreshed_record(
        self, result: Mapping[str, Any], previous: StoredSession
    ) -> tuple[StoredSession, ProtocolError | None]:
        """The record to save after a refresh answer, and the error to raise after saving it
        when the answer's tokens cannot be read. Then the record is ``previous`` with the
        rotated refresh token, if the answer has one (the server has already rotated: losing
        it would end a session that is fine), and the session is kept, as for a fault."""
        try:
            fresh = self.stored_from_authentication(
                result,
                login_id=previous.login_id,
                auth_flow_type=previous.auth_flow_type,
                previous=previous,
            )
        except InvalidTokenError as error:
            rotated = result.get("RefreshToken")
            kept = previous
            if isinstance(rotated, str) and rotated and rotated != previous.tokens.refresh_token:
                kept = replace(previous, tokens=replace(previous.tokens, refresh_token=rotated))
            return kept, ProtocolError(
                f"the refresh answer's tokens cannot be read ({error}); the session is kept"
                f"{' with the new refresh token' if kept is not previous else ''}, try again"
            )
        return fresh, None

    def signed_in_record(self, outcome: SignInOutcome) -> StoredSession | None:
        """The record to save when a sign-in step ended with tokens, else ``None``."""
        self.pending = outcome.pending
        if outcome.authentication is None:
            return None
        return self.stored_from_authentication(
            outcome.authentication,
            login_id=outcome.login_id,
            auth_flow_type=outcome.auth_flow_type,
        )

    def signed_in(self, stored: StoredSession) -> None:
        """Adopt a new sign-in and announce it."""
        self.expired_login = None
        self.adopt(stored)
        self.emit(SIGNED_IN, stored.username)

    def refreshed(self, stored: StoredSession) -> AuthSession:
        """Adopt refreshed tokens and announce them."""
        cached = self.adopt(stored)
        self.emit(TOKEN_REFRESH, stored.username)
        return cached.session

    def refresh_failed(self, error: PyamplifyError, username: str) -> bool:
        """Announce a failed refresh; ``True`` if the session is over (the caller then erases
        it), ``False`` if the failure is transient (the caller re-raises, keeping the session)."""
        self.emit(TOKEN_REFRESH_FAILURE, username, error)
        return isinstance(error, AUTH_FAILURES)

    def expired(self, username: str, error: PyamplifyError | None) -> AuthSession:
        """Forget the session after an auth failure and announce ``session_expired``."""
        self.expired_login = self.cached.stored.login_id if self.cached else username
        self.adopt(None)
        self.emit(SESSION_EXPIRED, username, error)
        return SIGNED_OUT_SESSION

    def signed_out(self, username: str) -> None:
        """Forget the session after sign-out and announce it."""
        self.adopt(None)
        self.pending = None
        self.emit(SIGNED_OUT, username)

    def emit(self, name: str, username: str | None, error: PyamplifyError | None = None) -> None:
        """Send one event to the subscribers."""
        self.events.emit(AuthEvent(name, username, error))

    def sign_in_flow_type(self, flow: str | None) -> str:
        """The flow to use: the argument, else the configuration's authenticationFlowType."""
        return flow or self.default_flow
