"""``pyamplify auth passkeys add | list | delete``: the signed-in user's passkeys.

``add`` registers a passkey on the machine's authenticator (a FIDO2 security key over USB or
NFC, or Windows Hello; ``pip install 'pyamplify[passkeys]'``): touch the key when it blinks.
``list`` shows the registered ones, ``delete ID`` removes one. Signing in with a passkey is
``pyamplify auth sign-in NAME --passwordless passkey``. Only the standard library is imported at
import time.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from pyamplify.cli.auth_common import open_auth
from pyamplify.cli.parsing import add_command, add_group
from pyamplify.cli.report import emit

if TYPE_CHECKING:
    from pyamplify.auth.passkey_flows import WebAuthnCredential
    from pyamplify.cli.parsing import Subparsers


def register(commands: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``auth passkeys`` and its subcommands."""
    which = add_group(
        commands,
        "passkeys",
        help="the signed-in user's passkeys: add one on a security key, list, delete",
        description="The signed-in user's passkeys (WebAuthn credentials).",
    )
    add_command(
        which,
        "add",
        run_add,
        parents=[common],
        help="register a passkey on this machine's security key or Windows Hello",
    )
    add_command(which, "list", run_list, parents=[common], help="the registered passkeys")
    delete = add_command(which, "delete", run_delete, parents=[common], help="delete a passkey")
    delete.add_argument("credential_id", metavar="ID", help="the passkey's id (from list)")


def _document(credential: WebAuthnCredential) -> dict[str, Any]:
    created = credential.created_at
    return {
        "credential_id": credential.credential_id,
        "friendly_name": credential.friendly_credential_name,
        "relying_party_id": credential.relying_party_id,
        "authenticator_attachment": credential.authenticator_attachment,
        "transports": list(credential.authenticator_transports),
        "created_at": created.isoformat() if created else None,
    }


def _all(auth: Any) -> list[WebAuthnCredential]:
    credentials: list[WebAuthnCredential] = []
    token: str | None = None
    while True:
        page = auth.list_webauthn_credentials(next_token=token)
        credentials.extend(page.credentials)
        token = page.next_token
        if token is None:
            return credentials


def run_add(args: argparse.Namespace) -> int:
    """``pyamplify auth passkeys add``."""
    with open_auth(args) as auth:
        print("Registering a passkey: touch your security key when asked.", file=sys.stderr)
        before = {c.credential_id for c in _all(auth)}
        auth.associate_webauthn_credential()
        added = [c for c in _all(auth) if c.credential_id not in before]
    document = {"added": [_document(c) for c in added]}
    which = added[0].credential_id if added else "?"
    emit(args, document, f"Passkey registered ({which}).")
    return 0


def run_list(args: argparse.Namespace) -> int:
    """``pyamplify auth passkeys list``."""
    with open_auth(args) as auth:
        credentials = _all(auth)
    document = {"passkeys": [_document(c) for c in credentials]}
    lines = [
        f"{c.credential_id}  {c.friendly_credential_name or '-'}  {c.relying_party_id or '-'}  "
        f"{c.created_at.date().isoformat() if c.created_at else '-'}"
        for c in credentials
    ]
    emit(args, document, "\n".join(lines) or "No passkeys.")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    """``pyamplify auth passkeys delete ID``."""
    with open_auth(args) as auth:
        auth.delete_webauthn_credential(args.credential_id)
    emit(args, {"deleted": args.credential_id}, f"Deleted passkey {args.credential_id}.")
    return 0
