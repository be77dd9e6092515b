"""The store's shared helpers: records as column lists, JSON documents, single-use rows.

On a real in-memory SQLite store: a record written through :class:`Columns` comes back equal
(conversions applied both ways), an UPDATE of some columns leaves the others, the column list
refuses names that are not columns, ``document``/``documents`` read the JSON column, and
``take_one`` hands a row out once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from pyamplify.local.store import Store, UserRecord
from pyamplify.local.store.identity import IdentityStore, StoredCredentials
from pyamplify.local.store.records import Columns


@pytest.fixture
def store() -> Iterator[Store]:
    opened = Store(None)
    try:
        yield opened
    finally:
        opened.close()


@dataclass(frozen=True)
class _Thing:
    name: str
    on: bool
    tags: dict[str, str] = field(default_factory=dict)


_THINGS = Columns(
    _Thing,
    ("name", "on", "tags"),
    encode={"on": int, "tags": json.dumps},
    decode={"on": bool, "tags": json.loads},
)


def test_columns_give_the_sql_lists_in_one_order() -> None:
    assert str(_THINGS) == "name, on, tags"
    assert _THINGS.placeholders == "?, ?, ?"
    assert _THINGS.assignments(("on", "tags")) == "on = ?, tags = ?"


def test_columns_convert_both_ways() -> None:
    thing = _Thing("lamp", True, {"room": "hall"})
    values = _THINGS.values(thing)
    assert values == ("lamp", 1, '{"room": "hall"}')
    assert _THINGS.values(thing, ("tags", "name")) == ('{"room": "hall"}', "lamp")
    assert _THINGS.record(values) == thing


def test_columns_refuse_what_is_not_a_column() -> None:
    with pytest.raises(ValueError, match="not columns"):
        _THINGS.assignments(("colour",))
    with pytest.raises(ValueError, match="not columns"):
        _THINGS.values(_Thing("lamp", True), ("colour",))
    with pytest.raises(ValueError, match="3 columns"):
        _THINGS.record(("lamp", 1))
    with pytest.raises(ValueError, match="not listed"):
        Columns(_Thing, ("name",), decode={"on": bool})


def test_a_user_comes_back_as_written_and_save_keeps_what_is_immutable(store: Store) -> None:
    user = UserRecord(
        pool_id="us-east-1_probe",
        username="alice",
        sub="sub-1",
        status="CONFIRMED",
        enabled=True,
        attributes={"email": "alice@example.com"},
        created=1.0,
        modified=2.0,
        salt="aa",
        verifier="bb",
        password_set_at=3.0,
        failed_attempts=1,
        last_failure=4.0,
        locked_until=None,
    )
    store.insert_user(user)
    assert store.get_user("us-east-1_probe", "alice") == user
    changed = UserRecord(**{**vars(user), "enabled": False, "modified": 9.0, "created": 99.0})
    store.save_user(changed)
    again = store.get_user_by_sub("us-east-1_probe", "sub-1")
    assert again is not None
    assert again.enabled is False and again.modified == 9.0
    assert again.created == 1.0  # not a mutable column: save_user leaves it


def test_stored_credentials_come_back_as_written(store: Store) -> None:
    identities = IdentityStore(store)
    record = StoredCredentials("AKIA1", "id-1", "pool-1", "arn:role", 1.0, 2.0, "secret", "hash")
    identities.put_credentials(record)
    assert identities.get_credentials("AKIA1") == record
    assert identities.get_credentials("AKIA2") is None


def test_documents_read_the_json_column(store: Store) -> None:
    store.put_group("us-east-1_probe", "b", {"GroupName": "b"})
    store.put_group("us-east-1_probe", "a", {"GroupName": "a", "Precedence": 1})
    sql = "SELECT config FROM groups WHERE pool_id = ? ORDER BY name"
    assert store.documents(sql, ("us-east-1_probe",)) == [
        {"GroupName": "a", "Precedence": 1},
        {"GroupName": "b"},
    ]
    one = "SELECT config FROM groups WHERE pool_id = ? AND name = ?"
    assert store.document(one, ("us-east-1_probe", "b")) == {"GroupName": "b"}
    assert store.document(one, ("us-east-1_probe", "c")) is None


def test_take_one_hands_a_row_out_once(store: Store) -> None:
    store.put_oauth_state("h1", "consent", {"n": 1}, 10.0)
    assert store.take_oauth_state("h1", "federation") is None  # another kind: left in place
    assert store.take_oauth_state("h1", "consent") == ({"n": 1}, 10.0)
    assert store.take_oauth_state("h1", "consent") is None
    store.put_session("s1", "SRP", "pool", "client", "alice", {"k": "v"}, 5.0)
    assert store.peek_session("s1") == ("SRP", "pool", "client", "alice", {"k": "v"}, 5.0)
    assert store.take_session("s1") == ("SRP", "pool", "client", "alice", {"k": "v"}, 5.0)
    assert store.take_session("s1") is None
    assert store.peek_session("s1") is None
