"""``pyamplify import auth``: turn existing Cognito pools into a working configuration file.

Walks the Amplify CLI's choices (user pool, web and native app clients, identity pool) with its
rules, on a terminal, or from flags for scripts (``--user-pool-id``, ``--web-client-id``,
``--native-client-id``, ``--identity-pool-id``, ``--yes``), and writes
``amplifyconfiguration.json`` (``--format gen1``) or ``amplify_outputs.json`` (``--format
gen2``) atomically. An existing file is only replaced with ``--force``; otherwise the command
shows what would change and exits 1. ``--check`` validates and shows the result without
writing. A client secret is written only with ``--include-secret``, with a warning.

Exit codes: 0 written (or, with ``--check``, valid), 1 a rule, AWS or file problem (the message
says what to change), 2 usage. Only the standard library is imported here at import time; boto3
and the library load inside ``run_import``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from pyamplify.cli.parsing import add_command, add_group, add_json_option, add_renamed_option
from pyamplify.cli.report import print_error_json, print_json

if TYPE_CHECKING:
    from pyamplify.cli.parsing import Subparsers
    from pyamplify.provision.aws_clients import AwsSettings
    from pyamplify.provision.build import BuildResult
    from pyamplify.provision.choose import Selection

DEFAULT_FILES = {"gen1": "amplifyconfiguration.json", "gen2": "amplify_outputs.json"}
_FORMAT_NAMES = {"gen1": "Gen 1 amplifyconfiguration.json", "gen2": "Gen 2 amplify_outputs.json"}


def add_aws_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags that say where and as whom AWS is called (shared with ``doctor``)."""
    parser.add_argument(
        "--aws-profile",
        metavar="NAME",
        help="AWS profile (default: AWS_PROFILE or the default chain)",
    )
    # ``--profile`` here is the old spelling of ``--aws-profile`` (everywhere else it names the
    # pyamplify session): still taken, with a note.
    add_renamed_option(
        parser,
        "--profile",
        store_as="aws_profile",
        metavar="NAME",
        note="{option} is deprecated here: it is --aws-profile (the AWS profile); --profile "
        "names the pyamplify session in the auth commands",
    )
    parser.add_argument("--region", metavar="REGION", help="AWS region (default: the profile's)")
    parser.add_argument(
        "--endpoint-url",
        metavar="URL",
        help="Cognito API endpoint, e.g. a local Cognito at http://127.0.0.1:9229",
    )


class _Imported(NamedTuple):
    """What ``import auth`` did, for its report (text or JSON)."""

    file_format: Literal["gen1", "gen2"]
    selection: Selection
    result: BuildResult
    path: Path
    #: checked, unchanged, refused or written
    outcome: str
    #: the differences from the file already there
    changes: list[Any]
    messages: list[str]
    warnings: list[str]


#: The resources ``import auth`` takes by id (the answers to a terminal's questions).
_RESOURCE_IDS = (
    ("--user-pool-id", "the user pool to import"),
    ("--web-client-id", "the web app client (no secret)"),
    ("--native-client-id", "the app client the configuration signs in with"),
    (
        "--identity-pool-id",
        "the identity pool to import too (without it, scripts import the user pool only)",
    ),
)


def register(subparsers: Subparsers) -> None:
    """Add the ``import`` command group and its ``auth`` subcommand."""
    commands = add_group(
        subparsers,
        "import",
        help="import existing AWS resources into a configuration file",
        description="Import existing AWS resources into an Amplify configuration file.",
    )
    auth = add_command(
        commands,
        "auth",
        run_import,
        help="choose a Cognito user pool (and identity pool) and write their configuration",
        description=(
            "Choose an existing Cognito user pool, its app clients and (optionally) an identity "
            "pool, check them with the Amplify CLI's rules, and write amplifyconfiguration.json "
            "(--format gen1) or amplify_outputs.json (--format gen2). Asks on a terminal; flags "
            "answer the questions for scripts."
        ),
    )
    add_aws_arguments(auth)
    for flag, resource in _RESOURCE_IDS:
        auth.add_argument(flag, metavar="ID", help=resource)
    auth.add_argument(
        "--yes", action="store_true", help="never prompt: take flags, single choices, defaults"
    )
    auth.add_argument("--check", action="store_true", help="validate and show; write nothing")
    add_json_option(auth)
    auth.add_argument(
        "--format", choices=("gen1", "gen2"), default="gen1", help="file format (default: gen1)"
    )
    auth.add_argument("--force", action="store_true", help="replace an existing file")
    auth.add_argument(
        "--include-secret",
        action="store_true",
        help="write the app client's secret into the file (readable by you only)",
    )
    auth.add_argument(
        "--output",
        metavar="PATH",
        help="where to write (default: ./amplifyconfiguration.json or ./amplify_outputs.json)",
    )


def settings_from(args: argparse.Namespace, default_endpoint: str | None = None) -> AwsSettings:
    """The AWS settings the flags describe (``default_endpoint`` when ``--endpoint-url`` is
    not given)."""
    from pyamplify.provision.aws_clients import AwsSettings

    return AwsSettings(
        profile=args.aws_profile,
        region=args.region,
        endpoint_url=args.endpoint_url or default_endpoint,
    )


def run_import(args: argparse.Namespace) -> int:
    """Run ``pyamplify import auth``; return the exit code (errors are reported by main, with
    the rule's name in ``--json``)."""
    return _import(args)


def _region(args: argparse.Namespace, default: str) -> str:
    from pyamplify.provision.errors import ProvisionError

    pool_id: str | None = args.user_pool_id
    if pool_id is None or "_" not in pool_id:
        return default
    in_id = pool_id.partition("_")[0]
    if args.region and args.region != in_id:
        raise ProvisionError(
            f"--user-pool-id {pool_id} is in region {in_id}, but --region is {args.region}: "
            f"drop --region or pass --region {in_id}"
        )
    return in_id


def _import(args: argparse.Namespace) -> int:
    from pyamplify.config import render_config, write_config
    from pyamplify.provision.aws_clients import CognitoApi
    from pyamplify.provision.build import build_config
    from pyamplify.provision.choose import ImportRequest, choose
    from pyamplify.provision.inventory import AwsInventory
    from pyamplify.provision.prompts import HeadlessPrompter, Prompter, TerminalPrompter

    api = CognitoApi(settings_from(args))
    region = _region(args, api.settings.region or "") or api.region
    interactive = not args.yes and sys.stdin.isatty()
    headless = HeadlessPrompter()
    prompter: Prompter = TerminalPrompter(sys.stdin, sys.stderr) if interactive else headless
    request = ImportRequest(
        user_pool_id=args.user_pool_id,
        web_client_id=args.web_client_id,
        native_client_id=args.native_client_id,
        identity_pool_id=args.identity_pool_id,
        assume_yes=args.yes,
    )
    selection = choose(AwsInventory(api, region), request, prompter)
    local = _local_endpoint(args.endpoint_url)
    result = build_config(selection, endpoint=local)
    warnings = list(result.warnings)
    warnings += _secret_warnings(selection, args)
    path = Path(args.output or DEFAULT_FILES[args.format])
    new_text = render_config(result.config, args.format, include_secret=args.include_secret)
    changes, exists = _changes(path, new_text)
    if args.check:
        outcome = "checked"
    elif exists and not changes:
        outcome = "unchanged"
    elif exists and not args.force:
        outcome = "refused"
    else:
        created = _make_folder(path)
        if created is not None:
            headless.messages.append(f"Created the folder {created} for {path.name}.")
        write_config(result.config, path, args.format, include_secret=args.include_secret)
        outcome = "written"
    if args.json and outcome == "refused":
        print_error_json(
            "FileExists",
            f"{path} exists and differs; not overwritten",
            "pass --force to replace it (the changes are listed), or --output another path",
            {"path": str(path), "changes": [change.to_dict() for change in changes]},
        )
        return 1
    imported = _Imported(
        args.format, selection, result, path, outcome, changes, headless.messages, warnings
    )
    (_print_json if args.json else _print_text)(imported)
    return 1 if outcome == "refused" else 0


def _make_folder(path: Path) -> Path | None:
    """Create the folders ``--output`` names (as ``amplify pull`` does); the first one created,
    or ``None`` when they all existed."""
    missing = [folder for folder in (path.parent, *path.parent.parents) if not folder.exists()]
    if not missing:
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    return missing[-1]


def _local_endpoint(url: str | None) -> str | None:
    """The --endpoint-url when it is this machine (a local Cognito), which the file then names."""
    from urllib.parse import urlsplit

    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return url.rstrip("/") if host in ("127.0.0.1", "localhost", "::1") else None


def _secret_warnings(selection: Selection, args: argparse.Namespace) -> list[str]:
    client = selection.native_client
    if not client.has_secret:
        return []
    if args.include_secret:
        return [
            f"the client secret of app client '{client.name}' is written into the file "
            "(readable by you only). Anyone who has the file can use the secret: keep it out "
            "of version control and out of apps you ship. (The Amplify CLI writes it into "
            "app configurations silently.)"
        ]
    return [
        f"app client '{client.name}' has a client secret, which is not written (pass "
        "--include-secret to write it): signing in through this app client needs it, so "
        "sign-in with this file fails until it has the secret. Apps are better served by an "
        "app client without a secret (--native-client-id)."
    ]


def _changes(path: Path, new_text: str) -> tuple[list[Any], bool]:
    from pyamplify.provision.diff import diff_text

    try:
        old_text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return [], False
    except (OSError, UnicodeDecodeError):
        old_text = ""
    return diff_text(old_text, new_text), True


def _selection_summary(selection: Selection) -> dict[str, Any]:
    identity = selection.identity_pool
    return {
        "user_pool": {"id": selection.user_pool.pool_id, "name": selection.user_pool.name},
        "web_client": {"id": selection.web_client.client_id, "name": selection.web_client.name},
        "native_client": {
            "id": selection.native_client.client_id,
            "name": selection.native_client.name,
            "has_secret": selection.native_client.has_secret,
        },
        "identity_pool": None
        if identity is None
        else {"id": identity.pool_id, "name": identity.name},
    }


def _print_json(imported: _Imported) -> None:
    from pyamplify.config import render_config

    file_format, selection, result, path, outcome, changes, messages, warnings = imported
    document = {
        "ok": outcome != "refused",
        "outcome": outcome,
        "written": outcome == "written",
        "path": str(path),
        "format": file_format,
        **_selection_summary(selection),
        "authentication_flow_type": result.config.authentication_flow_type,
        "identity_providers": result.identity_providers,
        "config": json.loads(render_config(result.config, file_format, include_secret=False)),
        "changes": [change.to_dict() for change in changes],
        "messages": messages,
        "notes": list(result.notes),
        "warnings": warnings,
    }
    print_json(document)


def _print_text(imported: _Imported) -> None:
    from pyamplify.config import render_config
    from pyamplify.provision.diff import render

    file_format, selection, result, path, outcome, changes, messages, warnings = imported
    err = sys.stderr
    for message in messages:
        print(message, file=err)
    for note in result.notes:
        print(f"note: {note}", file=err)
    for warning in warnings:
        print(f"warning: {warning}", file=err)
    kind = _FORMAT_NAMES[file_format]
    if outcome == "checked":
        print(f"✔ The selection is valid. {kind} that would be written to {path}:")
        print(render_config(result.config, file_format, include_secret=False), end="")
        if changes:
            print(f"Compared with the existing {path}:\n{render(changes)}")
        return
    if outcome == "refused":
        print(
            f"{path} exists and differs; not overwritten (pass --force to replace it). "
            f"What would change:\n{render(changes)}",
            file=err,
        )
        return
    pool, identity = selection.user_pool, selection.identity_pool
    if identity is None:
        print(f"✅ Cognito User Pool '{pool.name}' was successfully imported.")
    else:
        print(
            f"✅ Cognito User Pool '{pool.name}' and Identity Pool '{identity.name}' was "
            "successfully imported."
        )
    if outcome == "unchanged":
        print(f"{path} is already up to date ({kind}); nothing written.")
    else:
        print(f"Wrote {path} ({kind}).")
        if changes:
            print(f"Changed:\n{render(changes)}")
    print(f"Next: pyamplify config check {path} && pyamplify auth sign-in --config {path}")
