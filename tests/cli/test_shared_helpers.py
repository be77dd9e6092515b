"""The helpers the command modules share: declaring commands (:mod:`pyamplify.cli.parsing`),
the auth commands' input and words (:mod:`pyamplify.cli.auth_common`), and reporting a result
under the ``--json`` rule (:func:`pyamplify.cli.report.emit`)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from typing import Any

import pytest

from pyamplify.auth.results import CodeDeliveryDetails
from pyamplify.cli.auth_common import delivery_document, delivery_text, parse_pairs
from pyamplify.cli.main import build_parser
from pyamplify.cli.parsing import (
    add_command,
    add_group,
    leaf_session_options,
    refuse_abbreviations,
    session_options,
)
from pyamplify.cli.report import UsageError, emit


def _run(args: argparse.Namespace) -> int:
    return 0


def _show(args: argparse.Namespace) -> int:
    return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="test")
    subparsers = parser.add_subparsers(dest="command")
    things = add_group(
        subparsers, "things", help="h", description="d", parents=[session_options()], run=_show
    )
    add_command(things, "list", _run, help="list them", parents=[leaf_session_options()])
    plain = add_group(subparsers, "plain", help="h", description="d")
    add_command(plain, "go", _run, help="go")
    return parser


def test_a_group_without_its_subcommand_runs_its_own_function_or_names_its_parser() -> None:
    parser = _parser()
    things = parser.parse_args(["things", "--profile", "p"])
    assert things.func is _show and things.things_command is None and things.profile == "p"
    assert isinstance(things.group_parser, argparse.ArgumentParser)
    plain = parser.parse_args(["plain"])
    assert not hasattr(plain, "func") and plain.group_parser.prog.endswith("plain")


def test_a_command_carries_its_function_and_a_leaf_keeps_what_its_group_parsed() -> None:
    parser = _parser()
    args = parser.parse_args(["things", "--config", "outer.json", "list", "--json"])
    assert args.func is _run and args.things_command == "list"
    assert args.config == "outer.json" and args.json is True and args.profile == "default"
    assert parser.parse_args(["things", "list", "--config", "inner.json"]).config == "inner.json"


def _below(commands: Any) -> Iterator[argparse.ArgumentParser]:
    for command in commands.choices.values():
        yield command
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                yield from _below(action)


def _group(name: str) -> Any:
    top = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return next(a for a in top.choices[name]._actions if isinstance(a, argparse._SubParsersAction))


def test_no_auth_command_takes_abbreviated_options_however_deep() -> None:
    below = list(_below(_group("auth")))
    names = {command.prog.split(" ", 2)[-1] for command in below}
    assert {"mfa setup-totp", "attributes set", "sign-in", "profiles"} <= names
    assert all(not command.allow_abbrev for command in below)
    # the other groups keep argparse's default
    assert all(command.allow_abbrev for command in _below(_group("config")))


def test_refuse_abbreviations_reaches_nested_groups() -> None:
    parser = _parser()
    top = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    refuse_abbreviations(top)
    assert all(not command.allow_abbrev for command in _below(top))


def test_parse_pairs_splits_at_the_first_equals_sign_and_refuses_with_the_given_words() -> None:
    assert parse_pairs([" name =Ada", "note=a=b", "empty="], "{pair!r} bad") == {
        "name": "Ada",
        "note": "a=b",
        "empty": "",
    }
    for word in ("novalue", "=x", " =x"):
        with pytest.raises(UsageError) as refused:
            parse_pairs([word], "--attribute {pair!r} is not NAME=VALUE")
        assert str(refused.value) == f"--attribute {word!r} is not NAME=VALUE"


def test_delivery_words_and_document() -> None:
    details = CodeDeliveryDetails(
        destination="a***@e***", delivery_medium="EMAIL", attribute_name="email"
    )
    assert delivery_text(details) == "A code was sent by email to a***@e***."
    assert delivery_text(None, "A confirmation code") == "A confirmation code was sent."
    bare = CodeDeliveryDetails(destination=None, delivery_medium=None, attribute_name=None)
    assert delivery_text(bare, "a verification code") == "a verification code was sent."
    assert delivery_document(details) == {
        "destination": "a***@e***",
        "delivery_medium": "EMAIL",
        "attribute_name": "email",
    }
    assert delivery_document(None) is None


def test_emit_prints_the_document_with_json_else_the_text(capsys: Any) -> None:
    document = {"b": "é", "a": 1}
    emit(argparse.Namespace(json=True), document, "text")
    out = capsys.readouterr().out
    assert json.loads(out) == document and out.index('"a"') < out.index('"b"') and "é" in out
    emit(argparse.Namespace(json=False), document, "text")
    assert capsys.readouterr().out == "text\n"
    emit(argparse.Namespace(), document, "")
    assert capsys.readouterr().out == ""


def test_a_missing_local_extra_is_named_with_its_fix(capsys: Any) -> None:
    from pyamplify.cli.local_cmd import missing_extra

    missing = ImportError("No module named 'uvicorn'", name="uvicorn")
    assert missing_extra(argparse.Namespace(), missing) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "(uvicorn is missing)" in captured.err
    assert "fix: pip install 'pyamplify[local]'" in captured.err
    assert missing_extra(argparse.Namespace(json=True), missing) == 1
    error = json.loads(capsys.readouterr().out)["error"]
    assert error["code"] == "MissingDependencyError" and "uvicorn" in error["message"]
