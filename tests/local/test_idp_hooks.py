"""The user-pool service's extension points, each exercised over real HTTP with a contributor.

The contributors here are test doubles of future features (triggers, devices); what is under
test is that each point is called at Cognito's moment, with the right context, and that what a
contributor does reaches the answer (or refuses the operation) — and that with no contributor
nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jwt
import pytest

from pyamplify.local import LocalCognito, errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp import hooks
from pyamplify.local.store import UserRecord

PASSWORD = "Hooks-Passw0rd!"


@pytest.fixture
def pool(new_user_pool: Any) -> Any:
    return new_user_pool(pool={"AutoVerifiedAttributes": ["email"]})


def _sign_in(cognito_idp: Any, pool: Any, username: str) -> dict[str, Any]:
    answer: dict[str, Any] = cognito_idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )
    return answer


def test_contributors_come_from_features_only() -> None:
    """MFA, remembered devices and the Lambda triggers plug into the points today."""
    owners = {
        name: sorted(contributor.__module__ for contributor in point)
        for name, point in hooks.POINTS.items()
        if point
    }
    assert owners.pop("USER_DESCRIPTION") == ["pyamplify.local.idp.mfa"]
    assert owners.pop("SIGN_IN_RESULT") == ["pyamplify.local.idp.device_auth"]
    devices = "pyamplify.local.idp.device_auth"
    assert owners["TOKEN_GENERATION"].count(devices) == 1
    owners["TOKEN_GENERATION"].remove(devices)
    assert all(
        all(module.startswith("pyamplify.local.triggers.") for module in modules)
        for modules in owners.values()
    ), owners
    assert hooks.CUSTOM_AUTH.get() is not None and hooks.USER_MIGRATION.get() is not None


def test_user_description_adds_members_to_get_user_and_admin_get_user(
    cognito_idp: Any, pool: Any, new_user: Any
) -> None:
    new_user(pool.pool_id, "described", PASSWORD)
    tokens = _sign_in(cognito_idp, pool, "described")["AuthenticationResult"]

    def add(backend: Backend, user: UserRecord, answer: dict[str, Any]) -> None:
        answer["MFAOptions"] = [{"DeliveryMedium": "EMAIL", "AttributeName": user.username}]

    with hooks.USER_DESCRIPTION.added(add):
        mine = cognito_idp.get_user(AccessToken=tokens["AccessToken"])
        theirs = cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="described")
    assert mine["MFAOptions"][0]["AttributeName"] == "described"
    assert theirs["MFAOptions"][0]["AttributeName"] == "described"
    assert "MFAOptions" not in cognito_idp.get_user(AccessToken=tokens["AccessToken"])


def test_sign_up_can_auto_confirm_and_verify_and_confirmation_follows(
    local_cognito: LocalCognito, cognito_idp: Any, pool: Any
) -> None:
    seen: list[tuple[str, str, dict[str, str], dict[str, str]]] = []
    confirmed: list[tuple[str, str, str | None]] = []

    def approve(backend: Backend, sign_up: hooks.SignUp) -> None:
        seen.append(
            (
                sign_up.source,
                sign_up.user.username,
                sign_up.validation_data,
                sign_up.client_metadata,
            )
        )
        sign_up.auto_confirm = True
        sign_up.auto_verify.add("email")

    def note(backend: Backend, confirmation: hooks.Confirmation) -> None:
        confirmed.append((confirmation.source, confirmation.user.status, confirmation.client_id))

    with hooks.SIGN_UP.added(approve), hooks.CONFIRMATION.added(note):
        answer = cognito_idp.sign_up(
            ClientId=pool.client_id,
            Username="auto",
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": "auto@example.com"}],
            ValidationData=[{"Name": "invite", "Value": "42"}],
            ClientMetadata={"app": "tests"},
        )
    assert answer["UserConfirmed"] is True and "CodeDeliveryDetails" not in answer
    assert seen == [("SignUp", "auto", {"invite": "42"}, {"app": "tests"})]
    assert confirmed == [("ConfirmSignUp", "CONFIRMED", pool.client_id)]
    assert local_cognito.outbox("auto") == []
    user = cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="auto")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]


def test_admin_create_user_ignores_auto_confirmation_as_aws_does(
    cognito_idp: Any, pool: Any
) -> None:
    sources: list[str] = []

    def approve(backend: Backend, sign_up: hooks.SignUp) -> None:
        sources.append(sign_up.source)
        sign_up.auto_confirm = True

    with hooks.SIGN_UP.added(approve):
        made = cognito_idp.admin_create_user(
            UserPoolId=pool.pool_id, Username="admin-made", MessageAction="SUPPRESS"
        )
    assert sources == ["AdminCreateUser"]
    assert made["User"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"


def test_a_sign_up_contributor_can_refuse_and_nothing_is_stored(
    cognito_idp: Any, pool: Any
) -> None:
    def refuse(backend: Backend, sign_up: hooks.SignUp) -> None:
        raise errors.InvalidParameterException("not on the list")

    with (
        hooks.SIGN_UP.added(refuse),
        pytest.raises(cognito_idp.exceptions.InvalidParameterException),
    ):
        cognito_idp.sign_up(ClientId=pool.client_id, Username="refused", Password=PASSWORD)
    with pytest.raises(cognito_idp.exceptions.UserNotFoundException):
        cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="refused")


def test_confirmation_runs_for_confirm_sign_up_admin_confirm_and_forgot_password(
    local_cognito: LocalCognito, cognito_idp: Any, pool: Any
) -> None:
    confirmed: list[tuple[str, str]] = []

    def note(backend: Backend, confirmation: hooks.Confirmation) -> None:
        confirmed.append((confirmation.source, confirmation.user.username))

    attributes = [{"Name": "email", "Value": "c@example.com"}]
    with hooks.CONFIRMATION.added(note):
        for name in ("by-code", "by-admin"):
            cognito_idp.sign_up(
                ClientId=pool.client_id, Username=name, Password=PASSWORD, UserAttributes=attributes
            )
        code = local_cognito.outbox("by-code")[-1]["code"]
        cognito_idp.confirm_sign_up(
            ClientId=pool.client_id, Username="by-code", ConfirmationCode=code
        )
        cognito_idp.admin_confirm_sign_up(UserPoolId=pool.pool_id, Username="by-admin")
        cognito_idp.forgot_password(ClientId=pool.client_id, Username="by-code")
        reset = local_cognito.outbox("by-code")[-1]["code"]
        cognito_idp.confirm_forgot_password(
            ClientId=pool.client_id, Username="by-code", ConfirmationCode=reset, Password=PASSWORD
        )
    assert confirmed == [
        ("ConfirmSignUp", "by-code"),
        ("ConfirmSignUp", "by-admin"),
        ("ConfirmForgotPassword", "by-code"),
    ]


@pytest.fixture
def counted() -> Iterator[list[str]]:
    events: list[str] = []

    def before(backend: Backend, sign_in: hooks.SignIn) -> None:
        events.append(f"before:{sign_in.user.username}")

    def after(backend: Backend, sign_in: hooks.SignIn) -> None:
        events.append(f"after:{sign_in.user.username}")

    with hooks.AUTHENTICATION.added(before), hooks.AUTHENTICATED.added(after):
        yield events


def test_authentication_points_run_around_a_successful_sign_in(
    cognito_idp: Any, pool: Any, new_user: Any, counted: list[str]
) -> None:
    new_user(pool.pool_id, "around", PASSWORD)
    _sign_in(cognito_idp, pool, "around")
    assert counted == ["before:around", "after:around"]
    with pytest.raises(cognito_idp.exceptions.NotAuthorizedException):
        cognito_idp.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "around", "PASSWORD": "wrong-Passw0rd!"},
        )
    assert counted == ["before:around", "after:around", "before:around"]


def test_an_authentication_contributor_refuses_before_the_password_is_checked(
    cognito_idp: Any, pool: Any, new_user: Any
) -> None:
    new_user(pool.pool_id, "blocked", PASSWORD)

    def refuse(backend: Backend, sign_in: hooks.SignIn) -> None:
        raise errors.NotAuthorizedException("blocked by policy")

    with hooks.AUTHENTICATION.added(refuse):
        with pytest.raises(cognito_idp.exceptions.NotAuthorizedException, match="blocked"):
            _sign_in(cognito_idp, pool, "blocked")
        wrong = {"USERNAME": "blocked", "PASSWORD": "not-the-Passw0rd!"}
        with pytest.raises(cognito_idp.exceptions.NotAuthorizedException, match="blocked"):
            cognito_idp.initiate_auth(
                ClientId=pool.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=wrong
            )


def test_token_generation_changes_claims_at_sign_in_and_refresh(
    cognito_idp: Any, pool: Any, new_user: Any
) -> None:
    new_user(pool.pool_id, "claims", PASSWORD)
    sources: list[str] = []

    def add_claim(backend: Backend, generation: hooks.TokenGeneration) -> None:
        sources.append(generation.source)
        generation.id_claims["favourite"] = "tea"
        generation.access_claims["tier"] = "gold"

    with hooks.TOKEN_GENERATION.added(add_claim):
        tokens = _sign_in(cognito_idp, pool, "claims")["AuthenticationResult"]
        refreshed = cognito_idp.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )["AuthenticationResult"]
    assert sources == ["Authentication", "RefreshTokens"]
    for result in (tokens, refreshed):
        id_claims = jwt.decode(result["IdToken"], options={"verify_signature": False})
        access = jwt.decode(result["AccessToken"], options={"verify_signature": False})
        assert id_claims["favourite"] == "tea" and access["tier"] == "gold"


def test_sign_in_result_members_reach_the_client(
    local_cognito: LocalCognito, pool: Any, new_user: Any
) -> None:
    import httpx

    new_user(pool.pool_id, "device", PASSWORD)

    def add_device(backend: Backend, sign_in: hooks.SignIn, result: dict[str, Any]) -> None:
        result["NewDeviceMetadata"] = {"DeviceKey": f"k-{sign_in.user.username}"}

    with hooks.SIGN_IN_RESULT.added(add_device):
        answer = httpx.post(
            local_cognito.url,
            json={
                "AuthFlow": "USER_PASSWORD_AUTH",
                "ClientId": pool.client_id,
                "AuthParameters": {"USERNAME": "device", "PASSWORD": PASSWORD},
            },
            headers={"X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"},
        ).json()
    assert answer["AuthenticationResult"]["NewDeviceMetadata"] == {"DeviceKey": "k-device"}


def test_a_contributor_is_registered_once() -> None:
    def twice(backend: Backend, sign_in: hooks.SignIn) -> None:
        pass

    before = list(hooks.AUTHENTICATED)
    with hooks.AUTHENTICATED.added(twice), pytest.raises(ValueError, match="already"):
        hooks.AUTHENTICATED.register(twice)
    assert list(hooks.AUTHENTICATED) == before
