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
    from typing import TextIO

#: Command modules, in the order they appear in ``--help``. Each must import only the stdlib.
COMMAND_MODULES: tuple[str, ...] = (
    # one entry per command module, in the order users meet the commands
    "pyamplify.cli.config_cmd",
    "pyamplify.cli.auth_cmd",
    "pyamplify.cli.import_cmd",
    "pyamplify.cli.doctor_cmd",
    "pyamplify.cli.demo_cmd",
    "pyamplify.cli.local_cmd",
)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    """Build the full argument parser from the registered command modules."""
    import argparse
    import importlib

    from pyamplify import __version__

    parser = argparse.ArgumentParser(
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
    return parser


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
    except SystemExit as exit_request:  # argparse exits 2 on usage errors, 0 on --help
        return int(exit_request.code or 0)
    func = getattr(args, "func", None)
    if func is None:
        # A group without its subcommand (e.g. ``pyamplify config``) prints that group's help.
        (getattr(args, "group_parser", None) or parser).print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(func(args))
    except PyamplifyError as error:
        if args.debug:
            raise
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
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
        print(
            f"error: unexpected {_describe_unexpected(error)}\n"
            "This is a bug in pyamplify; run again with --debug for the traceback and report it.",
            file=sys.stderr,
        )
        return EXIT_ERROR


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
