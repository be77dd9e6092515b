"""``pyamplify config check [PATH] [--json]``: load a configuration and explain it or its mistakes.

It says which format it read the file as (Gen 1, Gen 2, aws-exports.js, awsconfiguration.json),
on success and on failure alike. Exit codes: 0 when the configuration loads (warnings are
printed too), 1 when it has problems (every one is printed, not only the first), 2 for usage
errors (argparse). Secrets are shown masked: their first 4 characters and ``…``. Only the
standard library is imported here at import time; ``pyamplify.config`` loads inside
``run_check``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, TextIO

from pyamplify.cli.parsing import add_command, add_group, add_json_option
from pyamplify.cli.report import CONFIG_FIX, error_message, print_error_json, print_json

if TYPE_CHECKING:
    import argparse

    from pyamplify.cli.parsing import Subparsers
    from pyamplify.config import AuthConfig, ConfigError, ConfigWarning, ResolvedEndpoint


def register(subparsers: Subparsers) -> None:
    """Add the ``config`` command group and its ``check`` subcommand."""
    commands = add_group(
        subparsers,
        "config",
        help="inspect Amplify auth configuration files",
        description=(
            "Inspect amplifyconfiguration.json (Gen 1), amplify_outputs.json (Gen 2), "
            "aws-exports.js (Gen 1 web) and awsconfiguration.json (AWS Mobile SDK)."
        ),
    )
    check = add_command(
        commands,
        "check",
        run_check,
        help="load a configuration and print what it resolves to, or every mistake in it",
        description=(
            "Load a configuration, say which format it was read as, and print the resolved "
            "settings (secrets masked) and any warnings, exit 0; or print every problem found, "
            "exit 1. Without PATH: "
            "$PYAMPLIFY_CONFIG, then ./amplifyconfiguration.json, then ./amplify_outputs.json."
        ),
    )
    check.add_argument("path", nargs="?", metavar="PATH", help="the configuration file")
    add_json_option(check)


def run_check(args: argparse.Namespace) -> int:
    """Run ``pyamplify config check``; return the exit code."""
    return _check(args)


def _check(args: argparse.Namespace) -> int:
    from pyamplify.config import ConfigError, format_name, load_config_with_warnings

    try:
        config, warnings = load_config_with_warnings(args.path)
        # Endpoint overrides come from the environment and can be wrong too: resolve them now.
        summary = describe(config)
    except ConfigError as error:
        if args.json:
            print_error_json("ConfigError", error_message(error), CONFIG_FIX, _error_details(error))
        _print_errors(error)
        return 1
    if args.json:
        print_json(
            {
                "ok": True,
                "file": config.source,
                "format": config.source_format,
                "syntax": config.source_syntax,
                "read_as": format_name(config.source_format, config.source_syntax),
                "config": summary,
                "warnings": [warning.to_dict() for warning in warnings],
                "errors": [],
            }
        )
    else:
        _print_summary(config, summary)
        _print_warnings(warnings, sys.stdout)
    return 0


def describe(config: AuthConfig) -> dict[str, Any]:
    """The resolved configuration as plain data, secrets masked, endpoints with their origin."""
    from pyamplify.config import mask_secret

    result: dict[str, Any] = {"user_pool": None, "identity_pool": None, "oauth": None}
    pool = config.user_pool
    if pool is not None:
        client = {
            "app_client_id": pool.app_client_id,
            "app_client_secret": mask_secret(pool.app_client_secret),
        }
        endpoint = config.resolve_user_pool_endpoint()
        result["user_pool"] = _pool_document(pool.pool_id, pool.region, endpoint, client)
    identity = config.identity_pool
    if identity is not None:
        endpoint = config.resolve_identity_pool_endpoint()
        result["identity_pool"] = _pool_document(identity.pool_id, identity.region, endpoint)
    result["authentication_flow_type"] = config.authentication_flow_type
    if config.oauth is not None:
        oauth = config.oauth
        result["oauth"] = {
            "web_domain": oauth.web_domain,
            "base_url": oauth.base_url(),
            "app_client_id": oauth.app_client_id,
            "app_client_secret": mask_secret(oauth.app_client_secret),
            "sign_in_redirect_uris": list(oauth.sign_in_redirect_uris),
            "sign_out_redirect_uris": list(oauth.sign_out_redirect_uris),
            "scopes": list(oauth.scopes),
            "response_type": oauth.response_type,
        }
    policy = config.password_policy
    result.update(
        username_attributes=list(config.username_attributes),
        signup_attributes=list(config.signup_attributes),
        password_policy=None
        if policy is None
        else {"min_length": policy.min_length, "characters": list(policy.characters())},
        mfa_configuration=config.mfa_configuration,
        mfa_types=list(config.mfa_types),
        verification_mechanisms=list(config.verification_mechanisms),
        social_providers=list(config.social_providers),
        unauthenticated_identities_enabled=config.unauthenticated_identities_enabled,
    )
    return result


def _pool_document(
    pool_id: str, region: str, endpoint: ResolvedEndpoint, client: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A user or identity pool in ``describe``: its id, the app client's fields (user pools),
    its region, and the endpoint it is called at with where that came from."""
    return {
        "pool_id": pool_id,
        **(client or {}),
        "region": region,
        "endpoint": endpoint.url,
        "endpoint_from": endpoint.origin,
    }


def _error_details(error: ConfigError) -> dict[str, Any]:
    """What ``--json`` adds to the error object of a refused file: every problem and warning,
    and which format the file was read as."""
    from pyamplify.config import format_name

    recognised = error.source_format is not None
    return {
        "format": error.source_format,
        "syntax": error.source_syntax,
        "read_as": format_name(error.source_format, error.source_syntax) if recognised else None,
        "problems": [problem.to_dict() for problem in error.problems],
        "warnings": [warning.to_dict() for warning in error.warnings],
    }


def _print_errors(error: ConfigError) -> None:
    from pyamplify.config import format_name

    print(f"error: {error}", file=sys.stderr)
    if error.source_format is not None:
        read_as = format_name(error.source_format, error.source_syntax)
        print(f"(read as: {read_as})", file=sys.stderr)
    _print_warnings(error.warnings, sys.stderr)


def _print_warnings(warnings: list[ConfigWarning], stream: TextIO) -> None:
    if not warnings:
        return
    count = len(warnings)
    print(f"{count} warning{'s' if count != 1 else ''}:", file=stream)
    for warning in warnings:
        print(f"  - {warning}", file=stream)


def _pool_rows(
    title: str,
    pool: dict[str, Any] | None,
    absent: str,
    client: list[tuple[str, Any]] | None = None,
) -> list[tuple[str, Any]]:
    """A pool's lines in the summary (from its ``_pool_document``), or what its absence means."""
    if pool is None:
        return [(title, absent)]
    return [
        (title, pool["pool_id"]),
        *(client or []),
        ("  region", pool["region"]),
        ("  endpoint", f"{pool['endpoint']} ({pool['endpoint_from']})"),
    ]


def _print_summary(config: AuthConfig, summary: dict[str, Any]) -> None:
    from pyamplify.config import format_name

    print(f"{config.source}: OK ({format_name(config.source_format, config.source_syntax)})")
    pool = summary["user_pool"]
    client = None
    if pool is not None:
        client = [
            ("  app client id", pool["app_client_id"]),
            ("  app client secret", pool["app_client_secret"] or "(none)"),
        ]
    rows = _pool_rows("user pool", pool, "(none: guest access only)", client)
    absent = "(none: user pool only, no AWS credentials)"
    rows += _pool_rows("identity pool", summary["identity_pool"], absent)
    rows.append(("sign-in flow", summary["authentication_flow_type"]))
    if summary["oauth"] is not None:
        oauth = summary["oauth"]
        rows += [
            ("hosted UI (OAuth)", oauth["base_url"]),
            ("  app client id", oauth["app_client_id"]),
            ("  app client secret", oauth["app_client_secret"] or "(none)"),
            ("  sign-in redirects", ", ".join(oauth["sign_in_redirect_uris"])),
            ("  sign-out redirects", ", ".join(oauth["sign_out_redirect_uris"])),
            ("  scopes", " ".join(oauth["scopes"])),
            ("  response type", oauth["response_type"]),
        ]
    for key in (
        "username_attributes",
        "signup_attributes",
        "mfa_types",
        "verification_mechanisms",
        "social_providers",
    ):
        if summary[key]:
            rows.append((key.replace("_", " "), ", ".join(summary[key])))
    if summary["password_policy"] is not None:
        policy = summary["password_policy"]
        rules = ", ".join(policy["characters"]) or "no character rules"
        rows.append(("password policy", f"min length {policy['min_length']}; {rules}"))
    if summary["mfa_configuration"] is not None:
        rows.append(("mfa configuration", summary["mfa_configuration"]))
    if summary["unauthenticated_identities_enabled"] is not None:
        rows.append(("guest access", str(summary["unauthenticated_identities_enabled"]).lower()))
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label.ljust(width)}  {value}")
