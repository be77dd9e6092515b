"""``pyamplify local start|outbox|triggers``: run the local Cognito, read what it "sent", and
see which handler runs each Lambda trigger.

``start`` serves in the foreground until Ctrl-C (or SIGTERM) and prints the endpoint URL first,
so scripts can read it. State lives in SQLite under ``--data-dir`` (default: the platform's user
data dir, e.g. ``~/.local/share/pyamplify/local-cognito``) unless ``--ephemeral``. Lambda
triggers run local handlers mapped with ``--trigger ARN=HANDLER`` and ``--triggers FILE``
(checked before the server starts); their output is logged on stderr. Hardening options:
``--cors-origin`` / ``--allowed-host`` (who may call from a browser, which Host names are
served), ``--strict-auth`` (verify SigV4 of management calls against local credentials),
``--max-body`` / ``--max-connections`` / ``--request-timeout`` (limits) and ``--faults SPEC``
(latency, throttling, 5xx, dropped connections at rates). ``outbox`` and ``triggers`` ask a
running local Cognito (``--endpoint``, else the configuration's ``Endpoint`` on this machine,
for ``outbox``) and, when none answers, read the data dir. Only the standard library is imported
at import time; the server loads inside the runs.
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
    start.add_argument(
        "--region", type=_region, default="us-east-1", help="region of new pools and ARNs"
    )
    start.add_argument(
        "--issuer",
        choices=("aws", "local"),
        default="aws",
        help="tokens' iss: the AWS URL (default) or this server's URL",
    )
    _add_trigger_options(start)
    _add_hardening_options(start)
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


def _add_hardening_options(parser: argparse.ArgumentParser) -> None:
    browser = parser.add_argument_group("browsers and names")
    browser.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help=(
            "let pages of ORIGIN (https://app.example.com, or http://app.test:* for any port) "
            "call the user-plane operations (repeatable); http://localhost:*, 127.0.0.1:* and "
            "[::1]:* always may; management calls and /_local/* never get CORS"
        ),
    )
    browser.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help=(
            "also serve requests whose Host is NAME (.example.com: and its subdomains; "
            "repeatable); others get 403 (DNS rebinding)"
        ),
    )
    auth = parser.add_argument_group("signatures")
    auth.add_argument(
        "--strict-auth",
        action="store_true",
        help=(
            "verify SigV4 signatures of management calls against local credentials (default: "
            "any credentials are accepted); without --credentials-file a key pair is made, kept "
            "in the data dir, and written to an AWS shared-credentials file whose path is shown"
        ),
    )
    auth.add_argument(
        "--credentials-file",
        metavar="PATH",
        help="with --strict-auth: accept the key pairs of this AWS shared-credentials file",
    )
    limits = parser.add_argument_group("limits")
    limits.add_argument(
        "--max-body",
        type=_size,
        metavar="BYTES",
        help="largest request body (default 1MiB; accepts 512KiB, 2MiB)",
    )
    limits.add_argument(
        "--max-connections",
        type=int,
        metavar="N",
        help="open connections beyond N get 503 (default 1000, or half the descriptor limit)",
    )
    limits.add_argument(
        "--request-timeout",
        type=float,
        metavar="SECONDS",
        help="a request must arrive within this time, else 408 (default 10)",
    )
    faults = parser.add_argument_group("faults")
    faults.add_argument(
        "--faults",
        metavar="SPEC",
        help=(
            "inject faults into Cognito API calls, e.g. 'throttle=5%%,error=2%%,drop=1%%,"
            "latency=50-300ms,seed=7' (also drop-after=RATE, latency=DUR@RATE, ops=A+B)"
        ),
    )


_UNITS = {"": 1, "b": 1, "kib": 1024, "kb": 1000, "mib": 1024**2, "mb": 1000**2, "gib": 1024**3}


def _size(text: str) -> int:
    """``--max-body`` values: bytes, or a number with KiB/MiB/GiB (or kB/MB)."""
    number = text.strip().lower().rstrip()
    unit = number.lstrip("0123456789.")
    value = number[: len(number) - len(unit)]
    try:
        size = int(float(value) * _UNITS[unit.strip()])
    except (KeyError, ValueError):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a size (e.g. 1048576, 512KiB, 2MiB)"
        ) from None
    if size < 1:
        raise argparse.ArgumentTypeError("the size must be at least 1 byte")
    return size


def _hardening(args: argparse.Namespace) -> dict[str, Any] | int:
    """``LocalCognito`` keyword arguments for the hardening options, or an exit code after
    printing what is wrong with them."""
    from pyamplify.local.front.faults import FaultSpec, FaultSpecError
    from pyamplify.local.front.limits import Limits
    from pyamplify.local.front.policy import parse_origins
    from pyamplify.local.front.strict_auth import read_shared_credentials

    try:
        origins = parse_origins(args.cors_origin)
        faults = FaultSpec.parse(args.faults) if args.faults else None
    except (ValueError, FaultSpecError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    given = {
        name: value
        for name, value in (
            ("max_body", args.max_body),
            ("max_connections", args.max_connections),
            ("request_timeout", args.request_timeout),
        )
        if value is not None
    }
    try:
        limits = Limits(**given)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    credentials = None
    if args.credentials_file:
        if not args.strict_auth:
            print("error: --credentials-file goes with --strict-auth", file=sys.stderr)
            return 2
        try:
            text = Path(args.credentials_file).read_text(encoding="utf-8")
            credentials = read_shared_credentials(text)
        except (OSError, ValueError) as error:
            print(f"error: cannot read {args.credentials_file}: {error}", file=sys.stderr)
            return 1
        if not credentials:
            print(
                f"error: {args.credentials_file} has no aws_access_key_id / "
                "aws_secret_access_key pair",
                file=sys.stderr,
            )
            return 1
    return {
        "cors_origins": origins,
        "allowed_hosts": tuple(args.allowed_host),
        "strict_auth": args.strict_auth,
        "credentials": credentials,
        "limits": limits,
        "faults": faults,
    }


def _write_credentials_file(cognito: Any, data_dir: Path | None) -> Path:
    """The made strict-auth key pair as a 0600 shared-credentials file (never printed)."""
    import tempfile

    from pyamplify.local.front.strict_auth import PROFILE

    folder = data_dir if data_dir is not None else Path(tempfile.mkdtemp(prefix="pyamplify-"))
    path = folder / "aws-credentials"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(cognito.credentials.shared_credentials_file())
    if os.name == "posix":
        path.chmod(0o600)
    print(
        f"  strict auth: management calls must be signed with the key pair in {path} "
        f"(AWS_SHARED_CREDENTIALS_FILE={path} AWS_PROFILE={PROFILE})",
        flush=True,
    )
    return path


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _region(value: str) -> str:
    """``--region``: an AWS region name (usage error otherwise); an unknown one is warned about."""
    from pyamplify.config.validate import region_caution, region_problem

    problem = region_problem(value)
    if problem is not None:
        raise argparse.ArgumentTypeError(f"{problem}, e.g. us-east-1")
    caution = region_caution(value)
    if caution is not None:
        print(f"warning: --region {caution}", file=sys.stderr)
    return value


def run_start(args: argparse.Namespace) -> int:
    """Run ``pyamplify local start``; return the exit code."""
    try:
        from pyamplify.local import LocalCognito
    except ImportError as missing:
        return missing_extra(args, missing)
    hardening = _hardening(args)
    if isinstance(hardening, int):
        return hardening
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
        **hardening,
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
    written = None
    if cognito.credentials is not None:
        written = _write_credentials_file(cognito, data_dir)
    elif args.strict_auth:
        print("  strict auth: management calls must be signed with --credentials-file's keys")
    if cognito.faults.active:
        print(f"  faults: {cognito.faults.describe()}", flush=True)
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
        if written is not None and data_dir is None:  # an in-memory server's keys die with it
            written.unlink(missing_ok=True)
            written.parent.rmdir()
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
