"""``pyamplify auth ...``: sign up, sign in (with every next step), whoami, tokens, sign out,
and ``credentials`` (identity-pool AWS credentials, e.g. for the AWS CLI's credential_process).

Every subcommand takes ``--config PATH``, ``--profile NAME`` and ``--json``. Passwords never come
from argv: they are read from a hidden prompt on a terminal, or as lines on stdin with
``--password-stdin`` (one line per secret asked for, in order), so the commands work without a
TTY. Sessions persist in the default credential store (the OS keyring when a real one exists,
else a 0600 file under the user data dir), so ``sign-in`` in one process and ``whoami`` in the
next see the same session; ``whoami`` names the store. A locked keyring is an error that says
so (never "not signed in"); only ``credentials`` never waits for the keyring's unlock prompt.
Exit codes: 0 ok, 1 an auth or service error (Cognito's message is printed), 2 a usage error.
Only the standard library is imported at import time.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, Any

from pyamplify.cli.auth_common import (
    Prompter,
    delivery_document,
    delivery_text,
    open_auth,
    parse_pairs,
    store_choice,
    store_text,
)
from pyamplify.cli.auth_steps import step_document
from pyamplify.cli.parsing import (
    add_command,
    add_group,
    refuse_abbreviations,
    secret_input_options,
    session_options,
)
from pyamplify.cli.report import UsageError, emit, print_json

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pyamplify.auth import Auth, SignInResult, SignUpResult
    from pyamplify.auth.results import TOTPSetupDetails
    from pyamplify.cli.parsing import Subparsers

#: What ``sign-up`` and ``resend-code`` say was sent.
_CONFIRMATION = "A confirmation code"


def register(subparsers: Subparsers) -> None:
    """Add the ``auth`` command group and its subcommands."""
    common = session_options()
    secret_input = secret_input_options()
    commands = add_group(
        subparsers,
        "auth",
        help="sign up, sign in and out of a Cognito user pool",
        description="Sign up, sign in and out of the user pool in the Amplify configuration.",
    )

    sign_up = add_command(
        commands, "sign-up", run_sign_up, parents=[common, secret_input], help="register a new user"
    )
    sign_up.add_argument("username")
    sign_up.add_argument(
        "--attribute",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a user attribute, e.g. email=me@example.com (repeatable)",
    )

    confirm = add_command(
        commands,
        "confirm-sign-up",
        run_confirm_sign_up,
        parents=[common],
        help="confirm a sign-up with the code received",
    )
    confirm.add_argument("username")
    confirm.add_argument("code")

    resend = add_command(
        commands,
        "resend-code",
        run_resend_code,
        parents=[common],
        help="send the sign-up confirmation code again",
    )
    resend.add_argument("username")

    sign_in = add_command(
        commands,
        "sign-in",
        run_sign_in,
        parents=[common, secret_input],
        help="sign in (asks for what it needs, including each next step)",
    )
    sign_in.add_argument("username", nargs="?", help="asked for when left out")
    sign_in.add_argument(
        "--flow",
        choices=(
            "USER_SRP_AUTH",
            "USER_PASSWORD_AUTH",
            "CUSTOM_WITH_SRP",
            "CUSTOM_WITHOUT_SRP",
            "USER_AUTH",
        ),
        help="sign-in flow (default: the configuration's authenticationFlowType; its "
        "CUSTOM_AUTH means CUSTOM_WITH_SRP when a password is given, else CUSTOM_WITHOUT_SRP; "
        "USER_AUTH offers the first factors the pool allows: password, codes, passkey)",
    )
    sign_in.add_argument(
        "--passwordless",
        choices=("email", "sms", "passkey"),
        help="sign in without a password (USER_AUTH): a code by e-mail or SMS, or a passkey",
    )
    sign_in.add_argument(
        "--answer-stdin",
        action="store_true",
        help="read the answers to the next steps (custom challenges, codes) as lines on stdin, "
        "with no prompts; with --password-stdin the password is the first line",
    )
    sign_in.add_argument(
        "--force",
        action="store_true",
        help="replace the profile's session: whoever is signed in on it is signed out first",
    )
    sign_in.add_argument(
        "--web",
        action="store_true",
        help="sign in through the Hosted UI in the browser (the configuration's OAuth block)",
    )
    sign_in.add_argument(
        "--provider", metavar="NAME", help="with --web: go straight to this identity provider"
    )
    sign_in.add_argument(
        "--no-browser",
        action="store_true",
        help="with --web: print the URL and read the redirect URL back (SSH sessions)",
    )

    m2m = add_command(
        commands,
        "m2m-token",
        run_m2m_token,
        parents=[common],
        help="print an access token of the client-credentials grant (cached until near expiry)",
    )
    m2m.add_argument(
        "--scopes", nargs="*", default=[], metavar="SCOPE", help="resource-server scopes"
    )

    add_command(commands, "whoami", run_whoami, parents=[common], help="show the signed-in user")

    tokens = add_command(
        commands,
        "tokens",
        run_tokens,
        parents=[common],
        help="print the session's tokens (refreshed when due)",
    )
    which = tokens.add_mutually_exclusive_group()
    for name in ("id", "access", "refresh"):
        which.add_argument(
            f"--{name}",
            dest="which",
            action="store_const",
            const=name,
            help=f"print only the {name} token, bare",
        )
    tokens.add_argument(
        "--decode",
        action="store_true",
        help="print the ID and access tokens' headers and claims (not verified; see auth verify)",
    )
    _register_verify(commands, common)

    sign_out = add_command(
        commands,
        "sign-out",
        run_sign_out,
        parents=[common],
        help="sign out and forget the session",
    )
    sign_out.add_argument(
        "--global",
        dest="global_sign_out",
        action="store_true",
        help="sign out of every device (GlobalSignOut), not only this one",
    )
    sign_out.add_argument(
        "--no-browser",
        action="store_true",
        help="after a web sign-in: print the /logout URL instead of opening it",
    )

    credentials = add_command(
        commands,
        "credentials",
        run_credentials,
        parents=[common],
        help="print AWS credentials from the identity pool (for credential_process)",
        description=(
            "Print temporary AWS credentials from the configuration's identity pool: the "
            "signed-in user's; a guest's only with --guest (or for a configuration without a "
            "user pool). --format process is the AWS CLI's "
            "credential_process output (use it in ~/.aws/config); env prints export lines; "
            "json prints them with the identity id. A cached answer costs no network call."
        ),
    )
    credentials.add_argument(
        "--format",
        dest="output_format",
        choices=("process", "env", "json"),
        default=None,
        help="output format (default: process; --json means json)",
    )
    credentials.add_argument(
        "--guest",
        action="store_true",
        help="when nobody is signed in on the profile, print a guest's credentials (without it "
        "the command exits 1 and says to sign in)",
    )
    from pyamplify.cli import account_cmd, devices_cmd, mfa_cmd, passkeys_cmd, profiles_cmd

    account_cmd.register(commands, common, secret_input)
    mfa_cmd.register(commands, common)
    devices_cmd.register(commands, common)
    passkeys_cmd.register(commands, common)
    profiles_cmd.register(commands)
    refuse_abbreviations(commands)


# --------------------------------------------------------------------------- input and output


def _when(expires_at: float) -> str:
    from datetime import datetime, timezone

    moment = datetime.fromtimestamp(expires_at, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    minutes = (expires_at - time.time()) / 60
    return f"{moment} (in {minutes:.0f} min)" if minutes >= 0 else f"{moment} (expired)"


# --------------------------------------------------------------------------- sign-up


def _sign_up_document(result: SignUpResult) -> dict[str, Any]:
    return {
        "is_sign_up_complete": result.is_sign_up_complete,
        "user_id": result.user_id,
        "next_step": step_document(result.next_step, "sign_up_step", "code_delivery_details"),
    }


def run_sign_up(args: argparse.Namespace) -> int:
    """``pyamplify auth sign-up USERNAME``."""
    attributes = parse_pairs(
        args.attribute, "--attribute {pair!r} is not NAME=VALUE (e.g. email=me@example.com)"
    )
    with open_auth(args) as auth:
        password = Prompter(args.password_stdin).secret("Password: ")
        result = auth.sign_up(args.username, password, attributes=attributes or None)
    if result.is_sign_up_complete:
        text = f"Signed up {args.username}; no confirmation needed. Next: pyamplify auth sign-in"
    elif result.next_step.code_delivery_details is None:
        text = (
            f"Signed up {args.username} (user id {result.user_id}). No confirmation code was "
            "sent: the user pool verifies no attribute of this user automatically (its "
            "AutoVerifiedAttributes), so an administrator must confirm the user, e.g. aws "
            f"cognito-idp admin-confirm-sign-up --user-pool-id POOL --username {args.username}"
        )
    else:
        text = (
            f"Signed up {args.username} (user id {result.user_id}). "
            f"{delivery_text(result.next_step.code_delivery_details, _CONFIRMATION)}\n"
            f"Next: pyamplify auth confirm-sign-up {args.username} CODE"
        )
    emit(args, _sign_up_document(result), text)
    return 0


def run_confirm_sign_up(args: argparse.Namespace) -> int:
    """``pyamplify auth confirm-sign-up USERNAME CODE``."""
    with open_auth(args) as auth:
        result = auth.confirm_sign_up(args.username, args.code)
    text = f"Confirmed {args.username}. Next: pyamplify auth sign-in {args.username}"
    emit(args, _sign_up_document(result), text)
    return 0


def run_resend_code(args: argparse.Namespace) -> int:
    """``pyamplify auth resend-code USERNAME``."""
    with open_auth(args) as auth:
        details = auth.resend_sign_up_code(args.username)
    emit(
        args,
        {"code_delivery_details": delivery_document(details)},
        delivery_text(details, _CONFIRMATION),
    )
    return 0


# --------------------------------------------------------------------------- sign-in


#: What a sign-in's ``next_step`` shows in JSON (not the TOTP setup's key: a secret).
_SIGN_IN_STEP_FIELDS = (
    "sign_in_step",
    "missing_attributes",
    "code_delivery_details",
    "additional_info",
    "allowed_mfa_types",
    "available_challenges",
)


def _sign_in_document(result: SignInResult) -> dict[str, Any]:
    next_step = step_document(result.next_step, *_SIGN_IN_STEP_FIELDS)
    return {"is_signed_in": result.is_signed_in, "next_step": next_step}


def _answer_next_step(auth: Auth, result: SignInResult, prompter: Prompter) -> SignInResult:
    from pyamplify.auth import SignInStep

    step = result.next_step
    kind = step.sign_in_step
    if kind is SignInStep.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED:
        print("A new password is required.", file=sys.stderr)
        new_password = prompter.secret("New password: ", "new password")
        attributes = {
            name: prompter.text(f"{name}: ", f"attribute {name}")
            for name in step.missing_attributes
        }
        return auth.confirm_sign_in(new_password, attributes=attributes or None)
    if kind is SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE:
        return auth.confirm_sign_in(prompter.text("Code from your authenticator app: ", "code"))
    if kind in (
        SignInStep.CONFIRM_SIGN_IN_WITH_SMS_CODE,
        SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE,
    ):
        # stderr, with the prompt: stdout carries only the result (--json must stay parseable)
        sent = delivery_text(step.code_delivery_details)
        print(sent, end=" ", file=sys.stderr)
        return auth.confirm_sign_in(prompter.text("Code: ", "code"))
    if kind is SignInStep.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE:
        # The Lambda's public parameters (what to answer), on stderr: stdout is the result.
        shown = {k: v for k, v in step.additional_info.items() if k != "USERNAME"}
        lines = [f"  {name}: {value}" for name, value in sorted(shown.items())]
        print("\n".join(["Custom challenge:", *lines]), file=sys.stderr, flush=True)
        return auth.confirm_sign_in(prompter.text("Answer: ", "answer"))
    if kind is SignInStep.CONTINUE_SIGN_IN_WITH_MFA_SELECTION:
        choices = "/".join(step.allowed_mfa_types)
        return auth.confirm_sign_in(prompter.text(f"MFA type ({choices}): ", "MFA type"))
    if kind is SignInStep.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION:
        choices = "/".join(step.allowed_mfa_types)
        return auth.confirm_sign_in(prompter.text(f"MFA type to set up ({choices}): ", "MFA type"))
    if kind is SignInStep.CONTINUE_SIGN_IN_WITH_EMAIL_SETUP:
        return auth.confirm_sign_in(prompter.text("E-mail address for MFA codes: ", "address"))
    if kind is SignInStep.CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION:
        choices = "/".join(step.available_challenges)
        return auth.confirm_sign_in(prompter.text(f"Sign in with ({choices}): ", "first factor"))
    if kind is SignInStep.CONFIRM_SIGN_IN_WITH_PASSWORD:
        return auth.confirm_sign_in(prompter.secret("Password: "))
    if kind is SignInStep.CONTINUE_SIGN_IN_WITH_TOTP_SETUP and step.totp_setup_details:
        _show_totp_setup(auth, step.totp_setup_details)
        return auth.confirm_sign_in(prompter.text("Code from the app: ", "code"))
    raise UsageError(f"the sign-in step {kind.value} cannot be answered from the CLI yet")


def _show_totp_setup(auth: Auth, details: TOTPSetupDetails) -> None:
    """Show the person the key to add to their app (and its QR code): on a terminal's stderr
    only, so the shared secret never lands in a JSON result, a pipe or a CI log."""
    if not sys.stderr.isatty():
        raise UsageError(
            "this user must set up an authenticator app first, which shows a secret key: run "
            "`pyamplify auth sign-in` on a terminal"
        )
    from pyamplify.cli.mfa_cmd import issuer_for, show_setup

    uri = details.get_setup_uri(issuer_for(auth.config, None))
    show_setup(details, uri, qr=True)


#: Next steps that leave the sign-in: (Cognito's code behind it, message, fix).
_LEAVING_STEPS: dict[str, tuple[str, str, str]] = {
    "CONFIRM_SIGN_UP": (
        "UserNotConfirmedException",
        "{user} has not confirmed the sign-up yet",
        "pyamplify auth confirm-sign-up {user} CODE (pyamplify auth resend-code {user} sends a "
        "new code)",
    ),
    "RESET_PASSWORD": (
        "PasswordResetRequiredException",
        "{user} must reset their password before signing in",
        "pyamplify auth reset-password {user}",
    ),
}


def _interactive(args: argparse.Namespace) -> bool:
    """Whether a person at a terminal answers (not a script piping stdin)."""
    return not getattr(args, "password_stdin", False) and sys.stdin.isatty()


def _reset_during_sign_in(auth: Auth, username: str, prompter: Prompter) -> str | None:
    """RESET_PASSWORD on a terminal: offer the reset now; the new password, or ``None``."""
    answer = prompter.text(f"{username} must reset their password. Reset it now? [Y/n] ", "answer")
    if answer.lower() not in ("", "y", "yes"):
        return None
    from pyamplify.cli.account_cmd import reset_with_code

    return reset_with_code(auth, username, prompter, None)


def _sign_out_first(auth: Auth) -> str | None:
    """``sign-in --force``: sign whoever is on the profile out (a failed revocation is only
    reported); the username that was signed in, if any."""
    signed_out: list[str | None] = []
    unsubscribe = auth.events.subscribe(
        lambda event: signed_out.append(event.username) if event.name == "signed_out" else None
    )
    try:
        result = auth.sign_out()
    finally:
        unsubscribe()
    if signed_out:
        print(f"Signed out {signed_out[0]} (--force).", file=sys.stderr)
    if not result.is_complete:
        error = result.revoke_token_error or result.global_sign_out_error
        print(f"warning: the old session's token revocation failed: {error}", file=sys.stderr)
    return signed_out[0] if signed_out else None


def _signed_in(auth: Auth, result: SignInResult) -> tuple[dict[str, Any], str]:
    """What a finished sign-in reports: its result, who signed in, and until when."""
    user = auth.get_current_user()
    session = auth.fetch_auth_session()
    document = _sign_in_document(result)
    document.update(username=user.username, user_id=user.user_id)
    expiry = _when(session.tokens.expires_at) if session.tokens else "?"
    return document, f"Signed in as {user.username} (session valid until {expiry})."


def _run_web_sign_in(args: argparse.Namespace) -> int:
    """``pyamplify auth sign-in --web [--provider NAME] [--no-browser]``."""
    if args.username or args.flow or args.answer_stdin or args.passwordless:
        raise UsageError(
            "--web signs in on the Hosted UI's page: give no username, --flow, --passwordless "
            "or --answer-stdin"
        )
    with open_auth(args) as auth:
        if args.force:
            _sign_out_first(auth)
        result = auth.sign_in_with_web_ui(
            provider=args.provider,
            open_browser=not args.no_browser,
            read_redirect=lambda: input("Paste the address the browser ended on: ").strip(),
        )
        document, text = _signed_in(auth, result)
    emit(args, document, text)
    return 0


def run_m2m_token(args: argparse.Namespace) -> int:
    """``pyamplify auth m2m-token --scopes ...``: a client-credentials access token."""
    with open_auth(args) as auth:
        token = auth.fetch_client_credentials_token(args.scopes)
    document = {
        "access_token": token.access_token,
        "expires_at": token.expires_at,
        "scopes": list(token.scopes),
    }
    emit(args, document, token.access_token)
    return 0


def _sign_in_password(args: argparse.Namespace, auth: Auth, prompter: Prompter) -> str | None:
    """The password the flow needs: none for CUSTOM_WITHOUT_SRP; for a configuration's
    CUSTOM_AUTH, an empty answer (or none piped in) means a custom sign-in without one."""
    flow = args.flow or auth.config.authentication_flow_type
    if flow in ("CUSTOM_WITHOUT_SRP", "CUSTOM_AUTH_WITHOUT_SRP", "USER_AUTH"):
        return None  # USER_AUTH asks for one only if the password factor is chosen
    if flow == "CUSTOM_AUTH":
        if args.password_stdin:
            return prompter.secret("Password: ") or None
        if args.answer_stdin or not sys.stdin.isatty():
            return None
        return prompter.secret("Password (Enter for none: the custom challenge first): ") or None
    return prompter.secret("Password: ")


#: ``sign-in --passwordless`` -> USER_AUTH's PREFERRED_CHALLENGE.
_PASSWORDLESS = {"email": "EMAIL_OTP", "sms": "SMS_OTP", "passkey": "WEB_AUTHN"}


def run_sign_in(args: argparse.Namespace) -> int:
    """``pyamplify auth sign-in [USERNAME] [--force]``: sign in, answering each next step."""
    if args.web:
        return _run_web_sign_in(args)
    if args.provider or args.no_browser:
        raise UsageError("--provider and --no-browser go with --web")
    from pyamplify.cli.report import fail

    prompter = Prompter(args.password_stdin, quiet=args.answer_stdin)
    with open_auth(args) as auth:
        username = args.username or prompter.text("Username: ", "username")
        if not username:
            raise UsageError("a username is needed")
        if args.passwordless and args.flow not in (None, "USER_AUTH"):
            raise UsageError("--passwordless signs in with the USER_AUTH flow; drop --flow")
        flow = "USER_AUTH" if args.passwordless else args.flow
        preferred = _PASSWORDLESS.get(args.passwordless or "")
        args.flow = flow
        password = _sign_in_password(args, auth, prompter)
        if args.force:
            _sign_out_first(auth)
        result = auth.sign_in(username, password, flow=flow, preferred_challenge=preferred)
        while not result.is_signed_in:
            step = result.next_step.sign_in_step.value
            if step == "RESET_PASSWORD" and _interactive(args):
                new_password = _reset_during_sign_in(auth, username, prompter)
                if new_password is not None:
                    result = auth.sign_in(username, new_password, flow=args.flow)
                    continue
            if step in _LEAVING_STEPS:
                code, message, fix = _LEAVING_STEPS[step]
                details = {"next_step": _sign_in_document(result)["next_step"]}
                return fail(
                    args,
                    code,
                    message.format(user=username),
                    fix.format(user=username),
                    details=details,
                )
            result = _answer_next_step(auth, result, prompter)
        document, text = _signed_in(auth, result)
    emit(args, document, text)
    return 0


# --------------------------------------------------------------------------- session


def _watch_expiry(auth: Auth) -> list[str | None]:
    """Collect the users whose session ends by itself during this command."""
    ended: list[str | None] = []
    auth.events.subscribe(
        lambda event: ended.append(event.username) if event.name == "session_expired" else None
    )
    return ended


def _ended(auth: Auth, args: argparse.Namespace, seen: list[str | None]) -> str | None:
    """Who on this profile had a session that ended by itself: just now (``seen``), or earlier
    (the marker the store keeps until a sign-in or sign-out), else ``None``."""
    if seen:
        return seen[0] or "?"
    from pyamplify.auth.stored import ended_login
    from pyamplify.storage import default_store

    return ended_login(auth.config, args.profile, default_store())


def ended_message(user: str) -> str:
    """The words every command uses for a session that ended by itself."""
    from pyamplify.auth._identity_core import ENDED_REASON

    return f"the session of {user!r} ended: {ENDED_REASON}; sign in again"


def not_signed_in(
    auth: Auth,
    args: argparse.Namespace,
    seen: list[str | None],
    store: Mapping[str, Any] | None = None,
) -> int:
    """Report that nobody is signed in on the profile, or whose session ended, and how to sign
    in (exit 1); ``store`` (the store's description) is named too when given."""
    from pyamplify.cli.report import fail, sign_in_command

    details: dict[str, Any] = {"profile": args.profile}
    where = ""
    if store is not None:
        details["store"] = dict(store)
        where = f"; {store_text(store)}"
    user = _ended(auth, args, seen)
    if user is not None:
        details["username"] = user
        return fail(
            args, "SessionEndedError", ended_message(user), sign_in_command(args), details=details
        )
    message = f"not signed in (profile {args.profile!r}{where})"
    return fail(args, "SignedOutError", message, sign_in_command(args), details=details)


def run_whoami(args: argparse.Namespace) -> int:
    """``pyamplify auth whoami``: the signed-in user of this profile, and the store in use."""
    from pyamplify.storage import KeyringLockedError

    choice = store_choice()
    store = choice.describe()
    try:
        with open_auth(args, choice) as auth:
            seen = _watch_expiry(auth)
            session = auth.fetch_auth_session()
            if not session.is_signed_in or session.tokens is None:
                return not_signed_in(auth, args, seen, store)
            user = auth.get_current_user()
    except KeyringLockedError as locked:
        if not args.json:
            raise
        # Neither signed in nor out: unknown until the keyring is unlocked.
        from pyamplify.cli.report import error_code, error_message, fix_for, print_error_json

        unknown = {
            "is_signed_in": None,
            "profile": args.profile,
            "store": {**store, "locked": True},
        }
        print_error_json(error_code(locked), error_message(locked), fix_for(locked, args), unknown)
        print(f"error: {locked}", file=sys.stderr)
        return locked.exit_code
    details = user.sign_in_details
    claims = session.tokens.id_token.claims
    document = {
        "is_signed_in": True,
        "profile": args.profile,
        "username": user.username,
        "user_id": user.user_id,
        "login_id": details.login_id if details else None,
        "auth_flow_type": details.auth_flow_type if details else None,
        "email": claims.get("email"),
        "expires_at": int(session.tokens.expires_at),
        "identity_id": session.identity_id,
        "aws_credentials_error": str(session.credentials_error or "") or None,
        "store": store,
    }
    lines = [
        f"{user.username} (user id {user.user_id})",
        f"signed in as {document['login_id']!r} with {document['auth_flow_type']}",
        f"tokens valid until {_when(session.tokens.expires_at)}",
    ]
    if session.credentials is not None:
        expiry = _when(session.credentials.expires_at)
        lines.append(f"identity {session.identity_id}: AWS credentials valid until {expiry}")
    elif session.credentials_error is not None:
        lines.append(f"no AWS credentials: {session.credentials_error}")
    if claims.get("email"):
        lines.insert(1, f"email: {claims['email']}")
    lines.append(f"session kept in {store_text(store)}")
    emit(args, document, "\n".join(lines))
    return 0


def run_tokens(args: argparse.Namespace) -> int:
    """``pyamplify auth tokens [--id|--access|--refresh] [--decode]``."""
    with open_auth(args) as auth:
        seen = _watch_expiry(auth)
        session = auth.fetch_auth_session()
        tokens = session.tokens
        if tokens is None:
            return not_signed_in(auth, args, seen)
    if args.decode:
        return _print_decoded(args, tokens.id_token.token, tokens.access_token.token)
    values = {
        "id": tokens.id_token.token,
        "access": tokens.access_token.token,
        "refresh": tokens.refresh_token,
    }
    if args.which:
        value = values[args.which]
        if value is None:
            from pyamplify.cli.report import fail

            return fail(args, "NoSuchToken", f"the session has no {args.which} token")
        emit(args, {f"{args.which}_token": value}, value)
        return 0
    document: dict[str, Any] = {f"{name}_token": value for name, value in values.items()}
    document["expires_at"] = int(tokens.expires_at)
    text = "\n".join(f"{name}_token: {value}" for name, value in values.items())
    emit(args, document, f"{text}\nexpires: {_when(tokens.expires_at)}")
    return 0


# --------------------------------------------------------------------------- verify, decode
def _register_verify(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    verify = commands.add_parser(
        "verify",
        parents=[common],
        help="verify an ID or access token against the configured user pool and app client",
        description=(
            "Check a token as a back-end should (pyamplify.verify): RS256 signature with the "
            "pool's key, iss, token_use, the app client, exp and iat. Keys come through the "
            "configuration's endpoint when it has one (a local Cognito), else from AWS. Exit 0 "
            "valid, 1 refused (the reason is printed)."
        ),
    )
    verify.add_argument("token", metavar="TOKEN", help="the token; - reads it from stdin")
    verify.add_argument(
        "--token-use",
        choices=("id", "access"),
        help="the kind expected (default: what the token says it is, id or access)",
    )
    verify.add_argument(
        "--issuer",
        metavar="URL",
        help="the iss to require (default: the pool's AWS issuer; a local Cognito started "
        "with --issuer local issues its own URL)",
    )
    verify.set_defaults(func=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    """``pyamplify auth verify TOKEN``."""
    from pyamplify.verify import TokenVerificationError, TokenVerifier, decode_unverified

    token = sys.stdin.readline().strip() if args.token == "-" else args.token.strip()
    try:
        use = args.token_use or decode_unverified(token)["claims"].get("token_use")
        if use not in ("id", "access"):
            raise TokenVerificationError(
                "the token says it is neither an ID nor an access token (token_use); "
                "pass --token-use"
            )
        options = {"issuer": args.issuer} if args.issuer else {}
        verifier = TokenVerifier.from_config(args.config, token_use=use, **options)
        claims = verifier.verify(token)
    except TokenVerificationError as refused:
        if args.json:
            emit(
                args, {"valid": False, "error": type(refused).__name__, "reason": str(refused)}, ""
            )
        print(f"invalid: {refused}", file=sys.stderr)
        return 1
    who = claims.get("cognito:username") or claims.get("username") or claims.get("sub")
    client = claims.get("aud") if use == "id" else claims.get("client_id")
    text = (
        f"valid {use} token of {who} for app client {client}\n"
        f"issuer: {claims['iss']}\nkeys: {verifier.jwks_uri}\nexpires: {_when(claims['exp'])}"
    )
    document = {"valid": True, "token_use": use, "claims": claims, "jwks_uri": verifier.jwks_uri}
    emit(args, document, text)
    return 0


def _print_decoded(args: argparse.Namespace, id_token: str, access_token: str) -> int:
    """``auth tokens --decode``: headers and claims, unverified (the refresh token is opaque)."""
    from pyamplify.verify import decode_unverified

    if args.which == "refresh":
        print("error: a refresh token is opaque (encrypted): it cannot be decoded", file=sys.stderr)
        return 1
    chosen = {"id": id_token, "access": access_token}
    names = [args.which] if args.which else ["id", "access"]
    document = {f"{name}_token": decode_unverified(chosen[name]) for name in names}
    print_json(document)
    return 0


def run_sign_out(args: argparse.Namespace) -> int:
    """``pyamplify auth sign-out [--global]``."""
    from pyamplify.cli.report import fail
    from pyamplify.storage import KeyringLockedError

    signed_out: list[str | None] = []
    with open_auth(args) as auth:
        auth.events.subscribe(
            lambda event: signed_out.append(event.username) if event.name == "signed_out" else None
        )
        try:
            ended = _ended(auth, args, [])  # before: signing out clears the marker
            result = auth.sign_out(
                global_sign_out=args.global_sign_out, open_browser=not args.no_browser
            )
        except KeyringLockedError as locked:
            from pyamplify.cli.report import error_code, fix_for

            return fail(args, error_code(locked), f"not signed out: {locked}", fix_for(locked))
    was = signed_out[0] if signed_out else None
    problems: list[tuple[str, Any]] = [
        ("token revocation", result.revoke_token_error),
        ("global sign-out", result.global_sign_out_error),
    ]
    document = {
        "signed_out_locally": result.signed_out_locally,
        "status": result.status,
        "was_signed_in": bool(signed_out),
        "username": was or ended,
        "session_had_ended": not signed_out and ended is not None,
        "revoke_token_error": str(result.revoke_token_error or "") or None,
        "global_sign_out_error": str(result.global_sign_out_error or "") or None,
    }
    failed = [(what, error) for what, error in problems if error is not None]
    if failed:
        what, error = failed[0]
        message = f"signed out locally, but the {what} failed: {error}"
        return fail(args, "PartialSignOut", message, details={"result": document})
    if signed_out:
        text = f"Signed out {was}."
    elif ended is not None:
        text = f"{ended_message(ended).capitalize()}. Signed out: guests may use the app again."
    else:
        text = f"Nobody was signed in (profile {args.profile!r})."
    emit(args, document, text)
    return 0


# --------------------------------------------------------------------------- AWS credentials


def run_credentials(args: argparse.Namespace) -> int:
    """``pyamplify auth credentials [--format process|env|json] [--guest]`` (the full path:
    the fast path in :mod:`pyamplify.cli.credentials_fast` answers cache hits before this
    loads). A guest's credentials only with ``--guest`` (or without a user pool): the AWS CLI
    must never switch to the guest role because a session is missing or signed out."""
    from pyamplify.auth import NoIdentityPoolError, SignedOutError
    from pyamplify.auth.credentials import iso8601
    from pyamplify.aws.process import CredentialFields, render

    if args.output_format and args.json:
        raise UsageError("--format and --json say the same thing twice; give one of them")
    output_format = args.output_format or ("json" if args.json else "process")
    # The AWS CLI waits on this command: a locked keyring fails at once, never with a prompt.
    with open_auth(args, store_choice(unlock_timeout=0)) as auth:
        if auth.config.identity_pool is None:
            where = f" {auth.config.source}" if auth.config.source else ""
            raise NoIdentityPoolError(
                f"the configuration{where} has no identity pool, so there are no AWS "
                "credentials to print; add one (Gen 1: CredentialsProvider.CognitoIdentity."
                "Default.PoolId, Gen 2: auth.identity_pool_id) or pass --config"
            )
        if not args.guest and auth.config.user_pool is not None:
            seen = _watch_expiry(auth)
            try:
                auth.get_current_user()  # no identity-pool call for a refused request
            except SignedOutError:
                if not seen and _ended(auth, args, seen) is None:
                    raise _guest_refused(args) from None
        session = auth.fetch_auth_session()
    credentials = session.credentials
    if credentials is None:
        # Cognito's typed error (e.g. no guest access), or SessionExpiredError telling the user
        # to run `pyamplify auth sign-in`: printed by main, exit 1.
        assert session.credentials_error is not None
        raise session.credentials_error
    fields = CredentialFields(
        access_key_id=credentials.access_key_id,
        secret_access_key=credentials.secret_access_key,
        session_token=credentials.session_token,
        expiration=iso8601(credentials.expires_at),
        identity_id=session.identity_id,
        guest=not session.is_signed_in,
    )
    print(render(fields, output_format))
    return 0


def _guest_refused(args: argparse.Namespace) -> Exception:
    """The error for credentials asked of a profile nobody is signed in on, without --guest."""
    from pyamplify.auth import SignedOutError
    from pyamplify.cli.report import sign_in_command

    command = sign_in_command(args)
    error = SignedOutError(
        f"nobody is signed in on profile {args.profile!r}, and a guest's credentials are given "
        f"only with --guest; sign in: {command}"
    )
    error.fix = command
    return error
