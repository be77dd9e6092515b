"""``pyamplify auth mfa status | setup-totp | enable | disable | prefer``: the user's MFA.

``setup-totp`` asks Cognito for a new software-token secret and shows it on the terminal (the
key, the ``otpauth://`` URI and a QR code drawn with half blocks), reads the first code from the
authenticator app, verifies it and switches TOTP on (preferred unless another factor already
is). The secret reaches stdout, a file or JSON only when asked (``--print-secret``,
``--qr-file``); scripts run it in two steps (``--print-secret``, then ``--code CODE``). The TOTP
issuer (the name the app shows) is ``--issuer``, else the name of the folder that holds the
configuration file (the app's project folder, as the Amplify CLI names projects), else the user
pool id. Only the standard library is imported at import time.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from pyamplify.cli.auth_common import Prompter, open_auth
from pyamplify.cli.parsing import add_command, add_group
from pyamplify.cli.report import UsageError, emit

if TYPE_CHECKING:
    from pyamplify.auth import Auth, TOTPSetupDetails
    from pyamplify.cli.parsing import Subparsers
    from pyamplify.config import AuthConfig

#: The factor names the commands take (any case) -> ``update_mfa_preference`` keyword.
FACTORS = {"totp": "totp", "sms": "sms", "email": "email"}


def register(commands: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``auth mfa`` and its subcommands."""
    which = add_group(
        commands,
        "mfa",
        help="the signed-in user's MFA: status, set up an authenticator app, enable, prefer",
        description="The signed-in user's MFA settings.",
    )
    add_command(which, "status", run_status, parents=[common], help="the enabled and preferred MFA")

    setup = add_command(
        which,
        "setup-totp",
        run_setup_totp,
        parents=[common],
        help="set up an authenticator app (key and QR code on the terminal)",
        description=(
            "Show a new TOTP key and QR code on the terminal, read the app's first code, verify "
            "it and switch TOTP on. Scripts: --print-secret shows the key on stdout and stops; "
            "--code CODE then verifies it."
        ),
    )
    setup.add_argument("--issuer", help="the name the authenticator app shows (default: app)")
    setup.add_argument("--code", help="the app's code for a key shown before: only verify it")
    setup.add_argument("--friendly-name", help="a name for this authenticator (device)")
    setup.add_argument(
        "--print-secret",
        action="store_true",
        help="also print the key and URI on stdout (and in --json): they are secrets",
    )
    setup.add_argument(
        "--qr-file", metavar="PATH", help="also write the QR code to PATH (.png or .svg, 0600)"
    )
    setup.add_argument("--no-qr", action="store_true", help="do not draw the QR code")

    for name, value, words in (
        ("enable", "ENABLED", "switch an MFA factor on"),
        ("disable", "DISABLED", "switch an MFA factor off"),
        ("prefer", "PREFERRED", "make an MFA factor the one Cognito asks for"),
    ):
        command = add_command(
            which, name, run_preference, parents=[common], help=f"{words}: totp, sms or email"
        )
        command.add_argument("factor", type=str.lower, choices=sorted(FACTORS), metavar="FACTOR")
        command.set_defaults(preference=value)


def issuer_for(config: AuthConfig, given: str | None) -> str:
    """The TOTP issuer: ``given``, else the configuration file's folder name, else the pool id."""
    if given:
        return given
    if config.source and os.path.isfile(config.source):
        folder = os.path.basename(os.path.dirname(os.path.abspath(config.source)))
        if folder and folder not in (os.sep, "."):
            return folder
    pool = config.user_pool
    return pool.pool_id if pool is not None else "pyamplify"


def account_name(auth: Auth) -> str:
    """The account the authenticator app lists: the name the user signs in with."""
    user = auth.get_current_user()
    details = user.sign_in_details
    return details.login_id if details and details.login_id else user.username


def show_setup(details: TOTPSetupDetails, uri: str, *, qr: bool) -> None:
    """The key, URI and QR code on stderr (the caller has checked it is a terminal)."""
    from pyamplify.cli import qr as qr_code

    key = details.shared_secret
    grouped = " ".join(key[index : index + 4] for index in range(0, len(key), 4))
    print(
        "Add this account to your authenticator app: scan the QR code, or type the key.",
        file=sys.stderr,
    )
    if qr:
        qr_code.draw(uri, sys.stderr)
    print(f"  key: {key}\n       ({grouped})\n  uri: {uri}", file=sys.stderr)


def run_status(args: argparse.Namespace) -> int:
    """``pyamplify auth mfa status``."""
    with open_auth(args) as auth:
        preference = auth.fetch_mfa_preference()
        config = auth.config
    document = {
        "enabled": list(preference.enabled),
        "preferred": preference.preferred,
        "pool": {
            "mfa_configuration": config.mfa_configuration,
            "mfa_types": list(config.mfa_types),
        },
    }
    enabled = ", ".join(preference.enabled) or "none"
    lines = [f"enabled: {enabled}", f"preferred: {preference.preferred or 'none'}"]
    if config.mfa_configuration:
        types = ", ".join(config.mfa_types) or "?"
        lines.append(f"user pool (configuration): MFA {config.mfa_configuration}, types {types}")
    emit(args, document, "\n".join(lines))
    return 0


def _switch_on(auth: Auth) -> str:
    """After a verified setup: TOTP on, and preferred unless another factor already is."""
    preference = auth.fetch_mfa_preference()
    wanted = "PREFERRED" if preference.preferred in (None, "TOTP") else "ENABLED"
    auth.update_mfa_preference(totp=wanted)
    return wanted


def run_setup_totp(args: argparse.Namespace) -> int:
    """``pyamplify auth mfa setup-totp``."""
    asked = args.print_secret or args.qr_file
    with open_auth(args) as auth:
        if args.code:
            auth.verify_totp_setup(args.code, args.friendly_name)
            state = _switch_on(auth)
            return _done(args, state)
        if not sys.stderr.isatty() and not asked:
            raise UsageError(
                "the key of an authenticator app is a secret and is shown only on a terminal; "
                "run this on one, or pass --print-secret (stdout) or --qr-file PATH"
            )
        name = account_name(auth)
        details = auth.set_up_totp()
        uri = details.get_setup_uri(issuer_for(auth.config, args.issuer), name)
        if args.qr_file:
            from pyamplify.cli import qr

            qr.save(uri, args.qr_file)
        if sys.stderr.isatty():
            show_setup(details, uri, qr=not args.no_qr)
        if not sys.stdin.isatty():  # a script: it comes back with --code
            document = {"verified": False, "next": "pyamplify auth mfa setup-totp --code CODE"}
            if args.print_secret:
                document.update(shared_secret=details.shared_secret, setup_uri=uri)
            text = f"key: {details.shared_secret}\nuri: {uri}\n" if args.print_secret else ""
            emit(args, document, f"{text}Next: pyamplify auth mfa setup-totp --code CODE")
            return 0
        if args.print_secret and not args.json:
            print(f"key: {details.shared_secret}\nuri: {uri}", flush=True)
        code = Prompter(False).text("Code from the app: ", "code")
        auth.verify_totp_setup(code, args.friendly_name)
        state = _switch_on(auth)
    return _done(args, state)


def _done(args: argparse.Namespace, state: str) -> int:
    words = "on and preferred" if state == "PREFERRED" else "on (another factor stays preferred)"
    document = {"verified": True, "totp": state}
    emit(args, document, f"TOTP is {words}.")
    return 0


def run_preference(args: argparse.Namespace) -> int:
    """``pyamplify auth mfa enable|disable|prefer FACTOR``."""
    with open_auth(args) as auth:
        auth.update_mfa_preference(**{FACTORS[args.factor]: args.preference})
        preference = auth.fetch_mfa_preference()
    document = {"enabled": list(preference.enabled), "preferred": preference.preferred}
    text = (
        f"{args.factor.upper()}: {args.preference}. Enabled now: "
        f"{', '.join(preference.enabled) or 'none'}; preferred: {preference.preferred or 'none'}"
    )
    emit(args, document, text)
    return 0
