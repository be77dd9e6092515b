"""Temporary AWS credentials shaped like STS's, and what they stand for.

GetCredentialsForIdentity on AWS is GetOpenIdToken + STS AssumeRoleWithWebIdentity with the
session name ``CognitoIdentityCredentials``. Here the local Cognito plays STS: it mints an
``ASIA`` + 16-character access key id, a 40-character secret and an opaque session token, and
remembers (access key -> identity, role, secret, expiry) so that the local STS can verify
SigV4 signatures made with them and answer GetCallerIdentity.

Validity is one hour, as on AWS. For tests it can be shortened per identity pool with the
tag ``pyamplify:credentials-ttl`` (seconds), or for the whole server with the environment
variable ``PYAMPLIFY_LOCAL_CREDENTIALS_TTL``; the tag wins.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import ACCOUNT_ID
from pyamplify.local.identity.roles import role_account, role_name
from pyamplify.local.store.identity import IdentityStore, StoredCredentials

LOG = logging.getLogger("pyamplify.local")

#: The session name Cognito gives the roles it assumes.
SESSION_NAME = "CognitoIdentityCredentials"
DEFAULT_TTL = 3600
TTL_TAG = "pyamplify:credentials-ttl"
TTL_ENV = "PYAMPLIFY_LOCAL_CREDENTIALS_TTL"
MAX_TTL = 12 * 3600
_KEY_ALPHABET = string.ascii_uppercase + "234567"
_SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"


@dataclass(frozen=True)
class MintedCredentials:
    """A fresh set of temporary credentials (the secret parts never appear in ``repr``)."""

    access_key_id: str
    expiration: int
    secret_key: str = field(repr=False)
    session_token: str = field(repr=False)

    def as_wire(self) -> dict[str, Any]:
        """The ``Credentials`` member of GetCredentialsForIdentity (epoch-seconds expiry)."""
        return {
            "AccessKeyId": self.access_key_id,
            "SecretKey": self.secret_key,
            "SessionToken": self.session_token,
            "Expiration": self.expiration,
        }


def parse_ttl(value: str, source: str) -> int:
    """A validity in whole seconds (1 to 12 hours); ``InvalidParameterException`` otherwise."""
    try:
        seconds = int(value)
    except ValueError:
        seconds = 0
    if not 1 <= seconds <= MAX_TTL:
        raise errors.InvalidParameterException(
            f"{source} must be a whole number of seconds from 1 to {MAX_TTL}, not {value[:40]!r}."
        )
    return seconds


def default_ttl() -> int:
    """The server-wide validity: ``PYAMPLIFY_LOCAL_CREDENTIALS_TTL`` or one hour."""
    raw = os.environ.get(TTL_ENV)
    if raw is None:
        return DEFAULT_TTL
    try:
        return parse_ttl(raw, TTL_ENV)
    except errors.InvalidParameterException as error:
        LOG.warning("%s; using %d seconds", error, DEFAULT_TTL)
        return DEFAULT_TTL


def credentials_ttl(pool: Mapping[str, Any]) -> int:
    """How long credentials minted for this identity pool stay valid."""
    tag = (pool.get("IdentityPoolTags") or {}).get(TTL_TAG)
    return parse_ttl(tag, f"The tag {TTL_TAG}") if tag is not None else default_ttl()


def session_token_hash(token: str) -> str:
    """The form in which a session token is remembered."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def session_token_matches(token: str | None, stored: StoredCredentials) -> bool:
    """Whether a presented session token is the one minted with the access key."""
    if token is None:
        return False
    return hmac.compare_digest(session_token_hash(token), stored.session_token_hash)


def mint(
    store: IdentityStore,
    *,
    identity_id: str,
    pool_id: str,
    role_arn: str,
    now: float,
    ttl: int,
) -> MintedCredentials:
    """Make and remember credentials for ``identity_id`` acting as ``role_arn``."""
    access_key_id = "ASIA" + "".join(secrets.choice(_KEY_ALPHABET) for _ in range(16))
    secret_key = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))
    session_token = base64.b64encode(secrets.token_bytes(366)).decode()
    expiration = int(now) + ttl
    store.put_credentials(
        StoredCredentials(
            access_key_id=access_key_id,
            identity_id=identity_id,
            pool_id=pool_id,
            role_arn=role_arn,
            issued_at=now,
            expires_at=float(expiration),
            secret_key=secret_key,
            session_token_hash=session_token_hash(session_token),
        )
    )
    return MintedCredentials(
        access_key_id=access_key_id,
        expiration=expiration,
        secret_key=secret_key,
        session_token=session_token,
    )


def role_id(role_arn: str) -> str:
    """A stable IAM role id for a role ARN: ``AROA`` + 17 characters, as IAM's look."""
    digest = base64.b32encode(hashlib.sha256(role_arn.encode()).digest()).decode()
    return "AROA" + digest[:17]


def caller_identity(stored: StoredCredentials) -> dict[str, str]:
    """GetCallerIdentity's answer for minted credentials: the assumed role's ARN and ids."""
    account = role_account(stored.role_arn) or ACCOUNT_ID
    return {
        "Arn": f"arn:aws:sts::{account}:assumed-role/{role_name(stored.role_arn)}/{SESSION_NAME}",
        "UserId": f"{role_id(stored.role_arn)}:{SESSION_NAME}",
        "Account": account,
    }
