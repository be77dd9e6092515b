"""The sans-I/O flows driven with canned Cognito answers (no transport at all).

The SRP test plays the server with ``pyamplify.srp``'s server half and checks the client's
PASSWORD_CLAIM_SIGNATURE for real, so a wrong USER_ID_FOR_SRP, pool name or SECRET_BLOCK fails.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timezone
from typing import Any

import pytest

from pyamplify import srp
from pyamplify.auth.errors import AuthValidationError, UnsupportedChallengeError
from pyamplify.auth.flows import (
    ClientContext,
    confirm_sign_in_flow,
    confirm_sign_up_flow,
    refresh_flow,
    resend_sign_up_code_flow,
    revoke_token_flow,
    sign_in_flow,
    sign_up_flow,
)
from pyamplify.auth.results import SignInStep, SignUpStep
from pyamplify.errors import PyamplifyError
from pyamplify.wire.call import Call
from pyamplify.wire.errors import (
    ConnectError,
    InternalErrorException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    UserNotConfirmedException,
)

from .helpers import authentication_result, drive

POOL = "us-east-1_TestPool1"
CTX = ClientContext(POOL, "client123")
SECRET_CTX = ClientContext(POOL, "client123", "s3cr3t")
NOW = datetime(2026, 11, 5, 9, 3, 7, tzinfo=timezone.utc)


def test_sign_up_needing_confirmation() -> None:
    def answer(call: Call) -> dict[str, Any]:
        return {
            "UserConfirmed": False,
            "UserSub": "sub-9",
            "CodeDeliveryDetails": {
                "Destination": "a***@e***",
                "DeliveryMedium": "EMAIL",
                "AttributeName": "email",
            },
        }

    flow = sign_up_flow(SECRET_CTX, "alice", "Passw0rd!", attributes={"email": "a@example.com"})
    result, calls = drive(flow, answer)
    assert not result.is_sign_up_complete
    assert result.user_id == "sub-9"
    assert result.next_step.sign_up_step is SignUpStep.CONFIRM_SIGN_UP
    assert result.next_step.code_delivery_details.delivery_medium == "EMAIL"
    payload = calls[0].payload
    assert calls[0].operation == "SignUp"
    assert payload["UserAttributes"] == [{"Name": "email", "Value": "a@example.com"}]
    assert payload["SecretHash"] == srp.compute_secret_hash("alice", "client123", "s3cr3t")
    assert "ValidationData" not in payload


def test_sign_up_already_confirmed_is_done() -> None:
    result, _ = drive(
        sign_up_flow(CTX, "bob", "pw"), lambda c: {"UserConfirmed": True, "UserSub": "s"}
    )
    assert result.is_sign_up_complete and result.next_step.sign_up_step is SignUpStep.DONE


def test_confirm_and_resend_send_the_secret_hash() -> None:
    result, calls = drive(confirm_sign_up_flow(SECRET_CTX, "alice", "123456"), lambda c: {})
    assert result.is_sign_up_complete
    assert calls[0].payload["ConfirmationCode"] == "123456"
    assert "SecretHash" in calls[0].payload
    details, calls = drive(
        resend_sign_up_code_flow(CTX, "alice"),
        lambda c: {"CodeDeliveryDetails": {"Destination": "x", "DeliveryMedium": "SMS"}},
    )
    assert details.delivery_medium == "SMS"
    assert "SecretHash" not in calls[0].payload


class SrpServer:
    """The server half of USER_SRP_AUTH for one user whose internal name differs from the
    alias typed at sign-in (so the flow must use USER_ID_FOR_SRP)."""

    def __init__(self, password: str, internal: str = "7f3c-internal-id") -> None:
        self.internal = internal
        self.salt = srp.new_salt_hex()
        self.verifier = srp.make_verifier(srp.pool_name_of(POOL), internal, password, self.salt)
        self.secret_block = base64.b64encode(b"opaque-secret-block").decode()
        self.ephemeral = srp.new_server_ephemeral(self.verifier)
        self.srp_a = ""

    def answer(self, call: Call) -> dict[str, Any]:
        if call.operation == "InitiateAuth":
            self.srp_a = call.payload["AuthParameters"]["SRP_A"]
            return {
                "ChallengeName": "PASSWORD_VERIFIER",
                "ChallengeParameters": {
                    "SALT": self.salt,
                    "SRP_B": self.ephemeral.srp_b,
                    "SECRET_BLOCK": self.secret_block,
                    "USERNAME": self.internal,
                    "USER_ID_FOR_SRP": self.internal,
                },
            }
        answers = call.payload["ChallengeResponses"]
        key = srp.server_session_key(self.srp_a, self.ephemeral, self.verifier)
        claim = srp.PasswordClaim(answers["TIMESTAMP"], answers["PASSWORD_CLAIM_SIGNATURE"])
        ok = srp.verify_signature(
            key,
            claim,
            pool_name=srp.pool_name_of(POOL),
            user_id=self.internal,
            secret_block_b64=answers["PASSWORD_CLAIM_SECRET_BLOCK"],
        )
        if not ok:
            raise NotAuthorizedException("Incorrect username or password.")
        return {"AuthenticationResult": authentication_result(iat=1_700_000_000)}


def test_srp_sign_in_answers_password_verifier_with_a_valid_claim() -> None:
    server = SrpServer("correct horse")
    flow = sign_in_flow(SECRET_CTX, "alice@example.com", "correct horse", now=lambda: NOW)
    outcome, calls = drive(flow, server.answer)
    assert outcome.result.is_signed_in
    assert outcome.result.next_step.sign_in_step is SignInStep.DONE
    assert outcome.authentication["RefreshToken"] == "refresh-alice"
    initiate, respond = calls
    assert initiate.payload["AuthParameters"]["USERNAME"] == "alice@example.com"
    assert initiate.payload["AuthParameters"]["SECRET_HASH"] == srp.compute_secret_hash(
        "alice@example.com", "client123", "s3cr3t"
    )
    answers = respond.payload["ChallengeResponses"]
    assert answers["USERNAME"] == server.internal
    assert answers["SECRET_HASH"] == srp.compute_secret_hash(server.internal, "client123", "s3cr3t")
    assert answers["TIMESTAMP"] == "Thu Nov 5 09:03:07 UTC 2026"
    assert "Session" not in respond.payload


def test_srp_sign_in_with_the_wrong_password_raises_cognitos_error() -> None:
    server = SrpServer("correct horse")
    flow = sign_in_flow(CTX, "alice", "wrong", now=lambda: NOW)
    with pytest.raises(NotAuthorizedException, match=r"Incorrect username or password\."):
        drive(flow, server.answer)


def test_unsafe_srp_b_is_refused() -> None:
    def answer(call: Call) -> dict[str, Any]:
        return {
            "ChallengeName": "PASSWORD_VERIFIER",
            "ChallengeParameters": {
                "SALT": "ab",
                "SRP_B": srp.N_HEX,
                "SECRET_BLOCK": "AA==",
                "USER_ID_FOR_SRP": "u",
            },
        }

    with pytest.raises(PyamplifyError, match="unsafe"):
        drive(sign_in_flow(CTX, "u", "pw", now=lambda: NOW), answer)


def test_password_flow_sends_the_password_and_never_shows_it() -> None:
    flow = sign_in_flow(CTX, "alice", "pw-123", flow_type="USER_PASSWORD_AUTH", now=lambda: NOW)
    result = {"AuthenticationResult": authentication_result(iat=1)}
    outcome, calls = drive(flow, lambda c: result)
    assert outcome.result.is_signed_in
    assert calls[0].payload["AuthParameters"]["PASSWORD"] == "pw-123"
    assert "pw-123" not in repr(calls[0]) + repr(outcome)


@pytest.mark.parametrize(
    ("error", "step"),
    [
        (UserNotConfirmedException("User is not confirmed."), SignInStep.CONFIRM_SIGN_UP),
        (PasswordResetRequiredException("Password reset required."), SignInStep.RESET_PASSWORD),
    ],
)
def test_errors_that_are_next_steps(error: PyamplifyError, step: SignInStep) -> None:
    def answer(call: Call) -> dict[str, Any]:
        raise error

    outcome, _ = drive(sign_in_flow(CTX, "alice", "pw", now=lambda: NOW), answer)
    assert not outcome.result.is_signed_in
    assert outcome.result.next_step.sign_in_step is step
    assert outcome.pending is None


def test_new_password_required_then_confirm_with_missing_attributes() -> None:
    challenge = {
        "ChallengeName": "NEW_PASSWORD_REQUIRED",
        "Session": "session-1" * 4,
        "ChallengeParameters": {
            "USER_ID_FOR_SRP": "internal-1",
            "requiredAttributes": json.dumps(["userAttributes.name", "userAttributes.email"]),
            "userAttributes": json.dumps({"email_verified": "true"}),
        },
    }
    flow = sign_in_flow(
        SECRET_CTX, "alias", "temp-pw", flow_type="USER_PASSWORD_AUTH", now=lambda: NOW
    )
    outcome, _ = drive(flow, lambda c: challenge)
    step = outcome.result.next_step
    assert step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED
    assert step.missing_attributes == ("name", "email")
    pending = outcome.pending
    assert pending.username == "internal-1" and pending.login_id == "alias"
    done = {"AuthenticationResult": authentication_result(iat=1)}
    flow = confirm_sign_in_flow(SECRET_CTX, pending, "N3w-pass!", attributes={"name": "Al"})
    confirmed, calls = drive(flow, lambda c: done)
    assert confirmed.result.is_signed_in
    answers = calls[0].payload["ChallengeResponses"]
    assert answers["NEW_PASSWORD"] == "N3w-pass!"
    assert answers["userAttributes.name"] == "Al"
    assert answers["USERNAME"] == "internal-1"
    assert answers["SECRET_HASH"] == srp.compute_secret_hash("internal-1", "client123", "s3cr3t")
    assert calls[0].payload["Session"] == "session-1" * 4


@pytest.mark.parametrize(
    ("challenge", "step", "key", "sent"),
    [
        ("SMS_MFA", SignInStep.CONFIRM_SIGN_IN_WITH_SMS_CODE, "SMS_MFA_CODE", "123"),
        (
            "SOFTWARE_TOKEN_MFA",
            SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE,
            "SOFTWARE_TOKEN_MFA_CODE",
            "123",
        ),
        ("EMAIL_OTP", SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE, "EMAIL_OTP_CODE", "123"),
        ("CUSTOM_CHALLENGE", SignInStep.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE, "ANSWER", "123"),
        (
            "SELECT_MFA_TYPE",
            SignInStep.CONTINUE_SIGN_IN_WITH_MFA_SELECTION,
            "ANSWER",
            "SOFTWARE_TOKEN_MFA",
        ),
    ],
)
def test_code_challenges_map_to_amplify_steps(
    challenge: str, step: SignInStep, key: str, sent: str
) -> None:
    params = {
        "USERNAME": "u",
        "CODE_DELIVERY_DESTINATION": "+*******12",
        "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
        "MFAS_CAN_CHOOSE": json.dumps(["SMS_MFA", "SOFTWARE_TOKEN_MFA"]),
    }
    answer = {"ChallengeName": challenge, "Session": "s" * 30, "ChallengeParameters": params}
    flow = sign_in_flow(CTX, "u", "pw", flow_type="USER_PASSWORD_AUTH", now=lambda: NOW)
    outcome, _ = drive(flow, lambda c: answer)
    next_step = outcome.result.next_step
    assert next_step.sign_in_step is step
    assert next_step.code_delivery_details.destination == "+*******12"
    if challenge == "SELECT_MFA_TYPE":
        assert next_step.allowed_mfa_types == ("SMS", "TOTP")
    reply = "TOTP" if challenge == "SELECT_MFA_TYPE" else "123"
    flow = confirm_sign_in_flow(CTX, outcome.pending, reply)
    _, calls = drive(flow, lambda c: {"AuthenticationResult": authentication_result(iat=1)})
    assert calls[0].payload["ChallengeResponses"][key] == sent
    assert calls[0].payload["ChallengeName"] == challenge


def test_unknown_challenge_is_a_clear_error() -> None:
    answer = {"ChallengeName": "FUTURE_CHALLENGE", "ChallengeParameters": {}}
    flow = sign_in_flow(CTX, "u", "pw", flow_type="USER_PASSWORD_AUTH", now=lambda: NOW)
    with pytest.raises(UnsupportedChallengeError, match="FUTURE_CHALLENGE"):
        drive(flow, lambda c: answer)


def test_argument_errors_are_validation_errors_exit_2() -> None:
    with pytest.raises(AuthValidationError, match="MAGIC_AUTH") as caught:
        drive(sign_in_flow(CTX, "u", "pw", flow_type="MAGIC_AUTH", now=lambda: NOW), dict)
    assert caught.value.exit_code == 2
    with pytest.raises(AuthValidationError, match="password"):
        drive(sign_in_flow(CTX, "u", None, now=lambda: NOW), dict)


def test_refresh_calls_get_tokens_from_refresh_token_with_the_client_secret() -> None:
    flow = refresh_flow(SECRET_CTX, "rt", device_key="dk")
    result, calls = drive(
        flow, lambda c: {"AuthenticationResult": {"AccessToken": "a", "IdToken": "i"}}
    )
    assert calls[0].operation == "GetTokensFromRefreshToken"
    assert calls[0].payload == {
        "RefreshToken": "rt",
        "ClientId": "client123",
        "ClientSecret": "s3cr3t",
        "DeviceKey": "dk",
    }
    assert result["AccessToken"] == "a"
    _, calls = drive(
        refresh_flow(CTX, "rt"),
        lambda c: {"AuthenticationResult": {"AccessToken": "a", "IdToken": "i"}},
    )
    assert calls[0].payload == {"RefreshToken": "rt", "ClientId": "client123"}


def test_refresh_without_tokens_in_the_answer_is_a_protocol_error() -> None:
    with pytest.raises(PyamplifyError, match="AuthenticationResult"):
        drive(refresh_flow(CTX, "rt"), lambda c: {})


def test_revoke_sends_the_client_secret_when_there_is_one() -> None:
    _, calls = drive(revoke_token_flow(SECRET_CTX, "rt"), lambda c: {})
    assert calls[0].payload == {"Token": "rt", "ClientId": "client123", "ClientSecret": "s3cr3t"}
    _, calls = drive(revoke_token_flow(CTX, "rt"), lambda c: {})
    assert "ClientSecret" not in calls[0].payload


def test_context_repr_hides_the_secret() -> None:
    assert "s3cr3t" not in repr(SECRET_CTX)


def test_a_password_verifier_answer_that_failed_transiently_starts_a_fresh_exchange() -> None:
    """Its secret block may be spent: the answer is never repeated, the exchange is redone."""
    server = SrpServer("correct horse")
    failures = [InternalErrorException("Internal server error."), ConnectError("reset")]

    def flaky(call: Call) -> dict[str, Any]:
        if call.operation == "RespondToAuthChallenge" and failures:
            server.answer(call)  # the server did its part; the answer is lost
            raise failures.pop(0)
        return server.answer(call)

    outcome, calls = drive(sign_in_flow(CTX, "alice", "correct horse", now=lambda: NOW), flaky)
    assert outcome.result.is_signed_in
    assert [call.operation for call in calls] == ["InitiateAuth", "RespondToAuthChallenge"] * 3
    srp_as = {call.payload["AuthParameters"]["SRP_A"] for call in calls[::2]}
    assert len(srp_as) == 3  # a new ephemeral each time


def test_a_sign_in_gives_up_after_three_exchanges_and_never_restarts_on_a_refusal() -> None:
    server = SrpServer("correct horse")

    def always_failing(call: Call) -> dict[str, Any]:
        if call.operation == "RespondToAuthChallenge":
            raise InternalErrorException("Internal server error.")
        return server.answer(call)

    calls: list[Call] = []
    with pytest.raises(InternalErrorException):
        drive(
            sign_in_flow(CTX, "alice", "correct horse", now=lambda: NOW),
            lambda call: calls.append(call) or always_failing(call),  # type: ignore[func-returns-value]
        )
    assert len(calls) == 6
    refused: list[Call] = []
    with pytest.raises(NotAuthorizedException):
        drive(
            sign_in_flow(CTX, "alice", "wrong", now=lambda: NOW),
            lambda call: refused.append(call) or server.answer(call),  # type: ignore[func-returns-value]
        )
    assert len(refused) == 2  # a wrong password is an answer, not a fault: no second exchange
