"""Request-shape validation against botocore's shipped service models.

Real Cognito checks every request against its Smithy model before the operation runs and
answers ``InvalidParameterException`` with Coral's wording, e.g. ``1 validation error detected:
Value at 'password' failed to satisfy constraint: Member must have length greater than or equal
to 6``. The same model (the one boto3 serialises from) drives the same checks here: types,
required members, string and list lengths, number ranges, enums and patterns. Java's
``\\p{...}`` classes, which Python's ``re`` lacks, are approximated by ``\\S`` and ``\\s``.

A ``null`` member counts as absent, and so does a ``null`` map value: real Cognito accepts
``AuthParameters.DEVICE_KEY = null``, which amazon-cognito-identity-js sends on every refresh.
Values of members marked ``sensitive`` (passwords, tokens) never appear in messages.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

from pyamplify.local.errors import InvalidParameterException
from pyamplify.local.service.model import ServiceModel

_MAX_REPORTED = 3


@functools.lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str] | None:
    translated = (
        pattern.replace(r"\p{L}\p{M}\p{S}\p{N}\p{P}", r"\S")
        .replace(r"\p{Z}", r"\s")
        .replace(r"\p{L}", r"\S")
        .replace(r"\p{N}", r"\S")
        .replace(r"\p{P}", r"\S")
        .replace(r"\p{S}", r"\S")
        .replace(r"\p{M}", r"\S")
    )
    try:
        return re.compile(translated)
    except re.error:  # pragma: no cover - a pattern we cannot translate is not enforced
        return None


def _member_path(parent: str, name: str) -> str:
    member = name[:1].lower() + name[1:]
    return f"{parent}.{member}" if parent else member


class _Validator:
    def __init__(self, shapes: Mapping[str, Any]) -> None:
        self.shapes = shapes
        self.errors: list[str] = []

    def fail(self, value: Any, path: str, constraint: str, sensitive: bool) -> None:
        if value is None:
            shown = "Value null"
        elif (
            sensitive
            or not isinstance(value, (str, int))
            or isinstance(value, bool)
            or (isinstance(value, str) and len(value) > 64)
        ):
            shown = "Value"
        else:
            shown = f"Value '{value}'"
        self.errors.append(f"{shown} at '{path}' failed to satisfy constraint: {constraint}")

    def check(self, value: Any, shape_name: str, path: str) -> None:
        shape = self.shapes[shape_name]
        kind = shape["type"]
        sensitive = bool(shape.get("sensitive"))
        if kind == "structure":
            self._structure(value, shape, path)
        elif kind == "string":
            self._string(value, shape, path, sensitive)
        elif kind in ("integer", "long"):
            self._number(value, shape, path, sensitive)
        elif kind == "boolean":
            if not isinstance(value, bool):
                self.fail(value, path, "Member must be a boolean", sensitive)
        elif kind == "timestamp":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.fail(value, path, "Member must be a timestamp in epoch seconds", sensitive)
        elif kind == "list":
            self._list(value, shape, path, sensitive)
        elif kind == "map":
            self._map(value, shape, path, sensitive)
        elif kind == "blob" and not isinstance(value, str):
            self.fail(value, path, "Member must be base64 text", sensitive)

    def _structure(self, value: Any, shape: Mapping[str, Any], path: str) -> None:
        if not isinstance(value, dict):
            self.fail(value, path or "request", "Member must be an object", False)
            return
        members = shape.get("members", {})
        for name in shape.get("required", ()):
            if value.get(name) is None:
                self.fail(None, _member_path(path, name), "Member must not be null", False)
        for name, member in members.items():
            if name in value and value[name] is not None:
                self.check(value[name], member["shape"], _member_path(path, name))

    def _out_of_bounds(
        self,
        value: Any,
        measure: int,
        noun: str,
        shape: Mapping[str, Any],
        path: str,
        sensitive: bool,
    ) -> bool:
        """Check the model's ``min``/``max`` (of a length or a value); report and say if broken."""
        if "min" in shape and measure < shape["min"]:
            bound = f"greater than or equal to {shape['min']}"
        elif "max" in shape and measure > shape["max"]:
            bound = f"less than or equal to {shape['max']}"
        else:
            return False
        self.fail(value, path, f"Member must have {noun} {bound}", sensitive)
        return True

    def _string(self, value: Any, shape: Mapping[str, Any], path: str, sensitive: bool) -> None:
        if not isinstance(value, str):
            self.fail(value, path, "Member must be a string", sensitive)
            return
        if self._out_of_bounds(value, len(value), "length", shape, path, sensitive):
            return
        if "enum" in shape and value not in shape["enum"]:
            choices = ", ".join(shape["enum"])
            self.fail(value, path, f"Member must satisfy enum value set: [{choices}]", sensitive)
        elif "pattern" in shape:
            compiled = _compile(shape["pattern"])
            if compiled is not None and compiled.fullmatch(value) is None:
                self.fail(
                    value,
                    path,
                    f"Member must satisfy regular expression pattern: {shape['pattern']}",
                    sensitive,
                )

    def _number(self, value: Any, shape: Mapping[str, Any], path: str, sensitive: bool) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(value, path, "Member must be an integer", sensitive)
            return
        self._out_of_bounds(value, value, "value", shape, path, sensitive)

    def _list(self, value: Any, shape: Mapping[str, Any], path: str, sensitive: bool) -> None:
        if not isinstance(value, list):
            self.fail(value, path, "Member must be a list", sensitive)
            return
        self._out_of_bounds(value, len(value), "length", shape, path, sensitive)
        for index, item in enumerate(value, start=1):
            if item is None:
                self.fail(None, f"{path}.{index}.member", "Member must not be null", sensitive)
            else:
                self.check(item, shape["member"]["shape"], f"{path}.{index}.member")

    def _map(self, value: Any, shape: Mapping[str, Any], path: str, sensitive: bool) -> None:
        if not isinstance(value, dict):
            self.fail(value, path, "Member must be a map", sensitive)
            return
        if "max" in shape and len(value) > shape["max"]:
            self.fail(
                value,
                path,
                f"Map value must have length less than or equal to {shape['max']}",
                sensitive,
            )
        for key, item in value.items():
            self.check(key, shape["key"]["shape"], f"{path}.key")
            if item is not None:  # a null value is dropped, as Cognito's deserialiser does
                self.check(item, shape["value"]["shape"], f"{path}.value")


def validate_input(model: ServiceModel, operation: str, body: Any) -> None:
    """Raise ``InvalidParameterException`` in Coral's wording if ``body`` breaks the model."""
    if not isinstance(body, dict):
        raise InvalidParameterException("The request body must be a JSON object.")
    input_shape = model.inputs.get(operation)
    if input_shape is None:
        return
    validator = _Validator(model.shapes)
    validator.check(body, input_shape, "")
    if validator.errors:
        count = len(validator.errors)
        noun = "error" if count == 1 else "errors"
        shown = "; ".join(validator.errors[:_MAX_REPORTED])
        raise InvalidParameterException(f"{count} validation {noun} detected: {shown}")
