"""The line-aware JSON reader: strict RFC 8259 except for trailing commas, which only warn."""

from __future__ import annotations

import codecs
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyamplify.config import ConfigError
from pyamplify.config.json_reader import MAX_DEPTH, decode_json_bytes, parse_json


def syntax_problem(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_json(text, "f.json")
    (problem,) = caught.value.problems
    assert problem.file == "f.json"
    return str(problem)


def test_invalid_json_names_line_column_and_shows_the_offending_line() -> None:
    text = '{\n  "auth": {\n    "plugins": {}\n    "other": 1\n  }\n}'
    message = syntax_problem(text)
    assert message.startswith("f.json:4:5: $.auth: invalid JSON at line 4, column 5")
    assert "expected ',' or '}' after the value of 'plugins'" in message
    assert "a missing comma?" in message
    assert '    "other": 1\n' in message
    assert "\n        ^" in message  # the caret sits under column 5
    assert "example of a right value:" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("{'a': 1}", "JSON keys need double quotes"),
        ("{\"a\": 'x'}", "JSON strings need double quotes"),
        ('{"a": 1} // note', "after the end of the JSON document"),
        ('{"a": /* c */ 1}', "JSON has no comments"),
        ('{"a" 1}', "expected ':' after the key 'a'"),
        ('{"a": "open', "this string is never closed"),
        ('{"a": "x\ny"}', "control character U+000A inside a string"),
        ('{"a": "\\q"}', "invalid escape '\\q'"),
        ('{"a": "\\u12"}', "'\\u' must be followed by 4 hexadecimal digits"),
        ('{"a": "\\ud800"}', "half of a UTF-16 surrogate pair"),
        ('{"a": 01}', "invalid number"),
        ('{"a": 1.}', "invalid number"),
        ('{"a": NaN}', "where a value was expected"),
        ('{"a": [1 2]}', "expected ',' or ']' after an array item"),
        ('{"a": ', "the file ends where a value was expected"),
        ("[" * (MAX_DEPTH + 1), f"nested more than {MAX_DEPTH} levels deep"),
        ('{"a": 1,,}', "expected a key in double quotes but found ','"),
    ],
)
def test_each_syntax_mistake_is_explained(text: str, expected: str) -> None:
    assert expected in syntax_problem(text)


def test_a_trailing_comma_in_an_object_is_accepted_with_a_warning_naming_its_line() -> None:
    parsed = parse_json('{\n  "a": {"b": 1},\n  "c": 2,\n}', "f.json")
    assert parsed.value == {"a": {"b": 1}, "c": 2}
    (warning,) = parsed.warnings
    assert warning.line == 3
    assert "trailing comma on line 3 before '}'" in str(warning)
    assert str(warning).startswith("f.json:3: $:")


def test_a_trailing_comma_in_an_array_is_accepted_with_a_warning() -> None:
    parsed = parse_json('{"s": [\n "openid",\n "email",\n]}', "f.json")
    assert parsed.value == {"s": ["openid", "email"]}
    (warning,) = parsed.warnings
    assert "trailing comma on line 3 before ']'" in warning.message
    assert warning.path == "$.s"


def test_a_duplicate_key_warns_and_the_last_one_wins() -> None:
    parsed = parse_json('{"a": 1,\n "a": 2}', "f.json")
    assert parsed.value == {"a": 2}
    assert "appears more than once" in parsed.warnings[0].message
    assert parsed.warnings[0].line == 2


def test_every_value_knows_its_line() -> None:
    parsed = parse_json('{\n "a": {\n  "b": [\n   1,\n   {"c": true}\n  ]\n }\n}', "f")
    assert parsed.lines[()] == 1
    assert parsed.lines[("a",)] == 2
    assert parsed.lines[("a", "b")] == 3
    assert parsed.lines[("a", "b", 0)] == 4
    assert parsed.lines[("a", "b", 1, "c")] == 5
    assert parsed.line_of(("a", "b", 1, "missing")) == 5


def test_a_utf8_byte_order_mark_is_accepted_with_a_warning() -> None:
    text, _ = decode_json_bytes(codecs.BOM_UTF8 + b'{"a":\n 1}', "f.json")
    parsed = parse_json(text, "f.json")
    assert parsed.value == {"a": 1}
    assert parsed.lines[("a",)] == 1
    assert "byte-order mark" in parsed.warnings[0].message


def test_utf16_files_are_refused_with_advice() -> None:
    with pytest.raises(ConfigError, match=r"(?s)saved as UTF-16 or UTF-32.*encoding UTF-8"):
        decode_json_bytes("{}".encode("utf-16"), "f.json")


def test_invalid_utf8_names_the_line_and_byte() -> None:
    with pytest.raises(ConfigError) as caught:
        decode_json_bytes(b'{\n "a": "\xff"\n}', "f.json")
    assert "not valid UTF-8 (byte 0xff at line 2, column 8)" in str(caught.value)
    assert caught.value.problems[0].line == 2


def test_control_characters_in_the_offending_line_are_escaped_for_the_terminal() -> None:
    message = syntax_problem('{"a": \x1b[31m}')
    assert "\x1b" not in message
    assert "\\x1b" in message


def test_strings_with_escapes_and_surrogate_pairs_decode_like_json() -> None:
    text = '{"k": "a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00"}'
    assert parse_json(text, "f").value == json.loads(text)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=15,
)


@settings(max_examples=300, deadline=None)
@given(json_values, st.sampled_from([None, 0, 2]), st.booleans())
def test_valid_json_parses_exactly_as_the_standard_library_does(
    value: Any, indent: int | None, ascii_only: bool
) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    parsed = parse_json(text, "f")
    assert parsed.value == json.loads(text)
    assert parsed.warnings == []


@pytest.mark.parametrize(
    "text",
    [
        # a minified Gen 1 file: the whole document is the offending line
        '{"auth":{"plugins":{"awsCognitoAuthPlugin":{"CognitoUserPool":{"Default":{'
        '"AppClientSecret":"s3cretValue4Client","Region":"us-east-1"}}} }}}x',
        '{"auth": {"user_pool_client_secret": "s3cretValue4Client" "region": "us-east-1"}}',
        '{"AppClientSecret": "s3cretValue4Client\\"still\\u0041secret" "x": 1}',
        '{"appclientsecret": "s3cretValue4Client',  # unterminated, any spelling of the key
    ],
)
def test_the_offending_line_never_shows_a_secret(text: str) -> None:
    message = syntax_problem(text)
    assert "s3cretValue4Client" not in message
    assert "still" not in message
    assert "******************" in message  # masked in place, so the caret stays aligned


def test_a_masked_secret_keeps_the_caret_under_the_right_column() -> None:
    text = '{"AppClientSecret": "abcdef" "Region": "us-east-1"}'
    shown, caret = syntax_problem(text).split("\n")[-3:-1]
    assert shown == '    {"AppClientSecret": "******" "Region": "us-east-1"}'
    assert shown[caret.index("^")] == '"'
    assert caret.index("^") - 4 == text.index('"Region"')
