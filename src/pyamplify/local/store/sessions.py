"""Sign-in state: unfinished sign-ins (SECRET_BLOCK, Session), token families, refresh tokens.

A token family is one sign-in: its refresh tokens and every token issued from them share its
``origin_jti``, so revoking the family revokes them all. Refresh tokens are kept only as their
SHA-256.
"""

from __future__ import annotations

import json
from typing import Any

from pyamplify.local.store.database import Database

#: ``(kind, pool_id, client_id, username, state, expires_at)`` of an unfinished sign-in.
SessionRow = tuple[str, str, str, str, dict[str, Any], float]


_SESSION = "kind, pool_id, client_id, username, state, expires_at"


def _session_row(row: tuple[Any, ...] | None) -> SessionRow | None:
    if row is None:
        return None
    return (row[0], row[1], row[2], row[3], json.loads(row[4]), float(row[5]))


class SessionTables(Database):
    """Data access for sign-in sessions, token families and refresh tokens."""

    # ------------------------------------------------------------------ auth sessions

    def put_session(
        self,
        session_id: str,
        kind: str,
        pool_id: str,
        client_id: str,
        username: str,
        state: dict[str, Any],
        expires_at: float,
    ) -> None:
        """Store server-side state of an unfinished sign-in (SECRET_BLOCK or Session)."""
        self.execute(
            "INSERT INTO auth_sessions (id, kind, pool_id, client_id, username, state, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (session_id, kind, pool_id, client_id, username, json.dumps(state), expires_at),
        )

    def take_session(self, session_id: str) -> SessionRow | None:
        """Remove and return ``(kind, pool, client, username, state, expires_at)``: single use."""
        return _session_row(self.take_one("auth_sessions", _SESSION, "id = ?", (session_id,)))

    def peek_session(self, session_id: str) -> SessionRow | None:
        """Like :meth:`take_session` but leaves the session in place."""
        row = self.query_one(f"SELECT {_SESSION} FROM auth_sessions WHERE id = ?", (session_id,))
        return _session_row(row)

    def delete_session(self, session_id: str) -> None:
        """Consume a session."""
        self.execute("DELETE FROM auth_sessions WHERE id = ?", (session_id,))

    def purge_sessions(self, now: float) -> None:
        """Forget expired sign-in state."""
        self.execute("DELETE FROM auth_sessions WHERE expires_at < ?", (now,))

    # ------------------------------------------------------------------ tokens

    def add_family(
        self,
        origin_jti: str,
        pool_id: str,
        client_id: str,
        username: str,
        sub: str,
        auth_time: float,
    ) -> None:
        """Start a token family: one sign-in, its refresh tokens and everything issued from them."""
        self.execute(
            "INSERT INTO token_families (origin_jti, pool_id, client_id, username, sub, auth_time)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (origin_jti, pool_id, client_id, username, sub, auth_time),
        )

    def get_family(self, origin_jti: str) -> tuple[str, str, str, str, float, float | None] | None:
        """``(pool, client, username, sub, auth_time, revoked_at)`` of a token family."""
        row = self.query_one(
            "SELECT pool_id, client_id, username, sub, auth_time, revoked_at FROM token_families"
            " WHERE origin_jti = ?",
            (origin_jti,),
        )
        if row is None:
            return None
        return (row[0], row[1], row[2], row[3], float(row[4]), row[5])

    def revoke_family(self, origin_jti: str, now: float) -> None:
        """Revoke one family (RevokeToken)."""
        self.execute(
            "UPDATE token_families SET revoked_at = ? WHERE origin_jti = ? AND revoked_at IS NULL",
            (now, origin_jti),
        )

    def revoke_user_families(self, pool_id: str, username: str, now: float) -> None:
        """Revoke every family of a user (GlobalSignOut, AdminUserGlobalSignOut)."""
        self.execute(
            "UPDATE token_families SET revoked_at = ? "
            "WHERE pool_id = ? AND username = ? AND revoked_at IS NULL",
            (now, pool_id, username),
        )

    def add_refresh_token(
        self, token_hash: str, origin_jti: str, issued_at: float, expires_at: float
    ) -> None:
        """Remember a refresh token by its hash (the token itself is never stored)."""
        self.execute(
            "INSERT INTO refresh_tokens (token_hash, origin_jti, issued_at, expires_at) "
            "VALUES (?, ?, ?, ?)",
            (token_hash, origin_jti, issued_at, expires_at),
        )

    def get_refresh_token(self, token_hash: str) -> tuple[str, float, float, float | None] | None:
        """``(origin_jti, issued_at, expires_at, superseded_at)`` of a refresh token."""
        row = self.query_one(
            "SELECT origin_jti, issued_at, expires_at, superseded_at FROM refresh_tokens "
            "WHERE token_hash = ?",
            (token_hash,),
        )
        return (row[0], float(row[1]), float(row[2]), row[3]) if row else None

    def supersede_refresh_token(self, token_hash: str, now: float) -> None:
        """Mark a rotated refresh token as replaced (it dies after the grace period)."""
        self.execute(
            "UPDATE refresh_tokens SET superseded_at = ? "
            "WHERE token_hash = ? AND superseded_at IS NULL",
            (now, token_hash),
        )
