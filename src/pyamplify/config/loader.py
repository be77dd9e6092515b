"""From text, bytes or a file to an ``AuthConfig``: parse, detect the format, read, report.

Detection: a document whose ``auth`` has ``plugins`` is Gen 1 (``amplifyconfiguration.json``);
one with ``version`` or snake_case auth keys (``user_pool_id``, ``aws_region``…) is Gen 2
(``amplify_outputs.json``). Every failure, whatever the input, is a ``ConfigError`` whose
problems name a location; nothing else escapes (the property tests hold this line).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyamplify.config.discovery import ENV_VAR, find_config
from pyamplify.config.errors import ConfigError, ConfigProblem, ConfigWarning
from pyamplify.config.gen1 import read_gen1
from pyamplify.config.gen2 import looks_like_gen2, read_gen2
from pyamplify.config.json_reader import decode_json_bytes, parse_json
from pyamplify.config.model import AuthConfig, ConfigFormat
from pyamplify.config.reading import DocumentReader

_log = logging.getLogger("pyamplify.config")
_MINIMAL_GEN1 = '{"auth": {"plugins": {"awsCognitoAuthPlugin": {"CognitoUserPool": {...}}}}}'


def parse_config(text: str, source: str = "<string>") -> tuple[AuthConfig, list[ConfigWarning]]:
    """Read a configuration in either format from JSON text; ConfigError lists every problem."""
    parsed = parse_json(text, source)
    reader = DocumentReader(parsed, source)
    root = parsed.value
    if not isinstance(root, dict):
        reader.problem((), "the top level must be a JSON object", _MINIMAL_GEN1)
        raise ConfigError(reader.problems, reader.warnings)
    auth = reader.object(root, (), "auth", _MINIMAL_GEN1, required=True)
    if auth is None:
        raise ConfigError(reader.problems, reader.warnings)
    config_format: ConfigFormat
    if "plugins" in auth:
        config_format = "gen1"
        config = _read(read_gen1, reader, root)
    elif looks_like_gen2(root, auth):
        config_format = "gen2"
        config = _read(read_gen2, reader, root)
    else:
        reader.problem(
            ("auth",),
            "this auth section is neither Gen 1 (auth.plugins.awsCognitoAuthPlugin, as in "
            "amplifyconfiguration.json) nor Gen 2 (auth.user_pool_id, auth.aws_region…, as in "
            "amplify_outputs.json)",
            '{"plugins": {"awsCognitoAuthPlugin": {...}}}',
        )
        raise ConfigError(reader.problems, reader.warnings)
    if config is None or reader.problems:
        raise ConfigError(_in_document_order(reader.problems), reader.warnings)
    return _with_source(config, source, config_format), reader.warnings


def _read(
    read: Callable[[DocumentReader, dict[str, Any]], AuthConfig | None],
    reader: DocumentReader,
    root: dict[str, Any],
) -> AuthConfig | None:
    """Run a format reader; a rule only the model enforces is still reported at a location."""
    try:
        return read(reader, root)
    except ConfigError as error:  # the readers check first, so this is a safety net
        for problem in error.problems:
            reader.problem(("auth",), problem.message, problem.example)
        return None


def _in_document_order(problems: list[ConfigProblem]) -> list[ConfigProblem]:
    return sorted(problems, key=lambda problem: problem.line or 0)


def _with_source(config: AuthConfig, source: str, config_format: ConfigFormat) -> AuthConfig:
    object.__setattr__(config, "source", source)
    object.__setattr__(config, "source_format", config_format)
    return config


def parse_config_bytes(
    data: bytes, source: str = "<bytes>"
) -> tuple[AuthConfig, list[ConfigWarning]]:
    """Like ``parse_config`` for a file's raw bytes (UTF-8, a BOM tolerated with a warning)."""
    text, decode_warnings = decode_json_bytes(data, source)
    try:
        config, warnings = parse_config(text, source)
    except ConfigError as error:
        raise ConfigError(error.problems, [*decode_warnings, *error.warnings]) from None
    return config, [*decode_warnings, *warnings]


def load_config_with_warnings(
    path: str | os.PathLike[str] | None = None,
) -> tuple[AuthConfig, list[ConfigWarning]]:
    """Find (see ``find_config``), read and check a configuration file; return its warnings."""
    file = find_config(path)
    source = str(file)
    try:
        data = Path(file).read_bytes()
    except OSError as error:
        hint = f" (from ${ENV_VAR})" if path is None and os.environ.get(ENV_VAR) else ""
        raise ConfigError(
            [
                ConfigProblem(
                    source,
                    "$",
                    f"cannot read the configuration file{hint}: {error.strerror or error}",
                    "the path of an existing amplifyconfiguration.json or amplify_outputs.json",
                )
            ]
        ) from None
    return parse_config_bytes(data, source)


def load_config(path: str | os.PathLike[str] | None = None) -> AuthConfig:
    """Find, read and check a configuration file; its warnings go to the ``pyamplify`` log."""
    config, warnings = load_config_with_warnings(path)
    for warning in warnings:
        _log.warning("%s", warning)
    return config
