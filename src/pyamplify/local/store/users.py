"""Users and groups: the user rows the auth flows query, and groups with their members.

A user row holds what sign-in needs as columns (status, lockout counters, the SRP salt and
verifier) and the other attributes as JSON. Passwords are never stored: only the salt and
verifier. Groups are stored as their Cognito JSON shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pyamplify.local.store.database import Database
from pyamplify.local.store.records import Columns


@dataclass
class UserRecord:
    """One user of one pool; ``attributes`` excludes ``sub``, which has its own column."""

    pool_id: str
    username: str
    sub: str
    status: str
    enabled: bool
    attributes: dict[str, str]
    created: float
    modified: float
    salt: str | None = field(default=None, repr=False)
    verifier: str | None = field(default=None, repr=False)
    password_set_at: float | None = None
    failed_attempts: int = 0
    last_failure: float | None = None
    locked_until: float | None = None

    def all_attributes(self) -> dict[str, str]:
        """The attributes as Cognito lists them: ``sub`` first, then the stored ones."""
        return {"sub": self.sub, **self.attributes}


#: Every column of ``users``, named like :class:`UserRecord`'s fields.
_USERS = Columns(
    UserRecord,
    (
        "pool_id",
        "username",
        "sub",
        "status",
        "enabled",
        "attributes",
        "salt",
        "verifier",
        "created",
        "modified",
        "password_set_at",
        "failed_attempts",
        "last_failure",
        "locked_until",
    ),
    encode={"enabled": int, "attributes": json.dumps},
    decode={"enabled": bool, "attributes": json.loads},
)
#: What :meth:`UserTables.save_user` writes back: every column but those that never change.
_MUTABLE = tuple(
    name for name in _USERS.names if name not in ("pool_id", "username", "sub", "created")
)


class UserTables(Database):
    """Data access for users, groups and group memberships."""

    # ------------------------------------------------------------------ users

    def insert_user(self, user: UserRecord) -> None:
        """Add a new user (the caller has checked that the name is free)."""
        self.execute(
            f"INSERT INTO users ({_USERS}) VALUES ({_USERS.placeholders})", _USERS.values(user)
        )

    def save_user(self, user: UserRecord) -> None:
        """Write back every mutable column of an existing user."""
        self.execute(
            f"UPDATE users SET {_USERS.assignments(_MUTABLE)} WHERE pool_id = ? AND username = ?",
            (*_USERS.values(user, _MUTABLE), user.pool_id, user.username),
        )

    def get_user(self, pool_id: str, username: str) -> UserRecord | None:
        """A user by internal username (case-sensitive, as stored)."""
        return self.record(_USERS, "users", "pool_id = ? AND username = ?", (pool_id, username))

    def get_user_by_sub(self, pool_id: str, sub: str) -> UserRecord | None:
        """A user by ``sub``."""
        return self.record(_USERS, "users", "pool_id = ? AND sub = ?", (pool_id, sub))

    def find_users_by_attribute(self, pool_id: str, name: str, value: str) -> list[UserRecord]:
        """Users whose attribute ``name`` equals ``value`` (aliases, email-as-username)."""
        return self.records(
            _USERS,
            "users",
            "pool_id = ? AND json_extract(attributes, '$.' || ?) = ?",
            (pool_id, f'"{name}"', value),
        )

    def list_users(self, pool_id: str) -> list[UserRecord]:
        """All users of a pool, oldest first."""
        return self.records(_USERS, "users", "pool_id = ? ORDER BY created, username", (pool_id,))

    def count_users(self, pool_id: str) -> int:
        """How many users a pool has."""
        row = self.query_one("SELECT COUNT(*) FROM users WHERE pool_id = ?", (pool_id,))
        return int(row[0]) if row else 0

    def delete_user(self, pool_id: str, username: str) -> None:
        """Delete a user with their group memberships, codes and sessions."""
        with self.transaction():
            for table in (
                "users",
                "group_members",
                "codes",
                "auth_sessions",
                "token_families",
                "pending_attributes",
            ):
                self.execute(
                    f"DELETE FROM {table} WHERE pool_id = ? AND username = ?",
                    (pool_id, username),
                )

    # ------------------------------------------------------------------ pending values

    def put_pending_attribute(
        self, pool_id: str, username: str, name: str, value: str, now: float
    ) -> None:
        """Hold ``value`` for attribute ``name`` until it is verified (replacing one held)."""
        self.execute(
            "INSERT OR REPLACE INTO pending_attributes (pool_id, username, name, value, created)"
            " VALUES (?, ?, ?, ?, ?)",
            (pool_id, username, name, value, now),
        )

    def pending_attribute(self, pool_id: str, username: str, name: str) -> str | None:
        """The value held for attribute ``name``, or ``None``."""
        row = self.query_one(
            "SELECT value FROM pending_attributes WHERE pool_id = ? AND username = ? AND name = ?",
            (pool_id, username, name),
        )
        return str(row[0]) if row else None

    def drop_pending_attribute(self, pool_id: str, username: str, name: str) -> None:
        """Forget the value held for attribute ``name`` (applied, replaced or abandoned)."""
        self.execute(
            "DELETE FROM pending_attributes WHERE pool_id = ? AND username = ? AND name = ?",
            (pool_id, username, name),
        )

    # ------------------------------------------------------------------ groups

    def put_group(self, pool_id: str, name: str, config: dict[str, Any]) -> None:
        """Insert or replace a group document."""
        self.execute(
            "INSERT OR REPLACE INTO groups (pool_id, name, config) VALUES (?, ?, ?)",
            (pool_id, name, json.dumps(config)),
        )

    def get_group(self, pool_id: str, name: str) -> dict[str, Any] | None:
        """A group's document, or ``None``."""
        return self.document(
            "SELECT config FROM groups WHERE pool_id = ? AND name = ?", (pool_id, name)
        )

    def list_groups(self, pool_id: str) -> list[dict[str, Any]]:
        """A pool's groups by name."""
        return self.documents(
            "SELECT config FROM groups WHERE pool_id = ? ORDER BY name", (pool_id,)
        )

    def delete_group(self, pool_id: str, name: str) -> None:
        """Delete a group and its memberships."""
        with self.transaction():
            self.execute("DELETE FROM groups WHERE pool_id = ? AND name = ?", (pool_id, name))
            self.execute(
                "DELETE FROM group_members WHERE pool_id = ? AND group_name = ?", (pool_id, name)
            )

    def add_member(self, pool_id: str, group: str, username: str) -> None:
        """Put a user in a group (idempotent)."""
        self.execute(
            "INSERT OR IGNORE INTO group_members (pool_id, group_name, username) VALUES (?, ?, ?)",
            (pool_id, group, username),
        )

    def remove_member(self, pool_id: str, group: str, username: str) -> None:
        """Take a user out of a group (idempotent)."""
        self.execute(
            "DELETE FROM group_members WHERE pool_id = ? AND group_name = ? AND username = ?",
            (pool_id, group, username),
        )

    def groups_of(self, pool_id: str, username: str) -> list[dict[str, Any]]:
        """The groups a user belongs to, by precedence then name (Cognito's token order)."""
        groups = self.documents(
            "SELECT g.config FROM groups g JOIN group_members m "
            "ON g.pool_id = m.pool_id AND g.name = m.group_name "
            "WHERE m.pool_id = ? AND m.username = ? ORDER BY g.name",
            (pool_id, username),
        )
        return sorted(groups, key=lambda g: (g.get("Precedence") is None, g.get("Precedence", 0)))

    def members_of(self, pool_id: str, group: str) -> list[str]:
        """Usernames in a group."""
        rows = self.query(
            "SELECT username FROM group_members WHERE pool_id = ? AND group_name = ? "
            "ORDER BY username",
            (pool_id, group),
        )
        return [str(row[0]) for row in rows]
