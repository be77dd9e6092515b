"""Walking a parsed JSON document while collecting every problem and warning with its location.

The Gen 1 and Gen 2 readers are written against ``DocumentReader``: each accessor returns the
value when it is right and ``None`` otherwise, having recorded why (missing, wrong JSON type,
placeholder left in, wrong format) at the value's JSON path and line. The readers therefore go
on after a mistake and report all of them at once.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from typing import Any

from pyamplify.config import validate as v
from pyamplify.config.errors import ConfigProblem, ConfigWarning, JsonPath, format_path, show_value
from pyamplify.config.json_reader import ParsedJson
from pyamplify.config.model import AuthConfig
from pyamplify.config.validate import Rule, is_placeholder, placeholder_message
from pyamplify.errors import json_type_name

JsonObject = dict[str, Any]


class DocumentReader:
    """Typed access to a parsed document; problems and warnings pile up instead of raising."""

    def __init__(self, parsed: ParsedJson, source: str) -> None:
        self.parsed = parsed
        self.source = source
        self.problems: list[ConfigProblem] = []
        self.warnings: list[ConfigWarning] = list(parsed.warnings)

    # -- recording ----------------------------------------------------------------------------

    def problem(self, path: JsonPath, message: str, example: str) -> None:
        """Record a problem at ``path`` (its line is looked up in the document)."""
        self.problems.append(
            ConfigProblem(
                self.source, format_path(path), message, example, line=self.parsed.line_of(path)
            )
        )

    def warn(self, path: JsonPath, message: str) -> None:
        """Record a warning at ``path``."""
        self.warnings.append(
            ConfigWarning(self.source, format_path(path), message, line=self.parsed.line_of(path))
        )

    def warn_unknown_keys(
        self, obj: JsonObject, path: JsonPath, known: Iterable[str], ignored: Iterable[str] = ()
    ) -> None:
        """Warn about keys that are neither read nor knowingly ignored (forward compatible)."""
        known_keys = set(known)
        quiet = known_keys | set(ignored)
        for key in obj:
            if key in quiet:
                continue
            close = difflib.get_close_matches(key, sorted(known_keys), n=1, cutoff=0.75)
            hint = f"; did you mean {show_value(close[0])}?" if close else ""
            self.warn((*path, key), f"unknown key {show_value(key)} is ignored{hint}")

    def region_agrees(
        self,
        at: JsonPath,
        pool_id: str,
        region_in_id: str | None,
        region: str,
        example: str,
        *,
        region_key: str = "Region",
    ) -> bool:
        """Whether the region inside ``pool_id`` is the one the file gives it (at ``region_key``);
        if not, record that at ``at``, the key each format tells the user to fix."""
        mismatch = v.region_mismatch_problem(pool_id, region_in_id, region)
        if mismatch is not None:
            self.problem(at, mismatch.replace("Region", region_key), example)
        return mismatch is None

    # -- the result ---------------------------------------------------------------------------

    def auth_config(self, **parts: Any) -> AuthConfig | None:
        """The configuration read from ``parts``; None once any problem was recorded, since the
        parts are then incomplete (the loader raises every problem at once)."""
        if self.problems:
            return None
        return AuthConfig(**parts)

    # -- typed access -------------------------------------------------------------------------

    def member(
        self,
        obj: JsonObject,
        path: JsonPath,
        key: str,
        kind: type | tuple[type, ...],
        kind_name: str,
        example: str,
        *,
        required: bool,
    ) -> Any:
        """``obj[key]`` if present and of the JSON type ``kind``; else record why and give None."""
        child = (*path, key)
        if key not in obj:
            if required:
                self.problem(
                    child,
                    f"required key {show_value(key)} is missing{_near_miss(key, obj)}",
                    example,
                )
            return None
        value = obj[key]
        if value is None and not required:
            return None  # an optional key written as null means the same as leaving it out
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            wrong = True
        else:
            wrong = not isinstance(value, kind)
        if wrong:
            # A secret in the wrong type (a number, a list) is still a secret: never shown.
            shown = "" if "secret" in key.lower() else f" ({show_value(value)})"
            self.problem(child, f"must be {kind_name}, not {json_type_name(value)}{shown}", example)
            return None
        return value

    def object(
        self, obj: JsonObject, path: JsonPath, key: str, example: str, *, required: bool
    ) -> JsonObject | None:
        """A nested JSON object."""
        value = self.member(obj, path, key, dict, "an object", example, required=required)
        return value if isinstance(value, dict) else None

    def string(
        self, obj: JsonObject, path: JsonPath, key: str, rule: Rule, *, required: bool
    ) -> str | None:
        """A string that is no placeholder and passes ``rule``."""
        value = self.member(obj, path, key, str, "a string", rule.example, required=required)
        if value is None:
            return None
        return self.checked((*path, key), value, rule)

    def region(self, obj: JsonObject, path: JsonPath, key: str, *, required: bool) -> str | None:
        """A region name; one AWS did not have when this release was made is warned about."""
        region = self.string(obj, path, key, v.REGION, required=required)
        caution = v.region_caution(region) if region is not None else None
        if caution is not None:
            self.warn((*path, key), caution)
        return region

    def choice(
        self, obj: JsonObject, path: JsonPath, key: str, allowed: tuple[str, ...], example: str
    ) -> str | None:
        """An optional string that must be one of ``allowed`` (a response type, an MFA setting)."""
        return self.string(obj, path, key, v.one_of(allowed, example), required=False)

    def app_client(
        self, obj: JsonObject, path: JsonPath, id_key: str, secret_key: str, *, required: bool
    ) -> tuple[str | None, str | None, bool]:
        """An app client id and its optional secret, and whether a written secret was usable.

        Both file formats write the pair side by side (``AppClientId`` / ``AppClientSecret``,
        ``user_pool_client_id`` / ``user_pool_client_secret``) under the same rules.
        """
        client_id = self.string(obj, path, id_key, v.APP_CLIENT_ID, required=required)
        secret = self.string(obj, path, secret_key, v.APP_CLIENT_SECRET, required=False)
        secret_ok = secret is not None or obj.get(secret_key) is None
        return client_id, secret, secret_ok

    def checked(self, path: JsonPath, value: str, rule: Rule) -> str | None:
        """``value`` when it is no placeholder and passes ``rule``; else record why."""
        if is_placeholder(value):
            self.problem(path, placeholder_message(value), rule.example)
            return None
        message = rule.check(value)
        if message is not None:
            self.problem(path, message, rule.example)
            return None
        return value

    def string_list(
        self, obj: JsonObject, path: JsonPath, key: str, rule: Rule, *, required: bool
    ) -> tuple[str, ...] | None:
        """An array of strings, each checked; None when the array or any item is wrong."""
        example = rule.example
        value = self.member(obj, path, key, list, "an array of strings", example, required=required)
        if value is None:
            return None
        items: list[str] = []
        ok = True
        for index, item in enumerate(value):
            item_path = (*path, key, index)
            if not isinstance(item, str):
                self.problem(
                    item_path,
                    f"must be a string, not {json_type_name(item)} ({show_value(item)})",
                    example,
                )
                ok = False
                continue
            checked = self.checked(item_path, item, rule)
            if checked is None:
                ok = False
            else:
                items.append(checked)
        return tuple(items) if ok else None

    def boolean(
        self, obj: JsonObject, path: JsonPath, key: str, example: str, *, required: bool = False
    ) -> bool | None:
        """A JSON ``true`` or ``false``."""
        value = self.member(obj, path, key, bool, "true or false", example, required=required)
        return value if isinstance(value, bool) else None

    def integer(
        self,
        obj: JsonObject,
        path: JsonPath,
        key: str,
        low: int,
        high: int,
        example: str,
        *,
        required: bool = False,
        numeric_string_because: str | None = None,
    ) -> int | None:
        """A whole number from ``low`` to ``high``.

        With ``numeric_string_because`` (why the Amplify libraries accept one), a string of
        digits is read as its number, with a warning naming the key.
        """
        value = obj.get(key)
        if numeric_string_because is not None and isinstance(value, str):
            if not _DIGITS.fullmatch(value):
                self.problem(
                    (*path, key),
                    f"must be a whole number, not the string {show_value(value)}",
                    example,
                )
                return None
            value = int(value)
            self.warn(
                (*path, key),
                f"{key} is the string {show_value(obj[key])}; read as the number {value} "
                f"({numeric_string_because}); write it without quotes",
            )
        else:
            value = self.member(obj, path, key, int, "a whole number", example, required=required)
        if value is None:
            return None
        if not low <= value <= high:
            self.problem((*path, key), f"{value} is not from {low} to {high}", example)
            return None
        return int(value)

    def word_list(
        self,
        obj: JsonObject,
        path: JsonPath,
        key: str,
        vocabulary: Iterable[str],
        normalise: Callable[[str], str],
        example: str,
    ) -> tuple[str, ...]:
        """An optional array of words from a known vocabulary; unknown words only warn.

        Used for the informational lists the Amplify CLI copies from the pool (username
        attributes, MFA types, …): a new word from a newer CLI must not make a file unusable.
        """
        words = self.string_list(obj, path, key, Rule(_anything, example), required=False) or ()
        known = set(vocabulary)
        result = []
        for index, word in enumerate(words):
            normalised = normalise(word)
            if normalised not in known:
                self.warn(
                    (*path, key, index),
                    f"{show_value(word)} is not one of {', '.join(sorted(known))}; kept as is",
                )
            result.append(normalised)
        return tuple(result)


_DIGITS = re.compile(r"[0-9]{1,9}")


def _near_miss(key: str, obj: JsonObject) -> str:
    """A hint for a missing key: the same key in other letter case, or a close misspelling."""
    for found in obj:
        if isinstance(found, str) and found.lower() == key.lower():
            return f" (found {show_value(found)}: keys are case-sensitive)"
    close = difflib.get_close_matches(key, [str(found) for found in obj], n=1, cutoff=0.75)
    return f" (found {show_value(close[0])}: misspelt?)" if close else ""


def _anything(value: str) -> str | None:
    return None if value else "must not be empty"
