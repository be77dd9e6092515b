"""What the ``auth`` subcommands share: opening ``Auth`` on the profile, the store in use, asking
for input, and the words and documents of a code that was sent.

Used by :mod:`pyamplify.cli.auth_cmd` and the modules that add to its group
(:mod:`~pyamplify.cli.account_cmd`, :mod:`~pyamplify.cli.mfa_cmd`,
:mod:`~pyamplify.cli.profiles_cmd`). Only the standard library is imported at import time (and
:mod:`pyamplify.cli.report`, which imports nothing else); the library loads when a command runs.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from pyamplify.cli.report import UsageError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterable, Mapping

    from pyamplify.auth import Auth
    from pyamplify.auth.results import CodeDeliveryDetails
    from pyamplify.storage import StoreChoice


class Prompter:
    """Asks the person (or reads stdin) for what a command needs; never echoes secrets.

    ``quiet`` (``--answer-stdin``): answers are stdin lines and no prompt is printed.
    """

    def __init__(self, password_stdin: bool, *, quiet: bool = False) -> None:
        self.password_stdin = password_stdin
        self.quiet = quiet

    def _line(self, what: str) -> str:
        line = sys.stdin.readline()
        if not line:
            raise UsageError(f"stdin ended before the {what} was given")
        return line.rstrip("\r\n")

    def secret(self, prompt: str, what: str = "password") -> str:
        """A secret: a stdin line with ``--password-stdin``, else a hidden terminal prompt."""
        if self.password_stdin:
            return self._line(what)
        if not sys.stdin.isatty():
            raise UsageError(
                f"no terminal to ask for the {what} on; pipe it in and pass --password-stdin"
            )
        import getpass

        return getpass.getpass(prompt)

    def text(self, prompt: str, what: str) -> str:
        """A visible answer (username, code, attribute): prompt on stderr, read a line."""
        if not self.quiet:
            print(prompt, end="", file=sys.stderr, flush=True)
        return self._line(what).strip()


def open_auth(args: argparse.Namespace, choice: StoreChoice | None = None) -> Auth:
    """``Auth`` for ``--config`` and ``--profile``, on the chosen store (else the default)."""
    from pyamplify.auth import Auth

    return Auth(args.config, profile=args.profile, store=choice.store if choice else None)


def store_choice(unlock_timeout: float | None = None) -> StoreChoice:
    """The credential store in use, and how it was chosen (``whoami`` and ``profiles`` say)."""
    from pyamplify.storage import choose_store

    return choose_store(unlock_timeout=unlock_timeout)


def store_text(store: Mapping[str, Any]) -> str:
    """``keyring (backend)`` / ``files in DIR`` / ``memory``, for messages."""
    if store["kind"] == "keyring":
        return f"the keyring ({store['backend']})"
    if store["kind"] == "file":
        return f"files in {store['directory']}"
    return str(store["kind"])


def delivery_document(details: CodeDeliveryDetails | None) -> dict[str, Any] | None:
    """Where a code went, in a result's JSON (``code_delivery_details``)."""
    if details is None:
        return None
    return {
        "destination": details.destination,
        "delivery_medium": details.delivery_medium,
        "attribute_name": details.attribute_name,
    }


def delivery_text(details: CodeDeliveryDetails | None, what: str = "A code") -> str:
    """``A code was sent by email to a***@e***.`` (``what`` names the code)."""
    if details is None:
        return f"{what} was sent."
    how = f" by {details.delivery_medium.lower()}" if details.delivery_medium else ""
    where = f" to {details.destination}" if details.destination else ""
    return f"{what} was sent{how}{where}."


def parse_pairs(words: Iterable[str], refusal: str) -> dict[str, str]:
    """``NAME=VALUE`` words as a dict; a word without ``=`` or a name is a usage error whose
    message is ``refusal`` with ``{pair}`` filled in."""
    pairs: dict[str, str] = {}
    for word in words:
        name, sep, value = word.partition("=")
        if not sep or not name.strip():
            raise UsageError(refusal.format(pair=word))
        pairs[name.strip()] = value
    return pairs
