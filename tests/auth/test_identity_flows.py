"""The identity-pool flow with canned answers, and the stored identity record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest

from pyamplify.auth.credentials import (
    AWSCredentials,
    CurrentCredentials,
    IdentityRecord,
    credentials_refresh_at,
    iso8601,
)
from pyamplify.auth.identity_flows import credentials_flow, parse_credentials
from pyamplify.errors import PyamplifyError
from pyamplify.wire.call import Call
from pyamplify.wire.errors import (
    NotAuthorizedException,
    ProtocolError,
    ResourceNotFoundException,
)

from .helpers import drive

POOL = "us-east-1:11111111-2222-3333-4444-555555555555"
LOGINS = {"cognito-idp.us-east-1.amazonaws.com/us-east-1_abc": "id-token"}
WIRE = {
    "AccessKeyId": "ASIAEXAMPLEEXAMPLE12",
    "SecretKey": "s" * 40,
    "SessionToken": "token==",
    "Expiration": 1_800_000_000,
}


def cognito(identity_id: str = "us-east-1:new") -> Callable[[Call], dict[str, Any]]:
    def answer(call: Call) -> dict[str, Any]:
        if call.operation == "GetId":
            return {"IdentityId": identity_id}
        return {"IdentityId": call.payload["IdentityId"], "Credentials": WIRE}

    return answer


def test_get_id_then_credentials_with_logins() -> None:
    result, calls = drive(credentials_flow(POOL, LOGINS, None), cognito())
    assert [c.operation for c in calls] == ["GetId", "GetCredentialsForIdentity"]
    assert all(c.service == "cognito-identity" for c in calls)
    assert calls[0].payload == {"IdentityPoolId": POOL, "Logins": LOGINS}
    assert calls[1].payload == {"IdentityId": "us-east-1:new", "Logins": LOGINS}
    assert result.identity_id == "us-east-1:new"
    assert result.credentials.expiration == datetime.fromtimestamp(1_800_000_000, timezone.utc)


def test_a_guest_sends_no_logins_and_a_known_id_skips_get_id() -> None:
    result, calls = drive(credentials_flow(POOL, {}, "us-east-1:guest"), cognito())
    assert [c.operation for c in calls] == ["GetCredentialsForIdentity"]
    assert calls[0].payload == {"IdentityId": "us-east-1:guest"}
    assert result.identity_id == "us-east-1:guest"


@pytest.mark.parametrize("error", [ResourceNotFoundException, NotAuthorizedException])
def test_a_stale_known_id_is_replaced_once(error: type[PyamplifyError]) -> None:
    def answer(call: Call) -> dict[str, Any]:
        if call.payload.get("IdentityId") == "us-east-1:stale":
            raise error("gone")
        return cognito("us-east-1:fresh")(call)

    result, calls = drive(credentials_flow(POOL, {}, "us-east-1:stale"), answer)
    assert [c.operation for c in calls] == [
        "GetCredentialsForIdentity",
        "GetId",
        "GetCredentialsForIdentity",
    ]
    assert result.identity_id == "us-east-1:fresh"


def test_a_refusal_for_a_new_id_is_not_retried() -> None:
    def answer(call: Call) -> dict[str, Any]:
        raise NotAuthorizedException(
            "Token is not from a supported provider of this identity pool."
        )

    with pytest.raises(NotAuthorizedException, match="supported provider"):
        drive(credentials_flow(POOL, LOGINS, None), answer)


def test_merged_identity_id_from_the_answer_wins() -> None:
    def answer(call: Call) -> dict[str, Any]:
        return {"IdentityId": "us-east-1:merged", "Credentials": WIRE}

    result, _ = drive(credentials_flow(POOL, LOGINS, "us-east-1:old"), answer)
    assert result.identity_id == "us-east-1:merged"


@pytest.mark.parametrize(
    "wire",
    [None, {}, {**WIRE, "SecretKey": ""}, {**WIRE, "Expiration": "not a date"}],
)
def test_incomplete_credentials_are_protocol_errors(wire: Any) -> None:
    with pytest.raises(ProtocolError):
        parse_credentials(wire)


def test_iso_expiration_is_accepted_too() -> None:
    creds = parse_credentials({**WIRE, "Expiration": "2027-01-15T08:00:00Z"})
    assert iso8601(creds.expires_at) == "2027-01-15T08:00:00Z"


def test_refresh_point_is_15_minutes_ahead_or_a_quarter_of_the_lifetime() -> None:
    now = 1_000_000.0
    assert credentials_refresh_at(now + 3600, now, 0) == now + 3600 - 900
    assert credentials_refresh_at(now + 120, now, 0) == now + 120 - 30
    # The server is 50 s ahead: its expiry is 50 s earlier on our clock.
    assert credentials_refresh_at(now + 50 + 3600, now, 50) == now + 3600 - 900


def test_process_output_and_reprs() -> None:
    creds = parse_credentials(WIRE)
    assert creds.as_process_output() == {
        "Version": 1,
        "AccessKeyId": WIRE["AccessKeyId"],
        "SecretAccessKey": WIRE["SecretKey"],
        "SessionToken": WIRE["SessionToken"],
        "Expiration": iso8601(1_800_000_000),
    }
    current = CurrentCredentials("p|sub", "us-east-1:x", creds, 1.0, "d")
    record = IdentityRecord(guest_identity_id="g", current=current)
    for text in (repr(creds), repr(current), repr(record)):
        assert WIRE["SecretKey"] not in text and WIRE["SessionToken"] not in text
        assert WIRE["AccessKeyId"] not in text


def test_record_round_trip_and_malformed_records_start_over(
    caplog: pytest.LogCaptureFixture,
) -> None:
    creds = AWSCredentials("ASIAX", "secret", "token", datetime(2030, 1, 1, tzinfo=timezone.utc))
    current = CurrentCredentials(None, "us-east-1:g", creds, 123.5)
    record = IdentityRecord("us-east-1:g", {"p|s": "us-east-1:u"}, current, "ada")
    again = IdentityRecord.from_dict(record.to_dict())
    assert again.to_dict() == record.to_dict()
    assert again.current is not None and again.current.credentials == creds
    assert record.to_dict()["current"]["expiration_iso"] == "2030-01-01T00:00:00Z"
    for bad in (
        {"version": 2},
        {"version": 1, "identities": []},
        {"version": 1, "current": {"identity_id": 5}},
        {"version": 1, "guest_identity_id": ["x"]},
    ):
        assert IdentityRecord.from_dict(bad, "k") == IdentityRecord()
    assert "malformed identity-pool record 'k'" in caplog.text
    assert "secret" not in caplog.text
