"""AWS credentials from an identity pool, and what is persisted about them between processes.

``AWSCredentials`` is what ``fetch_auth_session().credentials`` holds (Amplify's
``AWSTemporaryCredentials``). ``IdentityRecord`` is the store entry of one identity pool for one
(user pool, app client, profile): the guest identity id, the identity id of every login seen
(``<provider>|<sub>``), the credentials of whoever is current (the signed-in user, or the guest
when nobody is), and a marker left when a user's session ended without a sign-out, so that
guest credentials are not handed out in that user's place (Amplify Swift's stored
``isRefreshTokenExpired``). The record's layout is also read, without this module, by the CLI's
``auth credentials`` fast path (:mod:`pyamplify.cli.credentials_fast`): change both together.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any

logger = logging.getLogger("pyamplify.auth")

#: Version of the stored identity record's layout.
IDENTITY_RECORD_VERSION = 1
#: Refresh credentials this long before they expire (at most a quarter of their lifetime).
#: 15 minutes is botocore's advisory refresh window: credentials handed to the AWS CLI or boto3
#: (``credential_process``) always have more left than that, so botocore never rejects them.
CREDENTIALS_REFRESH_AHEAD_SECONDS = 900.0


@dataclass(frozen=True, repr=False)
class AWSCredentials:
    """Temporary AWS credentials (Amplify's ``AWSTemporaryCredentials``); secrets never shown."""

    access_key_id: str
    secret_access_key: str
    session_token: str
    #: When the credentials stop working (aware, UTC).
    expiration: datetime

    @property
    def expires_at(self) -> float:
        """``expiration`` as seconds since the epoch."""
        return self.expiration.timestamp()

    def as_process_output(self) -> dict[str, Any]:
        """The AWS CLI ``credential_process`` JSON document (``Version: 1``)."""
        return {
            "Version": 1,
            "AccessKeyId": self.access_key_id,
            "SecretAccessKey": self.secret_access_key,
            "SessionToken": self.session_token,
            "Expiration": iso8601(self.expires_at),
        }

    def __repr__(self) -> str:
        return (
            f"AWSCredentials(access_key_id={self.access_key_id[:4]!r}…, "
            f"expiration={iso8601(self.expires_at)!r}, <secret>)"
        )


def iso8601(epoch: float) -> str:
    """``2026-11-26T17:00:00Z``: the form ``credential_process`` and botocore read."""
    return datetime.fromtimestamp(int(epoch), timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def token_digest(token: str) -> str:
    """A short fingerprint of an ID token: credentials are refetched when it changes."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def credentials_refresh_at(expires_at: float, now: float, drift: float) -> float:
    """The local-clock instant from which credentials expiring at ``expires_at`` (server
    clock, ``drift`` = how far the server is ahead) must be refreshed."""
    lifetime = max(expires_at - (now + drift), 0.0)
    return expires_at - drift - min(CREDENTIALS_REFRESH_AHEAD_SECONDS, lifetime / 4)


@dataclass(frozen=True, repr=False)
class CurrentCredentials:
    """The credentials of the current principal: a login (``<provider>|<sub>``) or the guest."""

    login: str | None
    identity_id: str
    credentials: AWSCredentials
    #: Local-clock time from which they must be refreshed.
    refresh_at: float
    #: ``token_digest`` of the ID token they were obtained with (``None`` for the guest).
    id_token_digest: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (also read by the CLI fast path)."""
        creds = self.credentials
        return {
            "login": self.login,
            "identity_id": self.identity_id,
            "access_key_id": creds.access_key_id,
            "secret_access_key": creds.secret_access_key,
            "session_token": creds.session_token,
            "expiration": creds.expires_at,
            "expiration_iso": iso8601(creds.expires_at),
            "refresh_at": self.refresh_at,
            "id_token_digest": self.id_token_digest,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CurrentCredentials:
        """Rebuild from the JSON form; raises ``ValueError``/``TypeError``/``KeyError`` if bad."""
        strings = ("identity_id", "access_key_id", "secret_access_key", "session_token")
        for name in strings:
            if not isinstance(data[name], str):
                raise TypeError(name)
        login, digest = data.get("login"), data.get("id_token_digest")
        if not isinstance(login, (str, type(None))) or not isinstance(digest, (str, type(None))):
            raise TypeError("login")
        return cls(
            login=login,
            identity_id=data["identity_id"],
            credentials=AWSCredentials(
                access_key_id=data["access_key_id"],
                secret_access_key=data["secret_access_key"],
                session_token=data["session_token"],
                expiration=datetime.fromtimestamp(float(data["expiration"]), timezone.utc),
            ),
            refresh_at=float(data["refresh_at"]),
            id_token_digest=digest,
        )

    def __repr__(self) -> str:
        return f"CurrentCredentials(login={self.login!r}, {self.credentials!r})"


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True, repr=False)
class IdentityRecord:
    """What is stored for one identity pool and profile (see the module docstring)."""

    guest_identity_id: str | None = None
    identities: Mapping[str, str] = field(default_factory=_empty)
    current: CurrentCredentials | None = None
    #: The login id of a user whose session ended without a sign-out (refresh token expired or
    #: revoked): no guest credentials until someone signs in or out.
    expired_login: str | None = None

    def identity_of(self, login: str | None) -> str | None:
        """The identity id known for ``login`` (``None``: the guest)."""
        return self.guest_identity_id if login is None else self.identities.get(login)

    def with_identity(self, login: str | None, identity_id: str) -> IdentityRecord:
        """This record with ``identity_id`` remembered for ``login``."""
        if login is None:
            return replace(self, guest_identity_id=identity_id)
        return replace(self, identities=MappingProxyType({**self.identities, login: identity_id}))

    def to_dict(self) -> dict[str, Any]:
        """The JSON object written to the store."""
        return {
            "version": IDENTITY_RECORD_VERSION,
            "guest_identity_id": self.guest_identity_id,
            "identities": dict(self.identities),
            "current": self.current.to_dict() if self.current else None,
            "expired_login": self.expired_login,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None, key: str = "?") -> IdentityRecord:
        """Rebuild a record; a malformed one is logged (never its content) and starts over,
        because everything in it can be fetched again."""
        if data is None:
            return EMPTY_RECORD
        try:
            if data.get("version") != IDENTITY_RECORD_VERSION:
                raise ValueError("version")
            identities = data.get("identities") or {}
            guest, expired = data.get("guest_identity_id"), data.get("expired_login")
            checks = (isinstance(guest, (str, type(None))), isinstance(expired, (str, type(None))))
            if not all(checks) or not isinstance(identities, dict):
                raise TypeError("ids")
            if not all(isinstance(v, str) for v in identities.values()):
                raise TypeError("identities")
            current = data.get("current")
            return cls(
                guest_identity_id=guest,
                identities=MappingProxyType(dict(identities)),
                current=CurrentCredentials.from_dict(current) if current else None,
                expired_login=expired,
            )
        except (KeyError, TypeError, ValueError, OverflowError, OSError, AttributeError):
            logger.warning("ignoring the malformed identity-pool record %r; starting over", key)
            return EMPTY_RECORD

    def __repr__(self) -> str:
        return (
            f"IdentityRecord(guest_identity_id={self.guest_identity_id!r}, "
            f"logins={len(self.identities)}, current={self.current!r})"
        )


EMPTY_RECORD = IdentityRecord()
