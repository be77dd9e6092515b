"""The passkey calls of a signed-in user, as sans-I/O flows (Amplify JS v6's
``associateWebAuthnCredential``, ``listWebAuthnCredentials``, ``deleteWebAuthnCredential``).

Registration is two calls around the authenticator: StartWebAuthnRegistration gives the
PublicKeyCredentialCreationOptions (a JSON document), the authenticator makes the credential
(an operation does that, :mod:`.passkey_operations`), CompleteWebAuthnRegistration sends its
RegistrationResponseJSON. Listing pages through ListWebAuthnCredentials.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pyamplify.auth.flows import Flow, _optional
from pyamplify.auth.results import epoch_datetime
from pyamplify.wire.call import idp
from pyamplify.wire.errors import ProtocolError


@dataclass(frozen=True)
class WebAuthnCredential:
    """One registered passkey (Amplify JS's ``AuthWebAuthnCredential``)."""

    credential_id: str
    friendly_credential_name: str | None = None
    relying_party_id: str | None = None
    authenticator_attachment: str | None = None
    authenticator_transports: tuple[str, ...] = ()
    created_at: datetime | None = None

    @classmethod
    def from_wire(cls, data: Mapping[str, Any]) -> WebAuthnCredential:
        """Read a ``WebAuthnCredentialDescription``."""
        created = data.get("CreatedAt")
        return cls(
            credential_id=str(data.get("CredentialId", "")),
            friendly_credential_name=data.get("FriendlyCredentialName"),
            relying_party_id=data.get("RelyingPartyId"),
            authenticator_attachment=data.get("AuthenticatorAttachment"),
            authenticator_transports=tuple(data.get("AuthenticatorTransports") or ()),
            created_at=epoch_datetime(created),
        )


@dataclass(frozen=True)
class ListWebAuthnCredentialsResult:
    """A page of passkeys and the token of the next page (``None`` on the last)."""

    credentials: tuple[WebAuthnCredential, ...]
    next_token: str | None = None


def start_registration_flow(access_token: str) -> Flow[dict[str, Any]]:
    """StartWebAuthnRegistration: the creation options (a JSON object; some clients have seen
    it as JSON text, which is read too)."""
    response = yield idp("StartWebAuthnRegistration", {"AccessToken": access_token})
    options = response.get("CredentialCreationOptions")
    if isinstance(options, str):
        try:
            options = json.loads(options)
        except ValueError:
            options = None
    if not isinstance(options, dict) or "challenge" not in options:
        raise ProtocolError("StartWebAuthnRegistration answered without CredentialCreationOptions")
    return options


def complete_registration_flow(access_token: str, credential: Mapping[str, Any]) -> Flow[None]:
    """CompleteWebAuthnRegistration with the authenticator's RegistrationResponseJSON."""
    payload = {"AccessToken": access_token, "Credential": dict(credential)}
    yield idp("CompleteWebAuthnRegistration", payload)


def list_credentials_flow(
    access_token: str, *, page_size: int | None = None, next_token: str | None = None
) -> Flow[ListWebAuthnCredentialsResult]:
    """ListWebAuthnCredentials: one page."""
    payload = {
        "AccessToken": access_token,
        **_optional(MaxResults=page_size, NextToken=next_token),
    }
    response = yield idp("ListWebAuthnCredentials", payload)
    credentials = tuple(
        WebAuthnCredential.from_wire(item)
        for item in response.get("Credentials") or []
        if isinstance(item, Mapping)
    )
    token = response.get("NextToken")
    return ListWebAuthnCredentialsResult(credentials, token if isinstance(token, str) else None)


def delete_credential_flow(access_token: str, credential_id: str) -> Flow[None]:
    """DeleteWebAuthnCredential."""
    payload = {"AccessToken": access_token, "CredentialId": credential_id}
    yield idp("DeleteWebAuthnCredential", payload)
