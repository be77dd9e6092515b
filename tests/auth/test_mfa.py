"""MFA through ``Auth`` and ``AsyncAuth`` against the local Cognito over loopback HTTP.

Sign-in challenges (TOTP, SMS and email codes, MFA selection), MFA setup during sign-in (Amplify
JS v6's CONTINUE_SIGN_IN_WITH_TOTP_SETUP and the setup selection) and the signed-in settings
(``set_up_totp``, ``verify_totp_setup``, ``update_mfa_preference``, ``fetch_mfa_preference``).
Every e2e test runs for both twins (``make_auth``). TOTP codes are computed from the shared
secret the client received, at the local Cognito's clock, moved on a step for each code (a code
is good once); SMS and email codes come from the outbox. Email MFA is also set up during
sign-in (MFA_SETUP answered with an address). A few flow-level tests at the end check the calls
with canned answers.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pyamplify.auth import MFAPreference, SignInStep, TOTPSetupDetails
from pyamplify.auth.errors import AuthValidationError, UnsupportedChallengeError
from pyamplify.auth.flows import ClientContext, PendingChallenge, confirm_sign_in_flow
from pyamplify.auth.mfa_flows import mfa_preference_of, mfa_settings
from pyamplify.local.clock import ManualClock
from pyamplify.local.idp import totp
from pyamplify.local.testing import LocalPool
from pyamplify.wire.call import Call
from pyamplify.wire.errors import CodeMismatchException, EnableSoftwareTokenMFAException

from .conftest import AuthFactory, latest_code
from .helpers import drive

pytestmark = pytest.mark.e2e

PASSWORD = "Correct-Horse-9-battery"
PHONE = "+15555550123"
SMS = {
    "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/CognitoSms"},
    "SmsAuthenticationMessage": "Your sign-in code is {####}.",
}
EMAIL = {"Message": "Your sign-in code is {####}.", "Subject": "Sign-in code"}


@pytest.fixture
def admin(cognito: Any, make_boto3_client: Callable[..., Any]) -> Any:
    """boto3 against the module's local Cognito (pool MFA settings, users)."""
    return make_boto3_client("cognito-idp", cognito.url)


@pytest.fixture
def mfa_pool(make_pool: Callable[..., LocalPool], admin: Any) -> Callable[..., LocalPool]:
    """``mfa_pool(mode, sms=False, software=True, email=False, **make_pool_options)``."""

    def make(
        mode: str,
        *,
        sms: bool = False,
        software: bool = True,
        email: bool = False,
        **options: Any,
    ) -> LocalPool:
        pool = make_pool(**options)
        factors: dict[str, Any] = {}
        if sms:
            factors["SmsMfaConfiguration"] = SMS
        if software:
            factors["SoftwareTokenMfaConfiguration"] = {"Enabled": True}
        if email:
            factors["EmailMfaConfiguration"] = EMAIL
        admin.set_user_pool_mfa_config(
            UserPoolId=pool.config.user_pool.pool_id, MfaConfiguration=mode, **factors
        )
        return pool

    return make


def new_user(admin: Any, pool: LocalPool, **attributes: str) -> str:
    """A confirmed user with ``attributes`` (verified) and the permanent password."""
    pool_id = pool.config.user_pool.pool_id
    username = f"user-{secrets.token_hex(4)}"
    verified = [f"{name}_verified" for name in ("email", "phone_number") if name in attributes]
    admin.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": name, "Value": value} for name, value in attributes.items()]
        + [{"Name": name, "Value": "true"} for name in verified],
    )
    admin.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True
    )
    return username


#: The local Cognito's clock for the running test (see ``_server_clock``).
_CLOCK: list[ManualClock] = []


@pytest.fixture(autouse=True)
def _server_clock(cognito_clock: ManualClock) -> Iterator[None]:
    """Each test moves the local Cognito's clock on a step for every TOTP code it takes: a code
    is good once (a replay within its window is refused), so the next answer needs the next."""
    _CLOCK.append(cognito_clock)
    yield
    _CLOCK.pop()


def code_of(secret: str) -> str:
    """The authenticator app's code for ``secret`` in the next time step (the server's clock is
    moved there): one not used before."""
    clock = _CLOCK[-1]
    clock.advance(totp.STEP_SECONDS)
    return totp.code_at(secret, clock())


def wrong(code: str) -> str:
    """A code that is not ``code`` (nor, in practice, its neighbours in the window)."""
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def enroll_totp(auth: Any) -> str:
    """Set up and verify a software token for the signed-in user; returns its secret."""
    details = auth.set_up_totp()
    auth.verify_totp_setup(code_of(details.shared_secret), friendly_device_name="phone")
    return str(details.shared_secret)


# ------------------------------------------------------------------ sign-in challenges
def test_totp_code_step_then_done_and_a_wrong_code_can_be_retried(
    make_auth: AuthFactory, mfa_pool: Callable[..., LocalPool], admin: Any
) -> None:
    pool = mfa_pool("OPTIONAL")
    username = new_user(admin, pool, email="t@example.com")
    auth = make_auth(pool)
    assert auth.sign_in(username, PASSWORD).is_signed_in  # no factor yet: tokens
    secret = enroll_totp(auth)
    auth.sign_out()

    result = auth.sign_in(username, PASSWORD)
    assert not result.is_signed_in
    assert result.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE
    with pytest.raises(CodeMismatchException):
        auth.confirm_sign_in(wrong(code_of(secret)))
    assert not auth.fetch_auth_session().is_signed_in
    done = auth.confirm_sign_in(code_of(secret))  # the same pending sign-in, Session kept
    assert done.is_signed_in
    assert done.next_step.sign_in_step is SignInStep.DONE
    session = auth.fetch_auth_session()
    assert session.is_signed_in
    assert auth.get_current_user().username == username


@pytest.mark.parametrize("client_secret", [False, True], ids=["public", "secret"])
def test_a_replayed_totp_code_is_refused(
    make_auth: AuthFactory,
    mfa_pool: Callable[..., LocalPool],
    admin: Any,
    cognito_clock: ManualClock,
    client_secret: bool,
) -> None:
    pool = mfa_pool("OPTIONAL", client_secret=client_secret)
    username = new_user(admin, pool, email="r@example.com")
    auth = make_auth(pool)
    assert auth.sign_in(username, PASSWORD).is_signed_in
    secret = enroll_totp(auth)
    auth.sign_out()
    auth.sign_in(username, PASSWORD)
    code = code_of(secret)
    assert auth.confirm_sign_in(code).is_signed_in
    auth.sign_out()

    step = auth.sign_in(username, PASSWORD).next_step
    assert step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE
    cognito_clock.advance(5)  # the code is still inside its window: only its reuse is refused
    with pytest.raises(CodeMismatchException):
        auth.confirm_sign_in(code)
    assert not auth.fetch_auth_session().is_signed_in
    assert auth.confirm_sign_in(code_of(secret)).is_signed_in  # a fresh code, same sign-in


def test_sms_code_step_carries_delivery_details(
    make_auth: AuthFactory, mfa_pool: Callable[..., LocalPool], admin: Any, cognito: Any
) -> None:
    pool = mfa_pool("ON", sms=True, software=False)
    username = new_user(admin, pool, email="s@example.com", phone_number=PHONE)
    auth = make_auth(pool)
    result = auth.sign_in(username, PASSWORD)
    step = result.next_step
    assert step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_SMS_CODE
    assert step.code_delivery_details is not None
    assert step.code_delivery_details.delivery_medium == "SMS"
    assert step.code_delivery_details.destination and PHONE not in (
        step.code_delivery_details.destination
    )
    code = latest_code(cognito, pool.config.user_pool.pool_id, username)
    with pytest.raises(CodeMismatchException):
        auth.confirm_sign_in(wrong(code))
    assert auth.confirm_sign_in(code).is_signed_in
    assert auth.fetch_auth_session().is_signed_in


def test_email_code_step(
    make_auth: AuthFactory, mfa_pool: Callable[..., LocalPool], admin: Any, cognito: Any
) -> None:
    pool = mfa_pool("ON", software=False, email=True)
    username = new_user(admin, pool, email="e@example.com")
    auth = make_auth(pool)
    step = auth.sign_in(username, PASSWORD).next_step
    assert step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE
    assert step.code_delivery_details is not None
    assert step.code_delivery_details.delivery_medium == "EMAIL"
    code = latest_code(cognito, pool.config.user_pool.pool_id, username)
    assert auth.confirm_sign_in(code).is_signed_in


def test_mfa_selection_then_totp_code_and_preferences(
    make_auth: AuthFactory, mfa_pool: Callable[..., LocalPool], admin: Any
) -> None:
    pool = mfa_pool("OPTIONAL", sms=True)
    username = new_user(admin, pool, email="m@example.com", phone_number=PHONE)
    auth = make_auth(pool)
    assert auth.sign_in(username, PASSWORD).is_signed_in
    assert auth.fetch_mfa_preference() == MFAPreference()
    secret = enroll_totp(auth)
    auth.update_mfa_preference(sms="ENABLED")
    assert auth.fetch_mfa_preference() == MFAPreference(enabled=("SMS", "TOTP"))
    auth.sign_out()

    step = auth.sign_in(username, PASSWORD).next_step
    assert step.sign_in_step is SignInStep.CONTINUE_SIGN_IN_WITH_MFA_SELECTION
    assert set(step.allowed_mfa_types) == {"SMS", "TOTP"}
    chosen = auth.confirm_sign_in("TOTP")
    assert chosen.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE
    assert auth.confirm_sign_in(code_of(secret)).is_signed_in

    auth.update_mfa_preference(totp="PREFERRED")
    assert auth.fetch_mfa_preference() == MFAPreference(enabled=("SMS", "TOTP"), preferred="TOTP")
    auth.sign_out()
    step = auth.sign_in(username, PASSWORD).next_step  # the preferred type, no selection
    assert step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE
    assert auth.confirm_sign_in(code_of(secret)).is_signed_in

    auth.update_mfa_preference(sms="DISABLED", totp="DISABLED")
    assert auth.fetch_mfa_preference() == MFAPreference()
    auth.sign_out()
    assert auth.sign_in(username, PASSWORD).is_signed_in


def test_selecting_sms_sends_a_code(
    make_auth: AuthFactory, mfa_pool: Callable[..., LocalPool], admin: Any, cognito: Any
) -> None:
    pool = mfa_pool("OPTIONAL", sms=True)
    username = new_user(admin, pool, phone_number=PHONE)
    auth = make_auth(pool)
    assert auth.sign_in(username, PASSWORD).is_signed_in
    enroll_totp(auth)
    auth.update_mfa_preference(sms="ENABLED", totp="NOT_PREFERRED")
    auth.sign_out()
    assert auth.sign_in(username, PASSWORD).next_step.sign_in_step is (
        SignInStep.CONTINUE_SIGN_IN_WITH_MFA_SELECTION
    )
    step = auth.confirm_sign_in("SMS").next_step
    assert step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_SMS_CODE
    assert step.code_delivery_details is not None
    code = latest_code(cognito, pool.config.user_pool.pool_id, username)
    assert auth.confirm_sign_in(code).is_signed_in


# ------------------------------------------------------------------ MFA setup during sign-in
def test_totp_setup_during_sign_in(
    make_auth: AuthFactory, mfa_pool: Callable[..., LocalPool], admin: Any
) -> None:
    pool = mfa_pool("ON")
    username = new_user(admin, pool, email="u@example.com")
    auth = make_auth(pool)
    result = auth.sign_in(username, PASSWORD)
    step = result.next_step
    assert step.sign_in_step is SignInStep.CONTINUE_SIGN_IN_WITH_TOTP_SETUP
    details = step.totp_setup_details
    assert isinstance(details, TOTPSetupDetails)
    secret = details.shared_secret
    assert len(secret) >= 16
    assert secret not in repr(result) and secret not in repr(details)
    assert details.get_setup_uri("My App") == (
        f"otpauth://totp/My%20App:{username}?secret={secret}&issuer=My%20App"
    )
    assert details.get_setup_uri("App", "a@b.c").startswith("otpauth://totp/App:a@b.c?")

    with pytest.raises(EnableSoftwareTokenMFAException):
        auth.confirm_sign_in(wrong(code_of(secret)))
    done = auth.confirm_sign_in(code_of(secret), friendly_device_name="work phone")
    assert done.is_signed_in
    assert auth.fetch_mfa_preference().enabled == ("TOTP",)
    auth.sign_out()
    step = auth.sign_in(username, PASSWORD).next_step  # now challenged, not set up again
    assert step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE
    assert auth.confirm_sign_in(code_of(secret)).is_signed_in


def test_totp_setup_and_challenge_with_a_client_secret(
    make_auth: AuthFactory, mfa_pool: Callable[..., LocalPool], admin: Any
) -> None:
    pool = mfa_pool("ON", client_secret=True)  # every answer needs SECRET_HASH
    username = new_user(admin, pool, email="c@example.com")
    auth = make_auth(pool)
    details = auth.sign_in(username, PASSWORD).next_step.totp_setup_details
    assert details is not None
    assert auth.confirm_sign_in(code_of(details.shared_secret)).is_signed_in
    auth.sign_out()
    step = auth.sign_in(username, PASSWORD).next_step
    assert step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_TOTP_CODE
    assert auth.confirm_sign_in(code_of(details.shared_secret)).is_signed_in


def test_mfa_setup_selection_then_totp(
    make_auth: AuthFactory, mfa_pool: Callable[..., LocalPool], admin: Any
) -> None:
    pool = mfa_pool("ON", email=True)
    username = new_user(admin, pool)  # no e-mail address: nothing to challenge with
    auth = make_auth(pool)
    step = auth.sign_in(username, PASSWORD).next_step
    assert step.sign_in_step is SignInStep.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION
    assert step.allowed_mfa_types == ("TOTP", "EMAIL")
    with pytest.raises(AuthValidationError):
        auth.confirm_sign_in("SMS")
    step = auth.confirm_sign_in("TOTP").next_step
    assert step.sign_in_step is SignInStep.CONTINUE_SIGN_IN_WITH_TOTP_SETUP
    assert step.totp_setup_details is not None
    assert auth.confirm_sign_in(code_of(step.totp_setup_details.shared_secret)).is_signed_in


@pytest.mark.parametrize("client_secret", [False, True], ids=["public", "secret"])
def test_mfa_setup_selection_then_email_address_and_code(
    make_auth: AuthFactory,
    mfa_pool: Callable[..., LocalPool],
    admin: Any,
    cognito: Any,
    client_secret: bool,
) -> None:
    pool = mfa_pool("ON", email=True, client_secret=client_secret)
    username = new_user(admin, pool)  # no e-mail address yet
    auth = make_auth(pool)
    step = auth.sign_in(username, PASSWORD).next_step
    assert step.sign_in_step is SignInStep.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION
    step = auth.confirm_sign_in("EMAIL").next_step
    assert step.sign_in_step is SignInStep.CONTINUE_SIGN_IN_WITH_EMAIL_SETUP
    step = auth.confirm_sign_in("set-up@example.com").next_step
    assert step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE
    assert step.code_delivery_details is not None
    assert step.code_delivery_details.delivery_medium == "EMAIL"
    code = latest_code(cognito, pool.config.user_pool.pool_id, username)
    with pytest.raises(CodeMismatchException):
        auth.confirm_sign_in(wrong(code))
    assert auth.confirm_sign_in(code).is_signed_in
    assert auth.fetch_user_attributes()["email"] == "set-up@example.com"
    assert auth.fetch_mfa_preference().enabled == ("EMAIL",)
    auth.sign_out()
    step = auth.sign_in(username, PASSWORD).next_step  # asked for a code now, not set up again
    assert step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE
    code = latest_code(cognito, pool.config.user_pool.pool_id, username)
    assert auth.confirm_sign_in(code).is_signed_in


def test_email_only_setup_asks_for_the_address_at_once(
    make_auth: AuthFactory, mfa_pool: Callable[..., LocalPool], admin: Any, cognito: Any
) -> None:
    pool = mfa_pool("ON", software=False, email=True)
    username = new_user(admin, pool)
    auth = make_auth(pool)
    step = auth.sign_in(username, PASSWORD).next_step
    assert step.sign_in_step is SignInStep.CONTINUE_SIGN_IN_WITH_EMAIL_SETUP
    assert auth.confirm_sign_in("only@example.com").next_step.sign_in_step is (
        SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE
    )
    code = latest_code(cognito, pool.config.user_pool.pool_id, username)
    assert auth.confirm_sign_in(code).is_signed_in


def test_sms_only_setup_is_refused_with_a_clear_error(
    make_auth: AuthFactory, mfa_pool: Callable[..., LocalPool], admin: Any
) -> None:
    pool = mfa_pool("ON", sms=True, software=False)
    username = new_user(admin, pool, email="n@example.com")  # no phone number
    auth = make_auth(pool)
    with pytest.raises(UnsupportedChallengeError, match="phone number"):
        auth.sign_in(username, PASSWORD)


# ------------------------------------------------------------------ signed-in settings
def test_mfa_settings_need_a_signed_in_user_and_valid_values(
    make_auth: AuthFactory, mfa_pool: Callable[..., LocalPool], admin: Any
) -> None:
    from pyamplify.auth import SignedOutError

    pool = mfa_pool("OPTIONAL")
    auth = make_auth(pool)
    with pytest.raises(SignedOutError):
        auth.set_up_totp()
    with pytest.raises(SignedOutError):
        auth.fetch_mfa_preference()
    username = new_user(admin, pool)
    assert auth.sign_in(username, PASSWORD).is_signed_in
    with pytest.raises(AuthValidationError, match="PREFERRED"):
        auth.update_mfa_preference(totp="ON")
    with pytest.raises(AuthValidationError):
        auth.update_mfa_preference()
    details = auth.set_up_totp()
    assert details.username == username
    with pytest.raises(EnableSoftwareTokenMFAException):
        auth.verify_totp_setup(wrong(code_of(details.shared_secret)))
    assert auth.fetch_mfa_preference() == MFAPreference()
    auth.verify_totp_setup(code_of(details.shared_secret))
    assert auth.fetch_mfa_preference() == MFAPreference(enabled=("TOTP",))


# ------------------------------------------------------------------ flows, canned answers
CTX = ClientContext("us-east-1_pool", "client")


def _setup_pending(step: SignInStep, types: tuple[str, ...]) -> PendingChallenge:
    return PendingChallenge(
        name="MFA_SETUP",
        parameters={},
        session="s1",
        username="alice",
        login_id="alice",
        auth_flow_type="USER_SRP_AUTH",
        step=step,
        setup_types=types,
    )


def test_email_setup_selection_then_address_answers_mfa_setup() -> None:
    pending = _setup_pending(
        SignInStep.CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION, ("TOTP", "EMAIL")
    )
    outcome, calls = drive(confirm_sign_in_flow(CTX, pending, "email"), lambda call: {})
    assert calls == []
    assert outcome.result.next_step.sign_in_step is SignInStep.CONTINUE_SIGN_IN_WITH_EMAIL_SETUP
    assert outcome.pending is not None

    def answer(call: Call) -> dict[str, Any]:
        return {
            "ChallengeName": "EMAIL_OTP",
            "Session": "s2",
            "ChallengeParameters": {
                "CODE_DELIVERY_DESTINATION": "a***@e***",
                "CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL",
            },
        }

    nxt, calls = drive(confirm_sign_in_flow(CTX, outcome.pending, "a@example.com"), answer)
    assert [call.operation for call in calls] == ["RespondToAuthChallenge"]
    assert calls[0].payload["ChallengeName"] == "MFA_SETUP"
    assert calls[0].payload["ChallengeResponses"] == {"USERNAME": "alice", "EMAIL": "a@example.com"}
    assert calls[0].payload["Session"] == "s1"
    assert nxt.result.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE


def test_totp_setup_answer_uses_the_verified_session() -> None:
    pending = _setup_pending(SignInStep.CONTINUE_SIGN_IN_WITH_TOTP_SETUP, ("TOTP",))
    answers = iter([{"Status": "SUCCESS", "Session": "s2"}, {"AuthenticationResult": {"x": 1}}])
    outcome, calls = drive(
        confirm_sign_in_flow(CTX, pending, " 123456 ", friendly_device_name="phone"),
        lambda call: next(answers),
    )
    assert [call.operation for call in calls] == ["VerifySoftwareToken", "RespondToAuthChallenge"]
    assert calls[0].payload == {
        "Session": "s1",
        "UserCode": "123456",
        "FriendlyDeviceName": "phone",
    }
    assert calls[1].payload["Session"] == "s2"
    assert calls[1].payload["ChallengeResponses"] == {"USERNAME": "alice"}
    assert outcome.result.is_signed_in


def test_mfa_settings_and_preference_mapping() -> None:
    assert mfa_settings(sms="preferred", totp=None, email="NOT_PREFERRED") == {
        "SMSMfaSettings": {"Enabled": True, "PreferredMfa": True},
        "EmailMfaSettings": {"Enabled": True, "PreferredMfa": False},
    }
    assert mfa_settings(totp="DISABLED") == {"SoftwareTokenMfaSettings": {"Enabled": False}}
    user = {"UserMFASettingList": ["SMS_MFA", "EMAIL_OTP"], "PreferredMfaSetting": "EMAIL_OTP"}
    assert mfa_preference_of(user) == MFAPreference(enabled=("SMS", "EMAIL"), preferred="EMAIL")
