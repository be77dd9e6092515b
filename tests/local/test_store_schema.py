"""The versioned schema of the local Cognito's database: opening migrates, refusals are clear.

The store's own behaviour, on real SQLite files in a temp dir: a fresh database gets the latest
version, reopening changes nothing, a database written before versioning (``user_version`` 0,
only the tables its user needed) migrates and keeps its rows, a migration is all or nothing,
two processes opening one file at once migrate it once, and a file from a newer pyamplify or
a file that is not a database is refused, untouched, with a message naming the file and the
fix. ``test_store_upgrade.py`` signs in the users of the v0 fixture over HTTP.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import pytest

from pyamplify.errors import PyamplifyError
from pyamplify.local import LocalCognito, LocalCognitoError
from pyamplify.local.store import (
    DB_FILENAME,
    DatabaseError,
    MigrationError,
    NewerDatabaseError,
    Store,
    UnreadableDatabaseError,
)
from pyamplify.local.store.database import statements
from pyamplify.local.store.schema import LATEST_VERSION, MIGRATIONS, Migration, check_order

V0_DUMP = Path(__file__).resolve().parent.parent / "data" / "local_cognito_v0.sql"

#: Every table of migration 1, named here by hand so that a table lost from a migration shows.
V1_TABLES = {
    "meta",
    "pools",
    "clients",
    "domains",
    "signing_keys",
    "users",
    "groups",
    "group_members",
    "codes",
    "outbox",
    "auth_sessions",
    "token_families",
    "refresh_tokens",
    "user_mfa",
    "pool_mfa_config",
    "identity_providers",
    "identity_pools",
    "identities",
    "identity_logins",
    "identity_credentials",
}
#: The Hosted UI's tables (migration 2).
V2_TABLES = {"resource_servers", "oauth_codes", "hosted_sessions", "oauth_families", "oauth_state"}
#: Email / phone values waiting for their code (migration 4; migration 3 adds columns only).
V4_TABLES = {"pending_attributes"}
#: Remembered devices and the TOTP steps used (migration 5).
V5_TABLES = {"devices", "totp_steps"}
#: Passkeys and their open registrations (migration 6).
V6_TABLES = {"webauthn_credentials", "webauthn_registrations"}
TABLES = V1_TABLES | V2_TABLES | V4_TABLES | V5_TABLES | V6_TABLES
#: The tables the unversioned code made only when an operation first needed them.
LAZY_TABLES = V1_TABLES - {
    "meta",
    "pools",
    "clients",
    "domains",
    "signing_keys",
    "users",
    "groups",
    "group_members",
    "codes",
    "outbox",
    "auth_sessions",
    "token_families",
    "refresh_tokens",
}


def _db_file(data_dir: Path) -> Path:
    return data_dir / DB_FILENAME


def _inspect(path: Path) -> tuple[int, set[str]]:
    """``(user_version, table names)`` read with plain sqlite3, not through the store."""
    db = sqlite3.connect(path)
    try:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        return version, {str(name) for (name,) in rows} - {"sqlite_sequence"}
    finally:
        db.close()


def _load_v0(data_dir: Path) -> Path:
    """Write the v0 fixture dump into ``data_dir``'s database file."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = _db_file(data_dir)
    db = sqlite3.connect(path)
    try:
        db.executescript(V0_DUMP.read_text())
    finally:
        db.close()
    return path


def _set_version(path: Path, version: int) -> None:
    db = sqlite3.connect(path)
    try:
        db.execute(f"PRAGMA user_version = {version}")
    finally:
        db.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------------- fresh and reopened


def test_a_fresh_database_gets_every_table_and_the_latest_version(tmp_path: Path) -> None:
    store = Store(tmp_path)
    assert store.schema_version == LATEST_VERSION
    store.close()
    assert _inspect(_db_file(tmp_path)) == (LATEST_VERSION, TABLES)


def test_an_in_memory_store_is_migrated_too() -> None:
    store = Store(None)
    try:
        assert store.schema_version == LATEST_VERSION
        store.put_pool("us-east-1_probe", "probe", {"Id": "us-east-1_probe"}, 1.0)
        assert store.get_user_mfa("us-east-1_probe", "no-such-sub") is None  # lazy table exists
        assert store.list_identity_providers("us-east-1_probe") == []
    finally:
        store.close()


def test_reopening_a_current_database_changes_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.put_pool("us-east-1_probe", "probe", {"Id": "us-east-1_probe"}, 1.0)
    store.close()
    path = _db_file(tmp_path)
    before = (_digest(path), path.stat().st_mtime_ns)
    again = Store(tmp_path)
    assert again.schema_version == LATEST_VERSION
    assert again.get_pool("us-east-1_probe") == {"Id": "us-east-1_probe"}
    again.close()
    assert (_digest(path), path.stat().st_mtime_ns) == before


# ---------------------------------------------------------------------- the unversioned database


def test_the_v0_fixture_migrates_and_keeps_every_row(tmp_path: Path) -> None:
    path = _load_v0(tmp_path)
    version, tables = _inspect(path)
    assert (version, tables) == (0, V1_TABLES)  # the fixture has a bit of everything
    counts = _row_counts(path)
    store = Store(tmp_path)
    assert store.schema_version == LATEST_VERSION
    store.close()
    assert _inspect(path) == (LATEST_VERSION, TABLES)
    after = _row_counts(path)
    assert {table: after[table] for table in counts} == counts
    assert all(after[table] == 0 for table in V2_TABLES)


def test_a_v0_database_without_the_lazily_made_tables_gets_them(tmp_path: Path) -> None:
    path = _load_v0(tmp_path)
    db = sqlite3.connect(path)
    for table in sorted(LAZY_TABLES):  # as if nobody had used MFA, providers or identity pools
        db.execute(f"DROP TABLE {table}")
    db.commit()
    db.close()
    assert _inspect(path) == (0, V1_TABLES - LAZY_TABLES)
    users_before = _row_counts(path)["users"]

    store = Store(tmp_path)
    try:
        assert store.schema_version == LATEST_VERSION
        pool_id = store.list_pools()[0]["Id"]
        assert store.count_users(pool_id) > 0
        assert store.identity_provider_names(pool_id) == set()
        store.put_pool_mfa_config(pool_id, {"Sms": False})
        assert store.get_pool_mfa_config(pool_id) == {"Sms": False}
    finally:
        store.close()
    assert _inspect(path) == (LATEST_VERSION, TABLES)
    assert _row_counts(path)["users"] == users_before


def _row_counts(path: Path) -> dict[str, int]:
    db = sqlite3.connect(path)
    try:
        _version, tables = _inspect(path)
        return {t: int(db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in tables}
    finally:
        db.close()


# ---------------------------------------------------------------------- migrations


def _probe_migration(script: str) -> tuple[Migration, ...]:
    return (*MIGRATIONS, Migration(LATEST_VERSION + 1, "probe", script))


def test_a_later_migration_applies_once_in_order(tmp_path: Path) -> None:
    _load_v0(tmp_path)
    newer = _probe_migration("ALTER TABLE meta ADD COLUMN probe TEXT; UPDATE meta SET probe = 'x'")
    store = Store(tmp_path, migrations=newer)  # v0 -> 1 -> 2 in one opening
    assert store.schema_version == LATEST_VERSION + 1
    store.close()
    again = Store(tmp_path, migrations=newer)  # ADD COLUMN twice would fail
    assert again.query_one("SELECT DISTINCT probe FROM meta") == ("x",)
    again.close()


def test_a_failing_migration_is_rolled_back_whole(tmp_path: Path) -> None:
    Store(tmp_path).close()
    path = _db_file(tmp_path)
    before = _digest(path)
    broken = _probe_migration(
        "CREATE TABLE probe (x INTEGER); INSERT INTO no_such_table VALUES (1)"
    )
    with pytest.raises(MigrationError) as caught:
        Store(tmp_path, migrations=broken)
    message = str(caught.value)
    assert str(path) in message and "no_such_table" in message
    assert f"left at version {LATEST_VERSION}" in message
    assert _inspect(path) == (LATEST_VERSION, TABLES)  # no probe table, version unchanged
    assert _digest(path) == before


def test_processes_opening_one_file_at_once_migrate_it_once(tmp_path: Path) -> None:
    _load_v0(tmp_path)
    newer = _probe_migration("ALTER TABLE meta ADD COLUMN probe TEXT")  # fails if run twice
    start = threading.Barrier(4)
    outcomes: list[object] = []

    def open_it() -> None:
        start.wait()
        try:
            Store(tmp_path, migrations=newer).close()
            outcomes.append("ok")
        except DatabaseError as error:
            outcomes.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes == ["ok"] * 4
    assert _inspect(_db_file(tmp_path))[0] == LATEST_VERSION + 1


def test_migrations_are_numbered_one_by_one() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
    with pytest.raises(ValueError, match="position 2"):
        check_order((MIGRATIONS[0], Migration(3, "gap", "")))


def test_scripts_split_where_sqlite_says_a_statement_ends() -> None:
    script = """
    -- a comment; with a semicolon
    CREATE TABLE a (x TEXT DEFAULT 'semi;colon');
    CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE a SET x = 'y;'; END;
    INSERT INTO a VALUES ('1')
    """
    found = statements(script)
    assert len(found) == 3
    assert found[1].endswith("END;") and "x = 'y;'" in found[1]
    db = sqlite3.connect(":memory:")
    for statement in found:
        db.execute(statement)
    assert db.execute("SELECT x FROM a").fetchall() == [("y;",)]
    with pytest.raises(ValueError, match="incomplete"):
        statements("CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1;")


def test_every_migration_script_is_valid_sql() -> None:
    for migration in MIGRATIONS:
        for statement in statements(migration.script):
            assert sqlite3.complete_statement(statement), statement


# ---------------------------------------------------------------------- refusals


def test_a_database_from_a_newer_pyamplify_is_refused_untouched(tmp_path: Path) -> None:
    Store(tmp_path).close()
    path = _db_file(tmp_path)
    _set_version(path, LATEST_VERSION + 3)
    before = (_digest(path), path.stat().st_mtime_ns)

    with pytest.raises(NewerDatabaseError) as caught:
        Store(tmp_path)
    assert isinstance(caught.value, PyamplifyError)
    assert (caught.value.found, caught.value.supported) == (LATEST_VERSION + 3, LATEST_VERSION)

    cognito = LocalCognito(tmp_path)
    with pytest.raises(LocalCognitoError) as refused:
        cognito.start()
    message = str(refused.value)
    assert str(path) in message
    assert f"version {LATEST_VERSION + 3}" in message
    assert f"up to {LATEST_VERSION}" in message
    for fix in ("upgrade pyamplify", "--data-dir", "--ephemeral"):
        assert fix in message
    assert refused.value.__cause__ is None and refused.value.__suppress_context__
    assert (_digest(path), path.stat().st_mtime_ns) == before
    assert _inspect(path)[0] == LATEST_VERSION + 3


def test_a_database_migrated_by_newer_code_is_refused_by_this_code(tmp_path: Path) -> None:
    Store(tmp_path, migrations=_probe_migration("CREATE TABLE probe (x INTEGER)")).close()
    with pytest.raises(NewerDatabaseError, match=f"version {LATEST_VERSION + 1}"):
        Store(tmp_path)


@pytest.mark.parametrize(
    "content",
    [b"this is not a database\n" * 100, b"SQLite format 3\x00" + b"\xff" * 4000],
    ids=["text", "damaged-header"],
)
def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path: Path, content: bytes) -> None:
    path = _db_file(tmp_path)
    path.write_bytes(content)
    with pytest.raises(UnreadableDatabaseError):
        Store(tmp_path)
    with pytest.raises(LocalCognitoError) as refused:
        LocalCognito(tmp_path).start()
    message = str(refused.value)
    assert str(path) in message and "move it aside" in message and "--ephemeral" in message
    assert path.read_bytes() == content


def test_a_directory_in_place_of_the_file_is_refused(tmp_path: Path) -> None:
    _db_file(tmp_path).mkdir()
    with pytest.raises(LocalCognitoError, match="move it aside"):
        LocalCognito(tmp_path).start()


# ---------------------------------------------------------------------- transactions


def test_a_transaction_is_all_or_nothing_and_nested_ones_join_it() -> None:
    store = Store(None)
    with pytest.raises(RuntimeError), store.transaction():
        store.put_pool("us-east-1_a", "a", {"Id": "us-east-1_a"}, 1.0)
        with store.transaction():
            store.put_pool("us-east-1_b", "b", {"Id": "us-east-1_b"}, 1.0)
        raise RuntimeError("abandon")
    assert store.list_pools() == []
    with store.transaction():
        store.put_pool("us-east-1_a", "a", {"Id": "us-east-1_a"}, 1.0)
    assert [pool["Id"] for pool in store.list_pools()] == ["us-east-1_a"]
    store.close()
