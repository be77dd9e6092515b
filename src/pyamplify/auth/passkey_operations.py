"""The signed-in user's passkeys, written once for ``Auth`` and ``AsyncAuth``.

``associate_webauthn_credential`` runs StartWebAuthnRegistration, has the authenticator make
the credential (a :class:`~pyamplify.auth.effects.Blocking` effect: a security key waits for a
touch), and sends it with CompleteWebAuthnRegistration; listing and deleting are one call each.
All take a fresh access token of the signed-in user (refreshed first when due).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyamplify.auth.effects import Op
from pyamplify.auth.operations import access_token_op
from pyamplify.auth.passkey_flows import (
    ListWebAuthnCredentialsResult,
    complete_registration_flow,
    delete_credential_flow,
    list_credentials_flow,
    start_registration_flow,
)
from pyamplify.auth.passkey_sign_in import authenticator_op

if TYPE_CHECKING:
    from pyamplify.auth._core import AuthCore


def associate_op(core: AuthCore) -> Op[None]:
    """``associate_webauthn_credential``: register a new passkey for the signed-in user."""
    access_token = yield from access_token_op(core)
    options = yield from start_registration_flow(access_token)
    credential = yield from authenticator_op(core, "create", options)
    yield from complete_registration_flow(access_token, credential)


def list_op(
    core: AuthCore, page_size: int | None, next_token: str | None
) -> Op[ListWebAuthnCredentialsResult]:
    """``list_webauthn_credentials``: one page of the signed-in user's passkeys."""
    access_token = yield from access_token_op(core)
    return (
        yield from list_credentials_flow(access_token, page_size=page_size, next_token=next_token)
    )


def delete_op(core: AuthCore, credential_id: str) -> Op[None]:
    """``delete_webauthn_credential``: forget one of the signed-in user's passkeys."""
    access_token = yield from access_token_op(core)
    yield from delete_credential_flow(access_token, credential_id)
