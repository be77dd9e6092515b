"""The SRP password step: PASSWORD_VERIFIER issued (``SRP_B``, ``SALT``, ``SECRET_BLOCK``) and
answered (``PASSWORD_CLAIM_SIGNATURE``), verified for real with :mod:`pyamplify.srp`.

InitiateAuth computes ``B`` from a fresh ``b`` and the stored verifier, derives the session key
from the client's ``A`` at once and keeps only that key server-side, under a random
SECRET_BLOCK. The block is opaque to the client, single use (taken from the store before
anything is checked), bound to pool, client and user, and lives for the client's
AuthSessionValidity. As on AWS, USER_SRP_AUTH's PASSWORD_VERIFIER comes with no Session; custom
authentication's does (its sign-in goes on after the password). A user who does not exist gets
the same step with a stable fake salt and verifier (PreventUserExistenceErrors), and the answer
does the same work before it is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from pyamplify import srp
from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp.caller import Caller
from pyamplify.local.idp.common import auth_session_lifetime, find_user
from pyamplify.local.idp.srp_server import g_pow, new_server_ephemeral
from pyamplify.local.store.userpools import UserRecord

PASSWORD_VERIFIER = "PASSWORD_VERIFIER"
_SECRET_BLOCK_BYTES = 64


def parse_srp_a(srp_a: str) -> int:
    """The client's ``A``; a value of 0 mod N (which would fix the key) is refused."""
    try:
        big_a = int(srp_a, 16)
    except ValueError:
        raise errors.InvalidParameterException("SRP_A must be a hexadecimal number.") from None
    if big_a % srp.N == 0:
        raise errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)
    return big_a


def ghost_salt_and_verifier(backend: Backend, pool_id: str, username: str) -> tuple[str, int]:
    """A stable salt (same per user name and pool, as AWS) and a verifier for a ghost user."""
    digest = hmac.new(backend.server_secret, f"{pool_id}/{username}".encode(), "sha256").digest()
    salt = srp.pad_hex(int.from_bytes(digest[:16], "big") or 1)
    return salt, g_pow(int.from_bytes(digest[16:], "big") | 1)


@dataclass(frozen=True)
class ServerProof:
    """The server's half of an SRP proof (a password's or a remembered device's): ``B`` from a
    fresh ``b``, the session key derived from the client's ``A`` at once, and the random
    SECRET_BLOCK the key is kept under until the client's claim comes."""

    server: srp.ServerEphemeral = field(repr=False)
    key: bytes = field(repr=False)
    block: str = field(repr=False)

    @classmethod
    def start(cls, srp_a: str, verifier: int) -> ServerProof:
        """Begin a proof against ``verifier``; an unusable ``A`` is a failed sign-in."""
        server = new_server_ephemeral(verifier)
        try:
            key = srp.server_session_key(srp_a, server, verifier)
        except srp.SrpError:
            raise errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS) from None
        block = base64.b64encode(secrets.token_bytes(_SECRET_BLOCK_BYTES)).decode()
        return cls(server, key, block)


@dataclass(frozen=True)
class Prover:
    """Whose password a PASSWORD_VERIFIER asks to prove: the internal username with the stored
    salt and verifier, or a ghost's (PreventUserExistenceErrors: a user who does not exist gets
    a stable fake salt and verifier, so the step looks and costs the same, refused at the
    answer)."""

    username: str
    salt: str = field(repr=False)
    verifier: int = field(repr=False)
    ghost: bool = False

    @classmethod
    def ghost_of(cls, caller: Caller, username: str) -> Prover:
        """The ghost standing in for ``username``, who does not exist in the caller's pool."""
        salt, verifier = ghost_salt_and_verifier(caller.backend, caller.pool["Id"], username)
        return cls(username, salt, verifier, ghost=True)


def issue_password_verifier(
    caller: Caller, prover: Prover, srp_a: str, custom: dict[str, Any] | None = None
) -> dict[str, Any]:
    """PASSWORD_VERIFIER for ``prover``: the session key is derived now and kept under the
    SECRET_BLOCK; ``custom`` is a custom sign-in's state, which goes on after the password (so
    this answer also carries a Session, as Cognito's does)."""
    username, verifier = prover.username, prover.verifier
    proof = ServerProof.start(srp_a, verifier)
    state: dict[str, Any] = {
        "key": proof.key.hex(),
        "fake": prover.ghost,
        "verifier_hash": hashlib.sha256(format(verifier, "x").encode()).hexdigest(),
    }
    if custom is not None:
        state["custom"] = custom
    caller.backend.store.put_session(
        proof.block,
        PASSWORD_VERIFIER,
        caller.pool["Id"],
        caller.client["ClientId"],
        username,
        state,
        caller.backend.now() + auth_session_lifetime(caller.client),
    )
    answer: dict[str, Any] = {
        "ChallengeName": PASSWORD_VERIFIER,
        "ChallengeParameters": {
            "SALT": prover.salt,
            "SRP_B": proof.server.srp_b,
            "SECRET_BLOCK": proof.block,
            "USERNAME": username,
            "USER_ID_FOR_SRP": username,
        },
    }
    if custom is not None:
        answer["Session"] = secrets.token_urlsafe(96)
    return answer


@dataclass(frozen=True)
class VerifiedPassword:
    """A PASSWORD_VERIFIER answer whose signature was checked (``valid`` says how it went)."""

    user: UserRecord | None
    valid: bool
    #: A custom sign-in's state, when the password step belonged to one.
    custom: dict[str, Any] | None = field(default=None, repr=False)


def check_password_claim(
    caller: Caller,
    responses: dict[str, str],
    *,
    typed: str,
    block: str,
    signature: str,
    timestamp: str,
) -> VerifiedPassword:
    """Take the SECRET_BLOCK's state and check the claim; the same work for a ghost's block."""
    taken = caller.backend.store.take_session(block)
    if taken is None or taken[0] != PASSWORD_VERIFIER:
        raise errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)
    _kind, pool_id, client_id, username, state, expires_at = taken
    if pool_id != caller.pool["Id"] or client_id != caller.client["ClientId"]:
        raise errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)
    if caller.backend.now() > expires_at:
        raise errors.NotAuthorizedException(errors.INVALID_SESSION)
    user = None if state.get("fake") else find_user(caller.backend, caller.pool, typed)
    if user is not None and user.username != username:
        raise errors.NotAuthorizedException(errors.INCORRECT_CREDENTIALS)
    current = hashlib.sha256(((user.verifier if user else None) or "").encode()).hexdigest()
    claim = srp.PasswordClaim(timestamp=timestamp, signature=signature)
    signed = claim_signed(
        bytes.fromhex(str(state["key"])),
        claim,
        pool_name=srp.pool_name_of(caller.pool["Id"]),
        user_id=username,
        block=block,
    )
    valid = (
        user is not None
        and hmac.compare_digest(current, str(state.get("verifier_hash")))
        and timestamp_fresh(caller.backend, timestamp)
        and signed
    )
    return VerifiedPassword(user, valid, state.get("custom"))


def timestamp_fresh(backend: Backend, text: str) -> bool:
    """Whether a claim's ``TIMESTAMP`` parses and is within the backend's tolerance of now."""
    try:
        moment = srp.parse_timestamp(text)
    except srp.SrpError:
        return False
    now = datetime.fromtimestamp(backend.now(), timezone.utc)
    return srp.timestamp_is_fresh(moment, now, timedelta(seconds=backend.timestamp_tolerance))


def claim_signed(
    key: bytes, claim: srp.PasswordClaim, *, pool_name: str, user_id: str, block: str
) -> bool:
    """Whether ``claim`` is signed with the session key ``key`` (a malformed one is not)."""
    try:
        return srp.verify_signature(
            key, claim, pool_name=pool_name, user_id=user_id, secret_block_b64=block
        )
    except srp.SrpError:
        return False
