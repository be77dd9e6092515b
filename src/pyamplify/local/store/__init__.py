"""The local Cognito's state in SQLite: the versioned schema and every SQL statement.

Layout: :mod:`.database` (connection, lock, transactions; opening migrates), :mod:`.schema`
(the ordered migrations), one data-access module per topic, :mod:`.userpools` (``Store``, all
of them together) and :mod:`.identity` (identity pools).
"""

from pyamplify.local.store.database import (
    DB_FILENAME,
    DatabaseError,
    MigrationError,
    NewerDatabaseError,
    UnreadableDatabaseError,
)
from pyamplify.local.store.userpools import OutboxItem, SessionRow, Store, UserRecord

__all__ = [
    "DB_FILENAME",
    "DatabaseError",
    "MigrationError",
    "NewerDatabaseError",
    "OutboxItem",
    "SessionRow",
    "Store",
    "UnreadableDatabaseError",
    "UserRecord",
]
