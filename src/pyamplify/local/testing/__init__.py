"""Test helpers for apps that sign people in with pyamplify: a local Cognito, pools, users.

Two layers, both public:

* plain functions over a running local Cognito (:mod:`.provisioning`): :class:`LocalAdmin`,
  :func:`provision_pool`, :func:`provision_identity_pool`, :func:`provision_user`, and the
  :class:`LocalPool` / :class:`CognitoUser` they return;
* a pytest plugin (:mod:`.plugin`, registered as the ``pyamplify`` ``pytest11`` entry point) with
  the fixtures ``local_cognito``, ``user_pool``, ``cognito_user``, ``signed_in_auth`` and
  ``cognito_clock``; the README's "Testing your app" section shows them.

Importing this package needs only the core install (the server's dependencies load when a
fixture starts one).
"""

from __future__ import annotations

from pyamplify.local.testing.provisioning import (
    AUTH_ROLE_ARN,
    DEFAULT_PASSWORD,
    LOCAL_ACCESS_KEY,
    LOCAL_SECRET_KEY,
    UNAUTH_ROLE_ARN,
    CognitoUser,
    LocalAdmin,
    LocalPool,
    provision_identity_pool,
    provision_pool,
    provision_user,
)
from pyamplify.local.testing.signing_in import SignInIncomplete, enroll_totp, sign_in

__all__ = [
    "AUTH_ROLE_ARN",
    "DEFAULT_PASSWORD",
    "LOCAL_ACCESS_KEY",
    "LOCAL_SECRET_KEY",
    "UNAUTH_ROLE_ARN",
    "CognitoUser",
    "LocalAdmin",
    "LocalPool",
    "SignInIncomplete",
    "enroll_totp",
    "provision_identity_pool",
    "provision_pool",
    "provision_user",
    "sign_in",
]
