"""What the credential store holds, read without an ``Auth`` object and without a network call.

``pyamplify auth profiles`` lists every stored session (profile, user, pool, app client, token
expiry), and ``whoami`` / ``sign-out`` ask whether a profile's session ended by itself (the
identity record's ``expired_login`` marker, set when a refresh failed for good), so that every
command describes that state with the same words. Nothing here refreshes or writes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote

from pyamplify.auth.errors import InvalidTokenError
from pyamplify.auth.session import StoredSession

if TYPE_CHECKING:
    from pyamplify.config import AuthConfig
    from pyamplify.storage import CredentialStore


@dataclass(frozen=True)
class StoredProfile:
    """One stored user session (no tokens: only what a listing shows)."""

    profile: str
    user_pool_id: str
    client_id: str
    username: str
    login_id: str
    auth_flow_type: str
    #: When the ID and access tokens expire (epoch seconds, the server's clock).
    expires_at: float
    #: Whether a refresh token is kept (without one the session ends with its tokens).
    refreshable: bool

    def status(self, now: float | None = None) -> str:
        """``signed in`` while the tokens are valid; ``tokens expired`` after (the next use
        refreshes them, unless the refresh token no longer works); ``ended`` without a refresh
        token."""
        current = time.time() if now is None else now
        if current < self.expires_at:
            return "signed in"
        return "tokens expired" if self.refreshable else "ended"


def _unquote(part: str) -> str | None:
    return None if part == "-" else unquote(part)


def stored_profiles(store: CredentialStore) -> list[StoredProfile]:
    """Every user session in ``store`` (identity records and unreadable entries are skipped)."""
    found: list[StoredProfile] = []
    for key in store.keys("session/"):
        parts = key.split("/")
        if len(parts) != 4:  # session/<pool>/<client>/<profile>; identity records have 5 parts
            continue
        pool, client, profile = (_unquote(part) for part in parts[1:])
        data = store.load(key)
        if data is None or pool is None or client is None or profile is None:
            continue
        try:
            stored = StoredSession.from_dict(data)
        except InvalidTokenError:
            continue
        found.append(
            StoredProfile(
                profile=profile,
                user_pool_id=pool,
                client_id=client,
                username=stored.username,
                login_id=stored.login_id,
                auth_flow_type=stored.auth_flow_type,
                expires_at=stored.tokens.expires_at,
                refreshable=bool(stored.tokens.refresh_token),
            )
        )
    return sorted(found, key=lambda item: (item.profile, item.user_pool_id, item.client_id))


def ended_login(config: AuthConfig, profile: str, store: CredentialStore) -> str | None:
    """The login id whose session on ``profile`` ended by itself (its refresh token stopped
    working) and was not signed out or in since, else ``None``. Only configurations with an
    identity pool keep this marker (it withholds guest credentials)."""
    if config.identity_pool is None:
        return None
    from pyamplify.auth._identity_core import IdentityCore

    identity = IdentityCore(config, store=store, profile=profile, clock=time.time)
    return identity.read().expired_login
