"""What an import would change in an existing file."""

from __future__ import annotations

import json

from pyamplify.provision.diff import diff_documents, diff_text, flatten, render


def test_flatten_uses_json_paths() -> None:
    flat = flatten({"a": {"b": [1, {"c": "x"}], "odd key": {}}})
    assert flat == {"$.a.b[0]": 1, "$.a.b[1].c": "x", '$.a["odd key"]': {}}


def test_added_removed_changed_and_secrets_masked() -> None:
    old = {"pool": "p1", "gone": True, "AppClientSecret": "oldsecretvalue123"}
    new = {"pool": "p2", "added": [1], "AppClientSecret": "newsecretvalue456"}
    changes = diff_documents(old, new)
    kinds = {change.path: change.kind for change in changes}
    assert kinds == {
        "$.pool": "changed",
        "$.added[0]": "added",
        "$.AppClientSecret": "changed",
        "$.gone": "removed",
    }
    text = render(changes)
    assert "oldsecretvalue123" not in text and "newsecretvalue456" not in text
    assert '~ $.pool: "p1" -> "p2"' in text
    # Tryout 6: the kinds are said in words, not only as + / ~ / -.
    assert "  1 key added (in the new file only):\n    + $.added[0]: 1" in text
    assert "  2 keys changed:" in text
    assert "  1 key removed (in the existing file only; gone after --force):\n    - $.gone" in text
    assert all("secretvalue" not in json.dumps(c.to_dict()) for c in changes)


def test_identical_documents_have_no_changes_and_bad_json_is_one() -> None:
    text = json.dumps({"a": 1})
    assert diff_text(text, text) == []
    (change,) = diff_text("{not json", text)
    assert change.path == "$"
