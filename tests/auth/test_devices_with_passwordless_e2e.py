"""Remembered devices and choice-based sign-in together, through ``Auth`` and ``AsyncAuth``.

The two halves of issue 14 were built apart: a passwordless sign-in on a device-tracking pool
must still get (and confirm) a device, refresh with it, and a later password sign-in must prove
that same device (DEVICE_SRP_AUTH) instead of being given a new one.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import pytest

from pyamplify.auth import SignInStep
from pyamplify.auth.device_store import DeviceBook, device_book_key
from pyamplify.local.testing import LocalPool, provision_user
from pyamplify.storage import MemoryStore

from .conftest import AuthFactory, latest_code

pytestmark = pytest.mark.e2e

PASSWORD = "Correct-Horse-9-battery"
FLOWS = ["ALLOW_USER_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@pytest.mark.parametrize("client_secret", [False, True], ids=["public", "secret"])
def test_an_email_code_sign_in_gets_a_device_that_the_next_password_sign_in_proves(
    make_auth: AuthFactory,
    make_pool: Callable[..., LocalPool],
    cognito: Any,
    sources: list[str],
    client_secret: bool,
) -> None:
    pool = make_pool(
        client_secret=client_secret,
        extra_pool={
            "Policies": {"SignInPolicy": {"AllowedFirstAuthFactors": ["PASSWORD", "EMAIL_OTP"]}},
            "DeviceConfiguration": {
                "ChallengeRequiredOnNewDevice": True,
                "DeviceOnlyRememberedOnUserPrompt": False,
            },
        },
        extra_client={"ExplicitAuthFlows": FLOWS},
    )
    name = f"u{secrets.token_hex(4)}"
    provision_user(cognito.url, pool, name, PASSWORD, {"email": f"{name}@example.com"})
    store = MemoryStore()
    auth = make_auth(pool, store=store)

    step = auth.sign_in(name, flow="USER_AUTH", preferred_challenge="EMAIL_OTP").next_step
    assert step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE
    code = latest_code(cognito, pool.pool_id, name)
    assert auth.confirm_sign_in(code).is_signed_in

    config = pool.config.user_pool
    book = DeviceBook.from_dict(
        store.load(device_book_key(config.pool_id, config.app_client_id, "default"))
    )
    kept = book.find(name)
    assert kept is not None, "the passwordless sign-in's NewDeviceMetadata was not confirmed"
    session = auth.fetch_auth_session(force_refresh=True)  # the refresh names the device
    assert session.tokens is not None
    assert session.tokens.access_token.claims["device_key"] == kept.device_key
    assert [device.id for device in auth.fetch_devices()] == [kept.device_key]

    auth.sign_out()
    sources.clear()
    assert auth.sign_in(name, PASSWORD).is_signed_in  # USER_SRP_AUTH naming the device
    assert sources == ["AuthenticateDevice"]  # the device proved itself (DEVICE_SRP_AUTH)
    again = auth.fetch_auth_session()
    assert again.tokens is not None
    assert again.tokens.access_token.claims["device_key"] == kept.device_key
    assert [device.id for device in auth.fetch_devices()] == [kept.device_key]
