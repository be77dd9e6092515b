"""Remembered devices through ``Auth`` and ``AsyncAuth`` against the local Cognito over loopback.

Every test runs for both twins (``make_auth``); the end-to-end one also with and without a client
secret. The pools require email MFA (codes from the outbox) and track devices. That a sign-in
skipped MFA because the device proved itself is read from the server: its token generation for
that sign-in had the source ``AuthenticateDevice``, which only a verified DEVICE_PASSWORD_VERIFIER
gives, and no code went to the outbox.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest

from pyamplify.auth import AuthDevice, DeviceNotTrackedError, SignedOutError, SignInStep
from pyamplify.auth.device_flows import default_device_name
from pyamplify.auth.device_store import DeviceBook, device_book_key
from pyamplify.local.testing import LocalPool
from pyamplify.storage import MemoryStore

from .conftest import AuthFactory, latest_code

pytestmark = pytest.mark.e2e

PASSWORD = "Correct-Horse-9-battery"
EMAIL_MFA = {"Message": "Your sign-in code is {####}.", "Subject": "Sign-in code"}


@pytest.fixture
def admin(cognito: Any, make_boto3_client: Callable[..., Any]) -> Any:
    return make_boto3_client("cognito-idp", cognito.url)


@pytest.fixture
def device_pool(make_pool: Callable[..., LocalPool], admin: Any) -> Callable[..., LocalPool]:
    """``device_pool(prompt=False, challenge=True, **make_pool_options)``: email MFA required,
    devices tracked."""

    def make(*, prompt: bool = False, challenge: bool = True, **options: Any) -> LocalPool:
        tracking = {
            "ChallengeRequiredOnNewDevice": challenge,
            "DeviceOnlyRememberedOnUserPrompt": prompt,
        }
        pool = make_pool(extra_pool={"DeviceConfiguration": tracking}, **options)
        admin.set_user_pool_mfa_config(
            UserPoolId=pool.config.user_pool.pool_id,
            MfaConfiguration="ON",
            EmailMfaConfiguration=EMAIL_MFA,
        )
        return pool

    return make


def new_user(admin: Any, pool: LocalPool) -> str:
    username = f"user-{secrets.token_hex(4)}"
    admin.admin_create_user(
        UserPoolId=pool.config.user_pool.pool_id,
        Username=username,
        MessageAction="SUPPRESS",
        UserAttributes=[
            {"Name": "email", "Value": f"{username}@example.com"},
            {"Name": "email_verified", "Value": "true"},
        ],
    )
    admin.admin_set_user_password(
        UserPoolId=pool.config.user_pool.pool_id,
        Username=username,
        Password=PASSWORD,
        Permanent=True,
    )
    return username


def sign_in_with_code(auth: Any, cognito: Any, pool: LocalPool, username: str) -> None:
    """A sign-in that is asked for the e-mailed MFA code, answered."""
    step = auth.sign_in(username, PASSWORD).next_step
    assert step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE
    code = latest_code(cognito, pool.config.user_pool.pool_id, username)
    assert auth.confirm_sign_in(code).is_signed_in


def book_of(store: MemoryStore, pool: LocalPool, profile: str = "default") -> DeviceBook:
    config = pool.config.user_pool
    key = device_book_key(config.pool_id, config.app_client_id, profile)
    return DeviceBook.from_dict(store.load(key))


@pytest.mark.parametrize("client_secret", [False, True], ids=["public", "secret"])
def test_a_remembered_device_skips_mfa_until_it_is_forgotten(
    make_auth: AuthFactory,
    device_pool: Callable[..., LocalPool],
    admin: Any,
    cognito: Any,
    sources: list[str],
    client_secret: bool,
) -> None:
    pool = device_pool(client_secret=client_secret)
    username = new_user(admin, pool)
    store = MemoryStore()
    auth = make_auth(pool, store=store)

    sign_in_with_code(auth, cognito, pool, username)  # a new device: MFA, then ConfirmDevice
    kept = book_of(store, pool).find(username)
    assert kept is not None and kept.device_password not in repr(kept)
    session = auth.fetch_auth_session()
    assert session.tokens is not None
    assert session.tokens.access_token.claims["device_key"] == kept.device_key
    (device,) = auth.fetch_devices()
    assert isinstance(device, AuthDevice)
    assert (device.id, device.name, device.remembered) == (
        kept.device_key,
        default_device_name(),
        True,
    )
    assert device.create_date is not None and device.last_modified_date is not None
    auth.sign_out()

    codes_before = len(cognito.outbox(username))
    sources.clear()
    result = auth.sign_in(username, PASSWORD)  # the device proves itself: no MFA
    assert result.is_signed_in and result.next_step.sign_in_step is SignInStep.DONE
    assert sources == ["AuthenticateDevice"]
    assert len(cognito.outbox(username)) == codes_before

    refreshed = auth.fetch_auth_session(force_refresh=True)  # the refresh names the device
    assert refreshed.tokens is not None and refreshed.tokens != session.tokens
    assert refreshed.tokens.access_token.claims["device_key"] == kept.device_key
    assert sources == ["AuthenticateDevice", "RefreshTokens"]

    auth.forget_device()
    assert book_of(store, pool).find(username) is None
    assert auth.fetch_devices() == []
    auth.sign_out()
    sign_in_with_code(auth, cognito, pool, username)  # asked for MFA again: a new device
    again = book_of(store, pool).find(username)
    assert again is not None and again.device_key != kept.device_key


def test_a_device_forgotten_elsewhere_becomes_a_new_device(
    make_auth: AuthFactory, device_pool: Callable[..., LocalPool], admin: Any, cognito: Any
) -> None:
    pool = device_pool()
    username = new_user(admin, pool)
    store = MemoryStore()
    auth = make_auth(pool, store=store)
    sign_in_with_code(auth, cognito, pool, username)
    old = book_of(store, pool).find(username)
    assert old is not None
    auth.sign_out()
    admin.admin_forget_device(  # e.g. from the user's other computer, or by an administrator
        UserPoolId=pool.config.user_pool.pool_id, Username=username, DeviceKey=old.device_key
    )
    sign_in_with_code(auth, cognito, pool, username)  # no crash: MFA, then a new device
    new = book_of(store, pool).find(username)
    assert new is not None and new.device_key != old.device_key
    assert [device.id for device in auth.fetch_devices()] == [new.device_key]


def test_the_password_flow_names_the_device_too_and_drops_a_forgotten_one(
    make_auth: AuthFactory, device_pool: Callable[..., LocalPool], admin: Any, cognito: Any
) -> None:
    pool = device_pool()
    username = new_user(admin, pool)
    store = MemoryStore()
    auth = make_auth(pool, store=store)
    step = auth.sign_in(username, PASSWORD, flow="USER_PASSWORD_AUTH").next_step
    assert step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE
    auth.confirm_sign_in(latest_code(cognito, pool.config.user_pool.pool_id, username))
    auth.sign_out()
    assert auth.sign_in(username, PASSWORD, flow="USER_PASSWORD_AUTH").is_signed_in
    kept = book_of(store, pool).find(username)
    assert kept is not None
    auth.forget_device(kept.device_key)  # by id: this computer's device, so its copy goes too
    assert book_of(store, pool).find(username) is None
    auth.sign_out()
    step = auth.sign_in(username, PASSWORD, flow="USER_PASSWORD_AUTH").next_step
    assert step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE


@pytest.mark.parametrize("flow", ["USER_SRP_AUTH", "USER_PASSWORD_AUTH"])
def test_an_email_username_pool_with_a_secret_finds_the_device_by_either_name(
    make_auth: AuthFactory,
    make_pool: Callable[..., LocalPool],
    admin: Any,
    cognito: Any,
    sources: list[str],
    flow: str,
) -> None:
    """The internal username is a UUID here: the device is kept under it and under the e-mail
    typed at sign-in, and every device answer's SECRET_HASH uses the internal one."""
    tracking = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}
    pool = make_pool(
        client_secret=True,
        extra_pool={"DeviceConfiguration": tracking, "UsernameAttributes": ["email"]},
    )
    pool_id = pool.config.user_pool.pool_id
    admin.set_user_pool_mfa_config(
        UserPoolId=pool_id, MfaConfiguration="ON", EmailMfaConfiguration=EMAIL_MFA
    )
    email = f"user-{secrets.token_hex(4)}@example.com"
    admin.admin_create_user(
        UserPoolId=pool_id,
        Username=email,
        MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email_verified", "Value": "true"}],
    )
    admin.admin_set_user_password(
        UserPoolId=pool_id, Username=email, Password=PASSWORD, Permanent=True
    )
    store = MemoryStore()
    auth = make_auth(pool, store=store)
    assert auth.sign_in(email, PASSWORD, flow=flow).next_step.sign_in_step is (
        SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE
    )
    internal = admin.admin_get_user(UserPoolId=pool_id, Username=email)["Username"]
    assert internal != email
    assert auth.confirm_sign_in(latest_code(cognito, pool_id, internal)).is_signed_in
    book = book_of(store, pool)
    assert book.find(email) is not None and book.find(email) == book.find(internal)
    auth.sign_out()
    sources.clear()
    assert auth.sign_in(email, PASSWORD, flow=flow).is_signed_in
    assert sources == ["AuthenticateDevice"]


def test_each_profile_keeps_its_own_device(
    make_auth: AuthFactory, device_pool: Callable[..., LocalPool], admin: Any, cognito: Any
) -> None:
    pool = device_pool()
    username = new_user(admin, pool)
    store = MemoryStore()
    work = make_auth(pool, store=store, profile="work")
    sign_in_with_code(work, cognito, pool, username)
    work.sign_out()
    assert work.sign_in(username, PASSWORD).is_signed_in  # remembered on this profile
    home = make_auth(pool, store=store, profile="home")
    sign_in_with_code(home, cognito, pool, username)  # another profile: another device
    work_device = book_of(store, pool, "work").find(username)
    home_device = book_of(store, pool, "home").find(username)
    assert work_device and home_device and work_device.device_key != home_device.device_key
    assert {device.id for device in home.fetch_devices()} == {
        work_device.device_key,
        home_device.device_key,
    }


def test_a_pool_that_asks_the_user_remembers_after_remember_device(
    make_auth: AuthFactory, device_pool: Callable[..., LocalPool], admin: Any, cognito: Any
) -> None:
    pool = device_pool(prompt=True)
    username = new_user(admin, pool)
    store = MemoryStore()
    auth = make_auth(pool, store=store)
    sign_in_with_code(auth, cognito, pool, username)
    (device,) = auth.fetch_devices()
    assert not device.remembered
    auth.sign_out()
    sign_in_with_code(auth, cognito, pool, username)  # known, but not remembered: MFA
    auth.remember_device()
    assert auth.fetch_devices()[0].remembered
    auth.sign_out()
    assert auth.sign_in(username, PASSWORD).is_signed_in


def test_the_session_refreshes_with_the_device_in_another_object(
    make_auth: AuthFactory, device_pool: Callable[..., LocalPool], admin: Any, cognito: Any
) -> None:
    pool = device_pool(client_secret=True)
    username = new_user(admin, pool)
    store = MemoryStore()
    sign_in_with_code(make_auth(pool, store=store), cognito, pool, username)
    later = make_auth(pool, store=store)  # e.g. the next run of the program
    session = later.fetch_auth_session(force_refresh=True)
    assert session.is_signed_in and session.tokens is not None
    assert "device_key" in session.tokens.access_token.claims


def test_a_forgotten_device_s_session_ends_at_its_next_refresh(
    make_auth: AuthFactory, device_pool: Callable[..., LocalPool], admin: Any, cognito: Any
) -> None:
    pool = device_pool()
    username = new_user(admin, pool)
    auth = make_auth(pool)
    sign_in_with_code(auth, cognito, pool, username)
    auth.forget_device()
    session = auth.fetch_auth_session(force_refresh=True)  # Cognito refuses the refresh
    assert not session.is_signed_in
    with pytest.raises(SignedOutError):
        auth.fetch_devices()


def test_without_device_tracking_there_is_no_device(
    make_auth: AuthFactory, make_pool: Callable[..., LocalPool], admin: Any
) -> None:
    pool = make_pool()
    username = new_user(admin, pool)
    store = MemoryStore()
    auth = make_auth(pool, store=store)
    assert auth.sign_in(username, PASSWORD).is_signed_in
    assert book_of(store, pool).find(username) is None
    assert auth.fetch_devices() == []
    with pytest.raises(DeviceNotTrackedError, match="no device key"):
        auth.remember_device()
    with pytest.raises(DeviceNotTrackedError):
        auth.forget_device()


def test_current_device_key_names_this_computers_device_without_a_call(
    make_auth: AuthFactory,
    device_pool: Callable[..., LocalPool],
    admin: Any,
    cognito: Any,
) -> None:
    pool = device_pool()
    username = new_user(admin, pool)
    store = MemoryStore()
    auth = make_auth(pool, store=store)
    assert auth.current_device_key() is None  # nobody signed in
    sign_in_with_code(auth, cognito, pool, username)
    kept = book_of(store, pool).find(username)
    assert kept is not None
    cognito.reset_calls()
    assert auth.current_device_key() == kept.device_key
    assert not cognito.calls  # read from the session, not asked of Cognito
    auth.sign_out()
    assert auth.current_device_key() is None
