"""The session model: stored records, clock-drift correction, when a refresh is due."""

from __future__ import annotations

import pytest

from pyamplify.auth.errors import InvalidTokenError
from pyamplify.auth.session import CachedSession, StoredSession, refresh_margin, username_of
from pyamplify.auth.tokens import JWT, AuthTokens, decode_claims

from .helpers import authentication_result, make_jwt


def _stored(iat: float, drift: float, lifetime: float = 3600) -> StoredSession:
    result = authentication_result(iat=iat, lifetime=lifetime)
    tokens = AuthTokens(
        JWT.parse(result["IdToken"]), JWT.parse(result["AccessToken"]), result["RefreshToken"]
    )
    return StoredSession(tokens, username_of(tokens), "alice", "USER_SRP_AUTH", drift)


def test_refresh_instant_is_corrected_for_clock_drift() -> None:
    # The server's clock is 2 hours ahead of ours: iat is 7200 s after our clock's reading.
    server_iat = 1_700_007_200.0
    our_now = 1_700_000_000.0
    cached = CachedSession.of(_stored(server_iat, drift=server_iat - our_now))
    # By our clock the tokens must be refreshed 60 s before the server-clock expiry.
    assert cached.refresh_at == pytest.approx(our_now + 3600 - 60)


def test_short_lived_tokens_refresh_a_quarter_of_their_life_early() -> None:
    stored = _stored(1000.0, 0.0, lifetime=120)
    assert refresh_margin(stored.tokens) == 30
    assert CachedSession.of(stored).refresh_at == 1000 + 120 - 30


def test_record_round_trip_keeps_everything() -> None:
    stored = _stored(1000.0, -3.5)
    back = StoredSession.from_dict(stored.to_dict())
    assert back.to_dict() == stored.to_dict()
    assert back.user_sub == "sub-1"
    assert back.clock_drift == -3.5
    assert "refresh-alice" not in repr(back) and "refresh-alice" not in repr(back.tokens)


@pytest.mark.parametrize(
    "damage",
    [
        {"version": 99},
        {"access_token": "not-a-jwt"},
        {"id_token": make_jwt(sub="x")},  # no exp / iat
        {"username": None},
        {"refresh_token": 5},
        {"clock_drift": "soon"},
    ],
)
def test_malformed_records_are_refused(damage: dict[str, object]) -> None:
    data = {**_stored(1000.0, 0).to_dict(), **damage}
    with pytest.raises(InvalidTokenError):
        StoredSession.from_dict(data)


def test_decode_claims_rejects_garbage() -> None:
    with pytest.raises(InvalidTokenError):
        decode_claims("a.%%%.c")
    with pytest.raises(InvalidTokenError):
        decode_claims("a.W10.c")  # a JSON list, not an object
    assert decode_claims(make_jwt(sub="s"))["sub"] == "s"
