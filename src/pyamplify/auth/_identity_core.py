"""The identity-pool half of the session: the rules ``Auth`` and ``AsyncAuth`` share.

It decides, without I/O of its own (its store reads and writes run as effects of
:func:`~pyamplify.auth.operations.credentials_op`), who credentials are for, when stored ones
still serve, when guests are refused, and what is remembered in memory (a :class:`Memo`, so a
cache hit stays one clock read). Identity-pool failures are returned in the session, never
raised by ``fetch_auth_session``. See docs/architecture.md ("Identity-pool credentials").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from pyamplify.auth.credentials import (
    CurrentCredentials,
    IdentityRecord,
    credentials_refresh_at,
    token_digest,
)
from pyamplify.auth.errors import (
    GuestAccessDisabledError,
    NoIdentityPoolError,
    SessionExpiredError,
)
from pyamplify.auth.identity_flows import IdentityAnswer, provider_name
from pyamplify.auth.session import SIGNED_OUT, AuthSession, CachedSession
from pyamplify.errors import PyamplifyError
from pyamplify.wire.errors import RetryableError

#: Why a session ends by itself, in the words every command uses (``whoami``, ``credentials``,
#: ``sign-out``): "the session of 'bob' ended: <this>; sign in again".
ENDED_REASON = "its refresh token no longer works (expired or revoked)"

if TYPE_CHECKING:
    from pyamplify.config import AuthConfig
    from pyamplify.storage import CredentialStore


@dataclass(frozen=True)
class Memo:
    """The last identity-pool answer, for the in-memory fast path."""

    #: The token session it was built on (``None``: nobody signed in).
    tokens: CachedSession | None
    session: AuthSession
    #: Local-clock time until which ``session`` may be returned as it is.
    valid_until: float
    current: CurrentCredentials | None = None


@dataclass(frozen=True, repr=False)
class Principal:
    """Who credentials are for: a login (``<provider>|<sub>``) with its ``Logins`` map, or the
    guest (``login is None``, no ``Logins``)."""

    login: str | None = None
    logins: Mapping[str, str] = field(default_factory=dict)
    id_token_digest: str | None = None
    clock_drift: float = 0.0

    def __repr__(self) -> str:
        return f"Principal(login={self.login!r})"


GUEST = Principal()


def no_identity_pool(config: AuthConfig) -> NoIdentityPoolError:
    """The error for asking for AWS credentials without an identity pool in the config."""
    where = f" {config.source}" if config.source else ""
    return NoIdentityPoolError(
        f"the configuration{where} has no identity pool, so there are no AWS credentials to "
        "get; add one (Gen 1: auth.plugins.awsCognitoAuthPlugin.CredentialsProvider."
        "CognitoIdentity.Default.PoolId, Gen 2: auth.identity_pool_id)"
    )


class IdentityCore:
    """Shared identity-pool state of one Auth object (see the module docstring)."""

    def __init__(
        self,
        config: AuthConfig,
        *,
        store: CredentialStore,
        profile: str,
        clock: Callable[[], float],
    ) -> None:
        from pyamplify.storage import session_key

        pool = config.identity_pool
        if pool is None:  # pragma: no cover - callers check first
            raise no_identity_pool(config)
        self.identity_pool_id = pool.pool_id
        user_pool = config.user_pool
        self.key = session_key(
            user_pool.pool_id if user_pool else None,
            user_pool.app_client_id if user_pool else None,
            profile,
            pool.pool_id,
        )
        self.provider = provider_name(user_pool.region, user_pool.pool_id) if user_pool else None
        self.guests_disabled = config.unauthenticated_identities_enabled is False
        self.store = store
        self.clock = clock
        self.memo: Memo | None = None

    # ------------------------------------------------------------------ memory
    def hit(self, tokens: CachedSession | None) -> AuthSession | None:
        """The remembered session if it is still good for ``tokens``, else ``None``."""
        memo = self.memo
        if memo is not None and memo.tokens is tokens and self.clock() < memo.valid_until:
            return memo.session
        return None

    def settled(self, tokens: CachedSession | None, seen: Memo | None) -> AuthSession | None:
        """After waiting for the lock: the answer another caller made meanwhile, if usable."""
        memo = self.memo
        if memo is not None and memo is not seen:
            return self.hit(tokens)
        return None

    def remember(
        self,
        tokens: CachedSession | None,
        user: AuthSession,
        current: CurrentCredentials | None,
        error: PyamplifyError | None = None,
    ) -> AuthSession:
        """Combine the user-pool session with the identity-pool answer, and memoise it."""
        session = replace(
            user,
            identity_id=current.identity_id if current else None,
            credentials=current.credentials if current else None,
            credentials_error=error,
        )
        token_due = tokens.refresh_at if tokens is not None else math.inf
        if current is not None:
            self.memo = Memo(tokens, session, min(token_due, current.refresh_at), current)
        elif error is not None and not isinstance(error, RetryableError):
            self.memo = Memo(tokens, session, token_due)
        else:
            self.memo = None  # transient: try again on the next call
        return session

    def forget(self) -> None:
        """Drop the memo (sign-in, sign-out)."""
        self.memo = None

    # ------------------------------------------------------------------ decisions
    @staticmethod
    def align(user: AuthSession, tokens: CachedSession | None) -> AuthSession:
        """The user-pool session as it is now in memory: another thread may have refreshed the
        tokens (or signed out) between the caller's look and its turn at the lock."""
        if tokens is None:
            return SIGNED_OUT if user.is_signed_in else user
        return user if user.tokens is tokens.session.tokens else tokens.session

    def principal(self, user: AuthSession, tokens: CachedSession | None) -> Principal:
        """Who credentials are for now."""
        if not user.is_signed_in or user.tokens is None or self.provider is None:
            return GUEST
        id_token = user.tokens.id_token
        subject = id_token.claims.get("sub") or user.user_sub
        return Principal(
            login=f"{self.provider}|{subject}",
            logins={self.provider: id_token.token},
            id_token_digest=token_digest(id_token.token),
            clock_drift=tokens.stored.clock_drift if tokens is not None else 0.0,
        )

    def usable(
        self,
        current: CurrentCredentials | None,
        principal: Principal,
        force: bool,
        seen: Memo | None,
    ) -> bool:
        """Whether the stored credentials serve ``principal`` now. Under ``force_refresh`` only
        credentials someone else fetched after this caller looked are good enough."""
        if current is None or current.login != principal.login:
            return False
        if current.id_token_digest != principal.id_token_digest:
            return False
        if self.clock() >= current.refresh_at:
            return False
        if force:
            had = seen.current if seen is not None else None
            return had is not None and had.credentials != current.credentials
        return True

    def refusal(self, record: IdentityRecord, principal: Principal) -> PyamplifyError | None:
        """Why guest credentials must not be fetched now, if they must not."""
        if principal.login is not None:
            return None
        if record.expired_login is not None:
            return SessionExpiredError(
                f"the session of {record.expired_login!r} ended: {ENDED_REASON}; sign in "
                "again: run `pyamplify auth sign-in` (or sign_in()); `pyamplify auth "
                "sign-out` switches to guest access"
            )
        if self.guests_disabled:
            return GuestAccessDisabledError(
                "nobody is signed in and the configuration turns guest access off "
                "(unauthenticated_identities_enabled: false); sign in to get AWS credentials"
            )
        return None

    def fetched(
        self, record: IdentityRecord, principal: Principal, answer: IdentityAnswer
    ) -> tuple[IdentityRecord, CurrentCredentials]:
        """The record after a successful fetch, and the new current credentials."""
        now = self.clock()
        current = CurrentCredentials(
            login=principal.login,
            identity_id=answer.identity_id,
            credentials=answer.credentials,
            refresh_at=credentials_refresh_at(
                answer.credentials.expires_at, now, principal.clock_drift
            ),
            id_token_digest=principal.id_token_digest,
        )
        updated = replace(
            record.with_identity(principal.login, answer.identity_id), current=current
        )
        return updated, current

    @staticmethod
    def expired(record: IdentityRecord, login_id: str) -> IdentityRecord:
        """The record after the user's session ended by itself: no credentials, a marker."""
        return replace(record, current=None, expired_login=login_id)

    @staticmethod
    def cleared(record: IdentityRecord) -> IdentityRecord:
        """The record after a sign-in or sign-out: no current credentials, no marker; the
        identity ids (the guest's too, as in Amplify) are kept."""
        return replace(record, current=None, expired_login=None)

    # ------------------------------------------------------------------ store (blocking)
    def read(self) -> IdentityRecord:
        """The stored record (an empty one when missing or malformed)."""
        return IdentityRecord.from_dict(self.store.load(self.key), self.key)

    def write(self, record: IdentityRecord) -> None:
        """Save ``record`` (the caller holds the store lock)."""
        self.store.save(self.key, record.to_dict())
