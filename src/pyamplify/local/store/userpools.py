"""The local Cognito's store: one object with every data-access method of the user pools.

:class:`Store` is the opened, migrated database (:mod:`.database`) with the methods of each
topic module mixed in: pools, clients, domains and signing keys (:mod:`.pools`); users and
groups (:mod:`.users`); codes and the outbox (:mod:`.messages`); sign-in sessions and tokens
(:mod:`.sessions`); MFA (:mod:`.mfa`); passkeys (:mod:`.webauthn`); identity providers
(:mod:`.providers`); resource servers and the Hosted UI's codes and browser sessions
(:mod:`.oauth`); remembered devices (:mod:`.devices`). Operations call
``backend.store.<method>``; they never write SQL (a test enforces it). Identity pools reach
the same database through :class:`~.identity.IdentityStore`.

The schema is in :mod:`.schema`; every table exists once the store is open.
"""

from __future__ import annotations

from pyamplify.local.store.database import DB_FILENAME
from pyamplify.local.store.devices import DeviceRecord, DeviceTables
from pyamplify.local.store.messages import MessageTables, OutboxItem
from pyamplify.local.store.mfa import MfaTables, UserMfaRow
from pyamplify.local.store.oauth import OAuthTables
from pyamplify.local.store.pools import PoolTables
from pyamplify.local.store.providers import ProviderTables
from pyamplify.local.store.sessions import SessionRow, SessionTables
from pyamplify.local.store.users import UserRecord, UserTables
from pyamplify.local.store.webauthn import WebAuthnTables

__all__ = [
    "DB_FILENAME",
    "DeviceRecord",
    "OutboxItem",
    "SessionRow",
    "Store",
    "UserMfaRow",
    "UserRecord",
]


class Store(
    PoolTables,
    UserTables,
    MessageTables,
    SessionTables,
    MfaTables,
    ProviderTables,
    OAuthTables,
    DeviceTables,
    WebAuthnTables,
):
    """SQLite-backed state of one local Cognito: ``Store(data_dir)``, ``None`` for memory."""
