"""MFA state: each user's methods and software token, each pool's MFA factors.

A user's row is keyed by ``sub`` (not username), so a user deleted and created again under the
same name does not inherit the old software token. Its secrets (the TOTP secret, and the one
pending verification) never leave :mod:`pyamplify.local.idp.mfa` in a repr, log or message.
A pool's factors are a JSON document owned by :mod:`pyamplify.local.idp.pool_mfa`. The newest
TOTP time step each user's token was accepted for is kept too, so that a code is good once.
"""

from __future__ import annotations

import json
from typing import Any

from pyamplify.local.store.database import Database

#: ``(secret, pending_secret, device_name, sms on, totp on, email on, preferred method)``.
UserMfaRow = tuple[str | None, str | None, str | None, bool, bool, bool, str | None]


class MfaTables(Database):
    """Data access for users' MFA settings and pools' MFA configuration."""

    def get_user_mfa(self, pool_id: str, sub: str) -> UserMfaRow | None:
        """A user's MFA row, or ``None`` for a user who never configured MFA."""
        row = self.query_one(
            "SELECT secret, pending_secret, device_name, sms, totp, email, preferred "
            "FROM user_mfa WHERE pool_id = ? AND sub = ?",
            (pool_id, sub),
        )
        if row is None:
            return None
        return (row[0], row[1], row[2], bool(row[3]), bool(row[4]), bool(row[5]), row[6])

    def put_user_mfa(self, pool_id: str, sub: str, row: UserMfaRow) -> None:
        """Insert or replace a user's MFA row."""
        secret, pending_secret, device_name, sms, totp, email, preferred = row
        self.execute(
            "INSERT OR REPLACE INTO user_mfa (pool_id, sub, secret, pending_secret, device_name,"
            " sms, totp, email, preferred) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                pool_id,
                sub,
                secret,
                pending_secret,
                device_name,
                int(sms),
                int(totp),
                int(email),
                preferred,
            ),
        )

    def get_pool_mfa_config(self, pool_id: str) -> dict[str, Any] | None:
        """A pool's stored MFA factors, or ``None`` when SetUserPoolMfaConfig never ran."""
        return self.document("SELECT config FROM pool_mfa_config WHERE pool_id = ?", (pool_id,))

    def put_pool_mfa_config(self, pool_id: str, config: dict[str, Any]) -> None:
        """Insert or replace a pool's MFA factors."""
        self.execute(
            "INSERT OR REPLACE INTO pool_mfa_config (pool_id, config) VALUES (?, ?)",
            (pool_id, json.dumps(config)),
        )

    def delete_pool_mfa_config(self, pool_id: str) -> None:
        """Forget a deleted pool's MFA factors."""
        self.execute("DELETE FROM pool_mfa_config WHERE pool_id = ?", (pool_id,))

    def claim_totp_step(self, pool_id: str, sub: str, step: int) -> bool:
        """Record that the user's software token was accepted for TOTP time step ``step``;
        ``False`` (nothing changed) when a code of that step or a later one was accepted before.
        One statement, so two requests racing with the same code cannot both be accepted."""
        changed = self.execute(
            "INSERT INTO totp_steps (pool_id, sub, step) VALUES (?, ?, ?) "
            "ON CONFLICT (pool_id, sub) DO UPDATE SET step = excluded.step "
            "WHERE totp_steps.step < excluded.step",
            (pool_id, sub, step),
        )
        return changed == 1

    def reset_totp_steps(self, pool_id: str, sub: str, step: int) -> None:
        """A new software token: its codes start at ``step`` (the one its first code used)."""
        self.execute(
            "INSERT OR REPLACE INTO totp_steps (pool_id, sub, step) VALUES (?, ?, ?)",
            (pool_id, sub, step),
        )
