"""``pyamplify import auth`` records the pool's MFA mode and methods, end to end.

The import reads GetUserPoolMfaConfig only when DescribeUserPool's MfaConfiguration is not OFF
(as the Amplify CLI does); the pools here are configured with SetUserPoolMfaConfig through boto3
against the local Cognito, exactly as in AWS.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from pyamplify.config import load_config

from .e2e import Runner, make_pool

pytestmark = pytest.mark.e2e

SMS = {"SnsCallerArn": "arn:aws:iam::123456789012:role/CognitoSms", "ExternalId": "import-mfa"}


def _import(cli: Runner, pool_id: str) -> dict[str, Any]:
    code, out, err = cli("import", "auth", "--user-pool-id", pool_id, "--yes", "--json")
    assert code == 0, err
    document: dict[str, Any] = json.loads(out)
    return document["config"]["auth"]["plugins"]["awsCognitoAuthPlugin"]["Auth"]["Default"]


def test_sms_and_totp_are_recorded(idp: Any, cli: Runner) -> None:
    pool = make_pool(idp, {"web": {}}, MfaConfiguration="OPTIONAL", SmsConfiguration=SMS)
    idp.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id,
        SmsMfaConfiguration={"SmsConfiguration": SMS},
        SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="OPTIONAL",
    )
    auth = _import(cli, pool.pool_id)
    assert auth["mfaConfiguration"] == "OPTIONAL"
    assert sorted(auth["mfaTypes"]) == ["SMS", "TOTP"]


def test_totp_only_required_is_recorded_in_the_written_file(idp: Any, cli: Runner) -> None:
    pool = make_pool(idp, {"web": {}})
    idp.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id,
        SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="ON",
    )
    code, _, err = cli("import", "auth", "--user-pool-id", pool.pool_id, "--yes")
    assert code == 0, err
    config = load_config("amplifyconfiguration.json")
    assert config.mfa_configuration == "ON"
    assert config.mfa_types == ("TOTP",)


def test_sms_from_create_user_pool_alone(idp: Any, cli: Runner) -> None:
    pool = make_pool(idp, {"web": {}}, MfaConfiguration="OPTIONAL", SmsConfiguration=SMS)
    auth = _import(cli, pool.pool_id)
    assert auth["mfaConfiguration"] == "OPTIONAL"
    assert auth["mfaTypes"] == ["SMS"]
