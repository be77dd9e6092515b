"""Get/SetUserPoolMfaConfig through boto3 over loopback HTTP, consistent with DescribeUserPool."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from pyamplify.local.idp.pool_mfa import NO_FACTOR, OFF_WITH_FACTOR
from pyamplify.local.idp.pools import MFA_NEEDS_SMS

pytestmark = pytest.mark.e2e

SMS = {"SnsCallerArn": "arn:aws:iam::123456789012:role/CognitoSms", "ExternalId": "ext-1"}
SMS_MESSAGE = "Your sign-in code is {####}."


def _error(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


def _mfa(cognito_idp: Any, pool_id: str) -> dict[str, Any]:
    answer = dict(cognito_idp.get_user_pool_mfa_config(UserPoolId=pool_id))
    answer.pop("ResponseMetadata")
    return answer


def _mode(cognito_idp: Any, pool_id: str) -> str:
    return str(cognito_idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]["MfaConfiguration"])


def _sms_pool(cognito_idp: Any) -> str:
    return str(
        cognito_idp.create_user_pool(
            PoolName="mfa-sms",
            MfaConfiguration="OPTIONAL",
            SmsConfiguration=SMS,
            SmsAuthenticationMessage=SMS_MESSAGE,
        )["UserPool"]["Id"]
    )


def test_a_pool_without_mfa_reports_only_off(cognito_idp: Any) -> None:
    pool_id = cognito_idp.create_user_pool(PoolName="mfa-off")["UserPool"]["Id"]
    assert _mfa(cognito_idp, pool_id) == {"MfaConfiguration": "OFF"}


def test_create_user_pool_with_mfa_needs_sms_settings(cognito_idp: Any) -> None:
    with pytest.raises(ClientError) as caught:
        cognito_idp.create_user_pool(PoolName="mfa-bad", MfaConfiguration="ON")
    assert _error(caught) == ("InvalidParameterException", MFA_NEEDS_SMS)


def test_sms_mfa_from_create_user_pool(cognito_idp: Any) -> None:
    pool_id = _sms_pool(cognito_idp)
    assert _mfa(cognito_idp, pool_id) == {
        "MfaConfiguration": "OPTIONAL",
        "SmsMfaConfiguration": {"SmsAuthenticationMessage": SMS_MESSAGE, "SmsConfiguration": SMS},
    }


def test_set_replaces_the_factors_and_the_pool_agrees(cognito_idp: Any) -> None:
    pool_id = _sms_pool(cognito_idp)
    answer = cognito_idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="ON",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    expected = {"MfaConfiguration": "ON", "SoftwareTokenMfaConfiguration": {"Enabled": True}}
    assert {k: v for k, v in answer.items() if k != "ResponseMetadata"} == expected
    assert _mfa(cognito_idp, pool_id) == expected  # SMS left out: turned off
    assert _mode(cognito_idp, pool_id) == "ON"
    other_sms = {**SMS, "ExternalId": "ext-2"}
    cognito_idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        SmsMfaConfiguration={"SmsConfiguration": other_sms},
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )  # no mode: ON is kept
    mfa = _mfa(cognito_idp, pool_id)
    assert mfa["MfaConfiguration"] == "ON"
    assert mfa["SmsMfaConfiguration"]["SmsConfiguration"] == other_sms
    assert mfa["SoftwareTokenMfaConfiguration"] == {"Enabled": True}
    pool = cognito_idp.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    assert pool["SmsConfiguration"] == other_sms
    assert pool["SmsAuthenticationMessage"] == SMS_MESSAGE  # not given: kept
    cognito_idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OFF")
    assert _mfa(cognito_idp, pool_id) == {"MfaConfiguration": "OFF"}
    assert _mode(cognito_idp, pool_id) == "OFF"


def test_set_refuses_mfa_without_a_factor_and_off_with_one(cognito_idp: Any) -> None:
    pool_id = _sms_pool(cognito_idp)
    with pytest.raises(ClientError) as caught:
        cognito_idp.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL")
    assert _error(caught) == ("InvalidParameterException", NO_FACTOR)
    with pytest.raises(ClientError) as caught:
        cognito_idp.set_user_pool_mfa_config(
            UserPoolId=pool_id,
            MfaConfiguration="ON",
            SoftwareTokenMfaConfiguration={"Enabled": False},
        )
    assert _error(caught) == ("InvalidParameterException", NO_FACTOR)
    with pytest.raises(ClientError) as caught:
        cognito_idp.set_user_pool_mfa_config(
            UserPoolId=pool_id,
            MfaConfiguration="OFF",
            SoftwareTokenMfaConfiguration={"Enabled": True},
        )
    assert _error(caught) == ("InvalidParameterException", OFF_WITH_FACTOR)
    assert _mode(cognito_idp, pool_id) == "OPTIONAL"  # refused calls change nothing


def test_passkey_settings_are_kept_and_independent_of_mfa(cognito_idp: Any) -> None:
    pool_id = cognito_idp.create_user_pool(PoolName="mfa-webauthn")["UserPool"]["Id"]
    webauthn = {"RelyingPartyId": "auth.example.com", "UserVerification": "required"}
    cognito_idp.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="OFF", WebAuthnConfiguration=webauthn
    )
    cognito_idp.set_user_pool_mfa_config(
        UserPoolId=pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    assert _mfa(cognito_idp, pool_id)["WebAuthnConfiguration"] == webauthn


def test_update_user_pool_cannot_turn_mfa_on(cognito_idp: Any) -> None:
    pool_id = cognito_idp.create_user_pool(PoolName="mfa-update")["UserPool"]["Id"]
    with pytest.raises(ClientError) as caught:
        cognito_idp.update_user_pool(UserPoolId=pool_id, MfaConfiguration="ON")
    assert _error(caught) == (
        "InvalidParameterException",
        "Cannot turn MFA functionality ON, once the user pool has been created.",
    )


def test_unknown_pool(cognito_idp: Any) -> None:
    with pytest.raises(ClientError) as caught:
        cognito_idp.get_user_pool_mfa_config(UserPoolId="us-east-1_nosuchpoo")
    assert _error(caught)[0] == "ResourceNotFoundException"
