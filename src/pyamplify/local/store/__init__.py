"""The local Cognito's state in SQLite: the schema and every SQL statement."""

from pyamplify.local.store.userpools import (
    DB_FILENAME,
    OutboxItem,
    SessionRow,
    Store,
    UserRecord,
)

__all__ = ["DB_FILENAME", "OutboxItem", "SessionRow", "Store", "UserRecord"]
