"""Amplify auth configuration read into one immutable ``AuthConfig``, checked, and written back.

Read: Gen 1 ``amplifyconfiguration.json``, Gen 2 ``amplify_outputs.json``, the Amplify JS keys
of Gen 1 web projects (``aws-exports.js``, or the web ``amplifyconfiguration.json``) and the AWS
Mobile SDK's ``awsconfiguration.json``. Written: Gen 1 and Gen 2 only.

Modules, each with one job: ``json_reader`` (JSON with line numbers, tolerant trailing commas),
``js_reader`` (the object literal of ``aws-exports.js``, without running it), ``validate`` (the
rules for every value), ``model`` (the dataclasses), ``reading`` (walking a document while
collecting problems), ``gen1`` / ``gen2`` / ``aws_exports`` (the schemas; ``gen1`` also reads
``awsconfiguration.json``, its plugin body), ``loader`` (syntax and format detection and the
public ``parse_*`` / ``load_*`` functions), ``discovery`` (which file), ``endpoints`` (where
calls go), ``writer`` (JSON out, atomically).
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
    ConfigSyntax,
    IdentityPoolConfig,
    OAuthConfig,
    PasswordPolicy,
    UserPoolConfig,
    format_name,
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
    "ConfigSyntax",
    "ConfigWarning",
    "IdentityPoolConfig",
    "OAuthConfig",
    "PasswordPolicy",
    "ResolvedEndpoint",
    "UserPoolConfig",
    "find_config",
    "format_name",
    "load_config",
    "load_config_with_warnings",
    "mask_secret",
    "parse_config",
    "parse_config_bytes",
    "render_config",
    "write_config",
]
