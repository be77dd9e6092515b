"""Entry point of the ``pyamplify`` command: argument parsing, dispatch and error reporting.

argparse (stdlib) is used instead of Typer/Click because start-up time matters: the AWS CLI runs
``pyamplify auth credentials`` every time it needs credentials, and ``pyamplify --help`` should
feel instant. Each command group lives in its own module listed in ``COMMAND_MODULES``; a module
exposes ``register(subparsers)`` which adds its parser and sets ``func`` to a ``run(args) -> int``.
"""

from __future__ import annotations

import sys

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (mypy treats this name the same way):
#: ``pyamplify auth credentials`` must not pay for imports it does not use.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import NoReturn, TextIO

#: Command modules, in the order they appear in ``--help``. Each must import only the stdlib.
COMMAND_MODULES: tuple[str, ...] = (
    # one entry per command module, in the order users meet the commands
    "pyamplify.cli.config_cmd",
    "pyamplify.cli.auth_cmd",
    "pyamplify.cli.import_cmd",
    "pyamplify.cli.doctor_cmd",
    "pyamplify.cli.demo_cmd",
    "pyamplify.cli.local_cmd",
    "pyamplify.cli.aws_cmd",
)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


class ParserUsageError(Exception):
    """argparse's usage error, raised instead of printed so that ``--json`` can report it."""

    def __init__(self, message: str, usage: str) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage


def _parser_class() -> type[argparse.ArgumentParser]:
    """An ``ArgumentParser`` whose usage errors raise :class:`ParserUsageError` (subparsers inherit
    the class); built on first use so that the fast path never imports argparse."""
    import argparse

    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            raise ParserUsageError(message, self.format_usage())

    return Parser


def build_parser() -> argparse.ArgumentParser:
    """Build the full argument parser from the registered command modules."""
    import importlib

    from pyamplify import __version__

    parser = _parser_class()(
        prog="pyamplify",
        description="Amplify Auth for Python: sign in to Amazon Cognito, and a local Cognito.",
    )
    parser.add_argument("--version", action="version", version=f"pyamplify {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show tracebacks for unexpected errors"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    _accept_global_options(parser, top=True)
    return parser


def _accept_global_options(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """Let ``--debug`` follow any subcommand too (``pyamplify auth whoami --debug``). Below the
    top its default is SUPPRESS, so a subcommand never resets what the top level parsed."""
    import argparse

    if not top:
        parser.add_argument(
            "--debug",
            action="store_true",
            default=argparse.SUPPRESS,
            help="show tracebacks for unexpected errors",
        )
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                _accept_global_options(child)


def _tolerant(stream: TextIO) -> None:
    """Never fail to print a message because the terminal cannot encode a character."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the process exit code (0 ok, 1 error, 2 usage)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:2] == ["auth", "credentials"]:
        # The AWS CLI runs this for every credential lookup: answer a cache hit before argparse
        # and the command modules load (see pyamplify.cli.credentials_fast).
        from pyamplify.cli import credentials_fast

        code = credentials_fast.run(arguments[2:])
        if code is not None:
            return code
    return _main(arguments)


def _main(argv: list[str]) -> int:
    from pyamplify.errors import PyamplifyError

    _tolerant(sys.stdout)
    _tolerant(sys.stderr)
    parser = build_parser()
    try:
        args, extras = parser.parse_known_args(argv)
        if extras:
            parser.error(_unrecognized(args, extras))
    except ParserUsageError as usage:
        return _usage_error(usage, wants_json="--json" in argv)
    except SystemExit as exit_request:  # --help and --version exit 0
        return int(exit_request.code or 0)
    func = getattr(args, "func", None)
    if func is None:
        # A group without its subcommand (e.g. ``pyamplify config``) prints that group's help.
        (getattr(args, "group_parser", None) or parser).print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(func(args))
    except ParserUsageError as usage:
        return _usage_error(usage, wants_json=bool(getattr(args, "json", False)))
    except PyamplifyError as error:
        if args.debug:
            raise
        from pyamplify.cli.report import report_exception

        return report_exception(error, args, error.exit_code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (``pyamplify ... | head``): not an error worth a message.
        # Point stdout at devnull so the interpreter's final flush does not fail again.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as error:  # the last line of defence: no traceback reaches users
        if args.debug:
            raise
        from pyamplify.cli.report import fail

        return fail(
            args,
            "UnexpectedError",
            f"unexpected {_describe_unexpected(error)}\nThis is a bug in pyamplify; run again "
            "with --debug for the traceback and report it.",
        )


def _usage_error(usage: ParserUsageError, *, wants_json: bool) -> int:
    """argparse's report (usage line and message on stderr, exit 2), and with ``--json`` the
    error object on stdout."""
    if wants_json:
        from pyamplify.cli.report import print_error_json

        print_error_json("UsageError", usage.message, "see --help for the usage")
    sys.stderr.write(usage.usage)
    print(f"pyamplify: error: {usage.message}", file=sys.stderr)
    return EXIT_USAGE


def _unrecognized(args: argparse.Namespace, extras: list[str]) -> str:
    """argparse's "unrecognized arguments" message, except that ``auth`` words are not quoted.

    A stray word after ``pyamplify auth sign-in NAME`` is most likely the password typed
    where it is not asked for; printing it would copy it into terminal scroll-back and CI logs.
    """
    if getattr(args, "command", None) != "auth":
        return f"unrecognized arguments: {' '.join(extras)}"
    count = f"{len(extras)} unrecognized argument{'s' if len(extras) > 1 else ''}"
    return (
        f"{count} (not repeated here in case it is a secret); passwords are never taken on the "
        "command line: type it at the prompt or pipe it in with --password-stdin"
    )


def _describe_unexpected(error: Exception) -> str:
    """Name an unexpected error without its message, which may quote secrets.

    An exception we did not write can carry anything it was given: ``int()`` quotes its input,
    ``KeyError`` its key, an HTTP library the header or body it choked on. Only an operating
    system error's own parts (its ``strerror`` and file name) are known to be safe to show.
    """
    kind = type(error).__name__
    if isinstance(error, OSError) and error.strerror:
        where = f": {error.filename!r}" if error.filename is not None else ""
        return f"{kind}: {error.strerror}{where}"
    return kind


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
