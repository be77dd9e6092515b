"""Device SRP cross-checked with code we did not write: amazon-cognito-identity-js under Node.

The library signs in (TOTP MFA), makes its own device password, salt and verifier and confirms
the device (ConfirmDevice), then signs in again from its storage with DEVICE_SRP_AUTH /
DEVICE_PASSWORD_VERIFIER (its own SRP code), refreshes with the device key, lists the device,
forgets it, and is asked for MFA again. The local Cognito checks each step with
:mod:`pyamplify.srp`; here the test reads what the library saw and what the server recorded.

The package is installed with npm on first use into ``.cache/node`` (see ``node_packages.py``);
without Node or the registry the test is skipped, saying so (in CI it fails). The library has
no client-secret support (no SECRET_HASH), so its app client is a public one; the Python
client's device tests cover clients with a secret.
"""

from __future__ import annotations

import json
import secrets
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import node_packages
from conftest import PoolClient
from pyamplify.local import LocalCognito
from pyamplify.local.backend import Backend
from pyamplify.local.clock import ManualClock
from pyamplify.local.idp import hooks, totp

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PACKAGE, VERSION = "amazon-cognito-identity-js", "6.3.21"
SCRIPT = Path(__file__).resolve().parent / "node" / "cognito_device_flow.js"
PASSWORD = "Correct-Horse-9-battery"


def test_amazon_cognito_identity_js_remembers_a_device_that_then_skips_mfa(
    local_cognito: LocalCognito,
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
    clock: ManualClock,
) -> None:
    node = node_packages.node()
    modules = node_packages.installed(PACKAGE, VERSION)
    always = {"ChallengeRequiredOnNewDevice": True, "DeviceOnlyRememberedOnUserPrompt": False}
    pool = new_user_pool(pool={"DeviceConfiguration": always})
    cognito_idp.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    username = new_user(pool.pool_id, f"node-{secrets.token_hex(4)}", PASSWORD)
    access = cognito_idp.admin_initiate_auth(
        UserPoolId=pool.pool_id,
        ClientId=pool.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]["AccessToken"]
    secret = cognito_idp.associate_software_token(AccessToken=access)["SecretCode"]
    cognito_idp.verify_software_token(AccessToken=access, UserCode=totp.code_at(secret, clock()))
    cognito_idp.set_user_mfa_preference(
        AccessToken=access, SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True}
    )
    config = {
        "endpoint": local_cognito.url,
        "poolId": pool.pool_id,
        "clientId": pool.client_id,
        "username": username,
        "password": PASSWORD,
        # The next step's code (the setup used this one's; a code is good once).
        "totpCode": totp.code_at(secret, clock() + totp.STEP_SECONDS),
    }

    sources: list[str] = []

    def record(backend: Backend, generation: hooks.TokenGeneration) -> None:
        if generation.user.username == username:
            sources.append(generation.source)

    with hooks.TOKEN_GENERATION.added(record):
        done = subprocess.run(
            [node, str(SCRIPT), json.dumps(config)],
            capture_output=True,
            text=True,
            timeout=60,
            env={"NODE_PATH": str(modules), "PATH": "/usr/bin:/bin"},
            check=False,
        )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)

    first = seen["first"]
    assert first["mfaAsked"] is True
    device_key = first["libraryDeviceKey"]
    assert device_key and first["deviceKeyClaim"] == device_key
    assert first["userConfirmationNecessary"] is False

    second = seen["second"]  # the library's device SRP, checked by the local Cognito
    assert second["mfaAsked"] is False
    assert second["deviceKeyClaim"] == device_key
    assert seen["refreshedDeviceKeyClaim"] == device_key
    assert seen["listed"] == [device_key]
    assert sources[:3] == ["Authentication", "AuthenticateDevice", "RefreshTokens"]

    third = seen["third"]  # the device was forgotten: MFA again
    assert third["mfaAsked"] is True
    left = cognito_idp.admin_list_devices(UserPoolId=pool.pool_id, Username=username)["Devices"]
    assert left == []
