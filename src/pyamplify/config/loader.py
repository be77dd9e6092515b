"""From text, bytes or a file to an ``AuthConfig``: parse, detect the format, read, report.

Syntax: a file named ``*.js`` (or starting with ``const``/``export``… after its comments) is read
as the object literal of ``aws-exports.js`` (``js_reader``), anything else as JSON.

Formats, detected from the content the way the Amplify libraries tell them apart:

* a key starting with ``aws_`` at the top: the Amplify JS keys of ``aws-exports.js`` or of the
  web ``amplifyconfiguration.json`` (Amplify JS v6's ``parseAmplifyConfig`` checks this first);
* ``auth`` with ``plugins``: Gen 1 ``amplifyconfiguration.json``;
* ``auth`` with ``version`` or snake_case auth keys (``user_pool_id``…): Gen 2
  ``amplify_outputs.json``;
* ``CognitoUserPool``, ``CredentialsProvider``, ``IdentityManager`` or ``Auth.Default`` at the
  top: the AWS Mobile SDK's ``awsconfiguration.json``.

A file that is none of these is explained: a Gen 1 or Gen 2 file without auth gets that said,
with an example of its own generation. Every failure, whatever the input, is a ``ConfigError``
whose problems name a location; nothing else escapes (the property tests hold this line).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from pyamplify.config.aws_exports import looks_like_aws_exports, read_aws_exports
from pyamplify.config.discovery import ENV_VAR, find_config
from pyamplify.config.errors import ConfigError, ConfigProblem, ConfigWarning, show_value
from pyamplify.config.gen1 import looks_like_awsconfiguration, read_awsconfiguration, read_gen1
from pyamplify.config.gen2 import looks_like_gen2, read_gen2
from pyamplify.config.js_reader import looks_like_javascript, parse_js_exports
from pyamplify.config.json_reader import ParsedJson, decode_json_bytes, parse_json
from pyamplify.config.model import AuthConfig, ConfigFormat, ConfigSyntax
from pyamplify.config.reading import DocumentReader, JsonObject

_log = logging.getLogger("pyamplify.config")
_MINIMAL_GEN1 = '{"auth": {"plugins": {"awsCognitoAuthPlugin": {"CognitoUserPool": {...}}}}}'
_MINIMAL_GEN2 = (
    '"auth": {"aws_region": "us-east-1", "user_pool_id": "us-east-1_AbCdEfGhI", '
    '"user_pool_client_id": "3n4b5urk1ft4fl3mg5e62d9ado"}'
)
_READERS: dict[str, Callable[[DocumentReader, JsonObject], AuthConfig | None]] = {
    "gen1": read_gen1,
    "gen2": read_gen2,
    "aws-exports": read_aws_exports,
    "awsconfiguration": read_awsconfiguration,
}
#: Top-level keys of amplify_outputs.json besides auth (amplify-backend ``client_config_v1``).
_GEN2_SECTIONS = ("data", "storage", "geo", "analytics", "notifications", "custom")


def parse_config(text: str, source: str = "<string>") -> tuple[AuthConfig, list[ConfigWarning]]:
    """Read a configuration in any supported format (see the module docstring) from its text;
    ConfigError lists every problem."""
    syntax: ConfigSyntax = "javascript" if looks_like_javascript(text, source) else "json"
    parsed = _parse(text, source, syntax)
    reader = DocumentReader(parsed, source)
    root = parsed.value
    if not isinstance(root, dict):
        reader.problem((), "the top level must be a JSON object", _MINIMAL_GEN1)
        raise ConfigError(reader.problems, reader.warnings, source_syntax=syntax)
    config_format = _detect(reader, root)
    if config_format is None:
        raise ConfigError(reader.problems, reader.warnings, source_syntax=syntax)
    config = _read(_READERS[config_format], reader, root)
    if config is None or reader.problems:
        raise ConfigError(
            _in_document_order(reader.problems),
            reader.warnings,
            source_format=config_format,
            source_syntax=syntax,
        )
    return _with_source(config, source, config_format, syntax), reader.warnings


def _parse(text: str, source: str, syntax: ConfigSyntax) -> ParsedJson:
    try:
        return (
            parse_js_exports(text, source) if syntax == "javascript" else parse_json(text, source)
        )
    except ConfigError as error:
        error.source_syntax = syntax
        raise


def _detect(reader: DocumentReader, root: JsonObject) -> ConfigFormat | None:
    """The format of ``root``, or None having recorded a problem that says what the file is."""
    if looks_like_aws_exports(root):
        return "aws-exports"
    if "auth" in root:
        auth = reader.object(root, (), "auth", _MINIMAL_GEN1, required=True)
        if auth is None:
            return None
        if "plugins" in auth:
            return "gen1"
        if looks_like_gen2(root, auth):
            return "gen2"
        reader.problem(
            ("auth",),
            "this auth section is neither Gen 1 (auth.plugins.awsCognitoAuthPlugin, as in "
            "amplifyconfiguration.json) nor Gen 2 (auth.user_pool_id, auth.aws_region…, as in "
            "amplify_outputs.json)",
            '{"plugins": {"awsCognitoAuthPlugin": {...}}}',
        )
        return None
    if looks_like_awsconfiguration(root):
        return "awsconfiguration"
    _explain_unknown(reader, root)
    return None


def _explain_unknown(reader: DocumentReader, root: JsonObject) -> None:
    """Say what a file without any auth configuration is, and what to do about it."""
    miscased = next((key for key in root if key.lower() == "auth"), None)
    if miscased is not None:
        reader.problem(
            ("auth",),
            f'required key "auth" is missing (found {show_value(miscased)}: keys are '
            "case-sensitive)",
            _MINIMAL_GEN2 if "version" in root else _MINIMAL_GEN1,
        )
    elif "version" in root or any(key in root for key in _GEN2_SECTIONS):
        reader.problem(
            (),
            'this amplify_outputs.json (Gen 2) has no "auth" section, so it configures no '
            "Cognito pools: add auth to the backend (defineAuth in amplify/auth/resource.ts) and "
            "run npx ampx generate outputs again, or use the file of the app that has it",
            _MINIMAL_GEN2,
        )
    elif "UserAgent" in root or any(
        isinstance(value, dict) and "plugins" in value for value in root.values()
    ):
        reader.problem(
            (),
            'this amplifyconfiguration.json (Gen 1) has no "auth" category, so it configures '
            "no Cognito pools: add it (amplify add auth, then amplify push), or write one from "
            "existing pools with pyamplify import auth",
            _MINIMAL_GEN1,
        )
    else:
        reader.problem(
            (),
            "this is none of the configuration files pyamplify reads: amplifyconfiguration.json "
            '(Gen 1) and amplify_outputs.json (Gen 2) have an "auth" section, aws-exports.js '
            "has aws_* keys (aws_user_pools_id…), awsconfiguration.json has CognitoUserPool "
            "or CredentialsProvider",
            _MINIMAL_GEN1,
        )


def _read(
    read: Callable[[DocumentReader, JsonObject], AuthConfig | None],
    reader: DocumentReader,
    root: JsonObject,
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


def _with_source(
    config: AuthConfig, source: str, config_format: ConfigFormat, syntax: ConfigSyntax
) -> AuthConfig:
    object.__setattr__(config, "source", source)
    object.__setattr__(config, "source_format", config_format)
    object.__setattr__(config, "source_syntax", syntax)
    return config


def parse_config_bytes(
    data: bytes, source: str = "<bytes>"
) -> tuple[AuthConfig, list[ConfigWarning]]:
    """Like ``parse_config`` for a file's raw bytes (UTF-8, a BOM tolerated with a warning)."""
    text, decode_warnings = decode_json_bytes(data, source)
    try:
        config, warnings = parse_config(text, source)
    except ConfigError as error:
        error.warnings[:0] = decode_warnings
        raise
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
                    "the path of an existing amplifyconfiguration.json, amplify_outputs.json, "
                    "aws-exports.js or awsconfiguration.json",
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
