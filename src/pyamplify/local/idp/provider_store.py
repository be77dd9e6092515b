"""The table of a user pool's federated identity providers, shared by the operations on them.

:mod:`.providers` manages providers; :mod:`.pools` needs only to know which exist, to
refuse app clients that name a provider the pool lacks (as Cognito does), and to forget a
deleted pool's providers. Both read the table through here, so neither imports the other.
"""

from __future__ import annotations

import json
from typing import Any

from pyamplify.local.backend import Backend

SCHEMA = """
CREATE TABLE IF NOT EXISTS identity_providers (
    pool_id TEXT NOT NULL, name TEXT NOT NULL, config TEXT NOT NULL,
    PRIMARY KEY (pool_id, name));
"""


def load_provider(backend: Backend, pool_id: str, name: str) -> dict[str, Any] | None:
    """A provider's description (DescribeIdentityProvider's shape), or ``None``."""
    backend.store.ensure_schema(SCHEMA)
    row = backend.store.query_one(
        "SELECT config FROM identity_providers WHERE pool_id = ? AND name = ?", (pool_id, name)
    )
    return None if row is None else dict(json.loads(row[0]))


def provider_names(backend: Backend, pool_id: str) -> set[str]:
    """The names of a pool's identity providers."""
    backend.store.ensure_schema(SCHEMA)
    rows = backend.store.query("SELECT name FROM identity_providers WHERE pool_id = ?", (pool_id,))
    return {str(row[0]) for row in rows}


def forget_pool(backend: Backend, pool_id: str) -> None:
    """Drop a deleted pool's providers."""
    backend.store.ensure_schema(SCHEMA)
    backend.store.execute("DELETE FROM identity_providers WHERE pool_id = ?", (pool_id,))
