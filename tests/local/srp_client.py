"""A tiny SRP client for tests that need to bend the protocol (old TIMESTAMP, reused block).

It uses ``pyamplify.srp``'s client half; pycognito is the independent client in other tests.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from pyamplify import srp


def start(
    idp: Any, client_id: str, username: str, *, ephemeral: srp.ClientEphemeral | None = None
) -> tuple[srp.ClientEphemeral, dict[str, Any]]:
    """InitiateAuth(USER_SRP_AUTH); returns the client ephemeral and the response."""
    eph = ephemeral or srp.new_client_ephemeral()
    response = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": username, "SRP_A": eph.srp_a},
    )
    return eph, response


def answer(
    eph: srp.ClientEphemeral,
    challenge: dict[str, str],
    pool_id: str,
    password: str,
    *,
    now: datetime | None = None,
    timestamp: str | None = None,
) -> dict[str, str]:
    """ChallengeResponses for PASSWORD_VERIFIER (optionally with a hand-made TIMESTAMP)."""
    pool_name = srp.pool_name_of(pool_id)
    user_id = challenge["USER_ID_FOR_SRP"]
    key = srp.client_session_key(
        eph, challenge["SRP_B"], challenge["SALT"], pool_name, user_id, password
    )
    stamp = timestamp or srp.format_timestamp(now or datetime.now(timezone.utc))
    signature = srp.compute_signature(key, pool_name, user_id, challenge["SECRET_BLOCK"], stamp)
    return {
        "USERNAME": challenge["USERNAME"],
        "PASSWORD_CLAIM_SECRET_BLOCK": challenge["SECRET_BLOCK"],
        "PASSWORD_CLAIM_SIGNATURE": signature,
        "TIMESTAMP": stamp,
    }


def respond(idp: Any, client_id: str, responses: dict[str, str]) -> dict[str, Any]:
    """RespondToAuthChallenge(PASSWORD_VERIFIER) without a Session, as AWS expects."""
    result: dict[str, Any] = idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=responses
    )
    return result


def sign_in(
    idp: Any, pool_id: str, client_id: str, username: str, password: str, **kwargs: Any
) -> dict[str, Any]:
    """A full SRP sign-in; returns the final response."""
    eph, started = start(idp, client_id, username)
    responses = answer(eph, started["ChallengeParameters"], pool_id, password, **kwargs)
    return respond(idp, client_id, responses)
