"""The terminal prompter over plain text streams, and the headless one."""

from __future__ import annotations

import io

import pytest

from pyamplify.provision.errors import ImportRuleError, ProvisionError
from pyamplify.provision.prompts import HeadlessPrompter, Option, TerminalPrompter

OPTIONS = [Option(f"pool-{name} (us-east-1_{name})", name) for name in ("alpha", "beta", "gamma")]


def ask(answers: str) -> tuple[TerminalPrompter, io.StringIO]:
    output = io.StringIO()
    return TerminalPrompter(io.StringIO(answers), output), output


def test_number_enter_and_search() -> None:
    prompter, _ = ask("2\n")
    assert prompter.select("Pick:", OPTIONS, flag="--x") == "beta"
    prompter, _ = ask("\n")
    assert prompter.select("Pick:", OPTIONS, flag="--x") == "alpha"
    prompter, _ = ask("gam\n")
    assert prompter.select("Pick:", OPTIONS, flag="--x") == "gamma"


def test_narrowing_then_choosing_and_no_match() -> None:
    prompter, output = ask("zzz\npool-\nbeta\n")
    assert prompter.select("Pick:", OPTIONS, flag="--x") == "beta"
    assert "No choice matches 'zzz'." in output.getvalue()


def test_long_lists_ask_to_narrow() -> None:
    many = [Option(f"item-{i:02d}", i) for i in range(25)]
    prompter, output = ask("item-2\n3\n")
    assert prompter.select("Pick:", many, flag="--x") == 22
    assert "… and 15 more: type part of a name to narrow" in output.getvalue()


def test_validation_refuses_and_asks_again() -> None:
    prompter, output = ask("1\n3\n")
    chosen = prompter.select(
        "Pick:", OPTIONS, flag="--x", validate=lambda v: "alpha is broken" if v == "alpha" else None
    )
    assert chosen == "gamma"
    assert "✖ alpha is broken" in output.getvalue()


def test_confirm_and_end_of_input() -> None:
    prompter, _ = ask("maybe\ny\n")
    assert prompter.confirm("Sure?", default=False) is True
    prompter, _ = ask("\n")
    assert prompter.confirm("Sure?", default=True) is True
    prompter, _ = ask("")
    with pytest.raises(ProvisionError, match="pass the choices as flags"):
        prompter.select("Pick:", OPTIONS, flag="--x")


def test_headless_names_the_flag_and_the_choices() -> None:
    headless = HeadlessPrompter()
    with pytest.raises(ImportRuleError) as raised:
        headless.select("Select the User Pool you want to import:", OPTIONS, flag="--user-pool-id")
    message = str(raised.value)
    assert "there are 3 choices" in message and "pass --user-pool-id" in message
    assert "pool-gamma (us-east-1_gamma)" in message
    assert headless.confirm("Sure?", default=False) is False
