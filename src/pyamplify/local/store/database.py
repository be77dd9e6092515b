"""The local Cognito's SQLite database: the connection, its lock, transactions, and opening.

One connection, guarded by one re-entrant lock, serves the server thread and callers in other
threads (tests reading the outbox). A file database (``data_dir``) survives restarts; ``None``
keeps everything in memory.

Opening is migrating: :class:`Database` reads ``PRAGMA user_version`` and applies the
migrations of :mod:`.schema` that the file has not had yet, each in its own transaction with
its version bump, under ``BEGIN IMMEDIATE`` so that two processes opening the same data dir at
once apply each migration once. A file this code cannot use is refused before anything is
written to it, with a message that names the file and says what to do: one from a newer
pyamplify (:class:`NewerDatabaseError`), one that is not an SQLite database or is damaged
(:class:`UnreadableDatabaseError`), one whose migration failed (:class:`MigrationError`).

The file holds every pool's private signing keys, the server secret, SRP verifiers, codes and
minted credentials' secret keys, so a data dir made here is 0700 and the database 0600
whatever the umask (SQLite gives its ``-wal`` and ``-shm`` files the database's mode). An
existing database others can read is made 0600; an existing data dir others can enter is left
as it is (it may be shared on purpose) with a warning.

The data-access methods live in the topic modules of this package (mixins of
:class:`~.userpools.Store`); :meth:`Database.execute` and the queries are for them only: no SQL
outside ``pyamplify.local.store`` (a test enforces it).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import stat
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pyamplify.errors import PyamplifyError
from pyamplify.local.store import schema
from pyamplify.local.store.records import Columns, R

DB_FILENAME = "local-cognito.sqlite3"
#: SQLite's companions of a WAL database, created with the database file's mode.
_COMPANIONS = ("-wal", "-shm", "-journal")

LOG = logging.getLogger("pyamplify.local")

_WAY_OUT = "use another --data-dir, or --ephemeral to keep the state in memory"


class DatabaseError(PyamplifyError):
    """The local Cognito's database cannot be used; the message names the file and the fix."""


class NewerDatabaseError(DatabaseError):
    """The database was written by a newer pyamplify; it is left untouched."""

    def __init__(self, path: str, found: int, supported: int) -> None:
        super().__init__(
            f"{path} was written by a newer pyamplify (database schema version {found}; this "
            f"pyamplify knows versions up to {supported}). It was left untouched: upgrade "
            f"pyamplify, or {_WAY_OUT}."
        )
        self.path = path
        self.found = found
        self.supported = supported


class UnreadableDatabaseError(DatabaseError):
    """The file is not an SQLite database, is damaged, or cannot be opened."""

    def __init__(self, path: str, error: sqlite3.Error) -> None:
        super().__init__(
            f"cannot use {path} as the local Cognito's database ({error}): move it aside, "
            f"or {_WAY_OUT}."
        )
        self.path = path


class MigrationError(DatabaseError):
    """A migration failed; its transaction was rolled back, the file keeps its old version."""

    def __init__(self, path: str, migration: schema.Migration, found: int, error: Exception):
        super().__init__(
            f"cannot upgrade {path} to database schema version {migration.version} "
            f"({migration.summary}): {error}. It was left at version {found}; move it aside, "
            f"or {_WAY_OUT}."
        )
        self.path = path


def _private_directory(directory: Path) -> None:
    """Create ``directory`` 0700; warn if an existing one lets other users in."""
    if not directory.is_dir():
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        if os.name == "posix":
            directory.chmod(0o700)  # mkdir's mode went through the umask
        return
    if os.name != "posix":
        return
    mode = stat.S_IMODE(directory.stat().st_mode)
    if mode & 0o077:
        LOG.warning(
            "the local Cognito data dir %s can be entered by other users (mode %o); its database "
            "holds private keys and secrets (it is kept 0600), but consider: chmod 700 %s",
            directory,
            mode,
            directory,
        )


def _private_file(path: Path) -> None:
    """Create the database file 0600 before SQLite does (SQLite would use 0644 minus the
    umask); make an existing one, and its companions, 0600 if others can read them."""
    if os.name != "posix":
        return
    try:
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError:
        return  # SQLite reports the file's problem in its own words
    for candidate in (path, *(path.with_name(path.name + suffix) for suffix in _COMPANIONS)):
        try:
            mode = stat.S_IMODE(candidate.stat().st_mode)
            if mode & 0o077:
                candidate.chmod(0o600)
                LOG.warning("made %s private (mode %o -> 600): it holds secrets", candidate, mode)
        except OSError:
            continue


def statements(script: str) -> list[str]:
    """The statements of an SQL script, split where SQLite itself says one is complete."""
    found: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                found.append(pending.strip())
            pending = ""
    if pending.strip(" \t\r\n;"):
        raise ValueError(f"incomplete SQL statement: {pending.strip()[:60]!r}")
    return found


class Database:
    """An open, migrated SQLite database (see the module docstring)."""

    def __init__(
        self,
        data_dir: str | os.PathLike[str] | None,
        *,
        migrations: tuple[schema.Migration, ...] = schema.MIGRATIONS,
    ) -> None:
        if data_dir is None:
            self.path: Path | None = None
            target = ":memory:"
        else:
            directory = Path(data_dir)
            _private_directory(directory)
            self.path = directory / DB_FILENAME
            _private_file(self.path)
            target = str(self.path)
        self._lock = threading.RLock()
        self._depth = 0
        try:
            self._conn = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as error:
            raise UnreadableDatabaseError(self._name, error) from None
        try:
            self._open(migrations)
        except BaseException:
            self._conn.close()
            raise

    @property
    def _name(self) -> str:
        return str(self.path) if self.path is not None else "the in-memory database"

    # ------------------------------------------------------------------ opening

    def _open(self, migrations: tuple[schema.Migration, ...]) -> None:
        schema.check_order(migrations)
        latest = migrations[-1].version if migrations else 0
        try:
            # Reading the header and the schema proves the file is an SQLite database whose
            # schema parses; nothing has been written yet.
            found = self.schema_version
            self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as error:
            raise UnreadableDatabaseError(self._name, error) from None
        if found > latest:
            raise NewerDatabaseError(self._name, found, latest)
        try:
            if self.path is not None:
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError as error:
            raise UnreadableDatabaseError(self._name, error) from None
        if found < latest:
            self._migrate(migrations, latest)

    def _migrate(self, migrations: tuple[schema.Migration, ...], latest: int) -> None:
        """Apply the pending migrations one transaction each; re-read the version every time,
        since another process may have migrated while this one waited for the write lock."""
        while True:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as error:
                raise UnreadableDatabaseError(self._name, error) from None
            found = self.schema_version
            pending = [migration for migration in migrations if migration.version > found]
            if found > latest or not pending:
                self._conn.execute("ROLLBACK")
                if found > latest:
                    raise NewerDatabaseError(self._name, found, latest)
                return
            migration = pending[0]
            try:
                for statement in statements(migration.script):
                    self._conn.execute(statement)
                self._conn.execute(f"PRAGMA user_version = {int(migration.version)}")
            except (sqlite3.Error, ValueError) as error:
                if self._conn.in_transaction:  # some errors (a full disk) roll back themselves
                    self._conn.execute("ROLLBACK")
                raise MigrationError(self._name, migration, found, error) from None
            self._conn.execute("COMMIT")

    @property
    def schema_version(self) -> int:
        """The database's ``PRAGMA user_version``: the last migration applied to it."""
        with self._lock:
            row = self._conn.execute("PRAGMA user_version").fetchone()
            return int(row[0])

    # ------------------------------------------------------------------ access for store modules

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the lock and one SQLite transaction; nested uses join the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN")
            self._depth = 1
            try:
                yield
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

    def document(self, sql: str, params: Sequence[Any] = ()) -> dict[str, Any] | None:
        """The JSON document in the first column of a query's first row, or ``None``.

        Pools, clients, groups, providers… are stored as their Cognito JSON shape in one
        column; this is how every topic module reads one back.
        """
        row = self.query_one(sql, params)
        return None if row is None else dict(json.loads(row[0]))

    def documents(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """The JSON documents in the first column of every row of a query, in its order."""
        return [dict(json.loads(row[0])) for row in self.query(sql, params)]

    def record(
        self, columns: Columns[R], table: str, where: str, params: Sequence[Any]
    ) -> R | None:
        """The record (:class:`~.records.Columns`) of the first row of ``table`` matching
        ``where``, or ``None``: how users, devices, passkeys and credentials are read back."""
        row = self.query_one(f"SELECT {columns} FROM {table} WHERE {where}", params)
        return None if row is None else columns.record(row)

    def records(
        self, columns: Columns[R], table: str, where: str, params: Sequence[Any]
    ) -> list[R]:
        """The records of every row of ``table`` matching ``where`` (which may end in an
        ``ORDER BY``), in the query's order."""
        rows = self.query(f"SELECT {columns} FROM {table} WHERE {where}", params)
        return [columns.record(row) for row in rows]

    def take_one(
        self, table: str, columns: str, where: str, params: Sequence[Any]
    ) -> tuple[Any, ...] | None:
        """Read ``columns`` of the row of ``table`` matching ``where`` and delete it, in one
        transaction: what makes codes, sign-in sessions and browser state single use (two
        requests racing for one row cannot both get it)."""
        with self.transaction():
            row = self.query_one(f"SELECT {columns} FROM {table} WHERE {where}", params)
            if row is not None:
                self.execute(f"DELETE FROM {table} WHERE {where}", params)
        return row

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
