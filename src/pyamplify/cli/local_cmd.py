"""``pyamplify local start|outbox|triggers``: run the local Cognito, read what it "sent", and
see which handler runs each Lambda trigger.

``start`` serves in the foreground until Ctrl-C (or SIGTERM) and prints the endpoint URL first,
so scripts can read it. State lives in SQLite under ``--data-dir`` (default: the platform's user
data dir, e.g. ``~/.local/share/pyamplify/local-cognito``) unless ``--ephemeral``. Lambda
triggers run local handlers mapped with ``--trigger ARN=HANDLER`` and ``--triggers FILE``
(checked before the server starts); their output is logged on stderr. ``outbox`` and
``triggers`` ask a running local Cognito (``--endpoint``, else the configuration's ``Endpoint``
on this machine, for ``outbox``) and, when none answers, read the data dir. Only the standard
library is imported at import time; the server loads inside the runs.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from pyamplify.cli.parsing import add_command, add_group, add_json_option
from pyamplify.cli.report import fail, print_json

if TYPE_CHECKING:
    from pyamplify.cli.parsing import Subparsers

DEFAULT_PORT = 9229
DEFAULT_ENDPOINT = f"http://127.0.0.1:{DEFAULT_PORT}"
ENDPOINT_ENV = "PYAMPLIFY_LOCAL_ENDPOINT"
_LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def default_data_dir() -> Path:
    """The platform's user data dir for the local Cognito's SQLite state."""
    import platformdirs

    return Path(platformdirs.user_data_dir("pyamplify", appauthor=False)) / "local-cognito"


def register(subparsers: Subparsers) -> None:
    """Add the ``local`` command group with ``start``, ``outbox`` and ``triggers``."""
    commands = add_group(
        subparsers,
        "local",
        help="run a local Cognito (user pools with real SRP) for development and tests",
        description="A local Cognito: no AWS account needed. Needs pyamplify[local].",
    )
    start = add_command(
        commands,
        "start",
        run_start,
        help="serve a local Cognito in the foreground until Ctrl-C",
        description=(
            "Serve the Cognito user-pool API (JSON 1.1 on POST /, as boto3 and Amplify send it), "
            "JWKS and OIDC discovery. Management calls accept any AWS credentials."
        ),
    )
    start.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    start.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"port (default {DEFAULT_PORT}; 0 = free)",
    )
    start.add_argument("--data-dir", help="where state is kept (default: the user data dir)")
    start.add_argument(
        "--ephemeral", action="store_true", help="keep state in memory only (lost on exit)"
    )
    start.add_argument("--region", default="us-east-1", help="region of new pools and ARNs")
    start.add_argument(
        "--issuer",
        choices=("aws", "local"),
        default="aws",
        help="tokens' iss: the AWS URL (default) or this server's URL",
    )
    _add_trigger_options(start)
    outbox = add_command(
        commands,
        "outbox",
        run_outbox,
        help="list the codes the local Cognito would have e-mailed or texted",
        description=(
            f"Ask a running local Cognito (--endpoint, ${ENDPOINT_ENV}, or {DEFAULT_ENDPOINT}); "
            "if none answers, read the data dir."
        ),
    )
    outbox.add_argument("--username", help="only this user's messages")
    outbox.add_argument(
        "--endpoint",
        help="the local Cognito URL (default: $PYAMPLIFY_LOCAL_ENDPOINT, the configuration's "
        f"Endpoint, {DEFAULT_ENDPOINT})",
    )
    outbox.add_argument(
        "--config", metavar="PATH", help="the configuration whose Endpoint to ask (default: found)"
    )
    outbox.add_argument("--data-dir", help="read this data dir instead of asking a server")
    add_json_option(outbox, help="print JSON")
    triggers = add_command(
        commands,
        "triggers",
        run_triggers,
        help="list the pools' Lambda triggers and the handler each function ARN runs",
        description=(
            "Every pool's LambdaConfig functions and what each ARN is mapped to, as a running "
            f"local Cognito sees them (--endpoint, ${ENDPOINT_ENV}, or {DEFAULT_ENDPOINT}); if "
            "none answers, the pools of the data dir, with the mappings given here."
        ),
    )
    triggers.add_argument("--endpoint", help="the local Cognito URL")
    triggers.add_argument("--data-dir", help="read this data dir instead of asking a server")
    add_json_option(triggers, help="print JSON")
    _add_trigger_options(triggers)


def _add_trigger_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--trigger",
        action="append",
        default=[],
        metavar="ARN=HANDLER",
        help=(
            "run HANDLER for the Lambda function ARN (repeatable); HANDLER is "
            "path/to/file.py:function, package.module:function, or path/to/index.mjs:handler "
            "(Node.js; .cjs/.js too)"
        ),
    )
    parser.add_argument(
        "--triggers",
        action="append",
        default=[],
        metavar="FILE",
        help="a TOML or JSON file mapping function ARNs to handlers (paths relative to it)",
    )


def port_number(text: str) -> int:
    """``--port``: a TCP port, 0-65535 (0 picks a free one)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number: use 0-65535 (0 = free)")
    return port


def configured_endpoint(path: str | None) -> str | None:
    """The ``Endpoint`` of the configuration (``--config``, else the one found as ``config
    check`` finds it) when it points at this machine: the local Cognito it was written for."""
    from pyamplify.config import ConfigError, load_config

    try:
        config = load_config(path)
    except (ConfigError, OSError):
        if path is not None:
            raise
        return None
    for pool in (config.user_pool, config.identity_pool):
        endpoint = pool.endpoint if pool is not None else None
        host = urllib.parse.urlsplit(endpoint).hostname if endpoint else None
        if endpoint and host in _LOOPBACK:
            return endpoint.rstrip("/")
    return None


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run_start(args: argparse.Namespace) -> int:
    """Run ``pyamplify local start``; return the exit code."""
    try:
        from pyamplify.local import LocalCognito
    except ImportError as missing:
        return missing_extra(args, missing)
    runner = _trigger_runner(args)
    if isinstance(runner, int):
        return runner
    data_dir = None if args.ephemeral else Path(args.data_dir or default_data_dir())
    cognito = LocalCognito(
        data_dir,
        host=args.host,
        port=args.port,
        region=args.region,
        issuer=args.issuer,
        triggers=runner,
    )
    _log_function_output()
    cognito.start()
    print(f"Local Cognito listening on {cognito.url}", flush=True)
    print(f"  state: {data_dir if data_dir else 'in memory (--ephemeral)'}", flush=True)
    print(f"  boto3: AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER={cognito.url}", flush=True)
    print(f"  codes: pyamplify local outbox --endpoint {cognito.url}", flush=True)
    mapped = len(cognito.functions.arns())
    print(
        f"  triggers: {mapped} function{'s' if mapped != 1 else ''} mapped; "
        f"pyamplify local triggers --endpoint {cognito.url}",
        flush=True,
    )
    if args.host not in _LOOPBACK:
        print(
            f"warning: listening on {args.host}, not loopback: anyone who can reach this "
            "address can manage its pools.",
            file=sys.stderr,
        )
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        cognito.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        cognito.stop()
        signal.signal(signal.SIGTERM, previous)
    print("Local Cognito stopped.", flush=True)
    return 0


def _trigger_runner(args: argparse.Namespace) -> Any:
    """The FunctionRunner for ``--trigger``/``--triggers`` (``None`` without them), or an exit
    code after printing what is wrong with them."""
    if not args.trigger and not args.triggers:
        return None
    from pyamplify.local.lambdas import FunctionRunner
    from pyamplify.local.lambdas.triggers_file import (
        TriggersConfigError,
        map_entries,
        parse_trigger_option,
        read_triggers_file,
    )

    runner = FunctionRunner()
    try:
        entries = [parse_trigger_option(text) for text in args.trigger]
        for name in args.triggers:
            entries.extend(read_triggers_file(Path(name)))
        map_entries(runner, entries)
    except TriggersConfigError as error:
        runner.close()
        print(f"error: {error}", file=sys.stderr)
        return 1
    return runner


def _log_function_output() -> None:
    """Show what trigger handlers print and log on stderr, one line each, as CloudWatch would."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    log = logging.getLogger("pyamplify.local.lambdas")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


def _fetch_triggers(endpoint: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{endpoint.rstrip('/')}/_local/triggers", timeout=5) as reply:
        pools: list[dict[str, Any]] = json.loads(reply.read())
    return pools


def _read_pools(data_dir: Path) -> list[dict[str, Any]]:
    from pyamplify.local.store.userpools import DB_FILENAME, Store

    if not (data_dir / DB_FILENAME).exists():
        raise FileNotFoundError(data_dir / DB_FILENAME)
    store = Store(data_dir)
    try:
        return store.list_pools()
    finally:
        store.close()


def run_triggers(args: argparse.Namespace) -> int:
    """Run ``pyamplify local triggers``; return the exit code."""
    endpoint = args.endpoint or os.environ.get(ENDPOINT_ENV) or DEFAULT_ENDPOINT
    source = f"local Cognito at {endpoint}"
    listing: list[dict[str, Any]] | None = None
    try:
        if not args.data_dir and not args.trigger and not args.triggers:
            try:
                listing = _fetch_triggers(endpoint)
            except (urllib.error.URLError, OSError):
                listing = None
        if listing is None:
            data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
            source = f"data dir {data_dir}"
            pools = _read_pools(data_dir)
            runner = _trigger_runner(args)
            if isinstance(runner, int):
                return runner
            from pyamplify.local.lambdas.listing import describe_triggers

            try:
                listing = describe_triggers(pools, runner)
            finally:
                if runner is not None:
                    runner.close()
            known = runner is not None
        else:
            known = True
    except (FileNotFoundError, ImportError) as error:
        return _unreachable(args, endpoint, error)
    if args.json:
        print_json({"source": source, "mappings_known": known, "pools": listing})
        return 0
    _print_triggers(listing, source, known)
    return 0


def _print_triggers(listing: list[dict[str, Any]], source: str, known: bool) -> None:
    print(f"Lambda triggers of the {source}:")
    if not listing:
        print("  no user pools")
    for pool in listing:
        print(f"{pool['pool_id']}  {pool['pool_name']}")
        if not pool["triggers"]:
            print("  (no Lambda triggers)")
        width = max((len(item["trigger"]) for item in pool["triggers"]), default=0)
        for item in pool["triggers"]:
            name = item["trigger"] + (f" {item['version']}" if item["version"] else "")
            mapped = item["mapped_to"] or ("not mapped" if known else "mapping unknown")
            print(f"  {name:<{width + 5}} {item['arn']}\n  {'':<{width + 5}} -> {mapped}")
    if not known:
        print(
            "(no server answered: the mappings live in a running local Cognito; pass the "
            "--trigger/--triggers you start it with to check them here)"
        )


def _fetch_outbox(endpoint: str, username: str | None) -> list[dict[str, Any]]:
    query = f"?{urllib.parse.urlencode({'username': username})}" if username else ""
    with urllib.request.urlopen(f"{endpoint.rstrip('/')}/_local/outbox{query}", timeout=5) as reply:
        items: list[dict[str, Any]] = json.loads(reply.read())
    return items


def _read_outbox(data_dir: Path, username: str | None) -> list[dict[str, Any]]:
    from pyamplify.local.store.userpools import DB_FILENAME, Store

    if not (data_dir / DB_FILENAME).exists():
        raise FileNotFoundError(data_dir / DB_FILENAME)
    store = Store(data_dir)
    try:
        return [item.as_json() for item in store.outbox(username)]
    finally:
        store.close()


def missing_extra(args: argparse.Namespace, missing: ImportError) -> int:
    """The local Cognito's packages (``pyamplify[local]``) are not installed: which one is
    missing and how to install them (exit 1; the error object on stdout with --json)."""
    return fail(
        args,
        "MissingDependencyError",
        f"the local Cognito needs extra packages ({missing.name} is missing)",
        "pip install 'pyamplify[local]'",
    )


def _unreachable(args: argparse.Namespace, endpoint: str, error: Exception) -> int:
    """No server answered and no saved state was found, or the extra is missing (exit 1; the
    error object on stdout with --json)."""
    if isinstance(error, ImportError):
        return missing_extra(args, error)
    return fail(
        args,
        "LocalCognitoNotFound",
        f"no local Cognito answers at {endpoint} and no saved state was found",
        "start one with: pyamplify local start",
    )


def run_outbox(args: argparse.Namespace) -> int:
    """Run ``pyamplify local outbox``; return the exit code."""
    endpoint = (
        args.endpoint
        or os.environ.get(ENDPOINT_ENV)
        or configured_endpoint(args.config)
        or DEFAULT_ENDPOINT
    )
    try:
        if args.data_dir:
            items = _read_outbox(Path(args.data_dir), args.username)
        else:
            try:
                items = _fetch_outbox(endpoint, args.username)
            except (urllib.error.URLError, OSError):
                items = _read_outbox(default_data_dir(), args.username)
    except (FileNotFoundError, ImportError) as error:
        return _unreachable(args, endpoint, error)
    if args.json:
        print_json(items)
        return 0
    if not items:
        print("The outbox is empty.")
        return 0
    for item in items:
        where = f"{item['delivery_medium'] or '-'} {item['destination'] or '-'}"
        print(f"{item['code']}  {item['purpose']:<20} {item['username']}  {where}")
    return 0
