"""The walk-through's questions, asked on a terminal or answered by flags.

:class:`TerminalPrompter` works on plain text streams (no curses, no raw mode): numbered
choices, type part of a name to narrow a long list, Enter for the default. That keeps it
usable over ssh, in CI logs, and drivable by a pseudo-terminal in tests. Questions go to the
error stream so that stdout stays clean for ``--json``.

:class:`HeadlessPrompter` is the same interface for scripts: it never asks; a question it
cannot answer is an error naming the flag that answers it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Generic, TextIO, TypeVar

from pyamplify.provision.errors import ImportRuleError, ProvisionError

T = TypeVar("T")

#: How many choices a list shows before asking to narrow it down by typing.
PAGE = 10


@dataclass(frozen=True)
class Option(Generic[T]):
    """One choice: what the user sees and what choosing it returns."""

    label: str
    value: T


@dataclass(frozen=True)
class Question(Generic[T]):
    """One choice to be made: the question, its options, the flag that answers it instead."""

    message: str
    options: Sequence[Option[T]]
    flag: str
    validate: Callable[[T], str | None] | None = None


class Prompter(ABC):
    """What the walk-through needs from whoever answers its questions.

    ``select`` is written once here; each prompter says how it answers a :class:`Question`.
    """

    #: Whether a person answers (False: flags and auto-selection only).
    interactive: ClassVar[bool]

    @abstractmethod
    def say(self, text: str) -> None:
        """Tell the user something (a selection made for them, a warning)."""

    def select(
        self,
        message: str,
        options: Sequence[Option[T]],
        *,
        flag: str,
        validate: Callable[[T], str | None] | None = None,
    ) -> T:
        """Choose one option; ``validate`` may refuse a choice with a message."""
        return self._answer(Question(message, options, flag, validate))

    @abstractmethod
    def _answer(self, question: Question[T]) -> T:
        """The value of the option chosen for ``question``."""

    @abstractmethod
    def confirm(self, message: str, *, default: bool) -> bool:
        """A yes/no question."""


class HeadlessPrompter(Prompter):
    """Answers nothing: every open question becomes an error naming its flag."""

    interactive = False

    def __init__(self) -> None:
        self.messages: list[str] = []

    def say(self, text: str) -> None:
        """Keep the message for the command's output."""
        self.messages.append(text)

    def _answer(self, question: Question[T]) -> T:
        """Refuse: the choice must come from ``question.flag``."""
        options = question.options
        listed = "\n".join(f"  {option.label}" for option in options)
        raise ImportRuleError(
            f"{question.message.rstrip(':')}: there are {len(options)} choices and no prompt "
            f"can be shown here; pass {question.flag} with one of:\n{listed}",
            rule="choice-needed",
        )

    def confirm(self, message: str, *, default: bool) -> bool:
        """Take the default answer."""
        return default


class TerminalPrompter(Prompter):
    """Asks on a terminal: numbered lists, narrowing by typed text, Enter for the default."""

    interactive = True

    def __init__(self, input: TextIO, output: TextIO) -> None:
        self._input = input
        self._output = output

    def _print(self, text: str = "") -> None:
        self._output.write(text + "\n")
        self._output.flush()

    def _ask(self, prompt: str) -> str:
        self._output.write(prompt)
        self._output.flush()
        line = self._input.readline()
        if not line:
            raise ProvisionError(
                "the input ended before the walk-through finished; to run without prompts, "
                "pass the choices as flags (--user-pool-id, --web-client-id, "
                "--native-client-id, --identity-pool-id) and --yes"
            )
        return line.strip()

    def say(self, text: str) -> None:
        """Print a message."""
        self._print(text)

    def _answer(self, question: Question[T]) -> T:
        """Show the options, read a number or a search text, validate, repeat until chosen."""
        options, validate = question.options, question.validate
        shown: Sequence[Option[T]] = options
        while True:
            self._print(f"? {question.message}")
            for number, option in enumerate(shown[:PAGE], start=1):
                self._print(f"  {number}) {option.label}")
            if len(shown) > PAGE:
                self._print(f"  … and {len(shown) - PAGE} more: type part of a name to narrow")
            answer = self._ask("Type a number or part of a name (Enter: 1): ")
            chosen = self._pick(answer, shown, options)
            if chosen is None:
                shown = self._narrow(answer, options)
                continue
            problem = validate(chosen.value) if validate is not None else None
            if problem is None:
                self._print(f"  → {chosen.label}")
                return chosen.value
            self._print(f"✖ {problem}")
            shown = options

    def _pick(
        self, answer: str, shown: Sequence[Option[T]], options: Sequence[Option[T]]
    ) -> Option[T] | None:
        if not answer:
            return shown[0]
        if answer.isdigit() and 1 <= int(answer) <= min(len(shown), PAGE):
            return shown[int(answer) - 1]
        matches = self._matches(answer, options)
        return matches[0] if len(matches) == 1 else None

    @staticmethod
    def _matches(answer: str, options: Sequence[Option[T]]) -> list[Option[T]]:
        needle = answer.lower()
        return [option for option in options if needle in option.label.lower()]

    def _narrow(self, answer: str, options: Sequence[Option[T]]) -> Sequence[Option[T]]:
        matches = self._matches(answer, options)
        if matches:
            return matches
        self._print(f"No choice matches '{answer}'.")
        return options

    def confirm(self, message: str, *, default: bool) -> bool:
        """Ask yes or no; Enter takes the default."""
        hint = "Y/n" if default else "y/N"
        while True:
            answer = self._ask(f"? {message} ({hint}) ").lower()
            if not answer:
                return default
            if answer in ("y", "yes"):
                return True
            if answer in ("n", "no"):
                return False
            self._print("Please answer y or n.")
