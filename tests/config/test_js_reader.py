"""The aws-exports.js reader: the generated object literal is read, anything else is refused
with the file, line, column and key path, and the reason the file must be the generated one."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyamplify.config import ConfigError
from pyamplify.config.js_reader import looks_like_javascript, parse_js_exports

from .conftest import WEB, to_js

NOT_GENERATED = "pyamplify reads aws-exports.js without running it, so the file must be the"


def refused(text: str) -> Any:
    with pytest.raises(ConfigError) as caught:
        parse_js_exports(text, "aws-exports.js")
    (problem,) = caught.value.problems
    assert problem.file == "aws-exports.js"
    return problem


@pytest.mark.parametrize("style", ["cli", "prettier", "commonjs"])
def test_every_style_the_cli_and_formatters_write_reads_as_the_object(style: str) -> None:
    parsed = parse_js_exports(to_js(WEB, style=style), "aws-exports.js")
    assert parsed.value == WEB
    assert parsed.warnings == []  # trailing commas are JavaScript: nothing to warn about


def test_lines_are_those_of_the_file_and_paths_start_at_the_exported_object() -> None:
    text = (
        "// header\n"  # 1
        "const awsmobile = {\n"  # 2
        "  aws_project_region: 'us-east-1',\n"  # 3
        "  /* a comment\n"  # 4
        "     over lines */\n"  # 5
        "  oauth: {\n"  # 6
        '    "domain": "x.example.com",\n'  # 7
        "  },\n"  # 8
        "};\n"  # 9
        "export default awsmobile;\n"
    )
    parsed = parse_js_exports(text, "aws-exports.js")
    assert parsed.lines[()] == 2
    assert parsed.lines[("aws_project_region",)] == 3
    assert parsed.lines[("oauth", "domain")] == 7


def test_strings_use_javascript_escapes_and_quotes() -> None:
    text = (
        'const a = {s: \'it\\\'s\', d: "say \\"hi\\"", t: `tpl`, '
        "u: '\\u00e9\\u{1F600}\\x41\\uD83D\\uDE00', n: undefined, z: null, "
        "b: [true, false, -1.5e3]};\nexport default a;"
    )
    assert parse_js_exports(text, "f.js").value == {
        "s": "it's",
        "d": 'say "hi"',
        "t": "tpl",
        "u": "é😀A😀",
        "n": None,
        "z": None,
        "b": [True, False, -1500.0],
    }


def test_an_export_of_the_literal_itself_and_module_exports_are_read() -> None:
    assert parse_js_exports("export default {a: 1};", "f.js").value == {"a": 1}
    assert parse_js_exports("const x = {a: 1}\nmodule.exports = x", "f.js").value == {"a": 1}


@pytest.mark.parametrize(
    ("text", "expected", "line", "path"),
    [
        (
            "import { Amplify } from 'aws-amplify';\nconst a = {};\nexport default a;",
            "an import statement",
            1,
            "$",
        ),
        (
            "const a = {\n  aws_user_pools_id: process.env.REACT_APP_POOL_ID,\n};\n"
            "export default a;",
            "process.env.REACT_APP_POOL_ID is a variable or an expression, not a written-out value",
            2,
            "$.aws_user_pools_id",
        ),
        (
            "const a = {\n  oauth: {\n    domain: `${PREFIX}.auth.example.com`,\n  },\n};"
            "\nexport default a;",
            "a template literal with ${...} is computed when the JavaScript runs",
            3,
            "$.oauth.domain",
        ),
        (
            "const a = {\n  ...base,\n};\nexport default a;",
            "a spread (...) copies members in",
            2,
            "$",
        ),
        (
            "const a = {x: [...more]};\nexport default a;",
            "a spread (...) copies values in",
            1,
            "$.x[0]",
        ),
        (
            "const a = {\n  handler() { return 1; },\n};\nexport default a;",
            "the method handler() is code",
            2,
            "$",
        ),
        ("const a = {x: () => 1};\nexport default a;", "a function or a call is code", 1, "$.x"),
        ("const a = {x: new Date()};\nexport default a;", "a 'new' expression is code", 1, "$.x"),
        ("const a = {[k]: 1};\nexport default a;", "a computed key [...] is code", 1, "$"),
        ("const a = {region};\nexport default a;", "the shorthand member region", 1, "$"),
        ("const a = {x: 'a' + b};\nexport default a;", "found '+': an expression is", 1, "$"),
        ("Amplify.configure({});", "unexpected 'Amplify.configure' at the top level", 1, "$"),
        ("const a: Config = {};\nexport default a;", "(a type annotation?", 1, "$"),
        ("export const a = {};", "only a default export (export default awsmobile)", 1, "$"),
    ],
)
def test_code_is_refused_saying_where_and_that_the_file_must_be_generated(
    text: str, expected: str, line: int, path: str
) -> None:
    problem = refused(text)
    assert expected in problem.message
    assert NOT_GENERATED in problem.message
    assert (problem.line, problem.path) == (line, path)
    assert problem.message.startswith(f"cannot read the JavaScript at line {line}, column ")
    assert "^" in problem.message  # the line is shown with a caret


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("const a = {};", "the file exports nothing"),
        ("const a = {};\nexport default b;", "the exported name b is not declared"),
        ("const a = {};\nexport default a;\nexport default a;", "more than one default export"),
    ],
)
def test_the_export_must_be_exactly_one_declared_object(text: str, expected: str) -> None:
    problem = refused(text)
    assert expected in problem.message and NOT_GENERATED in problem.message
    assert problem.example.startswith("const awsmobile = {")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "the file is empty"),
        ("/* never closed", "this comment is never closed"),
        ("const a = {x: 'open\n'};", "this string is never closed (a missing '?)"),
        ("const a = {x: 1 y: 2};", "expected ',' or '}' after the value of 'x'"),
        ("const a = {x: 01};", "invalid number"),
        ("const a = {x: '\\xZZ'};", "invalid hexadecimal escape"),
    ],
)
def test_syntax_mistakes_are_located(text: str, expected: str) -> None:
    problem = refused(text)
    assert expected in problem.message
    assert problem.line == 1 and problem.column is not None


def test_a_secret_on_the_offending_line_is_masked() -> None:
    text = "const a = {AppClientSecret: 's3cr3tValue4Client', x y};\nexport default a;"
    problem = refused(text)
    assert "s3cr3tValue4Client" not in str(problem)
    assert "'******************'" in problem.message


@pytest.mark.parametrize(
    ("text", "source", "expected"),
    [
        ('{"aws_project_region": "x"}', "aws-exports.js", True),
        ('{"a": 1}', "config.ts", True),
        ("/* eslint-disable */\n// x\nconst awsmobile = {};", "amplifyconfiguration.json", True),
        ("\ufeffexport default {};", "<string>", True),
        ('// a comment\n{"auth": {}}', "amplifyconfiguration.json", False),
        ('{"auth": {}}', "<string>", False),
        ("constant", "<string>", False),
    ],
)
def test_javascript_is_told_from_json_by_name_or_first_statement(
    text: str, source: str, expected: bool
) -> None:
    assert looks_like_javascript(text, source) is expected


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=15,
)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(st.text(max_size=8), json_values, max_size=5),
    st.sampled_from(["cli", "prettier", "commonjs"]),
)
def test_any_object_written_in_any_style_reads_back_equal(
    value: dict[str, Any], style: str
) -> None:
    parsed = parse_js_exports(to_js(value, style=style), "f.js")
    assert parsed.value == json.loads(json.dumps(value))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(
        alphabet=st.sampled_from("{}[](),:;.='\"`$\\/*\n -+0123456789aexconstportdefault"),
        max_size=60,
    )
)
def test_javascript_shaped_noise_never_raises_anything_but_config_error(text: str) -> None:
    for candidate in (text, f"const a = {text}; export default a;"):
        try:
            parse_js_exports(candidate, "f.js")
        except ConfigError as error:
            for problem in error.problems:
                assert problem.file == "f.js" and problem.path.startswith("$")
                assert problem.message and problem.example
