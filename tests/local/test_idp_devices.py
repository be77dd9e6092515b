"""Remembered devices in the local Cognito over loopback HTTP with boto3.

The device's SRP is computed with :mod:`pyamplify.srp`'s client half here (the Node test in
``test_device_srp_node.py`` runs amazon-cognito-identity-js against the same server); tokens are
verified with PyJWT against the served JWKS. Email MFA codes come from the outbox.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError

from conftest import PoolClient
from pyamplify import srp
from pyamplify.local import LocalCognito
from pyamplify.local.clock import ManualClock
from pyamplify.local.idp.device_tracking import DEVICE_NOT_FOUND

from . import srp_client
from .trigger_support import error_of, verify_token

pytestmark = pytest.mark.e2e

PASSWORD = "Correct-Horse-9-battery"
EMAIL_MFA = {"Message": "Your sign-in code is {####}.", "Subject": "Sign-in code"}
DEVICE_KEY = re.compile(r"us-east-1_[0-9a-f-]{36}")


@pytest.fixture
def device_pool(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient]
) -> Callable[..., PoolClient]:
    """``device_pool(mfa="ON", challenge=True, prompt=False, secret=False)``: a device-tracking
    pool with email MFA."""

    def make(
        mfa: str = "ON", *, challenge: bool = True, prompt: bool = False, secret: bool = False
    ) -> PoolClient:
        pool = new_user_pool(
            pool={
                "DeviceConfiguration": {
                    "ChallengeRequiredOnNewDevice": challenge,
                    "DeviceOnlyRememberedOnUserPrompt": prompt,
                }
            },
            client={"GenerateSecret": secret},
        )
        if mfa != "OFF":
            cognito_idp.set_user_pool_mfa_config(
                UserPoolId=pool.pool_id, MfaConfiguration=mfa, EmailMfaConfiguration=EMAIL_MFA
            )
        return pool

    return make


class Device:
    """What a client keeps for a device: its keys and random password."""

    def __init__(self, metadata: dict[str, str]) -> None:
        self.key = metadata["DeviceKey"]
        self.group = metadata["DeviceGroupKey"]
        self.secret = srp.new_device_secret(self.group, self.key)


class Client:
    """One user signing in to one pool (SECRET_HASH when the client has a secret)."""

    def __init__(self, idp: Any, cognito: LocalCognito, pool: PoolClient, username: str):
        self.idp, self.cognito, self.pool, self.username = idp, cognito, pool, username

    def hashed(self, username: str) -> dict[str, str]:
        if not self.pool.client_secret:
            return {}
        digest = srp.compute_secret_hash(username, self.pool.client_id, self.pool.client_secret)
        return {"SECRET_HASH": digest}

    def respond(self, name: str, responses: dict[str, str], session: str | None) -> Any:
        answers = {"USERNAME": self.username, **responses, **self.hashed(self.username)}
        return self.idp.respond_to_auth_challenge(
            ClientId=self.pool.client_id,
            ChallengeName=name,
            ChallengeResponses=answers,
            **({"Session": session} if session else {}),
        )

    def password(self, device: Device | None = None, at: datetime | None = None) -> Any:
        """SRP sign-in up to the answer of PASSWORD_VERIFIER (with the device's key)."""
        eph = srp.new_client_ephemeral()
        started = self.idp.initiate_auth(
            ClientId=self.pool.client_id,
            AuthFlow="USER_SRP_AUTH",
            AuthParameters={"USERNAME": self.username, "SRP_A": eph.srp_a}
            | self.hashed(self.username),
        )
        responses = srp_client.answer(
            eph, started["ChallengeParameters"], self.pool.pool_id, PASSWORD, now=at
        )
        if device is not None:
            responses["DEVICE_KEY"] = device.key
        return self.respond("PASSWORD_VERIFIER", responses, None)

    def email_code(self, challenge: dict[str, Any]) -> Any:
        assert challenge["ChallengeName"] == "EMAIL_OTP", challenge.get("ChallengeName")
        code = self.cognito.outbox(self.username)[-1]["code"]
        return self.respond("EMAIL_OTP", {"EMAIL_OTP_CODE": code}, challenge["Session"])

    def device_srp(
        self, challenge: dict[str, Any], device: Device, *, password: str | None = None
    ) -> Any:
        """DEVICE_SRP_AUTH, then DEVICE_PASSWORD_VERIFIER answered with the device's claim."""
        assert challenge["ChallengeName"] == "DEVICE_SRP_AUTH", challenge.get("ChallengeName")
        assert "AuthenticationResult" not in challenge
        eph = srp.new_client_ephemeral()
        verifier = self.respond(
            "DEVICE_SRP_AUTH",
            {"DEVICE_KEY": device.key, "SRP_A": eph.srp_a},
            challenge["Session"],
        )
        assert verifier["ChallengeName"] == "DEVICE_PASSWORD_VERIFIER"
        params = verifier["ChallengeParameters"]
        assert set(params) == {"SRP_B", "SALT", "SECRET_BLOCK", "USERNAME"}
        claim = srp.password_claim(
            eph,
            pool_name=device.group,
            user_id=device.key,
            password=password or device.secret.password,
            srp_b_hex=params["SRP_B"],
            salt_hex=params["SALT"],
            secret_block_b64=params["SECRET_BLOCK"],
            now=datetime.now(timezone.utc),
        )
        return self.respond(
            "DEVICE_PASSWORD_VERIFIER",
            {
                "DEVICE_KEY": device.key,
                "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
                "PASSWORD_CLAIM_SIGNATURE": claim.signature,
                "TIMESTAMP": claim.timestamp,
            },
            verifier["Session"],
        )

    def confirm(self, tokens: dict[str, Any], name: str | None = "laptop") -> tuple[Device, Any]:
        device = Device(tokens["NewDeviceMetadata"])
        answer = self.idp.confirm_device(
            AccessToken=tokens["AccessToken"],
            DeviceKey=device.key,
            DeviceSecretVerifierConfig={
                "PasswordVerifier": device.secret.verifier_b64,
                "Salt": device.secret.salt_b64,
            },
            **({"DeviceName": name} if name else {}),
        )
        return device, answer

    def refresh(self, tokens: dict[str, Any], device_key: str | None) -> Any:
        params = {"REFRESH_TOKEN": tokens["RefreshToken"]}
        if self.pool.client_secret:
            internal = jwt.decode(tokens["AccessToken"], options={"verify_signature": False})
            params |= self.hashed(str(internal["username"]))
        if device_key:
            params["DEVICE_KEY"] = device_key
        return self.idp.initiate_auth(
            ClientId=self.pool.client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=params
        )


@pytest.fixture
def client(
    cognito_idp: Any, local_cognito: LocalCognito, new_user: Callable[..., str]
) -> Callable[[PoolClient], Client]:
    def make(pool: PoolClient, **attributes: str) -> Client:
        username = f"user-{secrets.token_hex(4)}"
        attributes = {"email": f"{username}@example.com", **attributes}
        new_user(pool.pool_id, username, PASSWORD, attributes)
        return Client(cognito_idp, local_cognito, pool, username)

    return make


# ---------------------------------------------------------------------- new devices


@pytest.mark.parametrize("secret", [False, True], ids=["public", "secret"])
def test_a_remembered_device_signs_in_without_mfa_through_device_srp(
    device_pool: Callable[..., PoolClient],
    client: Callable[..., Client],
    local_cognito: LocalCognito,
    secret: bool,
) -> None:
    pool = device_pool(secret=secret)
    user = client(pool)
    first = user.email_code(user.password())["AuthenticationResult"]
    metadata = first["NewDeviceMetadata"]
    assert DEVICE_KEY.fullmatch(metadata["DeviceKey"])
    assert re.fullmatch(r"-[\w-]{8}", metadata["DeviceGroupKey"])
    claims = verify_token(local_cognito.url, pool.pool_id, first["AccessToken"])
    assert claims["device_key"] == metadata["DeviceKey"]
    assert "device_key" not in verify_token(
        local_cognito.url, pool.pool_id, first["IdToken"], pool.client_id
    )

    device, confirmed = user.confirm(first)
    assert confirmed["UserConfirmationNecessary"] is False
    with pytest.raises(ClientError) as caught:  # once
        user.confirm(first)
    assert caught.value.response["Error"]["Code"] == "DeviceKeyExistsException"

    challenge = user.password(device)  # no MFA code: the device proves itself instead
    outbox_before = len(local_cognito.outbox(user.username))
    done = user.device_srp(challenge, device)["AuthenticationResult"]
    assert "NewDeviceMetadata" not in done
    assert len(local_cognito.outbox(user.username)) == outbox_before  # no code was sent
    assert (
        verify_token(local_cognito.url, pool.pool_id, done["AccessToken"])["device_key"]
        == device.key
    )

    refreshed = user.refresh(done, device.key)["AuthenticationResult"]
    assert verify_token(local_cognito.url, pool.pool_id, refreshed["AccessToken"])[
        "device_key"
    ] == (device.key)
    listed = user.idp.list_devices(AccessToken=done["AccessToken"])["Devices"]
    assert [item["DeviceKey"] for item in listed] == [device.key]
    assert listed[0]["DeviceLastAuthenticatedDate"] >= listed[0]["DeviceCreateDate"]


def test_a_wrong_device_password_ends_the_sign_in(
    device_pool: Callable[..., PoolClient], client: Callable[..., Client]
) -> None:
    pool = device_pool()
    user = client(pool)
    device, _ = user.confirm(user.email_code(user.password())["AuthenticationResult"])
    challenge = user.password(device)
    other = srp.new_device_secret(device.group, device.key).password
    with pytest.raises(ClientError) as caught:
        user.device_srp(challenge, device, password=other)
    assert error_of(caught) == ("NotAuthorizedException", "Incorrect username or password.")
    with pytest.raises(ClientError) as caught:  # its Session is gone
        user.device_srp(challenge, device)
    assert error_of(caught) == ("NotAuthorizedException", "Invalid session for the user.")
    assert "AuthenticationResult" in user.device_srp(user.password(device), device)


def test_without_challenge_required_on_new_device_a_remembered_device_still_gets_mfa(
    device_pool: Callable[..., PoolClient], client: Callable[..., Client], local_cognito: Any
) -> None:
    pool = device_pool(challenge=False)
    user = client(pool)
    device, _ = user.confirm(user.email_code(user.password())["AuthenticationResult"])
    after_device = user.device_srp(user.password(device), device)
    done = user.email_code(after_device)["AuthenticationResult"]  # MFA after the device's SRP
    assert "NewDeviceMetadata" not in done
    assert (
        verify_token(local_cognito.url, pool.pool_id, done["AccessToken"])["device_key"]
        == device.key
    )


def test_a_device_known_but_not_remembered_gets_mfa_and_no_new_device(
    device_pool: Callable[..., PoolClient], client: Callable[..., Client], local_cognito: Any
) -> None:
    pool = device_pool(prompt=True)  # "User opt-in"
    user = client(pool)
    first = user.email_code(user.password())["AuthenticationResult"]
    device, confirmed = user.confirm(first)
    assert confirmed["UserConfirmationNecessary"] is True
    status = user.idp.get_device(AccessToken=first["AccessToken"], DeviceKey=device.key)
    attributes = {a["Name"]: a["Value"] for a in status["Device"]["DeviceAttributes"]}
    assert attributes["dev:device_remembered_status"] == "not_remembered"

    challenge = user.password(device)
    assert challenge["ChallengeName"] == "EMAIL_OTP"  # not remembered: MFA, no device SRP
    done = user.email_code(challenge)["AuthenticationResult"]
    assert "NewDeviceMetadata" not in done
    assert (
        verify_token(local_cognito.url, pool.pool_id, done["AccessToken"])["device_key"]
        == device.key
    )

    user.idp.update_device_status(
        AccessToken=done["AccessToken"], DeviceKey=device.key, DeviceRememberedStatus="remembered"
    )
    assert "AuthenticationResult" in user.device_srp(user.password(device), device)


def test_a_forgotten_device_is_refused_and_its_tokens_stop_refreshing(
    device_pool: Callable[..., PoolClient], client: Callable[..., Client], cognito_idp: Any
) -> None:
    pool = device_pool()
    user = client(pool)
    device, _ = user.confirm(user.email_code(user.password())["AuthenticationResult"])
    tokens = user.device_srp(user.password(device), device)["AuthenticationResult"]
    user.refresh(tokens, device.key)
    cognito_idp.admin_forget_device(
        UserPoolId=pool.pool_id, Username=user.username, DeviceKey=device.key
    )
    with pytest.raises(ClientError) as caught:
        user.refresh(tokens, device.key)
    assert error_of(caught) == ("NotAuthorizedException", "Invalid Refresh Token.")
    with pytest.raises(ClientError) as caught:
        user.password(device)
    assert error_of(caught) == ("ResourceNotFoundException", DEVICE_NOT_FOUND)
    # Without the key: MFA again, and a new device.
    again = user.email_code(user.password())["AuthenticationResult"]
    assert again["NewDeviceMetadata"]["DeviceKey"] != device.key


def test_an_unknown_device_key_leaves_the_password_verifier_answerable(
    device_pool: Callable[..., PoolClient], client: Callable[..., Client]
) -> None:
    """Amplify JS answers the same PASSWORD_VERIFIER again without the key after "Device does
    not exist." (retryOnResourceNotFoundException): the SECRET_BLOCK must survive the refusal."""
    pool = device_pool()
    user = client(pool)
    eph = srp.new_client_ephemeral()
    started = user.idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": user.username, "SRP_A": eph.srp_a},
    )
    responses = srp_client.answer(eph, started["ChallengeParameters"], pool.pool_id, PASSWORD)
    with pytest.raises(ClientError) as caught:
        user.respond("PASSWORD_VERIFIER", {**responses, "DEVICE_KEY": "us-east-1_0-0"}, None)
    assert error_of(caught) == ("ResourceNotFoundException", DEVICE_NOT_FOUND)
    assert user.respond("PASSWORD_VERIFIER", responses, None)["ChallengeName"] == "EMAIL_OTP"


def test_refresh_of_a_device_sign_in_needs_its_confirmed_key(
    device_pool: Callable[..., PoolClient], client: Callable[..., Client], cognito_idp: Any
) -> None:
    pool = device_pool(mfa="OFF", secret=True)
    user = client(pool)
    unconfirmed = user.password()["AuthenticationResult"]  # no MFA: tokens at once
    key = unconfirmed["NewDeviceMetadata"]["DeviceKey"]
    with pytest.raises(ClientError) as caught:  # a device never confirmed cannot refresh
        user.refresh(unconfirmed, key)
    assert error_of(caught) == ("NotAuthorizedException", "Invalid Refresh Token.")

    tokens = user.password()["AuthenticationResult"]
    device, _ = user.confirm(tokens)
    for wrong in (None, "us-east-1_00000000-0000-4000-8000-000000000000"):
        with pytest.raises(ClientError) as caught:
            user.refresh(tokens, wrong)
        assert error_of(caught) == ("NotAuthorizedException", "Invalid Refresh Token.")
    assert "AccessToken" in user.refresh(tokens, device.key)["AuthenticationResult"]
    rotated = cognito_idp.get_tokens_from_refresh_token(
        RefreshToken=tokens["RefreshToken"],
        ClientId=pool.client_id,
        ClientSecret=pool.client_secret,
        DeviceKey=device.key,
    )
    assert "AccessToken" in rotated["AuthenticationResult"]
    with pytest.raises(ClientError) as caught:
        cognito_idp.get_tokens_from_refresh_token(
            RefreshToken=tokens["RefreshToken"],
            ClientId=pool.client_id,
            ClientSecret=pool.client_secret,
        )
    assert error_of(caught) == ("NotAuthorizedException", "Invalid Refresh Token.")


def test_admin_and_password_flows_hand_out_new_devices_too(
    device_pool: Callable[..., PoolClient], client: Callable[..., Client], cognito_idp: Any
) -> None:
    pool = device_pool(mfa="OFF")
    user = client(pool)
    admin = cognito_idp.admin_initiate_auth(
        UserPoolId=pool.pool_id,
        ClientId=pool.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user.username, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    assert DEVICE_KEY.fullmatch(admin["NewDeviceMetadata"]["DeviceKey"])
    device, _ = user.confirm(admin)
    plain = cognito_idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user.username, "PASSWORD": PASSWORD, "DEVICE_KEY": device.key},
    )
    assert plain["ChallengeName"] == "DEVICE_SRP_AUTH"  # a remembered device proves itself
    assert "AuthenticationResult" in user.device_srp(plain, device)


def test_a_pool_without_device_tracking_has_no_devices(
    new_user_pool: Callable[..., PoolClient], client: Callable[..., Client], local_cognito: Any
) -> None:
    pool = new_user_pool()
    user = client(pool)
    tokens = user.password()["AuthenticationResult"]
    assert "NewDeviceMetadata" not in tokens
    assert "device_key" not in verify_token(local_cognito.url, pool.pool_id, tokens["AccessToken"])
    ignored = user.password(Device({"DeviceKey": "us-east-1_1-2", "DeviceGroupKey": "-g"}))
    assert "AuthenticationResult" in ignored  # a DEVICE_KEY means nothing here
    assert user.idp.list_devices(AccessToken=tokens["AccessToken"])["Devices"] == []
    with pytest.raises(ClientError) as caught:
        user.idp.get_device(AccessToken=tokens["AccessToken"], DeviceKey="us-east-1_1-2")
    assert error_of(caught) == ("ResourceNotFoundException", DEVICE_NOT_FOUND)


# ---------------------------------------------------------------------- the device operations


def test_device_operations_list_get_update_forget_and_their_admin_twins(
    device_pool: Callable[..., PoolClient],
    client: Callable[..., Client],
    cognito_idp: Any,
    clock: ManualClock,
) -> None:
    pool = device_pool(mfa="OFF")
    user = client(pool)
    devices = []
    for index in range(5):
        tokens = user.password()["AuthenticationResult"]
        device, _ = user.confirm(tokens, name=f"device-{index}" if index else None)
        devices.append(device)
        clock.advance(1)
    user.password()  # a sixth, never confirmed: not listed
    access = tokens["AccessToken"]

    seen: list[str] = []
    page: dict[str, Any] = {}
    while True:
        answer = cognito_idp.list_devices(AccessToken=access, Limit=2, **page)
        assert len(answer["Devices"]) <= 2
        seen += [item["DeviceKey"] for item in answer["Devices"]]
        if "PaginationToken" not in answer:
            break
        page = {"PaginationToken": answer["PaginationToken"]}
    assert seen == [device.key for device in devices]  # oldest first, each once
    everything = cognito_idp.list_devices(AccessToken=access, Limit=0)  # 0: the default, 60
    assert len(everything["Devices"]) == 5 and "PaginationToken" not in everything
    with pytest.raises(ClientError) as caught:
        cognito_idp.list_devices(AccessToken=access, Limit=61)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"

    named = cognito_idp.get_device(AccessToken=access, DeviceKey=devices[1].key)["Device"]
    attributes = {a["Name"]: a["Value"] for a in named["DeviceAttributes"]}
    assert attributes == {
        "device_status": "valid",
        "device_name": "device-1",
        "dev:device_arn": (
            f"arn:aws:cognito-idp:us-east-1:000000000000:owner/{user.username}.{pool.pool_id}"
            f"/device/{devices[1].key}"
        ),
        "dev:device_owner": f"{user.username}.{pool.pool_id}",
        "dev:device_remembered_status": "remembered",
    }
    unnamed = cognito_idp.admin_get_device(
        UserPoolId=pool.pool_id, Username=user.username, DeviceKey=devices[0].key
    )["Device"]
    assert "device_name" not in {a["Name"] for a in unnamed["DeviceAttributes"]}

    cognito_idp.admin_update_device_status(
        UserPoolId=pool.pool_id,
        Username=user.username,
        DeviceKey=devices[0].key,
        DeviceRememberedStatus="not_remembered",
    )
    status = cognito_idp.get_device(AccessToken=access, DeviceKey=devices[0].key)["Device"]
    assert {"Name": "dev:device_remembered_status", "Value": "not_remembered"} in status[
        "DeviceAttributes"
    ]
    assert status["DeviceLastModifiedDate"] > status["DeviceCreateDate"]

    cognito_idp.forget_device(AccessToken=access, DeviceKey=devices[2].key)
    cognito_idp.admin_forget_device(
        UserPoolId=pool.pool_id, Username=user.username, DeviceKey=devices[3].key
    )
    left = cognito_idp.admin_list_devices(UserPoolId=pool.pool_id, Username=user.username)
    assert [item["DeviceKey"] for item in left["Devices"]] == [
        devices[0].key,
        devices[1].key,
        devices[4].key,
    ]
    for call in (
        lambda: cognito_idp.forget_device(AccessToken=access, DeviceKey=devices[2].key),
        lambda: cognito_idp.get_device(AccessToken=access, DeviceKey=devices[3].key),
        lambda: cognito_idp.update_device_status(
            AccessToken=access, DeviceKey=devices[2].key, DeviceRememberedStatus="remembered"
        ),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        assert error_of(caught) == ("ResourceNotFoundException", DEVICE_NOT_FOUND)


def test_a_device_belongs_to_its_user(
    device_pool: Callable[..., PoolClient], client: Callable[..., Client], cognito_idp: Any
) -> None:
    pool = device_pool(mfa="OFF")
    owner, other = client(pool), client(pool)
    device, _ = owner.confirm(owner.password()["AuthenticationResult"])
    access = other.password()["AuthenticationResult"]["AccessToken"]
    for call in (
        lambda: cognito_idp.get_device(AccessToken=access, DeviceKey=device.key),
        lambda: cognito_idp.forget_device(AccessToken=access, DeviceKey=device.key),
        lambda: cognito_idp.admin_get_device(
            UserPoolId=pool.pool_id, Username=other.username, DeviceKey=device.key
        ),
    ):
        with pytest.raises(ClientError) as caught:
            call()
        assert error_of(caught) == ("ResourceNotFoundException", DEVICE_NOT_FOUND)
    with pytest.raises(ClientError) as caught:  # nor can another user sign in with it
        other.password(device)
    assert error_of(caught) == ("ResourceNotFoundException", DEVICE_NOT_FOUND)


def test_confirm_device_needs_a_usable_verifier(
    device_pool: Callable[..., PoolClient], client: Callable[..., Client], cognito_idp: Any
) -> None:
    pool = device_pool(mfa="OFF")
    user = client(pool)
    tokens = user.password()["AuthenticationResult"]
    key = tokens["NewDeviceMetadata"]["DeviceKey"]
    zero = base64.b64encode(bytes(16)).decode()
    for config in (
        {"PasswordVerifier": "not base64!", "Salt": zero},
        {"PasswordVerifier": zero, "Salt": base64.b64encode(b"salt").decode()},
    ):
        with pytest.raises(ClientError) as caught:
            cognito_idp.confirm_device(
                AccessToken=tokens["AccessToken"], DeviceKey=key, DeviceSecretVerifierConfig=config
            )
        assert caught.value.response["Error"]["Code"] == "InvalidParameterException"
    with pytest.raises(ClientError) as caught:
        cognito_idp.confirm_device(AccessToken=tokens["AccessToken"], DeviceKey=key)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"


def test_pre_token_generation_hears_authenticate_device(
    device_pool: Callable[..., PoolClient], client: Callable[..., Client]
) -> None:
    from pyamplify.local.backend import Backend
    from pyamplify.local.idp import hooks

    sources: list[str] = []

    def record(backend: Backend, generation: hooks.TokenGeneration) -> None:
        sources.append(generation.source)

    pool = device_pool()
    user = client(pool)
    with hooks.TOKEN_GENERATION.added(record):
        device, _ = user.confirm(user.email_code(user.password())["AuthenticationResult"])
        tokens = user.device_srp(user.password(device), device)["AuthenticationResult"]
        user.refresh(tokens, device.key)
    assert sources == ["Authentication", "AuthenticateDevice", "RefreshTokens"]
