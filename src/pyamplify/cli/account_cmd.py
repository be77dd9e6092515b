"""``pyamplify auth reset-password | change-password | attributes | delete-user``: the account.

Registered into the ``auth`` group by :mod:`pyamplify.cli.auth_cmd` and sharing its input rules:
passwords come from a hidden prompt or, with ``--password-stdin``, as lines on stdin (one per
secret asked for, in order); codes are asked for on a terminal or read as a line, or given with
``--code`` / as an argument. Commands that send a code take ``--send-code`` to stop after
sending it, so that a script can fetch the code and come back with ``--code``. Only the standard
library is imported at import time.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from pyamplify.cli.auth_common import (
    Prompter,
    delivery_document,
    delivery_text,
    open_auth,
    parse_pairs,
)
from pyamplify.cli.auth_steps import step_document
from pyamplify.cli.parsing import add_command, add_group, leaf_session_options
from pyamplify.cli.report import UsageError, emit

if TYPE_CHECKING:
    from pyamplify.auth import Auth, UpdateUserAttributeResult
    from pyamplify.auth.results import CodeDeliveryDetails
    from pyamplify.cli.parsing import Subparsers


def register(
    commands: Subparsers,
    common: argparse.ArgumentParser,
    secret_input: argparse.ArgumentParser,
) -> None:
    """Add the account subcommands to the ``auth`` group."""
    reset = add_command(
        commands,
        "reset-password",
        run_reset_password,
        parents=[common, secret_input],
        help="reset a forgotten password with a code Cognito sends",
        description=(
            "Send a code to the user's verified email or phone, then set a new password with it. "
            "Scripts: --send-code sends it and stops; --code CODE --password-stdin finishes."
        ),
    )
    reset.add_argument("username")
    when = reset.add_mutually_exclusive_group()
    when.add_argument("--code", help="the code already received: only set the new password")
    when.add_argument("--send-code", action="store_true", help="only send the code")

    add_command(
        commands,
        "change-password",
        run_change_password,
        parents=[common, secret_input],
        help="change the signed-in user's password",
        description="Change the password (asks for the current one and the new one).",
    )

    which = add_group(
        commands,
        "attributes",
        parents=[common],
        run=run_attributes_show,
        help="show, set, verify or delete the signed-in user's attributes",
        description="Without a subcommand: show the attributes (GetUser).",
    )
    leaf = leaf_session_options()
    add_command(which, "show", run_attributes_show, parents=[leaf], help="show the attributes")
    set_ = add_command(
        which,
        "set",
        run_attributes_set,
        parents=[leaf],
        help="set attributes: KEY=VALUE …",
        description=(
            "Update attributes; a changed email or phone number may get a verification code "
            "(verify it with: pyamplify auth attributes verify KEY CODE)."
        ),
    )
    set_.add_argument("pairs", nargs="+", metavar="KEY=VALUE")
    verify = add_command(
        which,
        "verify",
        run_attributes_verify,
        parents=[leaf],
        help="verify email or phone_number with a code",
        description="With CODE: verify. Without: send a code, then ask for it (or --send-code).",
    )
    verify.add_argument("key", metavar="KEY")
    verify.add_argument("code", metavar="CODE", nargs="?")
    verify.add_argument("--send-code", action="store_true", help="only send the code")
    delete = add_command(
        which, "delete", run_attributes_delete, parents=[leaf], help="delete attributes: KEY …"
    )
    delete.add_argument("keys", nargs="+", metavar="KEY")

    delete_user = add_command(
        commands,
        "delete-user",
        run_delete_user,
        parents=[common],
        help="delete the signed-in user's account for good",
        description="Asks to type the username to confirm, unless --yes.",
    )
    delete_user.add_argument("--yes", action="store_true", help="do not ask (for scripts)")


# --------------------------------------------------------------------------- shared


def _new_password(prompter: Prompter, interactive: bool) -> str:
    """The new password; typed twice on a terminal (a typo would lock the person out)."""
    first = prompter.secret("New password: ", "new password")
    if interactive and prompter.secret("Repeat the new password: ", "new password") != first:
        raise UsageError("the two new passwords differ; nothing was changed")
    return first


def reset_with_code(auth: Auth, username: str, prompter: Prompter, code: str | None) -> str:
    """Finish a password reset: send a code unless one is given, ask for it and a new password,
    confirm; returns the new password (sign-in uses it right away)."""
    if code is None:
        result = auth.reset_password(username)
        sent = delivery_text(result.next_step.code_delivery_details)
        print(sent, end=" ", file=sys.stderr)
        code = prompter.text("Code: ", "code")
    password = _new_password(prompter, interactive=not prompter.password_stdin)
    auth.confirm_reset_password(username, code, password)
    return password


def _code_sent(
    args: argparse.Namespace,
    document: dict[str, Any],
    details: CodeDeliveryDetails | None,
    then: str,
) -> int:
    """``--send-code`` stops here: where the code went, and the command that finishes with it."""
    emit(args, document, f"{delivery_text(details)}\nNext: {then}")
    return 0


# --------------------------------------------------------------------------- passwords


def run_reset_password(args: argparse.Namespace) -> int:
    """``pyamplify auth reset-password USER [--code CODE | --send-code]``."""
    prompter = Prompter(args.password_stdin)
    with open_auth(args) as auth:
        if args.send_code:
            result = auth.reset_password(args.username)
            fields = ("reset_password_step", "code_delivery_details")
            document = {
                "is_password_reset": False,
                "next_step": step_document(result.next_step, *fields),
            }
            then = f"pyamplify auth reset-password {args.username} --code CODE"
            return _code_sent(args, document, result.next_step.code_delivery_details, then)
        reset_with_code(auth, args.username, prompter, args.code)
    document = {
        "is_password_reset": True,
        "username": args.username,
        "next_step": {"reset_password_step": "DONE"},
    }
    text = f"Password reset for {args.username}. Next: pyamplify auth sign-in {args.username}"
    emit(args, document, text)
    return 0


def run_change_password(args: argparse.Namespace) -> int:
    """``pyamplify auth change-password``."""
    prompter = Prompter(args.password_stdin)
    with open_auth(args) as auth:
        user = auth.get_current_user()  # signed in? (before asking for passwords)
        old = prompter.secret("Current password: ", "current password")
        new = _new_password(prompter, interactive=not args.password_stdin and sys.stdin.isatty())
        auth.update_password(old, new)
    document = {"password_changed": True, "username": user.username}
    emit(args, document, f"Password changed for {user.username}.")
    return 0


# --------------------------------------------------------------------------- attributes


def run_attributes_show(args: argparse.Namespace) -> int:
    """``pyamplify auth attributes [show]``."""
    with open_auth(args) as auth:
        attributes = auth.fetch_user_attributes()
        user = auth.get_current_user()
    lines = [f"{name}: {value}" for name, value in sorted(attributes.items())]
    document = {"username": user.username, "attributes": attributes}
    emit(args, document, "\n".join(lines))
    return 0


def _attribute_document(result: UpdateUserAttributeResult) -> dict[str, Any]:
    next_step = step_document(result.next_step, "update_attribute_step", "code_delivery_details")
    return {"is_updated": result.is_updated, "next_step": next_step}


def run_attributes_set(args: argparse.Namespace) -> int:
    """``pyamplify auth attributes set KEY=VALUE …``; on a terminal a code that was sent can be
    entered right away."""
    changes = parse_pairs(args.pairs, "{pair!r} is not KEY=VALUE (e.g. given_name=Ada)")
    interactive = sys.stdin.isatty() and not args.json
    lines: list[str] = []
    with open_auth(args) as auth:
        results = auth.update_user_attributes(changes)
        for name, result in results.items():
            details = result.next_step.code_delivery_details
            if result.is_updated:
                lines.append(f"{name}: updated")
                continue
            sent = delivery_text(details, "a verification code")
            if interactive:
                print(f"{name}: {sent}", file=sys.stderr)
                prompter = Prompter(False)
                code = prompter.text(f"Code for {name} (Enter to verify later): ", "code")
                if code:
                    auth.confirm_user_attribute(name, code)
                    lines.append(f"{name}: updated and verified")
                    continue
            lines.append(
                f"{name}: {sent} Verify it with: pyamplify auth attributes verify {name} CODE"
            )
    document = {name: _attribute_document(result) for name, result in results.items()}
    emit(args, document, "\n".join(lines))
    return 0


def run_attributes_verify(args: argparse.Namespace) -> int:
    """``pyamplify auth attributes verify KEY [CODE] [--send-code]``."""
    if args.code and args.send_code:
        raise UsageError("give CODE or --send-code, not both")
    with open_auth(args) as auth:
        code = args.code
        if not code:
            details = auth.send_user_attribute_verification_code(args.key)
            if args.send_code:
                document = {
                    "attribute": args.key,
                    "code_delivery_details": delivery_document(details),
                }
                then = f"pyamplify auth attributes verify {args.key} CODE"
                return _code_sent(args, document, details, then)
            print(delivery_text(details), end=" ", file=sys.stderr)
            code = Prompter(False).text("Code: ", "code")
        auth.confirm_user_attribute(args.key, code)
    emit(args, {"attribute": args.key, "verified": True}, f"{args.key} is verified.")
    return 0


def run_attributes_delete(args: argparse.Namespace) -> int:
    """``pyamplify auth attributes delete KEY …``."""
    with open_auth(args) as auth:
        auth.delete_user_attributes(args.keys)
    emit(args, {"deleted": list(args.keys)}, f"Deleted: {', '.join(args.keys)}.")
    return 0


# --------------------------------------------------------------------------- the account


def run_delete_user(args: argparse.Namespace) -> int:
    """``pyamplify auth delete-user [--yes]``: asks to type the username unless ``--yes``."""
    with open_auth(args) as auth:
        user = auth.get_current_user()
        details = user.sign_in_details
        names = {user.username, details.login_id if details else user.username}
        if not args.yes:
            if not sys.stdin.isatty():
                raise UsageError(
                    "deleting an account is asked on a terminal; pass --yes to delete "
                    f"{user.username!r} without asking"
                )
            print(
                f"This deletes the account of {user.username!r} (user id {user.user_id}) and "
                "cannot be undone.",
                file=sys.stderr,
            )
            typed = Prompter(False).text("Type the username to confirm: ", "username")
            if typed not in names:
                raise UsageError("that is not the username; nothing was deleted")
        auth.delete_user()
    document = {"deleted": True, "username": user.username, "user_id": user.user_id}
    emit(args, document, f"Deleted the account of {user.username}.")
    return 0
