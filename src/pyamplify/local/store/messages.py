"""Codes and the outbox: the one live code per user and purpose, and what would have been sent.

The local Cognito sends no e-mail or SMS; every code it would have delivered is recorded in the
outbox, which the developer reads (``pyamplify local outbox``, ``GET /_local/outbox``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyamplify.local.store.database import Database


@dataclass(frozen=True)
class OutboxItem:
    """A message the local Cognito would have sent (a code), kept for the developer to read."""

    id: int
    user_pool_id: str
    username: str
    destination: str | None
    delivery_medium: str | None
    code: str
    purpose: str
    attribute_name: str | None
    client_id: str | None
    created_at: float
    #: The e-mail subject (e-mail only) and the text, placeholders filled in.
    subject: str | None = None
    message: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The item as served by ``GET /_local/outbox``."""
        return {
            "id": self.id,
            "user_pool_id": self.user_pool_id,
            "username": self.username,
            "destination": self.destination,
            "delivery_medium": self.delivery_medium,
            "code": self.code,
            "purpose": self.purpose,
            "attribute_name": self.attribute_name,
            "client_id": self.client_id,
            "created_at": self.created_at,
            "subject": self.subject,
            "message": self.message,
        }


class MessageTables(Database):
    """Data access for codes and the outbox."""

    def put_code(
        self, pool_id: str, username: str, purpose: str, code: str, expires_at: float
    ) -> None:
        """Store (replacing) the one live code a user has for ``purpose``."""
        self.execute(
            "INSERT OR REPLACE INTO codes (pool_id, username, purpose, code, expires_at, attempts)"
            " VALUES (?, ?, ?, ?, ?, 0)",
            (pool_id, username, purpose, code, expires_at),
        )

    def get_code(self, pool_id: str, username: str, purpose: str) -> tuple[str, float, int] | None:
        """``(code, expires_at, failed attempts)`` of a user's live code for ``purpose``."""
        row = self.query_one(
            "SELECT code, expires_at, attempts FROM codes "
            "WHERE pool_id = ? AND username = ? AND purpose = ?",
            (pool_id, username, purpose),
        )
        return (str(row[0]), float(row[1]), int(row[2])) if row else None

    def count_code_failure(self, pool_id: str, username: str, purpose: str) -> None:
        """Count a wrong guess against a code."""
        self.execute(
            "UPDATE codes SET attempts = attempts + 1 "
            "WHERE pool_id = ? AND username = ? AND purpose = ?",
            (pool_id, username, purpose),
        )

    def delete_code(self, pool_id: str, username: str, purpose: str) -> None:
        """Consume a code."""
        self.execute(
            "DELETE FROM codes WHERE pool_id = ? AND username = ? AND purpose = ?",
            (pool_id, username, purpose),
        )

    def add_outbox(self, item: dict[str, Any]) -> None:
        """Record a message that would have been delivered."""
        self.execute(
            "INSERT INTO outbox (pool_id, username, destination, delivery_medium, code, purpose,"
            " attribute_name, client_id, created_at, subject, message)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                item["user_pool_id"],
                item["username"],
                item.get("destination"),
                item.get("delivery_medium"),
                item["code"],
                item["purpose"],
                item.get("attribute_name"),
                item.get("client_id"),
                item["created_at"],
                item.get("subject"),
                item.get("message"),
            ),
        )

    def outbox(self, username: str | None = None) -> list[OutboxItem]:
        """Recorded messages, oldest first, optionally for one username."""
        sql = (
            "SELECT id, pool_id, username, destination, delivery_medium, code, purpose, "
            "attribute_name, client_id, created_at, subject, message FROM outbox"
        )
        params: tuple[Any, ...] = ()
        if username is not None:
            sql += " WHERE username = ?"
            params = (username,)
        return [OutboxItem(*row) for row in self.query(sql + " ORDER BY id", params)]
