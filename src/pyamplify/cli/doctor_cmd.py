"""``pyamplify doctor [--config PATH] [--json] [--offline]``: check a configuration against AWS.

Loads a configuration (either format, found like ``config check`` finds it) and checks it
against the pools it names: each finding with its fix. ``--offline`` runs only the checks that
need no AWS call and lists the ones it skipped. The AWS flags are ``import auth``'s; without
``--endpoint-url`` the configuration's own ``Endpoint`` (if any) is asked.

Exit codes: 0 clean, 1 findings (or a configuration that does not load, or an AWS error),
2 usage. Only the standard library is imported here at import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyamplify.cli.import_cmd import add_aws_arguments, settings_from
from pyamplify.cli.parsing import add_command, add_json_option
from pyamplify.cli.report import print_error_json, print_json

if TYPE_CHECKING:
    import argparse

    from pyamplify.cli.parsing import Subparsers
    from pyamplify.config import AuthConfig
    from pyamplify.provision.doctor import DoctorReport

_FORMAT_NAMES = {"gen1": "Gen 1", "gen2": "Gen 2"}


def register(subparsers: Subparsers) -> None:
    """Add the ``doctor`` command."""
    doctor = add_command(
        subparsers,
        "doctor",
        run_doctor,
        help="check a configuration against the Cognito pools it names",
        description=(
            "Check an amplifyconfiguration.json or amplify_outputs.json against the user pool, "
            "app client and identity pool it names, and print each finding with its fix. "
            "Exit 0 when clean, 1 with findings."
        ),
    )
    doctor.add_argument(
        "--config",
        metavar="PATH",
        help="the configuration (default: $PYAMPLIFY_CONFIG, ./amplifyconfiguration.json, "
        "./amplify_outputs.json)",
    )
    add_json_option(doctor)
    doctor.add_argument(
        "--offline", action="store_true", help="only the checks that need no AWS call"
    )
    add_aws_arguments(doctor)


def run_doctor(args: argparse.Namespace) -> int:
    """Run ``pyamplify doctor``; return the exit code."""
    from pyamplify.config import load_config_with_warnings
    from pyamplify.provision import doctor
    from pyamplify.provision.aws_clients import CognitoApi
    from pyamplify.provision.errors import Boto3MissingError

    config, _ = load_config_with_warnings(args.config)  # a ConfigError is reported by main
    api = None
    if not args.offline:
        try:
            api = CognitoApi(settings_from(args, configured_endpoint(config)))
        except Boto3MissingError:
            raise Boto3MissingError(", or run with --offline for the checks without AWS") from None
    report = doctor.run_doctor(config, api)
    if args.json:
        document = report.to_dict()
        document["format"] = config.source_format
        if report.ok:
            print_json(document)
            return 0
        count = len(report.findings)
        message = f"{count} finding{'s' if count != 1 else ''} in {report.source}"
        print_error_json("DoctorFindings", message, report.findings[0].fix, {"report": document})
        return 1
    _print_report(report, config.source_format)
    return 0 if report.ok else 1


def configured_endpoint(config: AuthConfig) -> str | None:
    """The ``Endpoint`` the configuration names (a local Cognito, say): where the doctor asks,
    unless ``--endpoint-url`` says otherwise. The environment's overrides are boto3's own."""
    for pool in (config.user_pool, config.identity_pool):
        if pool is not None and pool.endpoint:
            return pool.endpoint
    return None


def _print_report(report: DoctorReport, source_format: str | None) -> None:
    kind = _FORMAT_NAMES.get(source_format or "", "")
    print(f"doctor: {report.source} ({kind})" if kind else f"doctor: {report.source}")
    for finding in report.findings:
        print(f"✖ [{finding.check}] {finding.message}")
        print(f"    fix: {finding.fix}")
    count = len(report.findings)
    if count:
        print(f"{count} finding{'s' if count != 1 else ''}; {len(report.ran)} checks ran.")
    else:
        print(f"✔ No findings: {len(report.ran)} checks ran.")
    if report.skipped:
        print(f"Skipped {len(report.skipped)} checks:")
        for check, reason in report.skipped.items():
            print(f"  - {check}: {reason}")
