"""The sign-in challenge table (``flows.CHALLENGES``) driven with canned Cognito answers.

Every row is checked both ways: the challenge Cognito sends becomes the right next step, and
the caller's reply becomes a RespondToAuthChallenge whose ChallengeResponses carry exactly the
keys Cognito expects for that challenge (the RespondToAuthChallenge reference, summarised in
shared/reference/cognito-protocol.md). A row added without an expectation here fails the
coverage test, so a new challenge cannot slip in untested.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pytest

from pyamplify import srp
from pyamplify.auth.errors import UnsupportedChallengeError
from pyamplify.auth.flows import (
    CHALLENGES,
    ERROR_STEPS,
    MFA_SETUP,
    SETUP_ANSWERS,
    ClientContext,
    PendingChallenge,
    Reply,
    Responses,
    SignInOutcome,
    confirm_sign_in_flow,
    sign_in_flow,
)
from pyamplify.auth.results import SignInStep
from pyamplify.wire.call import Call

from .helpers import authentication_result, drive

CTX = ClientContext("us-east-1_TestPool1", "client123", "s3cr3t")  # so SECRET_HASH is sent too
NOW = datetime(2026, 11, 5, 9, 3, 7, tzinfo=timezone.utc)
DELIVERY = {"CODE_DELIVERY_DESTINATION": "+*******12", "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS"}
#: SELECT_CHALLENGE's choices travel beside ChallengeParameters, in AvailableChallenges.
FIRST_FACTORS = ("PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "WEB_AUTHN")
REQUEST_OPTIONS = json.dumps({"challenge": "Y2g", "rpId": "example.com", "allowCredentials": []})


@dataclass(frozen=True)
class Case:
    """One row (for MFA_SETUP, one of its steps) with a canned challenge and a reply."""

    challenge: str
    params: Mapping[str, str]
    step: SignInStep
    reply: str
    #: ChallengeResponses besides USERNAME and SECRET_HASH, or ``None``: nothing is sent.
    sent: Mapping[str, str] | None
    attributes: Mapping[str, str] = field(default_factory=dict)


CASES = [
    Case(
        "NEW_PASSWORD_REQUIRED",
        {"requiredAttributes": json.dumps(["userAttributes.name"]), "userAttributes": "{}"},
        SignInStep.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED,
        "N3w-pass!",
        {"NEW_PASSWORD": "N3w-pass!", "userAttributes.name": "Al"},
        {"name": "Al"},
    ),
    Case(
        "SMS_MFA",
        DELIVERY,
        SignInStep.CONFIRM_SIGN_IN_WITH_SMS_CODE,
        "123456",
        {"SMS_MFA_CODE": "123456"},
    ),
    Case(
        "SMS_OTP",
        DELIVERY,
        SignInStep.CONFIRM_SIGN_IN_WITH_SMS_CODE,
        "123456",
        {"SMS_OTP_CODE": "123456"},
    ),
    Case(
        "EMAIL_OTP",
        {"CODE_DELIVERY_DESTINATION": "a***@e***", "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL"},
        SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE,
        "123456",
        {"EMAIL_OTP_CODE": "123456"},
    ),
    Case(
        "SOFTWARE_TOKEN_MFA",
        {},
        SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE,
        "123456",
        {"SOFTWARE_TOKEN_MFA_CODE": "123456"},
    ),
    Case(
        "CUSTOM_CHALLENGE",
        {"question": "2+2?"},
        SignInStep.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE,
        "4",
        {"ANSWER": "4"},
    ),
    Case(
        "SELECT_MFA_TYPE",
        {"MFAS_CAN_CHOOSE": json.dumps(["SMS_MFA", "SOFTWARE_TOKEN_MFA"])},
        SignInStep.CONTINUE_SIGN_IN_WITH_MFA_SELECTION,
        "totp",
        {"ANSWER": "SOFTWARE_TOKEN_MFA"},
    ),
    Case(
        "SELECT_CHALLENGE",
        {},
        SignInStep.CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION,
        "email_otp",
        {"ANSWER": "EMAIL_OTP"},
    ),
    Case(  # a password factor: asked for first, Cognito hears of the choice with it
        "SELECT_CHALLENGE",
        {},
        SignInStep.CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION,
        "password",
        None,
    ),
    Case(
        "WEB_AUTHN",
        {"CREDENTIAL_REQUEST_OPTIONS": REQUEST_OPTIONS},
        SignInStep.CONFIRM_SIGN_IN_WITH_PASSKEY,
        '{"id":"cred-1"}',
        {"CREDENTIAL": '{"id":"cred-1"}'},
    ),
    Case(
        MFA_SETUP,
        {"MFAS_CAN_SETUP": json.dumps(["SOFTWARE_TOKEN_MFA", "EMAIL_OTP"])},
        SignInStep.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION,
        "email",
        None,
    ),
    Case(
        MFA_SETUP,
        {"MFAS_CAN_SETUP": json.dumps(["EMAIL_OTP"])},
        SignInStep.CONTINUE_SIGN_IN_WITH_EMAIL_SETUP,
        "a@example.com",
        {"EMAIL": "a@example.com"},
    ),
    Case(
        MFA_SETUP,
        {"MFAS_CAN_SETUP": json.dumps(["SMS_MFA", "SOFTWARE_TOKEN_MFA"])},
        SignInStep.CONTINUE_SIGN_IN_WITH_TOTP_SETUP,
        " 123456 ",
        {},
    ),
]


class Cognito:
    """Canned answers: the challenge for InitiateAuth, tokens for RespondToAuthChallenge, and
    the TOTP setup calls' Sessions; every call is recorded."""

    def __init__(self, challenge: str, params: Mapping[str, str]) -> None:
        self.challenge: dict[str, Any] = {
            "ChallengeName": challenge,
            "Session": "session-1",
            "ChallengeParameters": {"USER_ID_FOR_SRP": "internal-1", **params},
        }
        if challenge == "SELECT_CHALLENGE":
            self.challenge["AvailableChallenges"] = list(FIRST_FACTORS)

    def __call__(self, call: Call) -> dict[str, Any]:
        if call.operation == "InitiateAuth":
            return self.challenge
        if call.operation == "AssociateSoftwareToken":
            return {"SecretCode": "JBSWY3DPEHPK3PXP", "Session": "session-2"}
        if call.operation == "VerifySoftwareToken":
            return {"Status": "SUCCESS", "Session": "session-3"}
        assert call.operation == "RespondToAuthChallenge", call.operation
        return {"AuthenticationResult": authentication_result(iat=1)}


def _signed_in_to(case: Case) -> SignInOutcome:
    flow = sign_in_flow(CTX, "alias", "pw", flow_type="USER_PASSWORD_AUTH", now=lambda: NOW)
    outcome, _ = drive(flow, Cognito(case.challenge, case.params))
    assert isinstance(outcome, SignInOutcome)
    return outcome


def _case_id(case: Case) -> str:
    return f"{case.challenge}-{case.step.value}-{case.reply.strip()[:8]}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_each_row_shows_its_step_and_sends_the_answer_cognito_expects(case: Case) -> None:
    outcome = _signed_in_to(case)
    assert outcome.result.next_step.sign_in_step is case.step
    assert outcome.pending is not None and outcome.pending.username == "internal-1"

    flow = confirm_sign_in_flow(CTX, outcome.pending, case.reply, attributes=case.attributes)
    confirmed, calls = drive(flow, Cognito(case.challenge, case.params))

    responds = [call for call in calls if call.operation == "RespondToAuthChallenge"]
    if case.sent is None:  # a choice made here: Cognito hears of it with the setup's answer
        assert responds == []
        assert not confirmed.result.is_signed_in
        return
    (respond,) = responds
    assert respond.payload["ChallengeName"] == case.challenge
    assert respond.payload["ChallengeResponses"] == {
        "USERNAME": "internal-1",
        **case.sent,
        "SECRET_HASH": srp.compute_secret_hash("internal-1", "client123", "s3cr3t"),
    }
    assert confirmed.result.is_signed_in


def test_every_row_and_every_mfa_setup_step_has_a_case() -> None:
    assert {case.challenge for case in CASES} == set(CHALLENGES)
    setup_steps = {case.step for case in CASES if case.challenge == MFA_SETUP}
    assert setup_steps == set(SETUP_ANSWERS)


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_every_answer_builder_produces_the_challenge_responses_keys_cognito_expects(
    case: Case,
) -> None:
    """The builders alone (no flow around them): the keys each one puts in ChallengeResponses,
    before USERNAME and SECRET_HASH are added."""
    pending = PendingChallenge(
        name=case.challenge,
        parameters=case.params,
        session="session-1",
        username="internal-1",
        login_id="alias",
        auth_flow_type="USER_PASSWORD_AUTH",
        step=case.step,
        setup_types=("TOTP", "EMAIL"),
        available_challenges=FIRST_FACTORS,
    )
    reply = Reply(case.reply, case.attributes)
    answer, calls = drive(CHALLENGES[case.challenge].answer(pending, reply), Cognito("", {}))
    if case.sent is None:
        assert isinstance(answer, SignInOutcome) and calls == []
        return
    assert isinstance(answer, Responses)
    assert dict(answer.values) == dict(case.sent)  # the keys, and what is under them


def test_the_totp_setup_step_carries_the_secret_and_answers_with_the_verified_session() -> None:
    case = next(c for c in CASES if c.step is SignInStep.CONTINUE_SIGN_IN_WITH_TOTP_SETUP)
    outcome = _signed_in_to(case)
    details = outcome.result.next_step.totp_setup_details
    assert details is not None and details.shared_secret == "JBSWY3DPEHPK3PXP"
    assert outcome.pending is not None and outcome.pending.session == "session-2"
    flow = confirm_sign_in_flow(CTX, outcome.pending, "123456", friendly_device_name="phone")
    _, calls = drive(flow, Cognito(case.challenge, case.params))
    verify, respond = calls
    assert verify.payload == {
        "Session": "session-2",
        "UserCode": "123456",
        "FriendlyDeviceName": "phone",
    }
    assert respond.payload["Session"] == "session-3"


def test_custom_challenge_rounds_follow_the_table_until_tokens() -> None:
    rounds = iter(
        [
            {
                "ChallengeName": "CUSTOM_CHALLENGE",
                "Session": "round-2",
                "ChallengeParameters": {"USERNAME": "u", "question": "3+3?"},
            },
            {"AuthenticationResult": authentication_result(iat=1)},
        ]
    )
    first = _signed_in_to(next(c for c in CASES if c.challenge == "CUSTOM_CHALLENGE"))
    assert first.result.next_step.additional_info["question"] == "2+2?"
    assert first.pending is not None

    second, calls = drive(confirm_sign_in_flow(CTX, first.pending, "4"), lambda c: next(rounds))
    assert second.result.next_step.additional_info["question"] == "3+3?"
    assert second.pending is not None and second.pending.session == "round-2"
    assert calls[0].payload["Session"] == "session-1"

    done, calls = drive(confirm_sign_in_flow(CTX, second.pending, "6"), lambda c: next(rounds))
    assert done.result.is_signed_in
    assert calls[0].payload["Session"] == "round-2"
    assert calls[0].payload["ChallengeResponses"]["ANSWER"] == "6"


def test_an_unknown_challenge_is_a_clear_error_wherever_it_comes() -> None:
    message = r"the FUTURE_CHALLENGE challenge, which this version of pyamplify cannot answer yet"
    unknown = {"ChallengeName": "FUTURE_CHALLENGE", "Session": "s", "ChallengeParameters": {}}
    at_sign_in = sign_in_flow(CTX, "u", "pw", flow_type="USER_PASSWORD_AUTH", now=lambda: NOW)
    with pytest.raises(UnsupportedChallengeError, match=message):
        drive(at_sign_in, lambda call: unknown)

    sms = _signed_in_to(next(c for c in CASES if c.challenge == "SMS_MFA"))
    assert sms.pending is not None
    after_an_answer = confirm_sign_in_flow(CTX, sms.pending, "123456")
    with pytest.raises(UnsupportedChallengeError, match=message):
        drive(after_an_answer, lambda call: unknown)


@pytest.mark.parametrize(("error", "step"), list(ERROR_STEPS.items()))
def test_sign_in_errors_in_the_error_table_are_next_steps(
    error: type[Exception], step: SignInStep
) -> None:
    def answer(call: Call) -> dict[str, Any]:
        raise error("canned")

    flow = sign_in_flow(CTX, "alias", "pw", flow_type="USER_PASSWORD_AUTH", now=lambda: NOW)
    outcome, _ = drive(flow, answer)
    assert outcome.result.next_step.sign_in_step is step and outcome.pending is None


def test_replies_and_answers_never_show_their_values() -> None:
    reply = Reply("N3w-pass!", {"name": "Al"})
    answer = Responses({"NEW_PASSWORD": "N3w-pass!"})
    assert "N3w-pass!" not in repr(reply) + repr(answer)
    assert "NEW_PASSWORD" in repr(answer)
