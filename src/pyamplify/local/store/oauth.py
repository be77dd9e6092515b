"""The Hosted UI's tables: resource servers, authorization codes, browser sessions, OAuth state.

Codes, browser-session cookies and state handles are secrets that travel through browsers: only
their SHA-256 is stored (the caller hashes), so a copy of the database signs nobody in. A code
is *taken* (read and deleted in one transaction), which is what makes it single use.
"""

from __future__ import annotations

import json
from typing import Any

from pyamplify.local.store.database import Database


class OAuthTables(Database):
    """Data access for resource servers and the Hosted UI's short-lived state."""

    # ------------------------------------------------------------------ resource servers

    def put_resource_server(self, pool_id: str, identifier: str, config: dict[str, Any]) -> None:
        """Create or replace a resource server (``ResourceServerType`` shape)."""
        self.execute(
            "INSERT OR REPLACE INTO resource_servers (pool_id, identifier, config) "
            "VALUES (?, ?, ?)",
            (pool_id, identifier, json.dumps(config)),
        )

    def get_resource_server(self, pool_id: str, identifier: str) -> dict[str, Any] | None:
        """One resource server, or ``None``."""
        row = self.query_one(
            "SELECT config FROM resource_servers WHERE pool_id = ? AND identifier = ?",
            (pool_id, identifier),
        )
        return None if row is None else dict(json.loads(row[0]))

    def list_resource_servers(self, pool_id: str) -> list[dict[str, Any]]:
        """A pool's resource servers, by identifier."""
        rows = self.query(
            "SELECT config FROM resource_servers WHERE pool_id = ? ORDER BY identifier",
            (pool_id,),
        )
        return [dict(json.loads(row[0])) for row in rows]

    def delete_resource_server(self, pool_id: str, identifier: str) -> None:
        """Remove one resource server."""
        self.execute(
            "DELETE FROM resource_servers WHERE pool_id = ? AND identifier = ?",
            (pool_id, identifier),
        )

    def delete_resource_servers(self, pool_id: str) -> None:
        """Forget a deleted pool's resource servers."""
        self.execute("DELETE FROM resource_servers WHERE pool_id = ?", (pool_id,))

    # ------------------------------------------------------------------ authorization codes

    def put_oauth_code(
        self,
        code_hash: str,
        pool_id: str,
        client_id: str,
        username: str,
        sub: str,
        state: dict[str, Any],
        expires_at: float,
    ) -> None:
        """Remember an authorization code (by hash) and what it was issued for."""
        self.execute(
            "INSERT INTO oauth_codes (code_hash, pool_id, client_id, username, sub, state, "
            "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (code_hash, pool_id, client_id, username, sub, json.dumps(state), expires_at),
        )

    def take_oauth_code(
        self, code_hash: str
    ) -> tuple[str, str, str, str, dict[str, Any], float] | None:
        """Remove and return ``(pool, client, username, sub, state, expires_at)``: single use."""
        with self.transaction():
            row = self.query_one(
                "SELECT pool_id, client_id, username, sub, state, expires_at FROM oauth_codes "
                "WHERE code_hash = ?",
                (code_hash,),
            )
            if row is None:
                return None
            self.execute("DELETE FROM oauth_codes WHERE code_hash = ?", (code_hash,))
        return (row[0], row[1], row[2], row[3], json.loads(row[4]), float(row[5]))

    # ------------------------------------------------------------------ browser sessions

    def put_hosted_session(
        self, id_hash: str, pool_id: str, username: str, sub: str, auth_time: float, expires: float
    ) -> None:
        """Remember a Hosted UI browser session (the cookie's hash)."""
        self.execute(
            "INSERT INTO hosted_sessions (id_hash, pool_id, username, sub, auth_time, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (id_hash, pool_id, username, sub, auth_time, expires),
        )

    def get_hosted_session(self, id_hash: str) -> tuple[str, str, str, float, float] | None:
        """``(pool, username, sub, auth_time, expires_at)`` of a browser session."""
        row = self.query_one(
            "SELECT pool_id, username, sub, auth_time, expires_at FROM hosted_sessions "
            "WHERE id_hash = ?",
            (id_hash,),
        )
        return None if row is None else (row[0], row[1], row[2], float(row[3]), float(row[4]))

    def delete_hosted_session(self, id_hash: str) -> None:
        """End a browser session (``/logout``)."""
        self.execute("DELETE FROM hosted_sessions WHERE id_hash = ?", (id_hash,))

    # ------------------------------------------------------------------ OAuth token families

    def put_family_scopes(self, origin_jti: str, scopes: list[str]) -> None:
        """Record the scopes granted to a token family issued through OAuth."""
        self.execute(
            "INSERT OR REPLACE INTO oauth_families (origin_jti, scopes) VALUES (?, ?)",
            (origin_jti, " ".join(scopes)),
        )

    def family_scopes(self, origin_jti: str) -> list[str] | None:
        """The scopes of an OAuth token family, or ``None`` for an API sign-in's family."""
        row = self.query_one(
            "SELECT scopes FROM oauth_families WHERE origin_jti = ?", (origin_jti,)
        )
        return None if row is None else str(row[0]).split()

    # ------------------------------------------------------------------ short-lived state

    def put_oauth_state(
        self, id_hash: str, kind: str, state: dict[str, Any], expires_at: float
    ) -> None:
        """Remember state a browser will bring back (federation, the test provider's codes)."""
        self.execute(
            "INSERT INTO oauth_state (id_hash, kind, state, expires_at) VALUES (?, ?, ?, ?)",
            (id_hash, kind, json.dumps(state), expires_at),
        )

    def take_oauth_state(self, id_hash: str, kind: str) -> tuple[dict[str, Any], float] | None:
        """Remove and return ``(state, expires_at)`` of kind ``kind``: single use."""
        with self.transaction():
            row = self.query_one(
                "SELECT state, expires_at FROM oauth_state WHERE id_hash = ? AND kind = ?",
                (id_hash, kind),
            )
            if row is None:
                return None
            self.execute("DELETE FROM oauth_state WHERE id_hash = ?", (id_hash,))
        return json.loads(row[0]), float(row[1])

    def purge_oauth(self, now: float) -> None:
        """Forget expired codes, browser sessions and state."""
        self.execute("DELETE FROM oauth_codes WHERE expires_at < ?", (now,))
        self.execute("DELETE FROM hosted_sessions WHERE expires_at < ?", (now,))
        self.execute("DELETE FROM oauth_state WHERE expires_at < ?", (now,))
