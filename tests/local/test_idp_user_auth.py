"""Choice-based sign-in (USER_AUTH) in the local Cognito over loopback HTTP, with boto3.

First factors one by one (one-time codes from the outbox, passwords, SRP), the first-factor
selection, what the pool allows (SignInPolicy, ALLOW_USER_AUTH, the feature plan), MFA after
each factor, PreventUserExistenceErrors, and the Session ConfirmSignUp returns. Passkeys are in
``test_idp_webauthn.py``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError

from conftest import PoolClient
from pyamplify import srp
from pyamplify.local import LocalCognito
from pyamplify.local.clock import ManualClock
from pyamplify.local.idp.mfa import MFA_CODE_MISMATCH

from . import srp_client
from .trigger_support import error_of

pytestmark = pytest.mark.e2e

PASSWORD = "Correct-Horse-9-battery"
PHONE = "+15555550123"
ALL_FACTORS = ["PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"]
USER_AUTH_CLIENT = {
    "ExplicitAuthFlows": ["ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
}
SMS = {
    "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/CognitoSms"},
    "SmsAuthenticationMessage": "Your sign-in code is {####}.",
}


@pytest.fixture
def pool(new_user_pool: Callable[..., PoolClient]) -> Callable[..., PoolClient]:
    """``pool(factors=ALL_FACTORS, secret=False, **pool kwargs)``: a USER_AUTH pool."""

    def make(
        factors: list[str] | None = None,
        *,
        secret: bool = False,
        prevent: bool = False,
        session_minutes: int | None = None,
        **extra: Any,
    ) -> PoolClient:
        policies = {"SignInPolicy": {"AllowedFirstAuthFactors": factors or ALL_FACTORS}}
        client: dict[str, Any] = dict(USER_AUTH_CLIENT, GenerateSecret=secret)
        if prevent:
            client["PreventUserExistenceErrors"] = "ENABLED"
        if session_minutes is not None:
            client["AuthSessionValidity"] = session_minutes
        return new_user_pool(pool={"Policies": policies, **extra}, client=client)

    return make


def _user(new_user: Callable[..., str], made: PoolClient, **attributes: str) -> str:
    return new_user(made.pool_id, f"user-{secrets.token_hex(4)}", PASSWORD, attributes)


def _hash(made: PoolClient, username: str) -> dict[str, str]:
    if not made.client_secret:
        return {}
    return {"SECRET_HASH": srp.compute_secret_hash(username, made.client_id, made.client_secret)}


def _initiate(idp: Any, made: PoolClient, username: str, **params: str) -> dict[str, Any]:
    result: dict[str, Any] = idp.initiate_auth(
        ClientId=made.client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": username, **params, **_hash(made, username)},
    )
    return result


def _respond(
    idp: Any, made: PoolClient, name: str, session: str, username: str, **responses: str
) -> dict[str, Any]:
    result: dict[str, Any] = idp.respond_to_auth_challenge(
        ClientId=made.client_id,
        ChallengeName=name,
        Session=session,
        ChallengeResponses={"USERNAME": username, **responses, **_hash(made, username)},
    )
    return result


def _code(local_cognito: LocalCognito, made: PoolClient, username: str) -> dict[str, Any]:
    items = [i for i in local_cognito.outbox(username) if i["user_pool_id"] == made.pool_id]
    assert items, "no code was sent"
    return items[-1]


def _claims(result: dict[str, Any]) -> dict[str, Any]:
    token = result["AuthenticationResult"]["AccessToken"]
    return dict(jwt.decode(token, options={"verify_signature": False}))


# ---------------------------------------------------------------------- one-time codes


@pytest.mark.parametrize("secret", [False, True], ids=["public", "secret"])
def test_email_code_is_a_first_factor_and_signs_in_without_mfa(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
    secret: bool,
) -> None:
    made = pool(secret=secret)
    name = _user(new_user, made, email="otp@example.com")
    started = _initiate(cognito_idp, made, name, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert started["ChallengeName"] == "EMAIL_OTP"
    params = started["ChallengeParameters"]
    assert params["CODE_DELIVERY_DELIVERY_MEDIUM"] == "EMAIL"
    assert params["CODE_DELIVERY_DESTINATION"] == "o****@e****"
    assert params["USERNAME"] == name
    sent = _code(local_cognito, made, name)
    assert sent["purpose"] == "Authentication" and sent["destination"] == "otp@example.com"
    done = _respond(
        cognito_idp, made, "EMAIL_OTP", started["Session"], name, EMAIL_OTP_CODE=sent["code"]
    )
    assert _claims(done)["username"] == name
    user = cognito_idp.admin_get_user(UserPoolId=made.pool_id, Username=name)
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["email_verified"] == "true"


def test_sms_code_wrong_then_right_then_the_session_is_spent(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    made = pool(SmsConfiguration=SMS["SmsConfiguration"])
    name = _user(new_user, made, phone_number=PHONE)
    started = _initiate(cognito_idp, made, name, PREFERRED_CHALLENGE="SMS_OTP")
    assert started["ChallengeName"] == "SMS_OTP"
    assert started["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"] == "SMS"
    code = _code(local_cognito, made, name)["code"]
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ClientError) as caught:
        _respond(cognito_idp, made, "SMS_OTP", started["Session"], name, SMS_OTP_CODE=wrong)
    assert error_of(caught) == ("CodeMismatchException", MFA_CODE_MISMATCH)
    done = _respond(cognito_idp, made, "SMS_OTP", started["Session"], name, SMS_OTP_CODE=code)
    assert "AccessToken" in done["AuthenticationResult"]
    with pytest.raises(ClientError) as caught:
        _respond(cognito_idp, made, "SMS_OTP", started["Session"], name, SMS_OTP_CODE=code)
    assert error_of(caught) == ("NotAuthorizedException", "Invalid session for the user.")


def test_an_expired_code_is_refused(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
    clock: ManualClock,
) -> None:
    made = pool(session_minutes=15)
    name = _user(new_user, made, email="late@example.com")
    started = _initiate(cognito_idp, made, name, PREFERRED_CHALLENGE="EMAIL_OTP")
    code = _code(local_cognito, made, name)["code"]
    clock.advance(181)  # codes live 3 minutes; the Session (15 minutes) is still alive
    with pytest.raises(ClientError) as caught:
        _respond(cognito_idp, made, "EMAIL_OTP", started["Session"], name, EMAIL_OTP_CODE=code)
    assert error_of(caught)[0] == "ExpiredCodeException"


def test_email_otp_answered_as_sms_otp_is_a_mismatch(
    cognito_idp: Any, pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    made = pool()
    name = _user(new_user, made, email="x@example.com", phone_number=PHONE)
    started = _initiate(cognito_idp, made, name, PREFERRED_CHALLENGE="EMAIL_OTP")
    with pytest.raises(ClientError) as caught:
        _respond(cognito_idp, made, "SMS_OTP", started["Session"], name, SMS_OTP_CODE="123456")
    assert error_of(caught)[0] == "CodeMismatchException"


# ---------------------------------------------------------------------- selection


def test_selection_lists_what_the_pool_allows_and_the_user_can_use(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    made = pool()
    name = _user(new_user, made, email="pick@example.com")  # no phone, no passkey
    started = _initiate(cognito_idp, made, name)
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    assert started["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"]
    chose = _respond(
        cognito_idp, made, "SELECT_CHALLENGE", started["Session"], name, ANSWER="EMAIL_OTP"
    )
    assert chose["ChallengeName"] == "EMAIL_OTP"
    code = _code(local_cognito, made, name)["code"]
    done = _respond(cognito_idp, made, "EMAIL_OTP", chose["Session"], name, EMAIL_OTP_CODE=code)
    assert "IdToken" in done["AuthenticationResult"]
    # The choice is made once: the selection's Session is spent.
    with pytest.raises(ClientError) as caught:
        _respond(cognito_idp, made, "SELECT_CHALLENGE", started["Session"], name, ANSWER="PASSWORD")
    assert error_of(caught)[0] == "NotAuthorizedException"


def test_selection_with_the_password_in_the_same_answer(
    cognito_idp: Any, pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    made = pool(secret=True)
    name = _user(new_user, made, email="pw@example.com")
    started = _initiate(cognito_idp, made, name)
    with pytest.raises(ClientError) as caught:  # a factor not offered
        _respond(cognito_idp, made, "SELECT_CHALLENGE", started["Session"], name, ANSWER="SMS_OTP")
    assert error_of(caught)[0] == "InvalidParameterException"
    done = _respond(
        cognito_idp,
        made,
        "SELECT_CHALLENGE",
        started["Session"],
        name,
        ANSWER="PASSWORD",
        PASSWORD=PASSWORD,
    )
    assert _claims(done)["username"] == name


def test_password_srp_selected_leads_to_password_verifier(
    cognito_idp: Any, pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    made = pool()
    name = _user(new_user, made, email="srp@example.com")
    started = _initiate(cognito_idp, made, name)
    ephemeral = srp.new_client_ephemeral()
    verifier = _respond(
        cognito_idp,
        made,
        "SELECT_CHALLENGE",
        started["Session"],
        name,
        ANSWER="PASSWORD_SRP",
        SRP_A=ephemeral.srp_a,
    )
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    responses = srp_client.answer(
        ephemeral, verifier["ChallengeParameters"], made.pool_id, PASSWORD
    )
    done = srp_client.respond(cognito_idp, made.client_id, responses)
    assert _claims(done)["username"] == name


def test_preferred_password_and_password_srp(
    cognito_idp: Any, pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    made = pool()
    name = _user(new_user, made)
    done = _initiate(cognito_idp, made, name, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    assert _claims(done)["username"] == name
    with pytest.raises(ClientError) as caught:
        _initiate(cognito_idp, made, name, PREFERRED_CHALLENGE="PASSWORD", PASSWORD="Wrong-1-pw")
    assert error_of(caught) == ("NotAuthorizedException", "Incorrect username or password.")
    ephemeral = srp.new_client_ephemeral()
    verifier = _initiate(
        cognito_idp, made, name, PREFERRED_CHALLENGE="PASSWORD_SRP", SRP_A=ephemeral.srp_a
    )
    assert verifier["ChallengeName"] == "PASSWORD_VERIFIER"
    responses = srp_client.answer(
        ephemeral, verifier["ChallengeParameters"], made.pool_id, PASSWORD
    )
    assert (
        "AccessToken"
        in srp_client.respond(cognito_idp, made.client_id, responses)["AuthenticationResult"]
    )


# ---------------------------------------------------------------------- what the pool allows


def test_a_factor_the_pool_does_not_allow_is_not_offered(
    cognito_idp: Any, pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    made = pool(["PASSWORD", "EMAIL_OTP"])
    name = _user(new_user, made, email="a@example.com", phone_number=PHONE)
    # The preferred factor is not allowed: the selection comes instead, without it.
    started = _initiate(cognito_idp, made, name, PREFERRED_CHALLENGE="SMS_OTP")
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    assert "SMS_OTP" not in started["AvailableChallenges"]
    only_password = pool(["PASSWORD"])
    other = _user(new_user, only_password, email="b@example.com")
    started = _initiate(cognito_idp, only_password, other, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert started["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    with pytest.raises(ClientError) as caught:
        _initiate(cognito_idp, made, name, PREFERRED_CHALLENGE="MAGIC_LINK")
    assert error_of(caught)[0] == "InvalidParameterException"


def test_the_client_must_allow_user_auth_and_the_pool_be_above_lite(
    cognito_idp: Any,
    pool: Callable[..., PoolClient],
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    without = new_user_pool()  # SRP, password, refresh, admin: no ALLOW_USER_AUTH
    name = _user(new_user, without)
    with pytest.raises(ClientError) as caught:
        _initiate(cognito_idp, without, name)
    assert error_of(caught) == (
        "InvalidParameterException",
        "USER_AUTH flow not enabled for this client",
    )
    lite = pool(UserPoolTier="LITE")
    other = _user(new_user, lite)
    with pytest.raises(ClientError) as caught:
        _initiate(cognito_idp, lite, other)
    assert error_of(caught)[0] == "FeatureUnavailableInTierException"


def test_admin_initiate_auth_takes_user_auth_too(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    made = pool()
    name = _user(new_user, made, email="admin@example.com")
    started = cognito_idp.admin_initiate_auth(
        UserPoolId=made.pool_id,
        ClientId=made.client_id,
        AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": name, "PREFERRED_CHALLENGE": "EMAIL_OTP"},
    )
    code = _code(local_cognito, made, name)["code"]
    done = cognito_idp.admin_respond_to_auth_challenge(
        UserPoolId=made.pool_id,
        ClientId=made.client_id,
        ChallengeName="EMAIL_OTP",
        Session=started["Session"],
        ChallengeResponses={"USERNAME": name, "EMAIL_OTP_CODE": code},
    )
    assert "AccessToken" in done["AuthenticationResult"]


# ---------------------------------------------------------------------- MFA after each factor


def test_mfa_follows_a_password_factor_and_not_a_code(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    made = pool(SmsConfiguration=SMS["SmsConfiguration"])
    cognito_idp.set_user_pool_mfa_config(
        UserPoolId=made.pool_id, MfaConfiguration="OPTIONAL", SmsMfaConfiguration=SMS
    )
    name = _user(new_user, made, email="mfa@example.com", phone_number=PHONE)
    cognito_idp.admin_set_user_mfa_preference(
        UserPoolId=made.pool_id,
        Username=name,
        SMSMfaSettings={"Enabled": True, "PreferredMfa": True},
    )
    after_password = _initiate(
        cognito_idp, made, name, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD
    )
    assert after_password["ChallengeName"] == "SMS_MFA"
    started = _initiate(cognito_idp, made, name, PREFERRED_CHALLENGE="EMAIL_OTP")
    code = _code(local_cognito, made, name)["code"]
    done = _respond(cognito_idp, made, "EMAIL_OTP", started["Session"], name, EMAIL_OTP_CODE=code)
    assert "AccessToken" in done["AuthenticationResult"]  # no MFA after a one-time code


def test_required_mfa_offers_no_passwordless_factor(
    cognito_idp: Any, pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    made = pool(MfaConfiguration="ON", SmsConfiguration=SMS["SmsConfiguration"])
    name = _user(new_user, made, email="on@example.com", phone_number=PHONE)
    started = _initiate(cognito_idp, made, name, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert started["ChallengeName"] == "SELECT_CHALLENGE"
    assert started["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP"]
    mfa = _initiate(cognito_idp, made, name, PREFERRED_CHALLENGE="PASSWORD", PASSWORD=PASSWORD)
    assert mfa["ChallengeName"] == "SMS_MFA"


# ---------------------------------------------------------------------- accounts and ghosts


def test_legacy_clients_hear_of_unknown_and_disabled_users_at_once(
    cognito_idp: Any, pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> None:
    made = pool()
    with pytest.raises(ClientError) as caught:
        _initiate(cognito_idp, made, "nobody-here", PREFERRED_CHALLENGE="EMAIL_OTP")
    assert error_of(caught) == ("UserNotFoundException", "User does not exist.")
    name = _user(new_user, made, email="off@example.com")
    cognito_idp.admin_disable_user(UserPoolId=made.pool_id, Username=name)
    with pytest.raises(ClientError) as caught:
        _initiate(cognito_idp, made, name, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert error_of(caught) == ("NotAuthorizedException", "User is disabled.")


def test_an_unknown_user_gets_a_code_step_that_no_code_passes(
    cognito_idp: Any, local_cognito: LocalCognito, pool: Callable[..., PoolClient]
) -> None:
    made = pool(prevent=True)
    ghost = f"ghost-{secrets.token_hex(3)}@example.com"
    started = _initiate(cognito_idp, made, ghost, PREFERRED_CHALLENGE="EMAIL_OTP")
    assert started["ChallengeName"] == "EMAIL_OTP"
    assert started["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"] == "g****@e****"
    assert not local_cognito.outbox(ghost)
    with pytest.raises(ClientError) as caught:
        _respond(cognito_idp, made, "EMAIL_OTP", started["Session"], ghost, EMAIL_OTP_CODE="1")
    assert error_of(caught)[0] == "CodeMismatchException"
    selection = _initiate(cognito_idp, made, ghost)
    assert selection["AvailableChallenges"] == ["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"]


# ---------------------------------------------------------------------- sign-up's Session


@pytest.mark.parametrize("secret", [False, True], ids=["public", "secret"])
def test_confirm_sign_up_session_signs_the_new_user_in_once(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    pool: Callable[..., PoolClient],
    secret: bool,
) -> None:
    made = pool(secret=secret, AutoVerifiedAttributes=["email"])
    name = f"new-{secrets.token_hex(4)}"
    cognito_idp.sign_up(
        ClientId=made.client_id,
        Username=name,
        UserAttributes=[{"Name": "email", "Value": f"{name}@example.com"}],
        **({"SecretHash": _hash(made, name)["SECRET_HASH"]} if secret else {}),
    )  # no password: the pool has passwordless factors
    code = _code(local_cognito, made, name)["code"]
    confirmed = cognito_idp.confirm_sign_up(
        ClientId=made.client_id,
        Username=name,
        ConfirmationCode=code,
        **({"SecretHash": _hash(made, name)["SECRET_HASH"]} if secret else {}),
    )
    session = confirmed["Session"]
    request = {
        "ClientId": made.client_id,
        "AuthFlow": "USER_AUTH",
        "AuthParameters": {"USERNAME": name, **_hash(made, name)},
        "Session": session,
    }
    done = cognito_idp.initiate_auth(**request)
    assert _claims(done)["username"] == name
    with pytest.raises(ClientError) as caught:
        cognito_idp.initiate_auth(**request)
    assert error_of(caught) == ("NotAuthorizedException", "Invalid session for the user.")


def test_sign_up_without_a_password_needs_a_passwordless_pool(
    cognito_idp: Any, pool: Callable[..., PoolClient]
) -> None:
    made = pool(["PASSWORD"])
    with pytest.raises(ClientError) as caught:
        cognito_idp.sign_up(ClientId=made.client_id, Username=f"np-{secrets.token_hex(3)}")
    assert error_of(caught)[0] == "InvalidParameterException"
