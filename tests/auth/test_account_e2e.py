"""The account surface end to end against the local Cognito over loopback HTTP: password reset
(also when sign-in says a reset is required), password change, attributes (update, verify, send a
code, delete), account deletion, and ClientMetadata, for ``Auth`` and ``AsyncAuth`` and for app
clients with and without a secret (SECRET_HASH where Cognito wants it).

The transports are the real ones, wrapped to record what went over the wire so that the tests can
check ``ClientMetadata`` was sent; the local Cognito's CONFIRMATION extension point shows it also
arrived where a Lambda trigger would get it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pyamplify.auth import (
    AsyncAuth,
    Auth,
    AuthValidationError,
    ResetPasswordStep,
    SignedOutError,
    SignInStep,
    UpdateAttributeStep,
)
from pyamplify.local.testing import LocalPool, provision_identity_pool
from pyamplify.storage import MemoryStore
from pyamplify.wire.call import IDENTITY, IDP, Call
from pyamplify.wire.errors import (
    CodeMismatchException,
    NotAuthorizedException,
    UserNotFoundException,
)
from pyamplify.wire.transport import AsyncTransport, SyncTransport

from .conftest import SyncFacade, latest_code, register_user

pytestmark = pytest.mark.e2e

PASSWORD = "Correct-horse-1!"
NEW_PASSWORD = "Battery-staple-2?"
METADATA = {"source": "account-tests"}


class RecordingSync(SyncTransport):
    """The real sync transport, keeping every call it sent."""

    def __init__(self, endpoints: Any, sent: list[Call]) -> None:
        super().__init__(endpoints)
        self.sent = sent

    def send(self, call: Call) -> dict[str, Any]:
        self.sent.append(call)
        return super().send(call)


class RecordingAsync(AsyncTransport):
    """The real async transport, keeping every call it sent."""

    def __init__(self, endpoints: Any, sent: list[Call]) -> None:
        super().__init__(endpoints)
        self.sent = sent

    async def send(self, call: Call) -> dict[str, Any]:
        self.sent.append(call)
        return await super().send(call)


class Made:
    """An Auth (or an AsyncAuth behind a blocking facade) and the calls it sent."""

    def __init__(self, auth: Any, sent: list[Call]) -> None:
        self.auth = auth
        self.sent = sent

    def payloads(self, operation: str) -> list[dict[str, Any]]:
        return [dict(call.payload) for call in self.sent if call.operation == operation]


@pytest.fixture(params=["sync", "async"])
def build(request: pytest.FixtureRequest) -> Iterator[Callable[..., Made]]:
    """``build(pool_or_config)``: an ``Auth`` or ``AsyncAuth`` with a recording transport."""
    made: list[Any] = []

    def make(config: Any) -> Made:
        config = getattr(config, "config", config)
        sent: list[Call] = []
        endpoints = {IDP: config.user_pool_endpoint_url()}
        if config.identity_pool is not None:
            endpoints[IDENTITY] = config.identity_pool_endpoint_url()
        if request.param == "sync":
            auth: Any = Auth(config, store=MemoryStore(), transport=RecordingSync(endpoints, sent))
        else:
            auth = SyncFacade(
                AsyncAuth(config, store=MemoryStore(), transport=RecordingAsync(endpoints, sent))
            )
        made.append(auth)
        return Made(auth, sent)

    yield make
    for auth in made:
        auth.close()


@pytest.fixture(params=[False, True], ids=["no-secret", "secret"])
def pool(request: pytest.FixtureRequest, make_pool: Callable[..., LocalPool]) -> LocalPool:
    """A fresh pool whose app client has a secret or not."""
    return make_pool(client_secret=request.param)


def _admin(cognito: Any) -> Any:
    from tests.conftest import boto3_client

    return boto3_client("cognito-idp", cognito.url)


# ---------------------------------------------------------------------- passwords


def test_reset_password_then_sign_in_with_the_new_one(
    cognito: Any, pool: LocalPool, build: Callable[..., Made]
) -> None:
    made = build(pool)
    auth = made.auth
    register_user(auth, cognito, "ada", PASSWORD)

    result = auth.reset_password("ada", client_metadata=METADATA)
    assert result.is_password_reset is False
    step = result.next_step
    assert step.reset_password_step is ResetPasswordStep.CONFIRM_RESET_PASSWORD_WITH_CODE
    assert step.reset_password_step == "CONFIRM_RESET_PASSWORD_WITH_CODE"
    details = step.code_delivery_details
    assert details is not None
    assert (details.delivery_medium, details.attribute_name) == ("EMAIL", "email")
    assert details.destination and "***" in details.destination

    with pytest.raises(CodeMismatchException):
        auth.confirm_reset_password("ada", "000000", NEW_PASSWORD)
    code = latest_code(cognito, pool.pool_id, "ada")
    confirmed: list[Any] = []
    from pyamplify.local.idp import hooks

    with hooks.CONFIRMATION.added(lambda backend, event: confirmed.append(event)):
        assert (
            auth.confirm_reset_password("ada", code, NEW_PASSWORD, client_metadata=METADATA) is None
        )
    assert [(c.source, c.client_metadata) for c in confirmed] == [
        ("ConfirmForgotPassword", METADATA)
    ]

    with pytest.raises(NotAuthorizedException):
        auth.sign_in("ada", PASSWORD)
    assert auth.sign_in("ada", NEW_PASSWORD).is_signed_in

    for operation in ("ForgotPassword", "ConfirmForgotPassword"):
        payload = made.payloads(operation)[-1]
        assert payload["ClientMetadata"] == METADATA
        assert ("SecretHash" in payload) is (pool.client_secret is not None)


def test_reset_required_at_sign_in_leads_to_reset_password(
    cognito: Any, pool: LocalPool, build: Callable[..., Made]
) -> None:
    auth = build(pool).auth
    register_user(auth, cognito, "grace", PASSWORD)
    _admin(cognito).admin_reset_user_password(UserPoolId=pool.pool_id, Username="grace")

    told = auth.sign_in("grace", PASSWORD)
    assert not told.is_signed_in
    assert told.next_step.sign_in_step is SignInStep.RESET_PASSWORD
    auth.reset_password("grace")
    auth.confirm_reset_password("grace", latest_code(cognito, pool.pool_id, "grace"), NEW_PASSWORD)
    assert auth.sign_in("grace", NEW_PASSWORD).is_signed_in


def test_reset_password_checks_its_arguments_before_calling(
    pool: LocalPool, build: Callable[..., Made]
) -> None:
    made = build(pool)
    with pytest.raises(AuthValidationError, match="username"):
        made.auth.reset_password("")
    with pytest.raises(AuthValidationError, match="new password"):
        made.auth.confirm_reset_password("ada", "123456", "")
    assert made.sent == []


def test_update_password(cognito: Any, pool: LocalPool, build: Callable[..., Made]) -> None:
    made = build(pool)
    auth = made.auth
    register_user(auth, cognito, "linus", PASSWORD)
    with pytest.raises(SignedOutError):
        auth.update_password(PASSWORD, NEW_PASSWORD)
    auth.sign_in("linus", PASSWORD)
    with pytest.raises(NotAuthorizedException):
        auth.update_password("not-the-password-1A!", NEW_PASSWORD)
    assert auth.update_password(PASSWORD, NEW_PASSWORD) is None
    assert "ClientMetadata" not in made.payloads("ChangePassword")[-1]  # Cognito takes none
    auth.sign_out()
    with pytest.raises(NotAuthorizedException):
        auth.sign_in("linus", PASSWORD)
    assert auth.sign_in("linus", NEW_PASSWORD).is_signed_in


# ---------------------------------------------------------------------- attributes


def test_attributes_update_verify_resend_delete(
    cognito: Any, pool: LocalPool, build: Callable[..., Made]
) -> None:
    made = build(pool)
    auth = made.auth
    register_user(auth, cognito, "hedy", PASSWORD)
    auth.sign_in("hedy", PASSWORD)

    results = auth.update_user_attributes(
        {"email": "hedy@new.example.com", "given_name": "Hedy"}, client_metadata=METADATA
    )
    assert set(results) == {"email", "given_name"}
    email, name = results["email"], results["given_name"]
    assert name.is_updated and name.next_step.update_attribute_step is UpdateAttributeStep.DONE
    assert not email.is_updated
    assert email.next_step.update_attribute_step == "CONFIRM_ATTRIBUTE_WITH_CODE"
    assert email.next_step.code_delivery_details is not None
    assert email.next_step.code_delivery_details.attribute_name == "email"
    assert made.payloads("UpdateUserAttributes")[-1]["ClientMetadata"] == METADATA
    attributes = auth.fetch_user_attributes()
    assert attributes["given_name"] == "Hedy"
    assert attributes["email_verified"] == "false"

    with pytest.raises(CodeMismatchException):
        auth.confirm_user_attribute("email", "000000")
    auth.confirm_user_attribute("email", latest_code(cognito, pool.pool_id, "hedy"))
    assert auth.fetch_user_attributes()["email_verified"] == "true"

    details = auth.send_user_attribute_verification_code("email", client_metadata=METADATA)
    assert details is not None and details.delivery_medium == "EMAIL"
    sent = made.payloads("GetUserAttributeVerificationCode")[-1]
    assert sent["AttributeName"] == "email" and sent["ClientMetadata"] == METADATA
    auth.confirm_user_attribute("email", latest_code(cognito, pool.pool_id, "hedy"))

    single = auth.update_user_attribute("family_name", "Lamarr")
    assert single.is_updated and single.next_step.update_attribute_step == "DONE"
    auth.delete_user_attributes(["given_name", "family_name"])
    left = auth.fetch_user_attributes()
    assert "given_name" not in left and "family_name" not in left
    assert left["email"] == "hedy@new.example.com"


def test_attribute_calls_need_a_signed_in_user(pool: LocalPool, build: Callable[..., Made]) -> None:
    made = build(pool)
    auth = made.auth
    for call in (
        lambda: auth.update_user_attributes({"given_name": "x"}),
        lambda: auth.update_user_attribute("given_name", "x"),
        lambda: auth.send_user_attribute_verification_code("email"),
        lambda: auth.confirm_user_attribute("email", "123456"),
        lambda: auth.delete_user_attributes(["given_name"]),
        lambda: auth.delete_user(),
    ):
        with pytest.raises(SignedOutError, match="sign in first"):
            call()
    assert made.sent == []


# ---------------------------------------------------------------------- deletion


def test_delete_user_clears_the_session_and_announces_it(
    cognito: Any, pool: LocalPool, build: Callable[..., Made]
) -> None:
    _, config = provision_identity_pool(cognito.url, pool, name=f"ids_{pool.pool_id[-6:]}")
    made = build(config)
    auth = made.auth
    register_user(auth, cognito, "alan", PASSWORD)
    auth.sign_in("alan", PASSWORD)
    assert auth.fetch_auth_session().credentials is not None
    events: list[tuple[str, str | None]] = []
    auth.events.subscribe(lambda event: events.append((event.name, event.username)))

    assert auth.delete_user() is None
    assert events == [("user_deleted", "alan")]
    session = auth.fetch_auth_session()
    assert not session.is_signed_in and session.tokens is None
    assert session.credentials is not None  # a guest's now, as after a sign-out
    assert auth.fetch_aws_credentials().access_key_id
    with pytest.raises(SignedOutError):
        auth.get_current_user()
    with pytest.raises((UserNotFoundException, NotAuthorizedException)):
        auth.sign_in("alan", PASSWORD)
    users = _admin(cognito).list_users(UserPoolId=pool.pool_id)["Users"]
    assert [u["Username"] for u in users] == []


def test_a_failed_delete_keeps_the_session(
    cognito: Any, pool: LocalPool, build: Callable[..., Made]
) -> None:
    auth = build(pool).auth
    register_user(auth, cognito, "barbara", PASSWORD)
    auth.sign_in("barbara", PASSWORD)
    _admin(cognito).admin_disable_user(UserPoolId=pool.pool_id, Username="barbara")
    with pytest.raises(NotAuthorizedException):
        auth.delete_user()
    assert auth.fetch_auth_session().is_signed_in


# ---------------------------------------------------------------------- token refresh metadata


def test_token_refresh_client_metadata_is_sent(
    cognito: Any, pool: LocalPool, build: Callable[..., Made]
) -> None:
    made = build(pool)
    auth = made.auth
    register_user(auth, cognito, "edsger", PASSWORD)
    auth.sign_in("edsger", PASSWORD)
    auth.fetch_auth_session(force_refresh=True)
    assert "ClientMetadata" not in made.payloads("GetTokensFromRefreshToken")[-1]
    auth.set_token_refresh_client_metadata(METADATA)
    auth.fetch_auth_session(force_refresh=True)
    assert made.payloads("GetTokensFromRefreshToken")[-1]["ClientMetadata"] == METADATA
    auth.set_token_refresh_client_metadata(None)
    auth.fetch_auth_session(force_refresh=True)
    assert "ClientMetadata" not in made.payloads("GetTokensFromRefreshToken")[-1]
