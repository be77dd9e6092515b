"""The custom-authentication sign-in flows on the wire, driven with canned Cognito answers.

The end-to-end conversation with real Lambda triggers is in ``test_custom_auth_e2e.py``; here
the point is exactly what each flow sends: AuthFlow, AuthParameters, the PASSWORD_VERIFIER
answer with the custom flow's Session, and how ``CUSTOM_AUTH`` in a configuration picks a flow.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from pyamplify import srp
from pyamplify.auth.errors import AuthValidationError
from pyamplify.auth.flows import (
    CUSTOM_WITH_SRP,
    CUSTOM_WITHOUT_SRP,
    ClientContext,
    confirm_sign_in_flow,
    resolve_flow,
    sign_in_flow,
)
from pyamplify.auth.results import SignInStep
from pyamplify.wire.call import Call

from .helpers import authentication_result, drive

CTX = ClientContext("us-east-1_TestPool1", "client123", "s3cr3t")
NOW = datetime(2026, 11, 5, 9, 3, 7, tzinfo=timezone.utc)
CHALLENGE = {
    "ChallengeName": "CUSTOM_CHALLENGE",
    "Session": "session-2",
    "ChallengeParameters": {"USERNAME": "alice", "question": "2+2?"},
}


def test_custom_without_srp_sends_only_the_username_and_secret_hash() -> None:
    outcome, calls = drive(
        sign_in_flow(CTX, "alice", None, flow_type=CUSTOM_WITHOUT_SRP, now=lambda: NOW),
        lambda call: CHALLENGE,
    )
    [initiate] = calls
    assert initiate.operation == "InitiateAuth"
    assert initiate.payload["AuthFlow"] == "CUSTOM_AUTH"
    assert initiate.payload["AuthParameters"] == {
        "USERNAME": "alice",
        "SECRET_HASH": srp.compute_secret_hash("alice", "client123", "s3cr3t"),
    }
    step = outcome.result.next_step
    assert step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE
    assert dict(step.additional_info) == {"USERNAME": "alice", "question": "2+2?"}
    assert outcome.pending.session == "session-2"


def test_custom_with_srp_proves_the_password_then_shows_the_challenge() -> None:
    client_side: dict[str, Any] = {}

    def cognito(call: Call) -> dict[str, Any]:
        if call.operation == "InitiateAuth":
            client_side["srp_a"] = call.payload["AuthParameters"]["SRP_A"]
            return {
                "ChallengeName": "PASSWORD_VERIFIER",
                "Session": "session-1",
                "ChallengeParameters": {
                    "SALT": "abcd",
                    "SRP_B": format(pow(2, 12345, srp.N), "x"),
                    "SECRET_BLOCK": "YmxvY2s=",
                    "USERNAME": "alice",
                    "USER_ID_FOR_SRP": "alice",
                },
            }
        return CHALLENGE

    outcome, calls = drive(
        sign_in_flow(CTX, "alice", "pw", flow_type=CUSTOM_WITH_SRP, now=lambda: NOW),
        cognito,
    )
    initiate, verifier = calls
    assert initiate.payload["AuthFlow"] == "CUSTOM_AUTH"
    assert initiate.payload["AuthParameters"]["CHALLENGE_NAME"] == "SRP_A"
    assert set(initiate.payload["AuthParameters"]) == {
        "USERNAME",
        "SRP_A",
        "CHALLENGE_NAME",
        "SECRET_HASH",
    }
    assert verifier.payload["ChallengeName"] == "PASSWORD_VERIFIER"
    assert verifier.payload["Session"] == "session-1"
    assert set(verifier.payload["ChallengeResponses"]) >= {
        "PASSWORD_CLAIM_SIGNATURE",
        "PASSWORD_CLAIM_SECRET_BLOCK",
        "TIMESTAMP",
        "USERNAME",
    }
    assert outcome.result.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE


def test_several_rounds_each_answered_with_the_latest_session() -> None:
    rounds = iter(
        [
            {**CHALLENGE, "Session": "session-3"},
            {"AuthenticationResult": authentication_result(iat=NOW.timestamp())},
        ]
    )
    first, _ = drive(
        sign_in_flow(CTX, "alice", None, flow_type=CUSTOM_WITHOUT_SRP, now=lambda: NOW),
        lambda call: CHALLENGE,
    )
    second, calls = drive(
        confirm_sign_in_flow(CTX, first.pending, "4", client_metadata={"k": "v"}),
        lambda call: next(rounds),
    )
    assert calls[0].payload["Session"] == "session-2"
    assert calls[0].payload["ChallengeResponses"]["ANSWER"] == "4"
    assert calls[0].payload["ClientMetadata"] == {"k": "v"}
    third, calls = drive(confirm_sign_in_flow(CTX, second.pending, "5"), lambda call: next(rounds))
    assert calls[0].payload["Session"] == "session-3"
    assert third.result.is_signed_in


@pytest.mark.parametrize(
    ("configured", "password", "expected"),
    [
        ("CUSTOM_AUTH", "pw", CUSTOM_WITH_SRP),
        ("CUSTOM_AUTH", None, CUSTOM_WITHOUT_SRP),
        ("CUSTOM_AUTH_WITH_SRP", "pw", CUSTOM_WITH_SRP),
        ("CUSTOM_AUTH_WITHOUT_SRP", "pw", CUSTOM_WITHOUT_SRP),
        ("USER_SRP_AUTH", "pw", "USER_SRP_AUTH"),
    ],
)
def test_a_configurations_flow_resolves_as_amplify_does(
    configured: str, password: str | None, expected: str
) -> None:
    assert resolve_flow(configured, password) == expected


def test_custom_with_srp_without_a_password_is_a_usage_error() -> None:
    with pytest.raises(AuthValidationError, match="needs a password"):
        drive(
            sign_in_flow(CTX, "alice", None, flow_type=CUSTOM_WITH_SRP, now=lambda: NOW),
            lambda call: {},
        )
