"""The identity pools' state in SQLite: pools, identities, their logins and minted credentials.

The tables live in the local Cognito's one database (their schema is in :mod:`.schema`), so a
persistent local Cognito keeps identity ids and credentials across restarts: the same
login maps to the same identity id in every process. Pools are stored as their Cognito JSON
shape (``IdentityPool``), roles as ``{"Roles": ..., "RoleMappings": ...}``.

A login is the pair (provider name, subject) where the subject is the ``sub`` of the
provider's token; ``UNIQUE (pool_id, provider, subject)`` guarantees one identity per login
even when two requests race. Minted credentials keep their secret key (STS needs it to verify
SigV4 signatures) and only the SHA-256 of their session token.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from pyamplify.local.store.database import Database
from pyamplify.local.store.records import Columns


@dataclass(frozen=True)
class IdentityRecord:
    """One identity of one pool, with the providers and subjects linked to it."""

    identity_id: str
    pool_id: str
    created: float
    modified: float
    logins: tuple[tuple[str, str], ...]

    @property
    def authenticated(self) -> bool:
        """Whether any login is linked (an identity without logins is a guest)."""
        return bool(self.logins)

    def providers(self) -> list[str]:
        """The provider names linked to this identity, as DescribeIdentity lists them."""
        return sorted({provider for provider, _subject in self.logins})


@dataclass(frozen=True)
class StoredCredentials:
    """What the local Cognito remembers of one minted access key."""

    access_key_id: str
    identity_id: str
    pool_id: str
    role_arn: str
    issued_at: float
    expires_at: float
    secret_key: str = field(repr=False)
    session_token_hash: str = field(repr=False)


#: Every column of ``identity_credentials``, named like :class:`StoredCredentials`' fields.
_CREDENTIALS = Columns(
    StoredCredentials,
    (
        "access_key_id",
        "identity_id",
        "pool_id",
        "role_arn",
        "issued_at",
        "expires_at",
        "secret_key",
        "session_token_hash",
    ),
)


def page_token(last_key: str) -> str:
    """An opaque pagination token that resumes after ``last_key``."""
    return base64.urlsafe_b64encode(last_key.encode()).decode()


def page_start(token: str) -> str:
    """The key a pagination token resumes after; ``ValueError`` when it is not ours."""
    return base64.urlsafe_b64decode(token.encode()).decode()


class IdentityStore:
    """Data access for identity pools on top of the local Cognito's :class:`Store`."""

    def __init__(self, store: Database) -> None:
        self.store = store

    # ------------------------------------------------------------------ pools

    def put_pool(self, config: dict[str, Any], now: float) -> None:
        """Insert or replace a pool's ``IdentityPool`` document (roles are kept)."""
        self.store.execute(
            "INSERT INTO identity_pools (id, config, roles, created, modified) "
            "VALUES (?, ?, '{}', ?, ?) ON CONFLICT(id) DO UPDATE SET "
            "config = excluded.config, modified = excluded.modified",
            (config["IdentityPoolId"], json.dumps(config), now, now),
        )

    def get_pool(self, pool_id: str) -> dict[str, Any] | None:
        """A pool's ``IdentityPool`` document, or ``None``."""
        return self.store.document("SELECT config FROM identity_pools WHERE id = ?", (pool_id,))

    def list_pools(self, after: str | None, limit: int) -> tuple[list[dict[str, Any]], bool]:
        """Pools ordered by id after ``after``; and whether more follow."""
        pools = self.store.documents(
            "SELECT config FROM identity_pools WHERE id > ? ORDER BY id LIMIT ?",
            (after or "", limit + 1),
        )
        return pools[:limit], len(pools) > limit

    def delete_pool(self, pool_id: str) -> None:
        """Delete a pool with its identities and logins (minted credentials live on, as STS's
        do, until they expire)."""
        with self.store.transaction():
            self.store.execute("DELETE FROM identity_logins WHERE pool_id = ?", (pool_id,))
            self.store.execute("DELETE FROM identities WHERE pool_id = ?", (pool_id,))
            self.store.execute("DELETE FROM identity_pools WHERE id = ?", (pool_id,))

    def set_roles(self, pool_id: str, roles: dict[str, Any], now: float) -> None:
        """Replace a pool's ``{"Roles", "RoleMappings"}``."""
        self.store.execute(
            "UPDATE identity_pools SET roles = ?, modified = ? WHERE id = ?",
            (json.dumps(roles), now, pool_id),
        )

    def get_roles(self, pool_id: str) -> dict[str, Any]:
        """A pool's ``{"Roles", "RoleMappings"}`` (empty when never set)."""
        roles = self.store.document("SELECT roles FROM identity_pools WHERE id = ?", (pool_id,))
        return {} if roles is None else roles

    # ------------------------------------------------------------------ identities

    def create_identity(self, identity_id: str, pool_id: str, now: float) -> None:
        """Record a new identity with no logins."""
        self.store.execute(
            "INSERT INTO identities (id, pool_id, created, modified) VALUES (?, ?, ?, ?)",
            (identity_id, pool_id, now, now),
        )

    def get_identity(self, identity_id: str) -> IdentityRecord | None:
        """An identity and its logins, or ``None``."""
        row = self.store.query_one(
            "SELECT id, pool_id, created, modified FROM identities WHERE id = ?", (identity_id,)
        )
        if row is None:
            return None
        logins = self.store.query(
            "SELECT provider, subject FROM identity_logins WHERE identity_id = ? "
            "ORDER BY provider, subject",
            (identity_id,),
        )
        return IdentityRecord(
            identity_id=row[0],
            pool_id=row[1],
            created=row[2],
            modified=row[3],
            logins=tuple((provider, subject) for provider, subject in logins),
        )

    def list_identities(
        self, pool_id: str, after: str | None, limit: int
    ) -> tuple[list[IdentityRecord], bool]:
        """A pool's identities ordered by id after ``after``; and whether more follow."""
        rows = self.store.query(
            "SELECT id FROM identities WHERE pool_id = ? AND id > ? ORDER BY id LIMIT ?",
            (pool_id, after or "", limit + 1),
        )
        records = [self.get_identity(row[0]) for row in rows[:limit]]
        return [record for record in records if record is not None], len(rows) > limit

    def owner_of(self, pool_id: str, provider: str, subject: str) -> str | None:
        """The identity a login is linked to in a pool, or ``None``."""
        row = self.store.query_one(
            "SELECT identity_id FROM identity_logins "
            "WHERE pool_id = ? AND provider = ? AND subject = ?",
            (pool_id, provider, subject),
        )
        return str(row[0]) if row is not None else None

    def link(self, identity_id: str, pool_id: str, provider: str, subject: str, now: float) -> None:
        """Link a login to an identity (the caller checked that it is free)."""
        self.store.execute(
            "INSERT INTO identity_logins (pool_id, provider, subject, identity_id, linked) "
            "VALUES (?, ?, ?, ?, ?)",
            (pool_id, provider, subject, identity_id, now),
        )
        self.store.execute("UPDATE identities SET modified = ? WHERE id = ?", (now, identity_id))

    def merge_into(self, source_id: str, target_id: str) -> None:
        """Fold a guest identity into another (Cognito merges a guest that signs in)."""
        with self.store.transaction():
            self.store.execute(
                "UPDATE identity_logins SET identity_id = ? WHERE identity_id = ?",
                (target_id, source_id),
            )
            self.store.execute("DELETE FROM identities WHERE id = ?", (source_id,))

    # ------------------------------------------------------------------ credentials

    def put_credentials(self, record: StoredCredentials) -> None:
        """Remember a minted access key."""
        self.store.execute(
            f"INSERT INTO identity_credentials ({_CREDENTIALS}) "
            f"VALUES ({_CREDENTIALS.placeholders})",
            _CREDENTIALS.values(record),
        )

    def get_credentials(self, access_key_id: str) -> StoredCredentials | None:
        """A minted access key's record, or ``None`` for a key this Cognito never minted."""
        return self.store.record(
            _CREDENTIALS, "identity_credentials", "access_key_id = ?", (access_key_id,)
        )
