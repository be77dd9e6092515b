"""The local Cognito's state in SQLite: schema and data access, nothing else.

One connection, guarded by one re-entrant lock, serves the server thread and callers in other
threads (tests reading the outbox). A file database (``data_dir``) survives restarts; ``None``
keeps everything in memory. Pools, app clients and groups are stored as their Cognito JSON
shapes (the operations own their meaning); users get columns for what the auth flows query.
Passwords are never stored: a user row holds only the SRP salt and verifier.

Other modules of ``pyamplify.local`` (identity pools) add their own tables with
:meth:`Store.ensure_schema` and use :meth:`Store.transaction` for consistent writes.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DB_FILENAME = "local-cognito.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pools (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, config TEXT NOT NULL,
    created REAL NOT NULL, modified REAL NOT NULL);
CREATE TABLE IF NOT EXISTS clients (
    id TEXT PRIMARY KEY, pool_id TEXT NOT NULL, config TEXT NOT NULL,
    created REAL NOT NULL, modified REAL NOT NULL);
CREATE INDEX IF NOT EXISTS clients_by_pool ON clients (pool_id);
CREATE TABLE IF NOT EXISTS domains (
    domain TEXT PRIMARY KEY, pool_id TEXT NOT NULL, config TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS signing_keys (
    pool_id TEXT NOT NULL, purpose TEXT NOT NULL, kid TEXT NOT NULL, private_pem BLOB NOT NULL,
    PRIMARY KEY (pool_id, purpose));
CREATE TABLE IF NOT EXISTS users (
    pool_id TEXT NOT NULL, username TEXT NOT NULL, sub TEXT NOT NULL, status TEXT NOT NULL,
    enabled INTEGER NOT NULL, attributes TEXT NOT NULL, salt TEXT, verifier TEXT,
    created REAL NOT NULL, modified REAL NOT NULL, password_set_at REAL,
    failed_attempts INTEGER NOT NULL DEFAULT 0, last_failure REAL, locked_until REAL,
    PRIMARY KEY (pool_id, username));
CREATE INDEX IF NOT EXISTS users_by_sub ON users (pool_id, sub);
CREATE TABLE IF NOT EXISTS groups (
    pool_id TEXT NOT NULL, name TEXT NOT NULL, config TEXT NOT NULL,
    PRIMARY KEY (pool_id, name));
CREATE TABLE IF NOT EXISTS group_members (
    pool_id TEXT NOT NULL, group_name TEXT NOT NULL, username TEXT NOT NULL,
    PRIMARY KEY (pool_id, group_name, username));
CREATE TABLE IF NOT EXISTS codes (
    pool_id TEXT NOT NULL, username TEXT NOT NULL, purpose TEXT NOT NULL, code TEXT NOT NULL,
    expires_at REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (pool_id, username, purpose));
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, pool_id TEXT NOT NULL, username TEXT NOT NULL,
    destination TEXT, delivery_medium TEXT, code TEXT NOT NULL, purpose TEXT NOT NULL,
    attribute_name TEXT, client_id TEXT, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS auth_sessions (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, pool_id TEXT NOT NULL, client_id TEXT NOT NULL,
    username TEXT NOT NULL, state TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS token_families (
    origin_jti TEXT PRIMARY KEY, pool_id TEXT NOT NULL, client_id TEXT NOT NULL,
    username TEXT NOT NULL, sub TEXT NOT NULL, auth_time REAL NOT NULL, revoked_at REAL);
CREATE INDEX IF NOT EXISTS families_by_user ON token_families (pool_id, username);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    token_hash TEXT PRIMARY KEY, origin_jti TEXT NOT NULL, issued_at REAL NOT NULL,
    expires_at REAL NOT NULL, superseded_at REAL);
"""


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
        }


#: ``(kind, pool_id, client_id, username, state, expires_at)`` of an unfinished sign-in.
SessionRow = tuple[str, str, str, str, dict[str, Any], float]

_USER_COLUMNS = (
    "pool_id, username, sub, status, enabled, attributes, salt, verifier, created, modified, "
    "password_set_at, failed_attempts, last_failure, locked_until"
)


def _user_from_row(row: Sequence[Any]) -> UserRecord:
    return UserRecord(
        pool_id=row[0],
        username=row[1],
        sub=row[2],
        status=row[3],
        enabled=bool(row[4]),
        attributes=json.loads(row[5]),
        salt=row[6],
        verifier=row[7],
        created=row[8],
        modified=row[9],
        password_set_at=row[10],
        failed_attempts=row[11],
        last_failure=row[12],
        locked_until=row[13],
    )


class Store:
    """SQLite-backed state of one local Cognito (see the module docstring)."""

    def __init__(self, data_dir: str | os.PathLike[str] | None) -> None:
        if data_dir is None:
            self.path: Path | None = None
            target = ":memory:"
        else:
            directory = Path(data_dir)
            directory.mkdir(parents=True, exist_ok=True)
            self.path = directory / DB_FILENAME
            target = str(self.path)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        if self.path is not None:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
        self._depth = 0
        self._schemas_run: set[str] = set()
        self.ensure_schema(SCHEMA)

    # ------------------------------------------------------------------ generic access

    def ensure_schema(self, script: str) -> None:
        """Run ``CREATE ... IF NOT EXISTS`` statements (for extensions' own tables), once.

        A script already run on this store is skipped, so modules may call this on every request
        at no cost. ``executescript`` commits whatever transaction is open, so running a new
        script inside :meth:`transaction` would silently break that transaction: refused.
        """
        with self._lock:
            if script in self._schemas_run:
                return
            if self._depth:
                raise RuntimeError("ensure_schema() must not run inside Store.transaction()")
            self._conn.executescript(script)
            self._schemas_run.add(script)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and one SQLite transaction; nested uses join the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._conn
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN")
            self._depth = 1
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; return the number of rows it changed."""
        with self._lock:
            return self._conn.execute(sql, params).rowcount

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a query and return all rows."""
        with self._lock:
            return list(self._conn.execute(sql, params).fetchall())

    def query_one(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        """Run a query and return its first row, or ``None``."""
        with self._lock:
            row = self._conn.execute(sql, params).fetchone()
            return tuple(row) if row is not None else None

    def close(self) -> None:
        """Close the connection (the in-memory state is gone afterwards)."""
        with self._lock:
            self._conn.close()

    # ------------------------------------------------------------------ meta

    def meta(self, key: str, default_factory: Callable[[], str]) -> str:
        """A persistent server-wide value, created by ``default_factory()`` on first use."""
        with self.transaction():
            row = self.query_one("SELECT value FROM meta WHERE key = ?", (key,))
            if row is not None:
                return str(row[0])
            value = default_factory()
            self.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (key, value))
            return value

    # ------------------------------------------------------------------ JSON documents

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
        row = self.query_one("SELECT config FROM pools WHERE id = ?", (pool_id,))
        return json.loads(row[0]) if row else None

    def list_pools(self) -> list[dict[str, Any]]:
        """All pools' documents, oldest first."""
        rows = self.query("SELECT config FROM pools ORDER BY created, id")
        return [json.loads(row[0]) for row in rows]

    def delete_pool(self, pool_id: str) -> None:
        """Delete a pool and everything that belongs to it."""
        with self.transaction():
            for table, column in (
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
            ):
                self.execute(f"DELETE FROM {table} WHERE {column} = ?", (pool_id,))

    def put_client(self, client_id: str, pool_id: str, config: dict[str, Any], now: float) -> None:
        """Insert or replace an app client's document."""
        self.execute(
            "INSERT INTO clients (id, pool_id, config, created, modified) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET config = excluded.config, modified = excluded.modified",
            (client_id, pool_id, json.dumps(config), now, now),
        )

    def get_client(self, client_id: str) -> dict[str, Any] | None:
        """An app client's document, or ``None``."""
        row = self.query_one("SELECT config FROM clients WHERE id = ?", (client_id,))
        return json.loads(row[0]) if row else None

    def list_clients(self, pool_id: str) -> list[dict[str, Any]]:
        """A pool's app clients, oldest first."""
        rows = self.query(
            "SELECT config FROM clients WHERE pool_id = ? ORDER BY created, id", (pool_id,)
        )
        return [json.loads(row[0]) for row in rows]

    def delete_client(self, client_id: str) -> None:
        """Delete an app client."""
        self.execute("DELETE FROM clients WHERE id = ?", (client_id,))

    def put_domain(self, domain: str, pool_id: str, config: dict[str, Any]) -> None:
        """Record a user pool domain."""
        self.execute(
            "INSERT OR REPLACE INTO domains (domain, pool_id, config) VALUES (?, ?, ?)",
            (domain, pool_id, json.dumps(config)),
        )

    def get_domain(self, domain: str) -> dict[str, Any] | None:
        """A domain's description, or ``None``."""
        row = self.query_one("SELECT config FROM domains WHERE domain = ?", (domain,))
        return json.loads(row[0]) if row else None

    def domain_of_pool(self, pool_id: str) -> str | None:
        """The domain prefix attached to a pool, if any."""
        row = self.query_one("SELECT domain FROM domains WHERE pool_id = ?", (pool_id,))
        return str(row[0]) if row else None

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

    # ------------------------------------------------------------------ users

    def insert_user(self, user: UserRecord) -> None:
        """Add a new user (the caller has checked that the name is free)."""
        self.execute(
            f"INSERT INTO users ({_USER_COLUMNS}) VALUES ({', '.join('?' * 14)})",
            (
                user.pool_id,
                user.username,
                user.sub,
                user.status,
                int(user.enabled),
                json.dumps(user.attributes),
                user.salt,
                user.verifier,
                user.created,
                user.modified,
                user.password_set_at,
                user.failed_attempts,
                user.last_failure,
                user.locked_until,
            ),
        )

    def save_user(self, user: UserRecord) -> None:
        """Write back every mutable column of an existing user."""
        self.execute(
            "UPDATE users SET status = ?, enabled = ?, attributes = ?, salt = ?, verifier = ?, "
            "modified = ?, password_set_at = ?, failed_attempts = ?, last_failure = ?, "
            "locked_until = ? WHERE pool_id = ? AND username = ?",
            (
                user.status,
                int(user.enabled),
                json.dumps(user.attributes),
                user.salt,
                user.verifier,
                user.modified,
                user.password_set_at,
                user.failed_attempts,
                user.last_failure,
                user.locked_until,
                user.pool_id,
                user.username,
            ),
        )

    def get_user(self, pool_id: str, username: str) -> UserRecord | None:
        """A user by internal username (case-sensitive, as stored)."""
        row = self.query_one(
            f"SELECT {_USER_COLUMNS} FROM users WHERE pool_id = ? AND username = ?",
            (pool_id, username),
        )
        return _user_from_row(row) if row else None

    def get_user_by_sub(self, pool_id: str, sub: str) -> UserRecord | None:
        """A user by ``sub``."""
        row = self.query_one(
            f"SELECT {_USER_COLUMNS} FROM users WHERE pool_id = ? AND sub = ?", (pool_id, sub)
        )
        return _user_from_row(row) if row else None

    def find_users_by_attribute(self, pool_id: str, name: str, value: str) -> list[UserRecord]:
        """Users whose attribute ``name`` equals ``value`` (aliases, email-as-username)."""
        rows = self.query(
            f"SELECT {_USER_COLUMNS} FROM users WHERE pool_id = ? "
            "AND json_extract(attributes, '$.' || ?) = ?",
            (pool_id, f'"{name}"', value),
        )
        return [_user_from_row(row) for row in rows]

    def list_users(self, pool_id: str) -> list[UserRecord]:
        """All users of a pool, oldest first."""
        rows = self.query(
            f"SELECT {_USER_COLUMNS} FROM users WHERE pool_id = ? ORDER BY created, username",
            (pool_id,),
        )
        return [_user_from_row(row) for row in rows]

    def count_users(self, pool_id: str) -> int:
        """How many users a pool has."""
        row = self.query_one("SELECT COUNT(*) FROM users WHERE pool_id = ?", (pool_id,))
        return int(row[0]) if row else 0

    def delete_user(self, pool_id: str, username: str) -> None:
        """Delete a user with their group memberships, codes and sessions."""
        with self.transaction():
            for table in ("users", "group_members", "codes", "auth_sessions", "token_families"):
                self.execute(
                    f"DELETE FROM {table} WHERE pool_id = ? AND username = ?",
                    (pool_id, username),
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
        row = self.query_one(
            "SELECT config FROM groups WHERE pool_id = ? AND name = ?", (pool_id, name)
        )
        return json.loads(row[0]) if row else None

    def list_groups(self, pool_id: str) -> list[dict[str, Any]]:
        """A pool's groups by name."""
        rows = self.query("SELECT config FROM groups WHERE pool_id = ? ORDER BY name", (pool_id,))
        return [json.loads(row[0]) for row in rows]

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
        rows = self.query(
            "SELECT g.config FROM groups g JOIN group_members m "
            "ON g.pool_id = m.pool_id AND g.name = m.group_name "
            "WHERE m.pool_id = ? AND m.username = ? ORDER BY g.name",
            (pool_id, username),
        )
        groups = [json.loads(row[0]) for row in rows]
        return sorted(groups, key=lambda g: (g.get("Precedence") is None, g.get("Precedence", 0)))

    def members_of(self, pool_id: str, group: str) -> list[str]:
        """Usernames in a group."""
        rows = self.query(
            "SELECT username FROM group_members WHERE pool_id = ? AND group_name = ? "
            "ORDER BY username",
            (pool_id, group),
        )
        return [str(row[0]) for row in rows]

    # ------------------------------------------------------------------ codes and outbox

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
            " attribute_name, client_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
            ),
        )

    def outbox(self, username: str | None = None) -> list[OutboxItem]:
        """Recorded messages, oldest first, optionally for one username."""
        sql = (
            "SELECT id, pool_id, username, destination, delivery_medium, code, purpose, "
            "attribute_name, client_id, created_at FROM outbox"
        )
        params: tuple[Any, ...] = ()
        if username is not None:
            sql += " WHERE username = ?"
            params = (username,)
        return [OutboxItem(*row) for row in self.query(sql + " ORDER BY id", params)]

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
        with self.transaction():
            row = self.query_one(
                "SELECT kind, pool_id, client_id, username, state, expires_at FROM auth_sessions "
                "WHERE id = ?",
                (session_id,),
            )
            if row is None:
                return None
            self.execute("DELETE FROM auth_sessions WHERE id = ?", (session_id,))
        return (row[0], row[1], row[2], row[3], json.loads(row[4]), float(row[5]))

    def peek_session(self, session_id: str) -> SessionRow | None:
        """Like :meth:`take_session` but leaves the session in place."""
        row = self.query_one(
            "SELECT kind, pool_id, client_id, username, state, expires_at FROM auth_sessions "
            "WHERE id = ?",
            (session_id,),
        )
        if row is None:
            return None
        return (row[0], row[1], row[2], row[3], json.loads(row[4]), float(row[5]))

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
