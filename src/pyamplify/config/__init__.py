"""Amplify auth configuration: Gen 1 ``amplifyconfiguration.json`` and Gen 2
``amplify_outputs.json`` read into one immutable ``AuthConfig``, checked, and written back.

Modules, each with one job: ``json_reader`` (JSON with line numbers, tolerant trailing commas),
``validate`` (the rules for every value), ``model`` (the dataclasses), ``reading`` (walking a
document while collecting problems), ``gen1`` / ``gen2`` (the two schemas), ``loader`` (format
detection and the public ``parse_*`` / ``load_*`` functions), ``discovery`` (which file),
``endpoints`` (where calls go), ``writer`` (JSON out, atomically).
"""

from __future__ import annotations

from pyamplify.config.discovery import find_config
from pyamplify.config.endpoints import ResolvedEndpoint
from pyamplify.config.errors import ConfigError, ConfigProblem, ConfigWarning
from pyamplify.config.loader import (
    load_config,
    load_config_with_warnings,
    parse_config,
    parse_config_bytes,
)
from pyamplify.config.model import (
    AuthConfig,
    ConfigFormat,
    IdentityPoolConfig,
    OAuthConfig,
    PasswordPolicy,
    UserPoolConfig,
    mask_secret,
)
from pyamplify.config.validate import AUTH_FLOW_TYPES, RESERVED_SCOPES
from pyamplify.config.writer import render_config, write_config

__all__ = [
    "AUTH_FLOW_TYPES",
    "RESERVED_SCOPES",
    "AuthConfig",
    "ConfigError",
    "ConfigFormat",
    "ConfigProblem",
    "ConfigWarning",
    "IdentityPoolConfig",
    "OAuthConfig",
    "PasswordPolicy",
    "ResolvedEndpoint",
    "UserPoolConfig",
    "find_config",
    "load_config",
    "load_config_with_warnings",
    "mask_secret",
    "parse_config",
    "parse_config_bytes",
    "render_config",
    "write_config",
]
