"""The one answer of every user-pool List* operation: a page, and a token only when more follow."""

from __future__ import annotations

import pytest

from pyamplify.local import errors
from pyamplify.local.idp.common import list_page


def test_pages_follow_each_other_and_the_last_has_no_token() -> None:
    items = list(range(5))
    first = list_page({}, items, "Things", 2)
    assert first["Things"] == [0, 1] and "NextToken" in first
    second = list_page({"NextToken": first["NextToken"]}, items, "Things", 2)
    assert second["Things"] == [2, 3]
    last = list_page({"NextToken": second["NextToken"]}, items, "Things", 2)
    assert last == {"Things": [4]}


def test_the_token_member_can_be_named() -> None:
    first = list_page({}, ["a", "b"], "Users", 1, token="PaginationToken")
    assert set(first) == {"Users", "PaginationToken"}
    rest = list_page(
        {"PaginationToken": first["PaginationToken"], "NextToken": "ignored"},
        ["a", "b"],
        "Users",
        1,
        token="PaginationToken",
    )
    assert rest == {"Users": ["b"]}


def test_a_token_that_is_not_ours_is_refused() -> None:
    with pytest.raises(errors.InvalidParameterException, match="pagination token"):
        list_page({"NextToken": "%%%"}, [1, 2], "Things", 1)
