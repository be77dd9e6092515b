"""User pools, app clients, domains and signing keys: the pool-level tables.

Pools, app clients and domains are stored as their Cognito JSON shapes (the operations own
their meaning); a pool's signing keys are PEM private keys, one per purpose (ID or access
token), made on first use by :mod:`pyamplify.local.signing`.
"""

from __future__ import annotations

import json
from typing import Any

from pyamplify.local.store.database import Database

#: Every table with a row per pool (by the column that names the pool), for DeleteUserPool.
_POOL_TABLES = (
    ("pools", "id"),
    ("clients", "pool_id"),
    ("domains", "pool_id"),
    ("signing_keys", "pool_id"),
    ("users", "pool_id"),
    ("groups", "pool_id"),
    ("group_members", "pool_id"),
    ("codes", "pool_id"),
    ("auth_sessions", "pool_id"),
    ("token_families", "pool_id"),
    ("pending_attributes", "pool_id"),
    ("devices", "pool_id"),
    ("totp_steps", "pool_id"),
)


class PoolTables(Database):
    """Data access for pools, app clients, domains and signing keys."""

    # ------------------------------------------------------------------ pools

    def put_pool(self, pool_id: str, name: str, config: dict[str, Any], now: float) -> None:
        """Insert or replace a user pool's configuration document."""
        self.execute(
            "INSERT INTO pools (id, name, config, created, modified) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET name = excluded.name, config = excluded.config, "
            "modified = excluded.modified",
            (pool_id, name, json.dumps(config), now, now),
        )

    def get_pool(self, pool_id: str) -> dict[str, Any] | None:
        """A pool's configuration document, or ``None``."""
        return self.document("SELECT config FROM pools WHERE id = ?", (pool_id,))

    def list_pools(self) -> list[dict[str, Any]]:
        """All pools' documents, oldest first."""
        return self.documents("SELECT config FROM pools ORDER BY created, id")

    def delete_pool(self, pool_id: str) -> None:
        """Delete a pool and everything that belongs to it."""
        with self.transaction():
            for table, column in _POOL_TABLES:
                self.execute(f"DELETE FROM {table} WHERE {column} = ?", (pool_id,))

    # ------------------------------------------------------------------ app clients

    def put_client(self, client_id: str, pool_id: str, config: dict[str, Any], now: float) -> None:
        """Insert or replace an app client's document."""
        self.execute(
            "INSERT INTO clients (id, pool_id, config, created, modified) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET config = excluded.config, modified = excluded.modified",
            (client_id, pool_id, json.dumps(config), now, now),
        )

    def get_client(self, client_id: str) -> dict[str, Any] | None:
        """An app client's document, or ``None``."""
        return self.document("SELECT config FROM clients WHERE id = ?", (client_id,))

    def list_clients(self, pool_id: str) -> list[dict[str, Any]]:
        """A pool's app clients, oldest first."""
        return self.documents(
            "SELECT config FROM clients WHERE pool_id = ? ORDER BY created, id", (pool_id,)
        )

    def delete_client(self, client_id: str) -> None:
        """Delete an app client."""
        self.execute("DELETE FROM clients WHERE id = ?", (client_id,))

    # ------------------------------------------------------------------ domains

    def put_domain(self, domain: str, pool_id: str, config: dict[str, Any]) -> None:
        """Record a user pool domain."""
        self.execute(
            "INSERT OR REPLACE INTO domains (domain, pool_id, config) VALUES (?, ?, ?)",
            (domain, pool_id, json.dumps(config)),
        )

    def get_domain(self, domain: str) -> dict[str, Any] | None:
        """A domain's description, or ``None``."""
        return self.document("SELECT config FROM domains WHERE domain = ?", (domain,))

    def domains_of_pool(self, pool_id: str) -> list[str]:
        """Every domain attached to a pool (a prefix domain, a custom domain, or both)."""
        rows = self.query("SELECT domain FROM domains WHERE pool_id = ?", (pool_id,))
        return [str(row[0]) for row in rows]

    def delete_domain(self, domain: str) -> None:
        """Remove a user pool domain."""
        self.execute("DELETE FROM domains WHERE domain = ?", (domain,))

    # ------------------------------------------------------------------ signing keys

    def get_signing_key(self, pool_id: str, purpose: str) -> tuple[str, bytes] | None:
        """``(kid, private key PEM)`` of a pool's key for ``purpose`` ("id"/"access")."""
        row = self.query_one(
            "SELECT kid, private_pem FROM signing_keys WHERE pool_id = ? AND purpose = ?",
            (pool_id, purpose),
        )
        return (str(row[0]), bytes(row[1])) if row else None

    def put_signing_key(self, pool_id: str, purpose: str, kid: str, pem: bytes) -> None:
        """Store a pool's signing key unless one exists (first writer wins)."""
        self.execute(
            "INSERT OR IGNORE INTO signing_keys (pool_id, purpose, kid, private_pem) "
            "VALUES (?, ?, ?, ?)",
            (pool_id, purpose, kid, pem),
        )
