"""A small JSON reader that remembers the line of every value and forgives trailing commas.

Python's ``json`` module gives neither: it cannot say on which line ``CognitoUserPool.Default``
was, and it rejects the trailing comma that the Amplify docs once published in their "use existing
resources" example (an extra ``,`` after the ``OAuth`` object), which people still copy. This reader
follows RFC 8259 strictly otherwise, accepts a trailing comma before ``}`` or ``]`` with a
warning naming its line, and turns every syntax mistake into a ``ConfigProblem`` with line,
column, the offending line and a caret under the spot.

Configuration files are small, so a hand-written recursive-descent parser is plenty fast; nesting
is capped so that hostile input cannot exhaust the stack.
"""

from __future__ import annotations

import bisect
import codecs
import re
from dataclasses import dataclass, field
from typing import Any

from pyamplify.config.errors import (
    ConfigError,
    ConfigProblem,
    ConfigWarning,
    JsonPath,
    format_path,
    printable,
)

MAX_DEPTH = 64
_MAX_NUMBER_LENGTH = 100
_WHITESPACE = " \t\n\r"
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_PLAIN_STRING_RUN = re.compile(r'[^"\\\x00-\x1f]*')
_HEX4 = re.compile(r"[0-9A-Fa-f]{4}")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_BOM = "\ufeff"
#: The string value of a member whose key names a secret (``AppClientSecret``,
#: ``user_pool_client_secret``, a misspelling of either), up to its closing quote or line end.
#: Keys and values may be quoted the JavaScript ways too (``AppClientSecret: 'x'``).
_SECRET_MEMBER = re.compile(
    r"""((?:"[^"\n]*secret[^"\n]*"|'[^'\n]*secret[^'\n]*'|[\w$]*secret[\w$]*)\s*:\s*)"""
    r"""(["'`])((?:(?!\2)[^\\\n]|\\.)*)""",
    re.IGNORECASE,
)


@dataclass
class ParsedJson:
    """A parsed document: the value, the line of every path in it, and the warnings found."""

    value: Any
    lines: dict[JsonPath, int] = field(default_factory=dict)
    warnings: list[ConfigWarning] = field(default_factory=list)

    def line_of(self, path: JsonPath) -> int | None:
        """The line of ``path``, or of its nearest ancestor that exists in the document."""
        while True:
            line = self.lines.get(path)
            if line is not None or not path:
                return line
            path = path[:-1]


class SyntaxProblem(Exception):
    """Raised inside a parser; turned into a ``ConfigProblem`` with line and column."""

    def __init__(self, position: int, path: JsonPath, message: str, example: str) -> None:
        super().__init__(message)
        self.position = position
        self.path = path
        self.message = message
        self.example = example


def decode_json_bytes(data: bytes, source: str) -> tuple[str, list[ConfigWarning]]:
    """Decode a file's bytes as UTF-8 (``parse_json`` deals with a BOM), or raise ConfigError."""
    warnings: list[ConfigWarning] = []
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)) or data.startswith(
        (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    ):
        raise ConfigError(
            [
                ConfigProblem(
                    source,
                    "$",
                    "the file is saved as UTF-16 or UTF-32; JSON configuration files must be UTF-8",
                    "re-save the file with the encoding UTF-8",
                    line=1,
                    column=1,
                )
            ]
        )
    try:
        return data.decode("utf-8"), warnings
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        bad = data[error.start : error.start + 1].hex()
        raise ConfigError(
            [
                ConfigProblem(
                    source,
                    "$",
                    f"the file is not valid UTF-8 (byte 0x{bad} at line {line}, column {column})",
                    "re-save the file with the encoding UTF-8",
                    line=line,
                    column=column,
                )
            ],
            warnings,
        ) from None


def parse_json(text: str, source: str) -> ParsedJson:
    """Parse ``text`` as JSON with positions, or raise ``ConfigError`` naming line and column."""
    parser = JsonParser(text, source)
    parser.skip_byte_order_mark()
    try:
        value = parser.document()
    except SyntaxProblem as problem:
        raise parser.error(problem) from None
    return ParsedJson(value, parser.lines, parser.warnings)


def _mask_secrets(line: str) -> str:
    """``line`` with every secret's characters shown as ``*`` (same length: the caret stays)."""
    return _SECRET_MEMBER.sub(
        lambda match: match.group(1) + match.group(2) + "*" * len(match.group(3)), line
    )


def describe_char(char: str) -> str:
    """Name a character for a message (``'x'``, its code point when invisible, or the end)."""
    if not char:
        return "the end of the file"
    if char.isprintable() and not char.isspace():
        return printable(f"'{char}'")
    return f"U+{ord(char):04X}"


class JsonParser:
    """Recursive descent over one document, recording the line where every value starts.

    ``js_reader`` extends it for the JavaScript object-literal subset of ``aws-exports.js``.
    """

    #: How a syntax problem's message starts (``invalid JSON at line 3, column 5: ...``).
    MESSAGE_START = "invalid JSON"
    #: A right member, shown as the example of most syntax problems.
    EXAMPLE_MEMBER = '"Region": "us-east-1"'
    #: The example when the file itself is not JSON (no value at the top).
    EXAMPLE_DOCUMENT = (
        '{"auth": {"plugins": {"awsCognitoAuthPlugin": {…}}}} (Gen 1 amplifyconfiguration.json) '
        'or {"version": "1.4", "auth": {…}} (Gen 2 amplify_outputs.json)'
    )

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.pos = 0
        self.lines: dict[JsonPath, int] = {}
        self.warnings: list[ConfigWarning] = []
        self._newlines = [match.start() for match in re.finditer("\n", text)]

    # -- positions ---------------------------------------------------------------------------

    def skip_byte_order_mark(self) -> None:
        """Step over a UTF-8 byte-order mark at the start, with a warning."""
        if self.text.startswith(_BOM) and self.pos == 0:
            self.pos = 1
            self.warnings.append(
                ConfigWarning(
                    self.source,
                    "$",
                    "the file starts with a UTF-8 byte-order mark; some parsers reject it",
                    line=1,
                )
            )

    def error(self, problem: SyntaxProblem) -> ConfigError:
        """The ``ConfigError`` for ``problem``: line, column, the line itself and a caret."""
        line, column = self.line_and_column(problem.position)
        message = (
            f"{self.MESSAGE_START} at line {line}, column {column}: {problem.message}\n"
            f"{self.show_line(line, column)}"
        )
        located = ConfigProblem(
            self.source,
            format_path(problem.path),
            message,
            problem.example,
            line=line,
            column=column,
        )
        return ConfigError([located], self.warnings)

    def line_and_column(self, position: int) -> tuple[int, int]:
        """1-based line and column of a character offset."""
        index = bisect.bisect_left(self._newlines, position)
        line_start = self._newlines[index - 1] + 1 if index else 0
        return index + 1, position - line_start + 1

    def line_at(self, position: int) -> int:
        """1-based line of a character offset."""
        return bisect.bisect_left(self._newlines, position) + 1

    def show_line(self, line: int, column: int) -> str:
        """The offending line with a caret under ``column`` (shortened around it if long)."""
        lines = self.text.split("\n")
        content = lines[line - 1] if line - 1 < len(lines) else ""
        content = _mask_secrets(content.replace("\t", " ").rstrip("\r"))
        start = max(0, column - 60)
        snippet = content[start : start + 100]
        prefix = "…" if start else ""
        caret = " " * (len(prefix) + column - 1 - start) + "^"
        return f"    {printable(prefix + snippet)}\n    {caret}"

    # -- grammar -----------------------------------------------------------------------------

    def document(self) -> Any:
        """The whole text: exactly one value surrounded by optional whitespace."""
        self._skip_whitespace()
        if self.pos >= len(self.text):
            raise SyntaxProblem(self.pos, (), "the file is empty", '{"auth": {"plugins": {...}}}')
        value = self._value((), 0)
        self._skip_whitespace()
        if self.pos < len(self.text):
            raise SyntaxProblem(
                self.pos,
                (),
                f"unexpected {describe_char(self.text[self.pos])} after the end of the JSON "
                "document (the outermost object is already closed)",
                "one top-level object: {...}",
            )
        return value

    def _skip_whitespace(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in _WHITESPACE:
            pos += 1
        self.pos = pos

    def _peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def _value(self, path: JsonPath, depth: int) -> Any:
        """The value at the current position, its line remembered (containers read here; the
        rest by :meth:`_scalar`, which the JavaScript reader widens)."""
        self._skip_whitespace()
        char = self._peek()
        self.lines.setdefault(path, self.line_at(self.pos))
        if char == "{":
            return self._object(path, depth + 1)
        if char == "[":
            return self._array(path, depth + 1)
        return self._scalar(path, char)

    def _scalar(self, path: JsonPath, char: str) -> Any:
        """A string, number, ``true``, ``false`` or ``null`` starting with ``char``."""
        if char == '"':
            return self._string(path)
        if char == "-" or char.isdigit():
            return self._number(path)
        for literal, value in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(literal, self.pos):
                self.pos += len(literal)
                return value
        # At the top the file itself is not JSON: show what a whole configuration looks like.
        example = self.EXAMPLE_MEMBER if path else self.EXAMPLE_DOCUMENT
        if not char:
            raise SyntaxProblem(self.pos, path, "the file ends where a value was expected", example)
        hint = ""
        if char == "'":
            hint = " (JSON strings need double quotes)"
        elif char == "/":
            hint = " (JSON has no comments)"
        elif not path:
            hint = " (this file is not JSON: an Amplify configuration is one JSON object)"
        raise SyntaxProblem(
            self.pos,
            path,
            f"unexpected {describe_char(char)} where a value was expected{hint}",
            example,
        )

    def _enter(self, path: JsonPath, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise SyntaxProblem(
                self.pos,
                path,
                f"the JSON is nested more than {MAX_DEPTH} levels deep",
                "an Amplify configuration is nested about 7 levels deep",
            )

    def _trailing_comma(self, comma: int, path: JsonPath, closer: str) -> None:
        self.warnings.append(
            ConfigWarning(
                self.source,
                format_path(path),
                f"trailing comma on line {self.line_at(comma)} before '{closer}': strict JSON "
                "parsers (Amplify Swift, Android and JS) reject it; remove it",
                line=self.line_at(comma),
            )
        )

    def _object(self, path: JsonPath, depth: int) -> dict[str, Any]:
        self._enter(path, depth)
        self.pos += 1  # the '{'
        result: dict[str, Any] = {}
        self._skip_whitespace()
        if self._peek() == "}":
            self.pos += 1
            return result
        while True:
            self._skip_whitespace()
            key_position = self.pos
            key = self._key(path)
            self._skip_whitespace()
            if self._peek() != ":":
                found = describe_char(self._peek())
                raise SyntaxProblem(
                    self.pos,
                    path,
                    f"expected ':' after the key {printable(repr(key))} but found {found}",
                    self.EXAMPLE_MEMBER,
                )
            self.pos += 1
            child = (*path, key)
            if key in result:
                self.warnings.append(
                    ConfigWarning(
                        self.source,
                        format_path(child),
                        "this key appears more than once in its object; the last one wins",
                        line=self.line_at(key_position),
                    )
                )
            self.lines[child] = self.line_at(key_position)
            result[key] = self._value(child, depth)
            if self._container_ends(
                path,
                "}",
                f"the value of {printable(repr(key))}",
                " (a missing comma?)",
                '{"PoolId": "us-east-1_AbCdEfGhI", "Region": "us-east-1"}',
            ):
                return result

    def _key(self, path: JsonPath) -> str:
        """An object member's key: a string in double quotes."""
        char = self._peek()
        if char != '"':
            hint = " (JSON keys need double quotes)" if char == "'" else ""
            raise SyntaxProblem(
                self.pos,
                path,
                f"expected a key in double quotes but found {describe_char(char)}{hint}",
                self.EXAMPLE_MEMBER,
            )
        return self._string(path)

    def _array(self, path: JsonPath, depth: int) -> list[Any]:
        self._enter(path, depth)
        self.pos += 1  # the '['
        result: list[Any] = []
        self._skip_whitespace()
        if self._peek() == "]":
            self.pos += 1
            return result
        while True:
            child = (*path, len(result))
            self._skip_whitespace()
            self.lines[child] = self.line_at(self.pos)
            result.append(self._value(child, depth))
            if self._container_ends(path, "]", "an array item", "", '["openid", "email"]'):
                return result

    def _container_ends(
        self, path: JsonPath, close: str, after: str, hint: str, example: str
    ) -> bool:
        """After a member or item: consume ``close`` (True) or ``,`` (False: more follow).

        A comma right before ``close`` is the trailing comma the Amplify docs once published:
        accepted with a warning, and the container ends there.
        """
        self._skip_whitespace()
        char = self._peek()
        if char == close:
            self.pos += 1
            return True
        if char != ",":
            found = describe_char(char)
            raise SyntaxProblem(
                self.pos,
                path,
                f"expected ',' or '{close}' after {after} but found {found}{hint}",
                example,
            )
        comma = self.pos
        self.pos += 1
        self._skip_whitespace()
        if self._peek() != close:
            return False
        self._trailing_comma(comma, path, close)
        self.pos += 1
        return True

    def _string(self, path: JsonPath) -> str:
        start = self.pos
        self.pos += 1  # the opening quote
        text = self.text
        pieces: list[str] = []
        while True:
            run = _PLAIN_STRING_RUN.match(text, self.pos)
            assert run is not None  # the pattern matches the empty string
            pieces.append(run.group())
            self.pos = run.end()
            if self.pos >= len(text):
                raise SyntaxProblem(
                    start, path, "this string is never closed (a missing '\"'?)", '"us-east-1"'
                )
            char = text[self.pos]
            if char == '"':
                self.pos += 1
                return "".join(pieces)
            if char == "\\":
                pieces.append(self._escape(path))
                continue
            raise SyntaxProblem(
                self.pos,
                path,
                f"control character {describe_char(char)} inside a string "
                "(strings must stay on one line; write \\n or \\t instead)",
                '"myapp://callback"',
            )

    def _escape(self, path: JsonPath) -> str:
        start = self.pos
        letter = self.text[self.pos + 1 : self.pos + 2]
        if letter in _ESCAPES:
            self.pos += 2
            return _ESCAPES[letter]
        if letter != "u":
            raise SyntaxProblem(
                start,
                path,
                f"invalid escape '\\{printable(letter)}' in a string "
                '(valid: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)',
                '"C:\\\\path"',
            )
        first = self._hex4(path)
        if 0xD800 <= first <= 0xDBFF and self.text.startswith("\\u", self.pos):
            saved = self.pos
            second = self._hex4(path)
            if 0xDC00 <= second <= 0xDFFF:
                return chr(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
            self.pos = saved
        if 0xD800 <= first <= 0xDFFF:
            raise SyntaxProblem(
                start,
                path,
                f"'\\u{first:04x}' is half of a UTF-16 surrogate pair without its other half",
                '"\\ud83d\\ude00" (a complete pair)',
            )
        return chr(first)

    def _hex4(self, path: JsonPath) -> int:
        start = self.pos
        digits = _HEX4.match(self.text, self.pos + 2)
        if digits is None:
            raise SyntaxProblem(
                start, path, "'\\u' must be followed by 4 hexadecimal digits", '"\\u00e9"'
            )
        self.pos = digits.end()
        return int(digits.group(), 16)

    def _number(self, path: JsonPath) -> int | float:
        match = _NUMBER.match(self.text, self.pos)
        if match is None:
            raise SyntaxProblem(self.pos, path, "invalid number", "8")
        literal = match.group()
        if len(literal) > _MAX_NUMBER_LENGTH:
            raise SyntaxProblem(self.pos, path, "this number is too long", "8")
        following = self.text[match.end() : match.end() + 1]
        if following and (following.isalnum() or following in "._"):
            raise SyntaxProblem(
                match.end(),
                path,
                f"invalid number: unexpected {describe_char(following)} in it",
                "8",
            )
        self.pos = match.end()
        if match.group(1) is None and match.group(2) is None:
            return int(literal)
        return float(literal)
