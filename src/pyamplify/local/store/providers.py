"""Federated identity providers of user pools, stored as DescribeIdentityProvider's shape."""

from __future__ import annotations

import json
from typing import Any

from pyamplify.local.store.database import Database


class ProviderTables(Database):
    """Data access for user pools' identity providers."""

    def add_identity_provider(self, pool_id: str, name: str, config: dict[str, Any]) -> None:
        """Record a new provider (the caller checked that the name is free)."""
        self.execute(
            "INSERT INTO identity_providers (pool_id, name, config) VALUES (?, ?, ?)",
            (pool_id, name, json.dumps(config)),
        )

    def put_identity_provider(self, pool_id: str, name: str, config: dict[str, Any]) -> None:
        """Replace a provider's description (UpdateIdentityProvider)."""
        self.execute(
            "UPDATE identity_providers SET config = ? WHERE pool_id = ? AND name = ?",
            (json.dumps(config), pool_id, name),
        )

    def get_identity_provider(self, pool_id: str, name: str) -> dict[str, Any] | None:
        """A provider's description, or ``None``."""
        row = self.query_one(
            "SELECT config FROM identity_providers WHERE pool_id = ? AND name = ?",
            (pool_id, name),
        )
        return None if row is None else dict(json.loads(row[0]))

    def list_identity_providers(self, pool_id: str) -> list[dict[str, Any]]:
        """A pool's providers' descriptions, by name."""
        rows = self.query(
            "SELECT config FROM identity_providers WHERE pool_id = ? ORDER BY name", (pool_id,)
        )
        return [dict(json.loads(row[0])) for row in rows]

    def identity_provider_names(self, pool_id: str) -> set[str]:
        """The names of a pool's providers."""
        rows = self.query("SELECT name FROM identity_providers WHERE pool_id = ?", (pool_id,))
        return {str(row[0]) for row in rows}

    def delete_identity_provider(self, pool_id: str, name: str) -> None:
        """Remove one provider."""
        self.execute(
            "DELETE FROM identity_providers WHERE pool_id = ? AND name = ?", (pool_id, name)
        )

    def delete_identity_providers(self, pool_id: str) -> None:
        """Forget a deleted pool's providers."""
        self.execute("DELETE FROM identity_providers WHERE pool_id = ?", (pool_id,))
