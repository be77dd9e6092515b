"""The SRP password claim a client answers PASSWORD_VERIFIER and DEVICE_PASSWORD_VERIFIER with.

Both challenges carry ``SRP_B``, ``SALT`` and ``SECRET_BLOCK`` and are answered with the same
three values (the secret block back, the claim's signature, its timestamp); they differ only in
what stands for the pool name, the user id and the password (:mod:`.flows` proves a password,
:mod:`.device_flows` a remembered device). One place turns a malformed or unsafe challenge into
the :class:`~pyamplify.wire.errors.ProtocolError` that names it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from pyamplify import srp
from pyamplify.wire.errors import ProtocolError


def claim_answers(
    ephemeral: srp.ClientEphemeral,
    challenge: str,
    params: Mapping[str, str],
    *,
    pool_name: str,
    user_id: str,
    password: str,
    now: datetime,
) -> dict[str, str]:
    """``PASSWORD_CLAIM_SECRET_BLOCK``, ``PASSWORD_CLAIM_SIGNATURE`` and ``TIMESTAMP`` for
    ``challenge``'s parameters ``params``."""
    try:
        claim = srp.password_claim(
            ephemeral,
            pool_name=pool_name,
            user_id=user_id,
            password=password,
            srp_b_hex=params["SRP_B"],
            salt_hex=params["SALT"],
            secret_block_b64=params["SECRET_BLOCK"],
            now=now,
        )
    except KeyError as missing:
        raise ProtocolError(f"{challenge} challenge without {missing}") from None
    except srp.SrpError as error:
        raise ProtocolError(f"the server's SRP values are unsafe or malformed: {error}") from None
    return {
        "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
        "PASSWORD_CLAIM_SIGNATURE": claim.signature,
        "TIMESTAMP": claim.timestamp,
    }
