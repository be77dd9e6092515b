"""MFA in the local Cognito over loopback HTTP with boto3: software tokens, preferences, challenges.

Codes are computed with :mod:`pyamplify.local.idp.totp` at the server's (manual) clock, and once
with pyotp as an independent check; SMS and email codes are read from the outbox.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError

from conftest import PoolClient
from pyamplify import srp
from pyamplify.local import LocalCognito
from pyamplify.local.clock import ManualClock
from pyamplify.local.idp import totp
from pyamplify.local.idp.mfa import (
    MFA_CODE_MISMATCH,
    OUTBOX_PURPOSE,
    TOTP_OFF_IN_POOL,
    TOTP_SETUP_MISMATCH,
    no_delivery_config,
)

from . import srp_client

pytestmark = pytest.mark.e2e

PASSWORD = "Correct-Horse-9-battery"
PHONE = "+15555550123"
SMS = {
    "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/CognitoSms"},
    "SmsAuthenticationMessage": "Your sign-in code is {####}.",
}
EMAIL = {"Message": "Your sign-in code is {####}.", "Subject": "Sign-in code"}
TOTP_ON = {"Enabled": True}


def _error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


@pytest.fixture
def mfa_pool(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient]
) -> Callable[..., PoolClient]:
    """``mfa_pool(mode, sms=False, totp=True, email=False)``: a pool with that MFA set-up."""

    def make(
        mode: str, *, sms: bool = False, software: bool = True, email: bool = False
    ) -> PoolClient:
        pool = new_user_pool()
        factors: dict[str, Any] = {}
        if sms:
            factors["SmsMfaConfiguration"] = SMS
        if software:
            factors["SoftwareTokenMfaConfiguration"] = TOTP_ON
        if email:
            factors["EmailMfaConfiguration"] = EMAIL
        if mode != "OFF":
            cognito_idp.set_user_pool_mfa_config(
                UserPoolId=pool.pool_id, MfaConfiguration=mode, **factors
            )
        return pool

    return make


def _user(new_user: Callable[..., str], pool: PoolClient, **attributes: str) -> str:
    return new_user(pool.pool_id, f"user-{secrets.token_hex(4)}", PASSWORD, attributes)


def _password_sign_in(cognito_idp: Any, pool: PoolClient, username: str) -> dict[str, Any]:
    result: dict[str, Any] = cognito_idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )
    return result


def _srp_sign_in(
    cognito_idp: Any, pool: PoolClient, username: str, clock: ManualClock
) -> dict[str, Any]:
    now = datetime.fromtimestamp(clock(), timezone.utc)
    return srp_client.sign_in(
        cognito_idp, pool.pool_id, pool.client_id, username, PASSWORD, now=now
    )


def _answer(
    cognito_idp: Any,
    pool: PoolClient,
    username: str,
    challenge: dict[str, Any],
    **responses: str,
) -> dict[str, Any]:
    result: dict[str, Any] = cognito_idp.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName=challenge["ChallengeName"],
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": username, **responses},
    )
    return result


def _setup_totp(
    cognito_idp: Any, access_token: str, clock: ManualClock, name: str = "phone"
) -> str:
    """Associate and verify a software token for a signed-in user; returns the secret."""
    associated = cognito_idp.associate_software_token(AccessToken=access_token)
    assert "Session" not in associated
    secret = str(associated["SecretCode"])
    verified = cognito_idp.verify_software_token(
        AccessToken=access_token, UserCode=totp.code_at(secret, clock()), FriendlyDeviceName=name
    )
    assert verified["Status"] == "SUCCESS" and "Session" not in verified
    return secret


def _last_code(local_cognito: LocalCognito, username: str) -> dict[str, Any]:
    item = local_cognito.outbox(username)[-1]
    assert item["purpose"] == OUTBOX_PURPOSE
    return item


def _mfa_fields(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: answer[k] for k in ("UserMFASettingList", "PreferredMfaSetting") if k in answer}


# ---------------------------------------------------------------------- software tokens


def test_totp_set_up_with_an_access_token_then_srp_sign_in_asks_for_it(
    cognito_idp: Any,
    mfa_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
    clock: ManualClock,
) -> None:
    pyotp = pytest.importorskip("pyotp")
    pool = mfa_pool("OPTIONAL")
    username = _user(new_user, pool)
    tokens = _password_sign_in(cognito_idp, pool, username)["AuthenticationResult"]
    access = tokens["AccessToken"]
    assert _mfa_fields(cognito_idp.get_user(AccessToken=access)) == {}

    secret = cognito_idp.associate_software_token(AccessToken=access)["SecretCode"]
    assert len(secret) == 52
    independent = pyotp.TOTP(secret).at(int(clock()))  # a code we did not compute ourselves
    verified = cognito_idp.verify_software_token(
        AccessToken=access, UserCode=independent, FriendlyDeviceName="pixel"
    )
    assert verified["Status"] == "SUCCESS"
    expected = {"UserMFASettingList": ["SOFTWARE_TOKEN_MFA"]}
    assert _mfa_fields(cognito_idp.get_user(AccessToken=access)) == expected
    admin = cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username=username)
    assert _mfa_fields(admin) == expected

    challenge = _srp_sign_in(cognito_idp, pool, username, clock)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert "AuthenticationResult" not in challenge
    assert challenge["ChallengeParameters"] == {
        "USER_ID_FOR_SRP": username,
        "FRIENDLY_DEVICE_NAME": "pixel",
    }
    clock.advance(30)  # the setup's code was used up: the next step's
    code = totp.code_at(secret, clock())
    assert code == pyotp.TOTP(secret).at(int(clock()))
    done = _answer(cognito_idp, pool, username, challenge, SOFTWARE_TOKEN_MFA_CODE=code)
    assert set(done["AuthenticationResult"]) >= {"AccessToken", "IdToken", "RefreshToken"}


def test_a_wrong_totp_code_is_a_code_mismatch_and_the_session_survives_it(
    cognito_idp: Any,
    mfa_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
    clock: ManualClock,
) -> None:
    pool = mfa_pool("OPTIONAL")
    username = _user(new_user, pool)
    access = _password_sign_in(cognito_idp, pool, username)["AuthenticationResult"]["AccessToken"]
    secret = _setup_totp(cognito_idp, access, clock)
    challenge = _password_sign_in(cognito_idp, pool, username)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    clock.advance(30)  # the setup's code was used up: the next step's
    right = totp.code_at(secret, clock())
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    with pytest.raises(ClientError) as caught:
        _answer(cognito_idp, pool, username, challenge, SOFTWARE_TOKEN_MFA_CODE=wrong)
    assert _error(caught) == ("CodeMismatchException", MFA_CODE_MISMATCH)
    with pytest.raises(ClientError) as caught:  # answering a challenge that was not issued
        cognito_idp.respond_to_auth_challenge(
            ClientId=pool.client_id,
            ChallengeName="SMS_MFA",
            Session=challenge["Session"],
            ChallengeResponses={"USERNAME": username, "SMS_MFA_CODE": right},
        )
    assert _error(caught) == ("CodeMismatchException", MFA_CODE_MISMATCH)
    clock.advance(30)  # the previous step's code is still accepted
    done = _answer(cognito_idp, pool, username, challenge, SOFTWARE_TOKEN_MFA_CODE=right)
    assert "AuthenticationResult" in done
    with pytest.raises(ClientError) as caught:  # a Session is single use once answered
        _answer(cognito_idp, pool, username, challenge, SOFTWARE_TOKEN_MFA_CODE=right)
    assert _error(caught) == ("NotAuthorizedException", "Invalid session for the user.")


def test_a_totp_code_is_good_once(
    cognito_idp: Any,
    mfa_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
    clock: ManualClock,
) -> None:
    pool = mfa_pool("OPTIONAL")
    username = _user(new_user, pool)
    access = _password_sign_in(cognito_idp, pool, username)["AuthenticationResult"]["AccessToken"]
    secret = _setup_totp(cognito_idp, access, clock)
    setup_code = totp.code_at(secret, clock())
    first = _password_sign_in(cognito_idp, pool, username)
    with pytest.raises(ClientError) as caught:  # the setup's code, replayed at sign-in
        _answer(cognito_idp, pool, username, first, SOFTWARE_TOKEN_MFA_CODE=setup_code)
    assert _error(caught) == ("CodeMismatchException", MFA_CODE_MISMATCH)
    clock.advance(30)
    code = totp.code_at(secret, clock())
    assert "AuthenticationResult" in _answer(
        cognito_idp, pool, username, first, SOFTWARE_TOKEN_MFA_CODE=code
    )

    second = _password_sign_in(cognito_idp, pool, username)
    clock.advance(10)  # still inside the code's window: only its use is refused
    with pytest.raises(ClientError) as caught:
        _answer(cognito_idp, pool, username, second, SOFTWARE_TOKEN_MFA_CODE=code)
    assert _error(caught) == ("CodeMismatchException", MFA_CODE_MISMATCH)
    with pytest.raises(ClientError) as caught:  # an older step's code, still in the window
        _answer(cognito_idp, pool, username, second, SOFTWARE_TOKEN_MFA_CODE=setup_code)
    assert _error(caught) == ("CodeMismatchException", MFA_CODE_MISMATCH)
    with pytest.raises(ClientError) as caught:  # nor does checking the token again reuse it
        cognito_idp.verify_software_token(AccessToken=access, UserCode=code)
    assert _error(caught) == ("EnableSoftwareTokenMFAException", TOTP_SETUP_MISMATCH)
    following = totp.code_at(secret, clock() + 30)  # the next step's, inside the window
    assert "AuthenticationResult" in _answer(
        cognito_idp, pool, username, second, SOFTWARE_TOKEN_MFA_CODE=following
    )


def test_an_expired_mfa_session_is_refused(
    cognito_idp: Any,
    mfa_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
    clock: ManualClock,
) -> None:
    pool = mfa_pool("OPTIONAL")
    username = _user(new_user, pool)
    access = _password_sign_in(cognito_idp, pool, username)["AuthenticationResult"]["AccessToken"]
    secret = _setup_totp(cognito_idp, access, clock)
    challenge = _password_sign_in(cognito_idp, pool, username)
    clock.advance(181)  # AuthSessionValidity: 3 minutes
    with pytest.raises(ClientError) as caught:
        _answer(
            cognito_idp,
            pool,
            username,
            challenge,
            SOFTWARE_TOKEN_MFA_CODE=totp.code_at(secret, clock()),
        )
    assert _error(caught) == ("NotAuthorizedException", "Invalid session for the user.")


def test_verify_with_a_wrong_code_enables_nothing(
    cognito_idp: Any,
    mfa_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
    clock: ManualClock,
) -> None:
    pool = mfa_pool("OPTIONAL")
    username = _user(new_user, pool)
    access = _password_sign_in(cognito_idp, pool, username)["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as caught:  # nothing verified yet: cannot be switched on
        cognito_idp.set_user_mfa_preference(
            AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True}
        )
    assert _error(caught) == (
        "InvalidParameterException",
        no_delivery_config("SOFTWARE_TOKEN_MFA"),
    )
    secret = cognito_idp.associate_software_token(AccessToken=access)["SecretCode"]
    right = totp.code_at(secret, clock())
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    with pytest.raises(ClientError) as caught:
        cognito_idp.verify_software_token(AccessToken=access, UserCode=wrong)
    assert _error(caught) == ("EnableSoftwareTokenMFAException", TOTP_SETUP_MISMATCH)
    assert _mfa_fields(cognito_idp.get_user(AccessToken=access)) == {}
    assert "AuthenticationResult" in _password_sign_in(cognito_idp, pool, username)
    assert cognito_idp.verify_software_token(AccessToken=access, UserCode=right)["Status"] == (
        "SUCCESS"
    )
    assert _password_sign_in(cognito_idp, pool, username)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


def test_associate_needs_totp_in_the_pool(
    cognito_idp: Any, mfa_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    pool = mfa_pool("OPTIONAL", sms=True, software=False)
    username = _user(new_user, pool)
    access = _password_sign_in(cognito_idp, pool, username)["AuthenticationResult"]["AccessToken"]
    with pytest.raises(ClientError) as caught:
        cognito_idp.associate_software_token(AccessToken=access)
    assert _error(caught) == ("SoftwareTokenMFANotFoundException", TOTP_OFF_IN_POOL)


# ---------------------------------------------------------------------- MFA_SETUP


def test_required_mfa_without_a_method_sets_up_totp_through_sessions(
    cognito_idp: Any,
    mfa_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
    clock: ManualClock,
) -> None:
    pool = mfa_pool("ON")
    username = _user(new_user, pool)
    setup = _srp_sign_in(cognito_idp, pool, username, clock)
    assert setup["ChallengeName"] == "MFA_SETUP"
    assert json.loads(setup["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]
    with pytest.raises(ClientError) as caught:  # nothing set up yet
        _answer(cognito_idp, pool, username, setup)
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"

    associated = cognito_idp.associate_software_token(Session=setup["Session"])
    secret, session = associated["SecretCode"], associated["Session"]
    assert session != setup["Session"]
    right = totp.code_at(secret, clock())
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    with pytest.raises(ClientError) as caught:
        cognito_idp.verify_software_token(Session=session, UserCode=wrong)
    assert _error(caught) == ("EnableSoftwareTokenMFAException", TOTP_SETUP_MISMATCH)
    verified = cognito_idp.verify_software_token(Session=session, UserCode=right)
    assert verified["Status"] == "SUCCESS"
    done = _answer(
        cognito_idp, pool, username, {"ChallengeName": "MFA_SETUP", "Session": verified["Session"]}
    )
    assert "AccessToken" in done["AuthenticationResult"]

    again = _password_sign_in(cognito_idp, pool, username)
    assert again["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    clock.advance(30)
    code = totp.code_at(secret, clock())
    assert "AuthenticationResult" in _answer(
        cognito_idp, pool, username, again, SOFTWARE_TOKEN_MFA_CODE=code
    )


def test_required_mfa_offers_every_pool_factor_to_set_up(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    mfa_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    pool = mfa_pool("ON", sms=True)
    username = _user(new_user, pool)  # no phone number: SMS cannot be used yet
    setup = _password_sign_in(cognito_idp, pool, username)
    assert setup["ChallengeName"] == "MFA_SETUP"
    assert setup["ChallengeParameters"] == {
        "MFAS_CAN_SETUP": json.dumps(["SMS_MFA", "SOFTWARE_TOKEN_MFA"]),
        "USER_ID_FOR_SRP": username,
    }
    with_phone = _user(new_user, pool, phone_number=PHONE)  # a required-SMS pool texts them
    assert _password_sign_in(cognito_idp, pool, with_phone)["ChallengeName"] == "SMS_MFA"
    assert _last_code(local_cognito, with_phone)["destination"] == PHONE


def test_setup_operations_refuse_a_used_or_missing_session(
    cognito_idp: Any, mfa_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    pool = mfa_pool("ON")
    username = _user(new_user, pool)
    setup = _password_sign_in(cognito_idp, pool, username)
    cognito_idp.associate_software_token(Session=setup["Session"])
    with pytest.raises(ClientError) as caught:
        cognito_idp.associate_software_token(Session=setup["Session"])
    assert _error(caught) == ("NotAuthorizedException", "Invalid session for the user.")
    with pytest.raises(ClientError) as caught:
        cognito_idp.associate_software_token()
    assert caught.value.response["Error"]["Code"] == "InvalidParameterException"


def _setup_answer(
    cognito_idp: Any, pool: PoolClient, username: str, setup: dict[str, Any], **contact: str
) -> dict[str, Any]:
    return _answer(cognito_idp, pool, username, setup, **contact)


def test_email_mfa_is_set_up_during_sign_in_with_an_address(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    mfa_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    pool = mfa_pool("ON", software=False, email=True)
    username = _user(new_user, pool)  # no email address yet
    setup = _password_sign_in(cognito_idp, pool, username)
    assert setup["ChallengeName"] == "MFA_SETUP"
    assert json.loads(setup["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["EMAIL_OTP"]
    for bad, code in (
        ({"EMAIL": "not-an-address"}, "InvalidParameterException"),
        ({"PHONE_NUMBER": PHONE}, "MFAMethodNotFoundException"),  # not a factor of the pool
        ({"EMAIL": "a@example.com", "PHONE_NUMBER": PHONE}, "InvalidParameterException"),
    ):
        with pytest.raises(ClientError) as caught:
            _setup_answer(cognito_idp, pool, username, setup, **bad)
        assert caught.value.response["Error"]["Code"] == code
    challenge = _setup_answer(cognito_idp, pool, username, setup, EMAIL="New.User@Example.com")
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert (
        "new.user@example.com" not in challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"]
    )
    sent = _last_code(local_cognito, username)
    assert sent["destination"] == "new.user@example.com"
    with pytest.raises(ClientError) as caught:  # the setup Session was used up
        _setup_answer(cognito_idp, pool, username, setup, EMAIL="other@example.com")
    assert _error(caught) == ("NotAuthorizedException", "Invalid session for the user.")
    wrong = f"{(int(sent['code']) + 1) % 1_000_000:06d}"
    with pytest.raises(ClientError) as caught:
        _answer(cognito_idp, pool, username, challenge, EMAIL_OTP_CODE=wrong)
    assert _error(caught) == ("CodeMismatchException", MFA_CODE_MISMATCH)
    user = cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username=username)
    assert "email" not in {a["Name"] for a in user["UserAttributes"]}  # not before the code
    done = _answer(cognito_idp, pool, username, challenge, EMAIL_OTP_CODE=sent["code"])
    assert "AccessToken" in done["AuthenticationResult"]

    user = cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username=username)
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["email"] == "new.user@example.com"
    assert attributes["email_verified"] == "true"
    assert user["UserMFASettingList"] == ["EMAIL_OTP"]
    again = _password_sign_in(cognito_idp, pool, username)  # now asked, not set up again
    assert again["ChallengeName"] == "EMAIL_OTP"


def test_sms_mfa_is_set_up_during_sign_in_with_a_phone_number(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    mfa_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    pool = mfa_pool("ON", sms=True, software=False)
    username = _user(new_user, pool, email="s@example.com")
    setup = _password_sign_in(cognito_idp, pool, username)
    assert json.loads(setup["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SMS_MFA"]
    with pytest.raises(ClientError) as caught:
        _setup_answer(cognito_idp, pool, username, setup, PHONE_NUMBER="555-0123")
    assert _error(caught) == ("InvalidParameterException", "Invalid phone number format.")
    challenge = _setup_answer(cognito_idp, pool, username, setup, PHONE_NUMBER=PHONE)
    assert challenge["ChallengeName"] == "SMS_MFA"
    assert challenge["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "+*******0123"
    sent = _last_code(local_cognito, username)
    assert sent["destination"] == PHONE
    done = _answer(cognito_idp, pool, username, challenge, SMS_MFA_CODE=sent["code"])
    assert "AccessToken" in done["AuthenticationResult"]
    user = cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username=username)
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert (attributes["phone_number"], attributes["phone_number_verified"]) == (PHONE, "true")
    assert user["UserMFASettingList"] == ["SMS_MFA"]
    assert _password_sign_in(cognito_idp, pool, username)["ChallengeName"] == "SMS_MFA"


def test_a_contact_set_up_in_a_pool_that_signs_in_with_it_must_be_free(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    pool = new_user_pool(pool={"AliasAttributes": ["email"]})
    cognito_idp.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id, MfaConfiguration="ON", EmailMfaConfiguration=EMAIL
    )
    _user(new_user, pool, email="taken@example.com", email_verified="true")
    username = _user(new_user, pool)
    setup = _password_sign_in(cognito_idp, pool, username)
    with pytest.raises(ClientError) as caught:
        _setup_answer(cognito_idp, pool, username, setup, EMAIL="taken@example.com")
    assert caught.value.response["Error"]["Code"] == "AliasExistsException"


# ---------------------------------------------------------------------- SMS and email


def test_sms_mfa_sends_a_code_to_the_outbox(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    mfa_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
    clock: ManualClock,
) -> None:
    pool = mfa_pool("OPTIONAL", sms=True)
    username = _user(new_user, pool, phone_number=PHONE)
    cognito_idp.admin_set_user_mfa_preference(
        UserPoolId=pool.pool_id, Username=username, SMSMfaSettings={"Enabled": True}
    )
    admin = cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username=username)
    assert _mfa_fields(admin) == {"UserMFASettingList": ["SMS_MFA"]}

    challenge = cognito_idp.admin_initiate_auth(
        UserPoolId=pool.pool_id,
        ClientId=pool.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )
    assert challenge["ChallengeName"] == "SMS_MFA"
    assert challenge["ChallengeParameters"] == {
        "CODE_DELIVERY_DELIVERY_MEDIUM": "SMS",
        "CODE_DELIVERY_DESTINATION": "+*******0123",
        "USER_ID_FOR_SRP": username,
    }
    sent = _last_code(local_cognito, username)
    assert (sent["destination"], sent["delivery_medium"]) == (PHONE, "SMS")
    wrong = f"{(int(sent['code']) + 1) % 1_000_000:06d}"
    with pytest.raises(ClientError) as caught:
        _answer(cognito_idp, pool, username, challenge, SMS_MFA_CODE=wrong)
    assert _error(caught) == ("CodeMismatchException", MFA_CODE_MISMATCH)
    done = cognito_idp.admin_respond_to_auth_challenge(
        UserPoolId=pool.pool_id,
        ClientId=pool.client_id,
        ChallengeName="SMS_MFA",
        Session=challenge["Session"],
        ChallengeResponses={"USERNAME": username, "SMS_MFA_CODE": sent["code"]},
    )
    assert "AccessToken" in done["AuthenticationResult"]
    attributes = cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username=username)
    verified = {a["Name"]: a["Value"] for a in attributes["UserAttributes"]}
    assert verified["phone_number_verified"] == "true"  # a passed SMS MFA verifies the number


def test_sms_needs_a_phone_number(
    cognito_idp: Any, mfa_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    pool = mfa_pool("OPTIONAL", sms=True)
    username = _user(new_user, pool)
    with pytest.raises(ClientError) as caught:
        cognito_idp.admin_set_user_mfa_preference(
            UserPoolId=pool.pool_id, Username=username, SMSMfaSettings={"Enabled": True}
        )
    assert _error(caught) == ("InvalidParameterException", no_delivery_config("SMS_MFA"))


def test_email_otp_when_the_pool_has_email_mfa(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    mfa_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
    clock: ManualClock,
) -> None:
    pool = mfa_pool("OPTIONAL", email=True)
    username = _user(new_user, pool, email="jane.doe@example.com")
    cognito_idp.admin_set_user_mfa_preference(
        UserPoolId=pool.pool_id, Username=username, EmailMfaSettings={"Enabled": True}
    )
    challenge = _srp_sign_in(cognito_idp, pool, username, clock)
    assert challenge["ChallengeName"] == "EMAIL_OTP"
    parameters = challenge["ChallengeParameters"]
    assert parameters["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert parameters["CODE_DELIVERY_DESTINATION"] == "j****@e****"
    code = _last_code(local_cognito, username)["code"]
    clock.advance(181)  # the code (3 minutes) outlives nothing: the Session is gone as well
    with pytest.raises(ClientError) as caught:
        _answer(cognito_idp, pool, username, challenge, EMAIL_OTP_CODE=code)
    assert _error(caught) == ("NotAuthorizedException", "Invalid session for the user.")
    challenge = _password_sign_in(cognito_idp, pool, username)
    code = _last_code(local_cognito, username)["code"]
    done = _answer(cognito_idp, pool, username, challenge, EMAIL_OTP_CODE=code)
    assert "AccessToken" in done["AuthenticationResult"]


def test_required_sms_pool_texts_a_user_with_a_phone_after_a_new_password(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    new_user_pool: Callable[..., PoolClient],
) -> None:
    pool = new_user_pool(
        pool={"MfaConfiguration": "ON", "SmsConfiguration": SMS["SmsConfiguration"]}
    )
    username = f"user-{secrets.token_hex(4)}"
    cognito_idp.admin_create_user(
        UserPoolId=pool.pool_id,
        Username=username,
        TemporaryPassword="Temp-Pass-123",
        UserAttributes=[{"Name": "phone_number", "Value": PHONE}],
        MessageAction="SUPPRESS",
    )
    first = cognito_idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": "Temp-Pass-123"},
    )
    assert first["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    second = _answer(cognito_idp, pool, username, first, NEW_PASSWORD=PASSWORD)
    assert second["ChallengeName"] == "SMS_MFA"
    code = _last_code(local_cognito, username)["code"]
    done = _answer(cognito_idp, pool, username, second, SMS_MFA_CODE=code)
    assert "AccessToken" in done["AuthenticationResult"]


# ---------------------------------------------------------------------- choosing


def test_several_methods_without_a_preference_ask_to_select_one(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    mfa_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
    clock: ManualClock,
) -> None:
    pool = mfa_pool("OPTIONAL", sms=True)
    username = _user(new_user, pool, phone_number=PHONE)
    access = _password_sign_in(cognito_idp, pool, username)["AuthenticationResult"]["AccessToken"]
    secret = _setup_totp(cognito_idp, access, clock)
    cognito_idp.set_user_mfa_preference(AccessToken=access, SMSMfaSettings={"Enabled": True})

    select = _password_sign_in(cognito_idp, pool, username)
    assert select["ChallengeName"] == "SELECT_MFA_TYPE"
    choices = json.loads(select["ChallengeParameters"]["MFAS_CAN_CHOOSE"])
    assert choices == ["SMS_MFA", "SOFTWARE_TOKEN_MFA"]
    with pytest.raises(ClientError) as caught:
        _answer(cognito_idp, pool, username, select, ANSWER="EMAIL_OTP")
    assert caught.value.response["Error"]["Code"] == "MFAMethodNotFoundException"
    chosen = _answer(cognito_idp, pool, username, select, ANSWER="SOFTWARE_TOKEN_MFA")
    assert chosen["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert chosen["Session"] != select["Session"]
    clock.advance(30)  # the setup's code was used up: the next step's
    code = totp.code_at(secret, clock())
    done = _answer(cognito_idp, pool, username, chosen, SOFTWARE_TOKEN_MFA_CODE=code)
    assert "AccessToken" in done["AuthenticationResult"]

    cognito_idp.set_user_mfa_preference(
        AccessToken=access, SMSMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    assert _mfa_fields(cognito_idp.get_user(AccessToken=access)) == {
        "UserMFASettingList": ["SMS_MFA", "SOFTWARE_TOKEN_MFA"],
        "PreferredMfaSetting": "SMS_MFA",
    }
    assert _password_sign_in(cognito_idp, pool, username)["ChallengeName"] == "SMS_MFA"
    cognito_idp.set_user_mfa_preference(AccessToken=access, SMSMfaSettings={"Enabled": False})
    assert _mfa_fields(cognito_idp.get_user(AccessToken=access)) == {
        "UserMFASettingList": ["SOFTWARE_TOKEN_MFA"]
    }
    assert _password_sign_in(cognito_idp, pool, username)["ChallengeName"] == "SOFTWARE_TOKEN_MFA"


# ---------------------------------------------------------------------- no challenge


def test_optional_pool_without_user_mfa_gives_tokens(
    cognito_idp: Any,
    mfa_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
    clock: ManualClock,
) -> None:
    pool = mfa_pool("OPTIONAL", sms=True)
    username = _user(new_user, pool, phone_number=PHONE)
    assert "AuthenticationResult" in _srp_sign_in(cognito_idp, pool, username, clock)
    assert "AuthenticationResult" in _password_sign_in(cognito_idp, pool, username)


def test_off_pool_never_challenges(
    cognito_idp: Any,
    mfa_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
    clock: ManualClock,
) -> None:
    pool = mfa_pool("OFF")
    username = _user(new_user, pool, phone_number=PHONE)
    cognito_idp.admin_set_user_mfa_preference(
        UserPoolId=pool.pool_id,
        Username=username,
        SMSMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    assert "AuthenticationResult" in _srp_sign_in(cognito_idp, pool, username, clock)
    assert "AuthenticationResult" in _password_sign_in(cognito_idp, pool, username)


def test_mfa_answers_need_the_secret_hash_of_a_client_with_a_secret(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    pool = new_user_pool(
        pool={"MfaConfiguration": "ON", "SmsConfiguration": SMS["SmsConfiguration"]},
        client={"GenerateSecret": True},
    )
    assert pool.client_secret
    username = _user(new_user, pool, phone_number=PHONE)
    secret_hash = srp.compute_secret_hash(username, pool.client_id, pool.client_secret)
    challenge = cognito_idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash},
    )
    code = _last_code(local_cognito, username)["code"]
    with pytest.raises(ClientError) as caught:
        _answer(cognito_idp, pool, username, challenge, SMS_MFA_CODE=code)
    assert _error(caught) == (
        "NotAuthorizedException",
        f"Client {pool.client_id} is configured with secret but SECRET_HASH was not received",
    )
    done = _answer(
        cognito_idp, pool, username, challenge, SMS_MFA_CODE=code, SECRET_HASH=secret_hash
    )
    assert "AccessToken" in done["AuthenticationResult"]
