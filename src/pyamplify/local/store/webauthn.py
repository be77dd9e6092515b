"""Passkeys: users' WebAuthn credentials and the registration ceremony each user has open.

A credential row keeps what the relying party needs to check later assertions: the credential
id and COSE public key (both base64url), the signature counter last seen, and what
ListWebAuthnCredentials shows (relying party, friendly name, attachment, transports, creation
time). Rows are keyed by the user's ``sub``, as the MFA table is, so a user deleted and created
again under the same name owns no passkey. A registration row is the challenge
StartWebAuthnRegistration issued, single use (taken when CompleteWebAuthnRegistration comes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from pyamplify.local.store.database import Database
from pyamplify.local.store.records import Columns


@dataclass(frozen=True)
class StoredCredential:
    """One registered passkey of a user."""

    credential_id: str
    sub: str
    #: The COSE public key, base64url.
    public_key: str = field(repr=False)
    sign_count: int
    rp_id: str
    friendly_name: str
    attachment: str | None
    transports: tuple[str, ...]
    created: float
    last_used: float | None = None


@dataclass(frozen=True)
class OpenRegistration:
    """A StartWebAuthnRegistration ceremony waiting for CompleteWebAuthnRegistration."""

    client_id: str
    #: The challenge, base64url.
    challenge: str = field(repr=False)
    rp_id: str
    user_verification: str
    expires_at: float


def _transports(value: str) -> tuple[str, ...]:
    return tuple(json.loads(value))


def _transports_json(transports: tuple[str, ...]) -> str:
    return json.dumps(list(transports))


#: The columns of ``webauthn_credentials`` besides ``pool_id``, named like the record's fields.
_CREDENTIALS = Columns(
    StoredCredential,
    (
        "credential_id",
        "sub",
        "public_key",
        "sign_count",
        "rp_id",
        "friendly_name",
        "attachment",
        "transports",
        "created",
        "last_used",
    ),
    encode={"transports": _transports_json},
    decode={"transports": _transports},
)
#: The columns of ``webauthn_registrations`` besides its key ``(pool_id, sub)``.
_REGISTRATIONS = Columns(
    OpenRegistration, ("client_id", "challenge", "rp_id", "user_verification", "expires_at")
)


class WebAuthnTables(Database):
    """Data access for passkeys and open registrations."""

    # ------------------------------------------------------------------ credentials

    def add_webauthn_credential(self, pool_id: str, credential: StoredCredential) -> None:
        """Keep a newly registered passkey."""
        self.execute(
            f"INSERT INTO webauthn_credentials (pool_id, {_CREDENTIALS})"
            f" VALUES (?, {_CREDENTIALS.placeholders})",
            (pool_id, *_CREDENTIALS.values(credential)),
        )

    def webauthn_credentials_of(self, pool_id: str, sub: str) -> list[StoredCredential]:
        """A user's passkeys, oldest first."""
        return self.records(
            _CREDENTIALS,
            "webauthn_credentials",
            "pool_id = ? AND sub = ? ORDER BY created, credential_id",
            (pool_id, sub),
        )

    def get_webauthn_credential(self, pool_id: str, credential_id: str) -> StoredCredential | None:
        """One passkey of the pool by its id, whoever owns it."""
        return self.record(
            _CREDENTIALS,
            "webauthn_credentials",
            "pool_id = ? AND credential_id = ?",
            (pool_id, credential_id),
        )

    def record_webauthn_use(
        self, pool_id: str, credential_id: str, sign_count: int, now: float
    ) -> None:
        """Remember the counter of an accepted assertion and when it was made."""
        self.execute(
            "UPDATE webauthn_credentials SET sign_count = ?, last_used = ?"
            " WHERE pool_id = ? AND credential_id = ?",
            (sign_count, now, pool_id, credential_id),
        )

    def delete_webauthn_credential(self, pool_id: str, sub: str, credential_id: str) -> bool:
        """Forget one of a user's passkeys; ``False`` when the user has no such passkey."""
        changed = self.execute(
            "DELETE FROM webauthn_credentials WHERE pool_id = ? AND sub = ? AND credential_id = ?",
            (pool_id, sub, credential_id),
        )
        return changed > 0

    # ------------------------------------------------------------------ registrations

    def put_webauthn_registration(
        self, pool_id: str, sub: str, registration: OpenRegistration
    ) -> None:
        """Open a registration ceremony for a user (replacing one left unfinished)."""
        self.execute(
            f"INSERT OR REPLACE INTO webauthn_registrations (pool_id, sub, {_REGISTRATIONS})"
            f" VALUES (?, ?, {_REGISTRATIONS.placeholders})",
            (pool_id, sub, *_REGISTRATIONS.values(registration)),
        )

    def take_webauthn_registration(self, pool_id: str, sub: str) -> OpenRegistration | None:
        """Remove and return the user's open registration: a challenge is used once."""
        row = self.take_one(
            "webauthn_registrations", str(_REGISTRATIONS), "pool_id = ? AND sub = ?", (pool_id, sub)
        )
        return None if row is None else _REGISTRATIONS.record(row)
