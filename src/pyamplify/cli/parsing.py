"""How command modules declare their commands: one way for groups, commands and shared options.

A group (``pyamplify auth``) run without its subcommand prints its own help (main reads
``group_parser``); a command carries the function that runs it (``func``, called with the parsed
arguments, returning the exit code). The options many commands share are declared here once, with
the same words everywhere: the session options ``--config``, ``--profile`` and ``--json``, and the
secret input (``--password-stdin``; ``--password`` is refused without repeating its value).

Only the standard library is imported: ``pyamplify --help`` builds every parser.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    #: What ``add_subparsers()`` returns: where a group's commands are added.
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]
    #: A command's function: the parsed arguments in, the exit code out.
    Run = Callable[[argparse.Namespace], int]

#: ``--json`` of a command that prints one object (the rule: :mod:`pyamplify.cli.report`).
JSON_HELP = "print one JSON object on stdout"


def add_group(
    subparsers: Subparsers,
    name: str,
    *,
    help: str,
    description: str,
    parents: Sequence[argparse.ArgumentParser] = (),
    run: Run | None = None,
) -> Subparsers:
    """Add the command group ``name`` and return where its subcommands go (parsed into
    ``<name>_command``). Without a subcommand the group runs ``run`` when given (``auth
    attributes`` shows them), else main prints the group's help."""
    group = subparsers.add_parser(name, parents=list(parents), help=help, description=description)
    group.set_defaults(group_parser=group)
    if run is not None:
        group.set_defaults(func=run)
    return group.add_subparsers(dest=f"{name}_command", metavar="SUBCOMMAND")


def add_command(
    commands: Subparsers,
    name: str,
    run: Run,
    *,
    help: str,
    description: str | None = None,
    parents: Sequence[argparse.ArgumentParser] = (),
) -> argparse.ArgumentParser:
    """Add the command ``name``, run by ``run``; returns its parser for its own arguments."""
    command = commands.add_parser(name, parents=list(parents), help=help, description=description)
    command.set_defaults(func=run)
    return command


def add_json_option(parser: argparse.ArgumentParser, help: str = JSON_HELP) -> None:
    """``--json``: the result (or the error object) as JSON on stdout."""
    parser.add_argument("--json", action="store_true", help=help)


def session_options() -> argparse.ArgumentParser:
    """``--config``, ``--profile`` and ``--json``, as a parent parser: the options of every
    command that works on a profile's session."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument("--config", metavar="PATH", help="the Amplify configuration file")
    options.add_argument(
        "--profile", default="default", metavar="NAME", help="session slot (default: default)"
    )
    add_json_option(options)
    return options


def leaf_session_options() -> argparse.ArgumentParser:
    """The session options for a subcommand below one that has them too: their defaults are
    SUPPRESS, so ``auth attributes --config X set …`` keeps X (a subparser's defaults would
    otherwise overwrite what the enclosing parser parsed)."""
    leaf = argparse.ArgumentParser(add_help=False)
    leaf.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="the config")
    leaf.add_argument("--profile", metavar="NAME", default=argparse.SUPPRESS, help="session slot")
    leaf.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="JSON out")
    return leaf


class _SaidOption(argparse.Action):
    """An option that says something when used instead of storing its value under its own name:
    refused (a usage error) or, with ``store_as``, noted on stderr and stored under that name.
    ``message`` may name the option as given (``{option}``); it never repeats the value."""

    def __init__(
        self,
        option_strings: list[str],
        dest: str,
        *,
        message: str,
        store_as: str | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(option_strings, dest, **kwargs)
        self.message = message
        self.store_as = store_as

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        text = self.message.format(option=option_string)
        if self.store_as is None:
            parser.error(text)
        print(f"note: {text}", file=sys.stderr)
        setattr(namespace, self.store_as, values)


def add_refused_option(parser: argparse.ArgumentParser, *flags: str, why: str) -> None:
    """``flags`` are refused with ``why`` (and hidden from the help), whatever follows them."""
    parser.add_argument(
        *flags, nargs="?", action=_SaidOption, message=why, store_as=None, help=argparse.SUPPRESS
    )


def add_renamed_option(
    parser: argparse.ArgumentParser, flag: str, *, store_as: str, note: str, metavar: str
) -> None:
    """``flag`` is the old name of the option stored as ``store_as``: still taken (hidden from
    the help), with ``note`` on stderr."""
    parser.add_argument(
        flag,
        metavar=metavar,
        action=_SaidOption,
        message=note,
        store_as=store_as,
        help=argparse.SUPPRESS,
    )


def secret_input_options() -> argparse.ArgumentParser:
    """``--password-stdin`` (secrets as lines on stdin, for scripts), and ``--password``
    refused, as a parent parser: the options of every command that asks for a secret."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password (and any later secret) as lines on stdin instead of prompting",
    )
    add_refused_option(
        options,
        "--password",
        "-p",
        why="passwords are never taken on the command line (it lands in shell history and "
        "process lists); type it at the prompt or pipe it in with --password-stdin",
    )
    return options


def refuse_abbreviations(commands: Subparsers) -> None:
    """No abbreviated options in these commands and every command below them: argparse would
    quote an ambiguous ``--pass=<the password>`` back."""
    for command in dict.fromkeys(commands.choices.values()):
        command.allow_abbrev = False
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                refuse_abbreviations(action)
