"""PreSignUp, PostConfirmation, Pre/PostAuthentication, UserMigration and CustomMessage over
real HTTP: each fires at Cognito's moment with Cognito's event (asserted field by field), and
its answer changes what Cognito does. ClientMetadata and ValidationData arrive exactly where AWS
passes them. The function is a recording Python handler (:class:`~.trigger_support.Recorder`).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from pyamplify.local import LocalCognito
from pyamplify.local.testing.plugin import serve_local_cognito

from .trigger_support import (
    NO_CLIENT,
    RECORD,
    Recorder,
    envelope,
    error_of,
    lambda_config,
    secret_hash,
)

if TYPE_CHECKING:
    from tests.conftest import PoolClient

pytestmark = pytest.mark.e2e

PASSWORD = "Trigger-Passw0rd!"
RECORDER = Recorder()
PHONE = "+15555550123"
SMS = {"SnsCallerArn": "arn:aws:iam::123456789012:role/CognitoSms"}


@pytest.fixture(scope="module")
def local_cognito(request: pytest.FixtureRequest) -> Iterator[LocalCognito]:
    """This module's local Cognito, with the recorder mapped to :data:`RECORD`."""
    yield from serve_local_cognito(request, triggers={RECORD: RECORDER})


@pytest.fixture(autouse=True)
def recorder() -> Iterator[Recorder]:
    RECORDER.reset()
    yield RECORDER
    RECORDER.reset()


@pytest.fixture
def pool_with(new_user_pool: Callable[..., PoolClient]) -> Callable[..., PoolClient]:
    """``pool_with("PreSignUp", ..., secret=False, pool={...}, client={...})``."""

    def make(
        *triggers: str,
        secret: bool = False,
        pool: dict[str, Any] | None = None,
        client: dict[str, Any] | None = None,
    ) -> PoolClient:
        return new_user_pool(
            pool={
                "AutoVerifiedAttributes": ["email"],
                "LambdaConfig": lambda_config(RECORD, triggers),
                **(pool or {}),
            },
            client={"GenerateSecret": secret, **(client or {})},
        )

    return make


def _name() -> str:
    return f"user-{secrets.token_hex(4)}"


def _sign_up(
    idp: Any, pool: PoolClient, username: str, email: str | None = None, **kwargs: Any
) -> dict[str, Any]:
    attributes = [{"Name": "email", "Value": email or f"{username}@example.com"}]
    extra = {}
    if pool.client_secret:
        extra["SecretHash"] = secret_hash(username, pool.client_id, pool.client_secret)[
            "SECRET_HASH"
        ]
    result: dict[str, Any] = idp.sign_up(
        ClientId=pool.client_id,
        Username=username,
        Password=PASSWORD,
        UserAttributes=attributes,
        **extra,
        **kwargs,
    )
    return result


def _password_sign_in(
    idp: Any, pool: PoolClient, username: str, password: str = PASSWORD, **kwargs: Any
) -> dict[str, Any]:
    result: dict[str, Any] = idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": username,
            "PASSWORD": password,
            **secret_hash(username, pool.client_id, pool.client_secret),
        },
        **kwargs,
    )
    return result


def _status(idp: Any, pool: PoolClient, username: str) -> tuple[str, dict[str, str]]:
    user = idp.admin_get_user(UserPoolId=pool.pool_id, Username=username)
    return user["UserStatus"], {a["Name"]: a["Value"] for a in user["UserAttributes"]}


def _code(local_cognito: LocalCognito, pool: PoolClient, username: str, purpose: str) -> str:
    items = [
        item
        for item in local_cognito.outbox(username)
        if item["user_pool_id"] == pool.pool_id and item["purpose"] == purpose
    ]
    return str(items[-1]["code"])


# ---------------------------------------------------------------------- PreSignUp


@pytest.mark.parametrize("secret", [False, True], ids=["no-secret", "secret"])
def test_pre_sign_up_sees_attributes_validation_data_and_client_metadata(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    pool_with: Callable[..., PoolClient],
    recorder: Recorder,
    secret: bool,
) -> None:
    pool = pool_with("PreSignUp", secret=secret)
    username = _name()
    answer = _sign_up(
        cognito_idp,
        pool,
        username,
        ValidationData=[{"Name": "captcha", "Value": "tok-123"}],
        ClientMetadata={"origin": "web"},
    )
    (event,) = recorder.of("PreSignUp")
    envelope(event, "PreSignUp_SignUp", pool.pool_id, username, pool.client_id)
    assert event["request"] == {
        "userAttributes": {"email": f"{username}@example.com"},
        "validationData": {"captcha": "tok-123"},
        "clientMetadata": {"origin": "web"},
    }
    assert event["response"] == {
        "autoConfirmUser": False,
        "autoVerifyEmail": False,
        "autoVerifyPhone": False,
    }
    # Left as it was, the sign-up goes on as usual: unconfirmed, a code in the outbox.
    assert answer["UserConfirmed"] is False
    assert _status(cognito_idp, pool, username)[0] == "UNCONFIRMED"
    assert _code(local_cognito, pool, username, "SignUp")


def test_pre_sign_up_without_validation_data_sends_null(
    cognito_idp: Any, pool_with: Callable[..., PoolClient], recorder: Recorder
) -> None:
    pool = pool_with("PreSignUp")
    _sign_up(cognito_idp, pool, _name())
    (event,) = recorder.of("PreSignUp")
    assert event["request"]["validationData"] is None
    assert "clientMetadata" not in event["request"]


def test_pre_sign_up_auto_confirms_and_verifies_then_post_confirmation_fires(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    pool_with: Callable[..., PoolClient],
    recorder: Recorder,
) -> None:
    pool = pool_with("PreSignUp", "PostConfirmation")

    def confirm(event: dict[str, Any]) -> None:
        event["response"].update(autoConfirmUser=True, autoVerifyEmail=True, autoVerifyPhone=True)

    recorder.answers["PreSignUp"] = confirm
    username = _name()
    answer = _sign_up(cognito_idp, pool, username, ClientMetadata={"campaign": "spring"})
    assert answer["UserConfirmed"] is True
    assert "CodeDeliveryDetails" not in answer
    status, attributes = _status(cognito_idp, pool, username)
    assert status == "CONFIRMED"
    assert attributes["email_verified"] == "true"
    assert "phone_number_verified" not in attributes  # no phone to verify
    assert not [i for i in local_cognito.outbox(username) if i["user_pool_id"] == pool.pool_id]
    assert recorder.sources() == ["PreSignUp_SignUp", "PostConfirmation_ConfirmSignUp"]
    (event,) = recorder.of("PostConfirmation")
    envelope(event, "PostConfirmation_ConfirmSignUp", pool.pool_id, username, pool.client_id)
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    assert event["request"]["userAttributes"]["email_verified"] == "true"
    # SignUp's ClientMetadata reaches PostConfirmation too (AWS: pre sign-up, custom message
    # and post confirmation get it).
    assert event["request"]["clientMetadata"] == {"campaign": "spring"}
    _password_sign_in(cognito_idp, pool, username)


def test_pre_sign_up_refusal_is_the_handlers_message_and_stores_nothing(
    cognito_idp: Any, pool_with: Callable[..., PoolClient], recorder: Recorder
) -> None:
    pool = pool_with("PreSignUp")

    def refuse(event: dict[str, Any]) -> None:
        raise ValueError("Sign-ups are closed")

    recorder.answers["PreSignUp"] = refuse
    username = _name()
    with pytest.raises(ClientError) as caught:
        _sign_up(cognito_idp, pool, username)
    assert error_of(caught) == (
        "UserLambdaValidationException",
        "PreSignUp failed with error Sign-ups are closed.",
    )
    with pytest.raises(cognito_idp.exceptions.UserNotFoundException):
        cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username=username)
    recorder.answers.clear()
    assert _sign_up(cognito_idp, pool, username)["UserConfirmed"] is False  # and serving on


def test_pre_sign_up_for_admin_create_user_ignores_the_flags(
    cognito_idp: Any, pool_with: Callable[..., PoolClient], recorder: Recorder
) -> None:
    pool = pool_with("PreSignUp", "PostConfirmation")

    def confirm(event: dict[str, Any]) -> None:
        event["response"].update(autoConfirmUser=True, autoVerifyEmail=True)

    recorder.answers["PreSignUp"] = confirm
    username = _name()
    cognito_idp.admin_create_user(
        UserPoolId=pool.pool_id,
        Username=username,
        UserAttributes=[{"Name": "email", "Value": "admin-made@example.com"}],
        ValidationData=[{"Name": "source", "Value": "backoffice"}],
        ClientMetadata={"by": "admin"},
        MessageAction="SUPPRESS",
    )
    (event,) = recorder.of("PreSignUp")
    envelope(event, "PreSignUp_AdminCreateUser", pool.pool_id, username, NO_CLIENT)
    assert event["request"]["userAttributes"]["email"] == "admin-made@example.com"
    assert event["request"]["validationData"] == {"source": "backoffice"}
    assert event["request"]["clientMetadata"] == {"by": "admin"}
    status, attributes = _status(cognito_idp, pool, username)
    assert status == "FORCE_CHANGE_PASSWORD"
    assert attributes.get("email_verified") != "true"
    assert recorder.of("PostConfirmation") == []

    def refuse(event: dict[str, Any]) -> None:
        raise RuntimeError("not this one")

    recorder.answers["PreSignUp"] = refuse
    with pytest.raises(ClientError) as caught:
        cognito_idp.admin_create_user(UserPoolId=pool.pool_id, Username=_name())
    assert error_of(caught) == (
        "UserLambdaValidationException",
        "PreSignUp failed with error not this one.",
    )


def test_pre_sign_up_wrong_flag_type_is_an_invalid_lambda_response(
    cognito_idp: Any, pool_with: Callable[..., PoolClient], recorder: Recorder
) -> None:
    pool = pool_with("PreSignUp")

    def bad(event: dict[str, Any]) -> None:
        event["response"]["autoConfirmUser"] = "yes"

    recorder.answers["PreSignUp"] = bad
    username = _name()
    with pytest.raises(ClientError) as caught:
        _sign_up(cognito_idp, pool, username)
    assert error_of(caught) == ("InvalidLambdaResponseException", "Unrecognizable lambda output")
    with pytest.raises(cognito_idp.exceptions.UserNotFoundException):
        cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username=username)


# ---------------------------------------------------------------------- PostConfirmation


def test_post_confirmation_after_confirm_sign_up_with_client_metadata(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    pool_with: Callable[..., PoolClient],
    recorder: Recorder,
) -> None:
    pool = pool_with("PostConfirmation", secret=True)
    username = _name()
    _sign_up(cognito_idp, pool, username)
    assert recorder.of("PostConfirmation") == []
    cognito_idp.confirm_sign_up(
        ClientId=pool.client_id,
        Username=username,
        ConfirmationCode=_code(local_cognito, pool, username, "SignUp"),
        SecretHash=secret_hash(username, pool.client_id, pool.client_secret)["SECRET_HASH"],
        ClientMetadata={"step": "confirm"},
    )
    (event,) = recorder.of("PostConfirmation")
    envelope(event, "PostConfirmation_ConfirmSignUp", pool.pool_id, username, pool.client_id)
    attributes = event["request"]["userAttributes"]
    sub = _status(cognito_idp, pool, username)[1]["sub"]
    assert attributes == {
        "sub": sub,
        "email": f"{username}@example.com",
        "email_verified": "true",
        "cognito:user_status": "CONFIRMED",
    }
    assert event["request"]["clientMetadata"] == {"step": "confirm"}
    assert event["response"] == {}


def test_post_confirmation_after_admin_confirm_sign_up(
    cognito_idp: Any, pool_with: Callable[..., PoolClient], recorder: Recorder
) -> None:
    pool = pool_with("PostConfirmation")
    username = _name()
    _sign_up(cognito_idp, pool, username)
    cognito_idp.admin_confirm_sign_up(
        UserPoolId=pool.pool_id, Username=username, ClientMetadata={"by": "support"}
    )
    (event,) = recorder.of("PostConfirmation")
    # AWS uses the ConfirmSignUp source for AdminConfirmSignUp too.
    envelope(event, "PostConfirmation_ConfirmSignUp", pool.pool_id, username, NO_CLIENT)
    assert event["request"]["clientMetadata"] == {"by": "support"}
    assert event["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"


def test_post_confirmation_after_confirm_forgot_password(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    pool_with: Callable[..., PoolClient],
    new_user: Callable[..., str],
    recorder: Recorder,
) -> None:
    pool = pool_with("PostConfirmation")
    username = new_user(
        pool.pool_id, _name(), PASSWORD, {"email": "f@example.com", "email_verified": "true"}
    )
    cognito_idp.forgot_password(ClientId=pool.client_id, Username=username)
    cognito_idp.confirm_forgot_password(
        ClientId=pool.client_id,
        Username=username,
        ConfirmationCode=_code(local_cognito, pool, username, "ForgotPassword"),
        Password="Brand-New-Passw0rd!",
        ClientMetadata={"reason": "forgot"},
    )
    (event,) = recorder.of("PostConfirmation")
    envelope(
        event, "PostConfirmation_ConfirmForgotPassword", pool.pool_id, username, pool.client_id
    )
    assert event["request"]["clientMetadata"] == {"reason": "forgot"}
    _password_sign_in(cognito_idp, pool, username, "Brand-New-Passw0rd!")


def test_post_confirmation_may_call_the_server_back(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    make_boto3_client: Callable[..., Any],
    pool_with: Callable[..., PoolClient],
    recorder: Recorder,
) -> None:
    """A handler that calls Cognito (AdminAddUserToGroup) while Cognito waits for it."""
    pool = pool_with("PostConfirmation")
    cognito_idp.create_group(UserPoolId=pool.pool_id, GroupName="members")
    own_client = make_boto3_client("cognito-idp", local_cognito.url)

    def add_to_group(event: dict[str, Any]) -> None:
        own_client.admin_add_user_to_group(
            UserPoolId=event["userPoolId"], Username=event["userName"], GroupName="members"
        )

    recorder.answers["PostConfirmation"] = add_to_group
    username = _name()
    _sign_up(cognito_idp, pool, username)
    cognito_idp.admin_confirm_sign_up(UserPoolId=pool.pool_id, Username=username)
    groups = cognito_idp.admin_list_groups_for_user(UserPoolId=pool.pool_id, Username=username)
    assert [g["GroupName"] for g in groups["Groups"]] == ["members"]


def test_post_confirmation_failure_is_reported_but_the_confirmation_stays(
    cognito_idp: Any, pool_with: Callable[..., PoolClient], recorder: Recorder
) -> None:
    pool = pool_with("PostConfirmation")

    def fail(event: dict[str, Any]) -> None:
        raise KeyError("welcome-mail")

    recorder.answers["PostConfirmation"] = fail
    username = _name()
    _sign_up(cognito_idp, pool, username)
    with pytest.raises(ClientError) as caught:
        cognito_idp.admin_confirm_sign_up(UserPoolId=pool.pool_id, Username=username)
    assert error_of(caught) == (
        "UserLambdaValidationException",
        "PostConfirmation failed with error 'welcome-mail'.",
    )
    assert _status(cognito_idp, pool, username)[0] == "CONFIRMED"


# ---------------------------------------------------------------------- Pre/PostAuthentication


def test_pre_authentication_gets_initiate_auth_client_metadata_as_validation_data(
    cognito_idp: Any,
    pool_with: Callable[..., PoolClient],
    new_user: Callable[..., str],
    recorder: Recorder,
) -> None:
    pool = pool_with("PreAuthentication", "PostAuthentication", secret=True)
    username = new_user(pool.pool_id, _name(), PASSWORD, {"email": "pa@example.com"})
    result = _password_sign_in(cognito_idp, pool, username, ClientMetadata={"device": "kiosk"})
    assert "AuthenticationResult" in result
    assert recorder.sources() == [
        "PreAuthentication_Authentication",
        "PostAuthentication_Authentication",
    ]
    pre, post = recorder.events
    envelope(pre, "PreAuthentication_Authentication", pool.pool_id, username, pool.client_id)
    assert pre["request"]["validationData"] == {"device": "kiosk"}
    assert "clientMetadata" not in pre["request"]
    assert pre["request"]["userAttributes"]["email"] == "pa@example.com"
    assert pre["request"]["userAttributes"]["cognito:user_status"] == "CONFIRMED"
    envelope(post, "PostAuthentication_Authentication", pool.pool_id, username, pool.client_id)
    # InitiateAuth's ClientMetadata is not passed to PostAuthentication.
    assert post["request"] == {
        "userAttributes": pre["request"]["userAttributes"],
        "newDeviceUsed": False,
    }


def test_pre_authentication_refuses_before_the_password_is_checked(
    cognito_idp: Any,
    pool_with: Callable[..., PoolClient],
    new_user: Callable[..., str],
    recorder: Recorder,
) -> None:
    pool = pool_with("PreAuthentication")
    username = new_user(pool.pool_id, _name(), PASSWORD)

    def refuse(event: dict[str, Any]) -> None:
        raise PermissionError("Outside office hours")

    recorder.answers["PreAuthentication"] = refuse
    for password in (PASSWORD, "wrong-password"):
        with pytest.raises(ClientError) as caught:
            _password_sign_in(cognito_idp, pool, username, password)
        assert error_of(caught) == (
            "UserLambdaValidationException",
            "PreAuthentication failed with error Outside office hours.",
        )
    recorder.answers.clear()
    assert "AuthenticationResult" in _password_sign_in(cognito_idp, pool, username)


def test_pre_authentication_runs_for_srp_sign_in_too(
    cognito_idp: Any,
    pool_with: Callable[..., PoolClient],
    new_user: Callable[..., str],
    recorder: Recorder,
) -> None:
    from pyamplify import srp

    pool = pool_with("PreAuthentication")
    username = new_user(pool.pool_id, _name(), PASSWORD)
    started = cognito_idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": username, "SRP_A": srp.new_client_ephemeral().srp_a},
        ClientMetadata={"flow": "srp"},
    )
    assert started["ChallengeName"] == "PASSWORD_VERIFIER"
    (event,) = recorder.of("PreAuthentication")
    assert event["request"]["validationData"] == {"flow": "srp"}


def test_post_authentication_refusal_means_no_tokens(
    cognito_idp: Any,
    pool_with: Callable[..., PoolClient],
    new_user: Callable[..., str],
    recorder: Recorder,
) -> None:
    pool = pool_with("PostAuthentication")
    username = new_user(pool.pool_id, _name(), PASSWORD)

    def refuse(event: dict[str, Any]) -> None:
        raise RuntimeError("audit log unavailable")

    recorder.answers["PostAuthentication"] = refuse
    with pytest.raises(ClientError) as caught:
        _password_sign_in(cognito_idp, pool, username)
    assert error_of(caught) == (
        "UserLambdaValidationException",
        "PostAuthentication failed with error audit log unavailable.",
    )


# ---------------------------------------------------------------------- UserMigration


def _migrated(event: dict[str, Any], status: str = "CONFIRMED") -> None:
    event["response"] = {
        "userAttributes": {"email": "legacy@example.com", "email_verified": "true"},
        "finalUserStatus": status,
        "messageAction": "SUPPRESS",
    }


@pytest.mark.parametrize("secret", [False, True], ids=["no-secret", "secret"])
def test_user_migration_at_sign_in_skips_the_password_policy(
    cognito_idp: Any, pool_with: Callable[..., PoolClient], recorder: Recorder, secret: bool
) -> None:
    pool = pool_with("UserMigration", secret=secret)
    recorder.answers["UserMigration"] = _migrated
    username = _name()
    weak = "abc"  # far from the pool's policy: migration does not apply it
    result = _password_sign_in(cognito_idp, pool, username, weak, ClientMetadata={"app": "v1"})
    assert "AccessToken" in result["AuthenticationResult"]
    (event,) = recorder.of("UserMigration")
    envelope(event, "UserMigration_Authentication", pool.pool_id, username, pool.client_id)
    assert event["request"] == {"password": weak, "validationData": {"app": "v1"}}
    status, attributes = _status(cognito_idp, pool, username)
    assert status == "CONFIRMED"
    assert attributes["email"] == "legacy@example.com"
    # The user is now the pool's: the next sign-in does not ask the function again.
    recorder.reset()
    _password_sign_in(cognito_idp, pool, username, weak)
    assert recorder.events == []
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException):
        _password_sign_in(cognito_idp, pool, username, "not-it")


def test_user_migration_reset_required_asks_for_a_password_reset(
    cognito_idp: Any, pool_with: Callable[..., PoolClient], recorder: Recorder
) -> None:
    pool = pool_with("UserMigration")
    recorder.answers["UserMigration"] = lambda event: _migrated(event, "RESET_REQUIRED")
    username = _name()
    with pytest.raises(cognito_idp.exceptions.PasswordResetRequiredException):
        _password_sign_in(cognito_idp, pool, username, "whatever-it-was")
    assert _status(cognito_idp, pool, username)[0] == "RESET_REQUIRED"


def test_user_migration_for_admin_password_sign_in(
    cognito_idp: Any, pool_with: Callable[..., PoolClient], recorder: Recorder
) -> None:
    pool = pool_with("UserMigration")
    recorder.answers["UserMigration"] = _migrated
    username = _name()
    result = cognito_idp.admin_initiate_auth(
        UserPoolId=pool.pool_id,
        ClientId=pool.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": "legacy"},
    )
    assert "AuthenticationResult" in result
    assert recorder.sources() == ["UserMigration_Authentication"]


def test_user_migration_at_forgot_password(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    pool_with: Callable[..., PoolClient],
    recorder: Recorder,
) -> None:
    pool = pool_with("UserMigration")
    recorder.answers["UserMigration"] = _migrated
    username = _name()
    delivery = cognito_idp.forgot_password(
        ClientId=pool.client_id, Username=username, ClientMetadata={"from": "reset-page"}
    )["CodeDeliveryDetails"]
    assert delivery["DeliveryMedium"] == "EMAIL"
    (event,) = recorder.of("UserMigration")
    envelope(event, "UserMigration_ForgotPassword", pool.pool_id, username, pool.client_id)
    # No password with ForgotPassword; its ClientMetadata arrives as clientMetadata.
    assert event["request"] == {"clientMetadata": {"from": "reset-page"}}
    assert _status(cognito_idp, pool, username)[0] == "RESET_REQUIRED"
    cognito_idp.confirm_forgot_password(
        ClientId=pool.client_id,
        Username=username,
        ConfirmationCode=_code(local_cognito, pool, username, "ForgotPassword"),
        Password="Moved-In-Passw0rd!",
    )
    assert "AuthenticationResult" in _password_sign_in(
        cognito_idp, pool, username, "Moved-In-Passw0rd!"
    )


def test_user_migration_not_found_and_failures(
    cognito_idp: Any, pool_with: Callable[..., PoolClient], recorder: Recorder
) -> None:
    pool = pool_with("UserMigration")
    # An answer without attributes leaves the user unknown.
    with pytest.raises(cognito_idp.exceptions.UserNotFoundException):
        _password_sign_in(cognito_idp, pool, "nobody")

    def fail(event: dict[str, Any]) -> None:
        raise LookupError("User does not exist")

    recorder.answers["UserMigration"] = fail
    with pytest.raises(ClientError) as caught:
        _password_sign_in(cognito_idp, pool, "nobody")
    assert error_of(caught) == (
        "UserLambdaValidationException",
        "UserMigration failed with error User does not exist.",
    )
    recorder.answers["UserMigration"] = lambda event: _migrated(event, "ARCHIVED")
    with pytest.raises(ClientError) as caught:
        _password_sign_in(cognito_idp, pool, "nobody")
    assert error_of(caught)[0] == "InvalidLambdaResponseException"
    with pytest.raises(cognito_idp.exceptions.UserNotFoundException):
        cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="nobody")


def test_srp_sign_in_never_migrates(
    cognito_idp: Any, pool_with: Callable[..., PoolClient], recorder: Recorder
) -> None:
    from pyamplify import srp

    pool = pool_with("UserMigration")
    recorder.answers["UserMigration"] = _migrated
    with pytest.raises(cognito_idp.exceptions.UserNotFoundException):
        cognito_idp.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="USER_SRP_AUTH",
            AuthParameters={"USERNAME": "legacy", "SRP_A": srp.new_client_ephemeral().srp_a},
        )
    assert recorder.events == []


# ---------------------------------------------------------------------- CustomMessage


def _rewrite(event: dict[str, Any]) -> None:
    source = event["triggerSource"].removeprefix("CustomMessage_")
    code = event["request"]["codeParameter"]
    event["response"].update(
        smsMessage=f"[{source}] SMS code {code}",
        emailMessage=f"[{source}] Hello, your code is {code}.",
        emailSubject=f"[{source}] your code",
    )


def _last_item(local_cognito: LocalCognito, pool: PoolClient, username: str) -> dict[str, Any]:
    items = [i for i in local_cognito.outbox(username) if i["user_pool_id"] == pool.pool_id]
    return items[-1]


def test_custom_message_rewrites_every_verification_message(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    pool_with: Callable[..., PoolClient],
    recorder: Recorder,
) -> None:
    pool = pool_with("CustomMessage")
    recorder.answers["CustomMessage"] = _rewrite
    username = _name()
    _sign_up(cognito_idp, pool, username, ClientMetadata={"lang": "en"})
    item = _last_item(local_cognito, pool, username)
    assert item["subject"] == "[SignUp] your code"
    assert item["message"] == f"[SignUp] Hello, your code is {item['code']}."
    (event,) = recorder.of("CustomMessage")
    envelope(event, "CustomMessage_SignUp", pool.pool_id, username, pool.client_id)
    assert event["request"] == {
        "userAttributes": {
            "sub": _status(cognito_idp, pool, username)[1]["sub"],
            "email": f"{username}@example.com",
            "cognito:user_status": "UNCONFIRMED",
        },
        "codeParameter": "{####}",
        "usernameParameter": None,
        "clientMetadata": {"lang": "en"},
    }
    assert event["response"] == {"smsMessage": None, "emailMessage": None, "emailSubject": None}

    cognito_idp.resend_confirmation_code(ClientId=pool.client_id, Username=username)
    assert _last_item(local_cognito, pool, username)["subject"] == "[ResendCode] your code"
    cognito_idp.admin_confirm_sign_up(UserPoolId=pool.pool_id, Username=username)
    cognito_idp.admin_update_user_attributes(
        UserPoolId=pool.pool_id,
        Username=username,
        UserAttributes=[{"Name": "email_verified", "Value": "true"}],
    )
    cognito_idp.forgot_password(ClientId=pool.client_id, Username=username)
    item = _last_item(local_cognito, pool, username)
    assert item["purpose"] == "ForgotPassword"
    assert item["message"] == f"[ForgotPassword] Hello, your code is {item['code']}."

    access = _password_sign_in(cognito_idp, pool, username)["AuthenticationResult"]["AccessToken"]
    cognito_idp.update_user_attributes(
        AccessToken=access,
        UserAttributes=[{"Name": "email", "Value": f"new-{username}@example.com"}],
        ClientMetadata={"why": "moved"},
    )
    item = _last_item(local_cognito, pool, username)
    assert item["subject"] == "[UpdateUserAttribute] your code"
    assert item["destination"] == f"new-{username}@example.com"
    assert recorder.of("CustomMessage_UpdateUserAttribute")[0]["request"]["clientMetadata"] == {
        "why": "moved"
    }
    cognito_idp.get_user_attribute_verification_code(AccessToken=access, AttributeName="email")
    item = _last_item(local_cognito, pool, username)
    assert item["subject"] == "[VerifyUserAttribute] your code"
    assert item["message"] == f"[VerifyUserAttribute] Hello, your code is {item['code']}."
    assert [s.removeprefix("CustomMessage_") for s in recorder.sources()] == [
        "SignUp",
        "ResendCode",
        "ForgotPassword",
        "UpdateUserAttribute",
        "VerifyUserAttribute",
    ]


def test_custom_message_for_admin_create_user_fills_the_username(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    pool_with: Callable[..., PoolClient],
    recorder: Recorder,
) -> None:
    pool = pool_with("CustomMessage")

    def invite(event: dict[str, Any]) -> None:
        request = event["request"]
        event["response"]["emailSubject"] = "Welcome aboard"
        event["response"]["emailMessage"] = (
            f"Sign in as {request['usernameParameter']} with {request['codeParameter']}."
        )

    recorder.answers["CustomMessage"] = invite
    username = _name()
    cognito_idp.admin_create_user(
        UserPoolId=pool.pool_id,
        Username=username,
        UserAttributes=[
            {"Name": "email", "Value": "invitee@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
        DesiredDeliveryMediums=["EMAIL"],
    )
    (event,) = recorder.of("CustomMessage")
    envelope(event, "CustomMessage_AdminCreateUser", pool.pool_id, username, NO_CLIENT)
    assert event["request"]["usernameParameter"] == "{username}"
    assert event["request"]["codeParameter"] == "{####}"
    item = _last_item(local_cognito, pool, username)
    assert item["subject"] == "Welcome aboard"
    assert item["message"] == f"Sign in as {username} with {item['code']}."


def test_custom_message_for_an_mfa_code_and_null_keeps_the_pools_text(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    pool_with: Callable[..., PoolClient],
    new_user: Callable[..., str],
    recorder: Recorder,
) -> None:
    pool = pool_with(
        "CustomMessage",
        pool={"SmsConfiguration": SMS, "SmsAuthenticationMessage": "Pool says {####}."},
    )
    cognito_idp.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id,
        MfaConfiguration="OPTIONAL",
        SmsMfaConfiguration={"SmsConfiguration": SMS},
    )
    username = new_user(pool.pool_id, _name(), PASSWORD, {"phone_number": PHONE})
    cognito_idp.admin_update_user_attributes(
        UserPoolId=pool.pool_id,
        Username=username,
        UserAttributes=[{"Name": "phone_number_verified", "Value": "true"}],
    )
    cognito_idp.admin_set_user_mfa_preference(
        UserPoolId=pool.pool_id, Username=username, SMSMfaSettings={"Enabled": True}
    )
    recorder.answers["CustomMessage"] = _rewrite
    challenge = _password_sign_in(cognito_idp, pool, username, ClientMetadata={"k": "v"})
    assert challenge["ChallengeName"] == "SMS_MFA"
    item = _last_item(local_cognito, pool, username)
    assert item["purpose"] == "Authentication"
    assert item["subject"] is None
    assert item["message"] == f"[Authentication] SMS code {item['code']}"
    (event,) = recorder.of("CustomMessage")
    envelope(event, "CustomMessage_Authentication", pool.pool_id, username, pool.client_id)
    assert event["request"]["userAttributes"]["phone_number"] == PHONE
    # InitiateAuth's ClientMetadata does not reach CustomMessage (only PreAuthentication and
    # UserMigration get it, as validationData).
    assert "clientMetadata" not in event["request"]

    recorder.answers.clear()  # the event back unchanged: null texts keep the pool's
    _password_sign_in(cognito_idp, pool, username)
    item = _last_item(local_cognito, pool, username)
    assert item["message"] == f"Pool says {item['code']}."


def test_custom_message_of_the_wrong_type_is_refused(
    cognito_idp: Any, pool_with: Callable[..., PoolClient], recorder: Recorder
) -> None:
    pool = pool_with("CustomMessage")

    def bad(event: dict[str, Any]) -> None:
        event["response"]["emailMessage"] = ["not", "text"]

    recorder.answers["CustomMessage"] = bad
    with pytest.raises(ClientError) as caught:
        _sign_up(cognito_idp, pool, _name())
    assert error_of(caught) == ("InvalidLambdaResponseException", "Unrecognizable lambda output")


def test_concurrent_sign_ups_of_one_name_while_pre_sign_up_runs(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    make_boto3_client: Callable[..., Any],
    pool_with: Callable[..., PoolClient],
    recorder: Recorder,
) -> None:
    """The server serves others while PreSignUp runs; a second sign-up of the same name that
    got in meanwhile is UsernameExistsException for whichever comes second, not a crash."""
    pool = pool_with("PreSignUp")
    both_waiting = threading.Barrier(2, timeout=5)

    def slow(event: dict[str, Any]) -> None:
        both_waiting.wait()  # both sign-ups are past Cognito's first uniqueness check

    recorder.answers["PreSignUp"] = slow
    username = _name()
    outcomes: list[str] = []

    def sign_up() -> None:
        own = make_boto3_client("cognito-idp", local_cognito.url)  # no retry: a 500 shows
        try:
            _sign_up(own, pool, username)
            outcomes.append("signed up")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])

    threads = [threading.Thread(target=sign_up) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["UsernameExistsException", "signed up"]
    assert _status(cognito_idp, pool, username)[0] == "UNCONFIRMED"


def test_concurrent_first_sign_ins_of_a_migrating_user_both_succeed(
    local_cognito: LocalCognito,
    make_boto3_client: Callable[..., Any],
    pool_with: Callable[..., PoolClient],
    recorder: Recorder,
) -> None:
    """Two sign-ins of a legacy user at once: both ask UserMigration (the user is unknown to
    both); the second to finish finds the user moved in and signs in as that user."""
    pool = pool_with("UserMigration")
    both_waiting = threading.Barrier(2, timeout=5)

    def migrate(event: dict[str, Any]) -> None:
        both_waiting.wait()
        _migrated(event)

    recorder.answers["UserMigration"] = migrate
    username = _name()
    outcomes: list[str] = []

    def sign_in() -> None:
        own = make_boto3_client("cognito-idp", local_cognito.url)
        try:
            result = _password_sign_in(own, pool, username, "legacy-pw")
            outcomes.append("tokens" if "AuthenticationResult" in result else "challenge")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])

    threads = [threading.Thread(target=sign_in) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["tokens", "tokens"]
    assert recorder.sources() == ["UserMigration_Authentication"] * 2
