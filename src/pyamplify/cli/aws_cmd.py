"""``pyamplify aws configure AWS_PROFILE``: an AWS CLI profile whose credentials come from here.

Writes (or, with ``--print``, prints) the ``~/.aws/config`` section that makes the AWS CLI and
every SDK run ``pyamplify auth credentials`` as the profile's ``credential_process``, with the
full path of the command and of the configuration file (the AWS CLI runs it from any folder,
with its own ``PATH``), as ``aws configure sso`` writes its profiles. Other sections are never
touched; a different section of the same name is replaced only with ``--force``. ``--profile``
is the pyamplify session (as everywhere), ``AWS_PROFILE`` the AWS CLI's. Only the standard
library is imported at import time.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from pyamplify.cli.parsing import add_command, add_group, session_options

if TYPE_CHECKING:
    import argparse

    from pyamplify.cli.parsing import Subparsers


def register(subparsers: Subparsers) -> None:
    """Add the ``aws`` command group and its ``configure`` subcommand."""
    commands = add_group(
        subparsers,
        "aws",
        help="use pyamplify's credentials from the AWS CLI and SDKs",
        description="Connect the AWS CLI and SDKs to pyamplify's identity-pool credentials.",
    )
    configure = add_command(
        commands,
        "configure",
        run_configure,
        parents=[session_options()],
        help="write the ~/.aws/config profile whose credential_process is pyamplify",
        description=(
            "Write [profile AWS_PROFILE] to the AWS config file ($AWS_CONFIG_FILE or "
            "~/.aws/config) with credential_process = <full path of pyamplify> auth credentials "
            "--config <full path>, and the identity pool's region."
        ),
    )
    configure.add_argument("aws_profile", metavar="AWS_PROFILE", help="the AWS CLI profile name")
    configure.add_argument("--region", help="the profile's region (default: the identity pool's)")
    configure.add_argument(
        "--guest", action="store_true", help="let the profile use a guest's credentials"
    )
    configure.add_argument(
        "--print", dest="print_only", action="store_true", help="print the section; write nothing"
    )
    configure.add_argument(
        "--aws-config-file", metavar="PATH", help="the file to write (default: ~/.aws/config)"
    )
    configure.add_argument("--force", action="store_true", help="replace a different section")


def pyamplify_command() -> list[str]:
    """The words that start this very pyamplify from anywhere: its script's full path, else
    ``<python> -m pyamplify``."""
    started = os.path.abspath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    if os.path.basename(started).lower() in ("pyamplify", "pyamplify.exe") and os.path.isfile(
        started
    ):
        return [started]
    scripts = os.path.dirname(os.path.abspath(sys.executable))
    for name in ("pyamplify", "pyamplify.exe"):
        candidate = os.path.join(scripts, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return [candidate]
    return [os.path.abspath(sys.executable), "-m", "pyamplify"]


def command_line(words: list[str]) -> str:
    """``words`` joined as botocore splits ``credential_process`` (POSIX shell rules; on
    Windows, double quotes)."""
    if os.name == "nt":
        return " ".join(f'"{word}"' if " " in word else word for word in words)
    import shlex

    return shlex.join(words)


def run_configure(args: argparse.Namespace) -> int:
    """Run ``pyamplify aws configure AWS_PROFILE``; return the exit code."""
    from pyamplify.aws.config_file import default_config_path, render_section, write_section
    from pyamplify.cli.report import UsageError, emit, fail
    from pyamplify.config import load_config

    if not args.aws_profile.strip() or any(c in args.aws_profile for c in "[]\n"):
        raise UsageError(f"{args.aws_profile!r} cannot be an AWS profile name")
    config = load_config(args.config)
    if config.identity_pool is None:
        from pyamplify.auth import NoIdentityPoolError

        raise NoIdentityPoolError(
            f"the configuration {config.source or ''} has no identity pool, so it gives no AWS "
            "credentials; add one (Gen 1: CredentialsProvider.CognitoIdentity.Default.PoolId, "
            "Gen 2: auth.identity_pool_id)"
        )
    path = os.path.abspath(config.source or args.config or "amplifyconfiguration.json")
    words = [*pyamplify_command(), "auth", "credentials", "--format", "process", "--config", path]
    if args.profile != "default":
        words += ["--profile", args.profile]
    if args.guest:
        words.append("--guest")
    settings = {
        "credential_process": command_line(words),
        "region": args.region or config.identity_pool.region,
    }
    target = os.path.abspath(os.path.expanduser(args.aws_config_file or default_config_path()))
    document: dict[str, Any] = {
        "aws_profile": args.aws_profile,
        "file": target,
        "settings": settings,
    }
    section = render_section(args.aws_profile, settings)
    if args.print_only:
        document["outcome"] = "printed"
        emit(args, document, section.removesuffix("\n"))
        return 0
    change = write_section(target, args.aws_profile, settings, force=args.force)
    document.update(outcome=change.outcome, previous=change.previous or None)
    if change.outcome == "refused":
        return fail(
            args,
            "ProfileExists",
            f"{target} already has a different {change.header} section; not changed",
            "pass --force to replace it, or choose another AWS profile name",
            details={"previous": change.previous, "settings": settings},
        )
    said = {"written": "Wrote", "replaced": "Replaced", "unchanged": "Already up to date:"}
    flag = "" if args.aws_profile == "default" else f" --profile {args.aws_profile}"
    sign_in = "" if args.guest else f"sign in first (pyamplify auth sign-in --config {path}), then "
    text = (
        f"{said[change.outcome]} {change.header} in {target}:\n{section}"
        f"Use it: {sign_in}aws sts get-caller-identity{flag}"
    )
    emit(args, document, text)
    return 0
