"""The remembered-device flows and records with canned answers: what is sent, and when.

The device's SRP claim is checked with the server half of :mod:`pyamplify.srp` from the salt and
verifier ConfirmDevice would register, so a wrong pool name, user id or password fails here.
"""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from typing import Any

import pytest

from pyamplify import srp
from pyamplify.auth import AuthDevice
from pyamplify.auth._core import AuthCore
from pyamplify.auth.device_flows import (
    confirm_device_flow,
    continue_on_device,
    device_is_gone,
    device_srp_flow,
    fetch_devices_flow,
)
from pyamplify.auth.device_operations import book_key
from pyamplify.auth.device_store import DeviceBook, RememberedDevice
from pyamplify.auth.drivers import run_sync
from pyamplify.auth.flows import (
    ClientContext,
    PendingChallenge,
    confirm_sign_in_flow,
    sign_in_flow,
)
from pyamplify.auth.operations import sign_in_op
from pyamplify.auth.results import SignInStep
from pyamplify.storage import KeyringLockedError, MemoryStore
from pyamplify.wire.call import Call
from pyamplify.wire.errors import (
    InternalErrorException,
    ProtocolError,
    ResourceNotFoundException,
)

from .helpers import authentication_result, drive
from .test_auth_offline import CONFIG

CTX = ClientContext("us-east-1_pool", "client")
SECRET_CTX = ClientContext("us-east-1_pool", "client", "s3cret")
NOW = datetime(2024, 5, 7, 0, 9, 40, tzinfo=timezone.utc)
GONE = ResourceNotFoundException("Device does not exist.")


def clock() -> datetime:
    return NOW


class DeviceServer:
    """Cognito's side of one device's SRP, from what ConfirmDevice registered."""

    def __init__(self) -> None:
        self.key, self.group = "us-east-1_11111111-2222-4333-8444-555555555555", "-Gr0upK3y"
        secret = srp.new_device_secret(self.group, self.key)
        self.device = RememberedDevice(self.key, self.group, secret.password)
        self.salt = base64.b64decode(secret.salt_b64).hex()
        self.verifier = int(base64.b64decode(secret.verifier_b64).hex(), 16)
        self.block = base64.b64encode(b"block" * 10).decode()
        self.session_key = b""

    def challenge(self, srp_a: str) -> dict[str, Any]:
        server = srp.new_server_ephemeral(self.verifier)
        self.session_key = srp.server_session_key(srp_a, server, self.verifier)
        return {
            "ChallengeName": "DEVICE_PASSWORD_VERIFIER",
            "Session": "s2",
            "ChallengeParameters": {
                "SRP_B": server.srp_b,
                "SALT": self.salt,
                "SECRET_BLOCK": self.block,
                "USERNAME": "alice-internal",
            },
        }

    def claim_is_right(self, answers: dict[str, str]) -> bool:
        claim = srp.PasswordClaim(answers["TIMESTAMP"], answers["PASSWORD_CLAIM_SIGNATURE"])
        return srp.verify_signature(
            self.session_key,
            claim,
            pool_name=self.group,
            user_id=self.key,
            secret_block_b64=answers["PASSWORD_CLAIM_SECRET_BLOCK"],
        )

    def answer(self, call: Call) -> dict[str, Any]:
        answers = dict(call.payload["ChallengeResponses"])
        if call.payload["ChallengeName"] == "DEVICE_SRP_AUTH":
            return self.challenge(answers["SRP_A"])
        assert self.claim_is_right(answers)
        return {"AuthenticationResult": {"AccessToken": "a"}}


def test_device_srp_answers_both_challenges_with_a_claim_the_server_accepts() -> None:
    server = DeviceServer()
    flow = device_srp_flow(
        SECRET_CTX, server.device, "alice", "s1", client_metadata={"k": "v"}, now=clock
    )
    result, calls = drive(flow, server.answer)
    assert result == {"AuthenticationResult": {"AccessToken": "a"}}
    first, second = (call.payload for call in calls)
    assert first["ChallengeName"] == "DEVICE_SRP_AUTH" and first["Session"] == "s1"
    assert first["ClientMetadata"] == {"k": "v"}
    assert set(first["ChallengeResponses"]) == {"USERNAME", "DEVICE_KEY", "SRP_A", "SECRET_HASH"}
    assert first["ChallengeResponses"]["SECRET_HASH"] == srp.compute_secret_hash(
        "alice", "client", "s3cret"
    )
    # The verifier's USERNAME (the internal one) answers it, and its SECRET_HASH uses it.
    answers = second["ChallengeResponses"]
    assert second["Session"] == "s2" and answers["USERNAME"] == "alice-internal"
    assert answers["SECRET_HASH"] == srp.compute_secret_hash("alice-internal", "client", "s3cret")
    assert (
        answers["DEVICE_KEY"] == server.key
        and answers["TIMESTAMP"] == "Tue May 7 00:09:40 UTC 2024"
    )


def test_a_wrong_device_password_gives_a_claim_the_server_refuses() -> None:
    server = DeviceServer()
    stranger = RememberedDevice(server.key, server.group, "not-the-password")
    with pytest.raises(AssertionError):
        drive(
            device_srp_flow(CTX, stranger, "alice", "s1", client_metadata=None, now=clock),
            server.answer,
        )


def test_continue_on_device_passes_other_answers_and_needs_a_device() -> None:
    tokens = {"AuthenticationResult": {"AccessToken": "a"}}
    result, calls = drive(
        continue_on_device(CTX, tokens, None, "alice", client_metadata=None, now=clock),
        lambda call: {},
    )
    assert result is tokens and calls == []
    asked = {"ChallengeName": "DEVICE_SRP_AUTH", "Session": "s", "ChallengeParameters": {}}
    with pytest.raises(ProtocolError, match="no"):
        drive(continue_on_device(CTX, asked, None, "a", client_metadata=None, now=clock), dict)


def test_srp_sign_in_names_the_device_and_drops_a_forgotten_one() -> None:
    server = DeviceServer()
    book = DeviceBook().with_device("alice-internal", "alice@example.com", server.device)
    eph_answers: list[dict[str, str]] = []

    def cognito(call: Call) -> dict[str, Any]:
        if call.operation == "InitiateAuth":
            assert "DEVICE_KEY" not in call.payload["AuthParameters"]
            return {
                "ChallengeName": "PASSWORD_VERIFIER",
                "ChallengeParameters": {
                    "SALT": "0a",
                    "SRP_B": "ff" * 16,
                    "SECRET_BLOCK": server.block,
                    "USERNAME": "alice-internal",
                    "USER_ID_FOR_SRP": "alice-internal",
                },
            }
        answers = dict(call.payload["ChallengeResponses"])
        eph_answers.append(answers)
        if "DEVICE_KEY" in answers:
            raise GONE
        return {"AuthenticationResult": authentication_result(iat=0)}

    flow = sign_in_flow(CTX, "alice@example.com", "pw", now=clock, devices=book.find)
    outcome, calls = drive(flow, cognito)
    assert [call.operation for call in calls] == [
        "InitiateAuth",
        "RespondToAuthChallenge",
        "RespondToAuthChallenge",
    ]
    # The same answer (same SECRET_BLOCK and signature) again, without the device.
    assert eph_answers[0].pop("DEVICE_KEY") == server.key
    assert eph_answers[0] == eph_answers[1]
    assert outcome.forgotten_device == "alice@example.com"
    assert outcome.authentication is not None


def test_password_sign_in_retries_initiate_auth_without_a_forgotten_device() -> None:
    device = RememberedDevice("us-east-1_1-2", "-g", "p")
    book = DeviceBook().with_device("alice", "alice", device)
    sent: list[dict[str, str]] = []

    def cognito(call: Call) -> dict[str, Any]:
        sent.append(dict(call.payload["AuthParameters"]))
        if "DEVICE_KEY" in call.payload["AuthParameters"]:
            raise GONE
        return {"AuthenticationResult": authentication_result(iat=0)}

    flow = sign_in_flow(
        CTX, "alice", "pw", flow_type="USER_PASSWORD_AUTH", now=clock, devices=book.find
    )
    outcome, _calls = drive(flow, cognito)
    assert sent[0]["DEVICE_KEY"] == device.device_key and "DEVICE_KEY" not in sent[1]
    assert outcome.forgotten_device == "alice" and outcome.authentication is not None


def test_other_resource_errors_are_not_taken_for_a_forgotten_device() -> None:
    book = DeviceBook().with_device("alice", "alice", RememberedDevice("k_1", "-g", "p"))
    missing = ResourceNotFoundException("User pool client 1234 does not exist.")
    assert device_is_gone(GONE) and not device_is_gone(missing)

    def cognito(call: Call) -> dict[str, Any]:
        raise missing

    flow = sign_in_flow(
        CTX, "alice", "pw", flow_type="USER_PASSWORD_AUTH", now=clock, devices=book.find
    )
    with pytest.raises(ResourceNotFoundException, match="client"):
        drive(flow, cognito)


def test_a_device_challenge_after_an_mfa_answer_is_answered_too() -> None:
    """Cognito may ask a remembered device to prove itself after the MFA code (Amplify JS handles
    DEVICE_SRP_AUTH after every challenge answer); the pending sign-in keeps the device."""
    server = DeviceServer()
    pending = PendingChallenge(
        name="SMS_MFA",
        parameters={},
        session="s0",
        username="alice",
        login_id="alice",
        auth_flow_type="USER_SRP_AUTH",
        step=SignInStep.CONFIRM_SIGN_IN_WITH_SMS_CODE,
        device=server.device,
    )
    assert server.device.device_password not in repr(pending)

    def cognito(call: Call) -> dict[str, Any]:
        if call.payload["ChallengeName"] == "SMS_MFA":
            return {"ChallengeName": "DEVICE_SRP_AUTH", "Session": "s1", "ChallengeParameters": {}}
        if call.payload["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER":
            assert server.claim_is_right(dict(call.payload["ChallengeResponses"]))
            return {"AuthenticationResult": authentication_result(iat=0)}
        return server.answer(call)

    outcome, calls = drive(confirm_sign_in_flow(CTX, pending, "123456", now=clock), cognito)
    assert [call.payload["ChallengeName"] for call in calls] == [
        "SMS_MFA",
        "DEVICE_SRP_AUTH",
        "DEVICE_PASSWORD_VERIFIER",
    ]
    assert outcome.result.is_signed_in


def test_confirm_device_sends_a_verifier_for_a_new_random_password() -> None:
    metadata = {"DeviceKey": "us-east-1_k", "DeviceGroupKey": "-g"}
    (device, prompt), calls = drive(
        confirm_device_flow("access", metadata, "laptop"),
        lambda call: {"UserConfirmationNecessary": True},
    )
    payload = calls[0].payload
    assert calls[0].operation == "ConfirmDevice" and prompt is True
    assert (payload["AccessToken"], payload["DeviceKey"], payload["DeviceName"]) == (
        "access",
        "us-east-1_k",
        "laptop",
    )
    config = payload["DeviceSecretVerifierConfig"]
    salt = base64.b64decode(config["Salt"]).hex()
    expected = srp.make_verifier("-g", "us-east-1_k", device.device_password, salt)
    assert int(base64.b64decode(config["PasswordVerifier"]).hex(), 16) == expected
    assert len(device.device_password) == 56  # base64 of 40 random bytes, as Amplify's
    with pytest.raises(ProtocolError):
        drive(confirm_device_flow("access", {"DeviceKey": "k"}), dict)


def test_fetch_devices_follows_every_page() -> None:
    pages = iter(
        [
            {"Devices": [{"DeviceKey": "k1"}], "PaginationToken": "t1"},
            {"Devices": [{"DeviceKey": "k2"}]},
        ]
    )
    devices, calls = drive(fetch_devices_flow("access"), lambda call: next(pages))
    assert [device.id for device in devices] == ["k1", "k2"]
    assert [call.payload.get("PaginationToken") for call in calls] == [None, "t1"]
    assert all(call.payload["Limit"] == 60 for call in calls)


def test_auth_device_reads_cognito_s_device_type() -> None:
    device = AuthDevice.from_wire(
        {
            "DeviceKey": "us-east-1_k",
            "DeviceAttributes": [
                {"Name": "device_name", "Value": "laptop"},
                {"Name": "dev:device_remembered_status", "Value": "remembered"},
            ],
            "DeviceCreateDate": 1715100742.022,
            "DeviceLastModifiedDate": 1715100743,
        }
    )
    assert (device.id, device.name, device.remembered) == ("us-east-1_k", "laptop", True)
    assert device.create_date == datetime.fromtimestamp(1715100742.022, timezone.utc)
    assert device.last_authenticated_date is None


def test_the_device_book_finds_by_either_name_and_survives_bad_records() -> None:
    device = RememberedDevice("k", "-g", "secret-password")
    book = DeviceBook().with_device("uuid-1", "alice@example.com", device)
    assert book.find("uuid-1") is book.find("alice@example.com") is device
    assert "secret-password" not in repr(book) and "secret-password" not in repr(device)
    assert DeviceBook.from_dict(book.to_dict()) == book
    assert book.without("alice@example.com") == DeviceBook()
    assert DeviceBook.from_dict(None) == DeviceBook()
    assert DeviceBook.from_dict({"format": 99}) == DeviceBook()
    broken = {"format": 1, "devices": {"u": {"device_key": 1}, "v": "x"}, "logins": {"a": "u"}}
    assert DeviceBook.from_dict(broken) == DeviceBook()


def test_a_sign_in_succeeds_when_confirm_device_fails() -> None:
    core = AuthCore(CONFIG, store=MemoryStore(), profile="default", clock=lambda: 0.0)
    tokens = {
        **authentication_result(iat=0),
        "NewDeviceMetadata": {"DeviceKey": "us-east-1_k", "DeviceGroupKey": "-g"},
    }
    operations: list[str] = []

    def cognito(call: Call) -> dict[str, Any]:
        operations.append(call.operation)
        if call.operation == "ConfirmDevice":
            raise InternalErrorException("Internal server error.")
        return {"AuthenticationResult": tokens}

    def perform(effect: Any) -> Any:
        if isinstance(effect, Call):
            return cognito(effect)
        if hasattr(effect, "fn"):
            return effect.fn(*effect.args)
        return run_sync(effect.body, perform)

    result = run_sync(sign_in_op(core, None, "alice", "pw", "USER_PASSWORD_AUTH", None), perform)
    assert result.is_signed_in and operations == ["InitiateAuth", "ConfirmDevice"]
    assert core.store.load(book_key(core)) is None  # nothing remembered


class LockedDeviceRecord(MemoryStore):
    """A store whose device record cannot be read or written (a locked keyring, say)."""

    def load(self, key: str) -> Any:
        if key.startswith("devices/"):
            raise KeyringLockedError("the keyring is locked (test)")
        return super().load(key)

    def save(self, key: str, value: Any) -> None:
        if key.startswith("devices/"):
            raise KeyringLockedError("the keyring is locked (test)")
        super().save(key, value)


def test_a_device_record_the_store_refuses_never_fails_the_sign_in(
    caplog: pytest.LogCaptureFixture,
) -> None:
    core = AuthCore(CONFIG, store=LockedDeviceRecord(), profile="default", clock=lambda: 0.0)
    tokens = {
        **authentication_result(iat=0),
        "NewDeviceMetadata": {"DeviceKey": "us-east-1_k", "DeviceGroupKey": "-g"},
    }

    def perform(effect: Any) -> Any:
        if isinstance(effect, Call):
            if effect.operation == "ConfirmDevice":
                return {"UserConfirmationNecessary": False}
            assert "DEVICE_KEY" not in effect.payload["AuthParameters"]
            return {"AuthenticationResult": tokens}
        if hasattr(effect, "fn"):
            return effect.fn(*effect.args)
        return run_sync(effect.body, perform)

    with caplog.at_level("WARNING", logger="pyamplify.auth"):
        result = run_sync(
            sign_in_op(core, None, "alice", "pw", "USER_PASSWORD_AUTH", None), perform
        )
    assert result.is_signed_in
    assert [r.getMessage() for r in caplog.records] == [
        "remembered devices not read (signing in as a new device): the keyring is locked (test)",
        "remembered devices not updated: the keyring is locked (test)",
    ]
