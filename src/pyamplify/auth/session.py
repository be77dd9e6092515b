"""The session model: what is stored between processes, and what ``fetch_auth_session`` returns.

``StoredSession`` is the persisted record (tokens, who signed in and how, the measured clock
drift); ``CachedSession`` adds what the fast path needs precomputed (the ready ``AuthSession``
and the local-clock instant the tokens are due), so a cache hit is one clock read and one
comparison. Clock drift and the refresh margin are explained in docs/architecture.md ("Auth").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pyamplify.auth.errors import InvalidTokenError
from pyamplify.auth.tokens import JWT, AuthTokens

if TYPE_CHECKING:
    from pyamplify.auth.credentials import AWSCredentials
    from pyamplify.errors import PyamplifyError

#: Refresh this long before the tokens expire (at most a quarter of their lifetime).
REFRESH_AHEAD_SECONDS = 60.0
#: Version of the stored record's layout.
RECORD_VERSION = 1


@dataclass(frozen=True)
class AuthSession:
    """The result of ``fetch_auth_session``: Amplify's ``AuthSession``.

    With an identity pool in the configuration it also carries the identity id and temporary
    AWS credentials (of the signed-in user, else of a guest). When they could not be had,
    ``credentials`` is ``None`` and ``credentials_error`` says why (Cognito's typed error, e.g.
    ``NotAuthorizedException: Unauthenticated access is not supported for this identity
    pool.``); ``fetch_aws_credentials()`` raises that error instead.
    """

    is_signed_in: bool = False
    tokens: AuthTokens | None = None
    user_sub: str | None = None
    identity_id: str | None = None
    credentials: AWSCredentials | None = None
    credentials_error: PyamplifyError | None = None


SIGNED_OUT = AuthSession()


@dataclass(frozen=True, repr=False)
class StoredSession:
    """One signed-in user's session as persisted in the credential store."""

    tokens: AuthTokens
    username: str
    login_id: str
    auth_flow_type: str
    clock_drift: float = 0.0
    device_key: str | None = None
    extras: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def user_sub(self) -> str | None:
        """The user's ``sub`` (Amplify's ``userId``)."""
        sub = self.tokens.access_token.claims.get("sub") or self.tokens.id_token.claims.get("sub")
        return str(sub) if sub is not None else None

    def to_dict(self) -> dict[str, Any]:
        """The JSON object written to the store."""
        return {
            "version": RECORD_VERSION,
            "id_token": self.tokens.id_token.token,
            "access_token": self.tokens.access_token.token,
            "refresh_token": self.tokens.refresh_token,
            "username": self.username,
            "login_id": self.login_id,
            "auth_flow_type": self.auth_flow_type,
            "clock_drift": self.clock_drift,
            "device_key": self.device_key,
            "extras": dict(self.extras),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StoredSession:
        """Rebuild a record; raises :class:`InvalidTokenError` if it is malformed."""
        if data.get("version") != RECORD_VERSION:
            raise InvalidTokenError(f"unknown session record version {data.get('version')!r}")
        strings = ("id_token", "access_token", "username", "login_id", "auth_flow_type")
        for name in strings:
            if not isinstance(data.get(name), str):
                raise InvalidTokenError(f"the session record has no {name!r}")
        refresh = data.get("refresh_token")
        drift = data.get("clock_drift", 0.0)
        extras = data.get("extras") or {}
        if refresh is not None and not isinstance(refresh, str):
            raise InvalidTokenError("the session record's refresh token is not a string")
        if not isinstance(drift, (int, float)) or not isinstance(extras, dict):
            raise InvalidTokenError("the session record's clock drift or extras are malformed")
        device_key = data.get("device_key")
        return cls(
            tokens=AuthTokens(
                id_token=JWT.parse(data["id_token"]),
                access_token=JWT.parse(data["access_token"]),
                refresh_token=refresh,
            ),
            username=data["username"],
            login_id=data["login_id"],
            auth_flow_type=data["auth_flow_type"],
            clock_drift=float(drift),
            device_key=device_key if isinstance(device_key, str) else None,
            extras=MappingProxyType(dict(extras)),
        )

    def __repr__(self) -> str:
        return f"StoredSession(username={self.username!r}, tokens=<secret>)"


def username_of(tokens: AuthTokens) -> str:
    """The user's internal username (``username`` in the access token), which SECRET_HASH needs
    on refresh: the name typed at sign-in may be an alias (pycognito #18)."""
    name = tokens.access_token.claims.get("username") or tokens.id_token.claims.get(
        "cognito:username"
    )
    if not isinstance(name, str) or not name:
        raise InvalidTokenError("the access token has no 'username' claim")
    return name


def refresh_margin(tokens: AuthTokens) -> float:
    """How long before expiry to refresh: 60 s, or a quarter of a shorter token lifetime."""
    lifetime = tokens.expires_at - tokens.access_token.issued_at
    return min(REFRESH_AHEAD_SECONDS, max(lifetime, 0.0) / 4)


@dataclass(frozen=True)
class CachedSession:
    """A stored session plus what the ``fetch_auth_session`` fast path needs precomputed."""

    stored: StoredSession
    session: AuthSession
    #: Local-clock time (``clock()``) from which the tokens must be refreshed.
    refresh_at: float

    @classmethod
    def of(cls, stored: StoredSession) -> CachedSession:
        """Precompute the session value and the local refresh instant for ``stored``."""
        tokens = stored.tokens
        refresh_at = tokens.expires_at - stored.clock_drift - refresh_margin(tokens)
        session = AuthSession(is_signed_in=True, tokens=tokens, user_sub=stored.user_sub)
        return cls(stored=stored, session=session, refresh_at=refresh_at)
