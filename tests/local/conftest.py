"""Fixtures the identity-pool and STS test modules share (beside ``tests/conftest.py``'s).

``clock`` here is a fresh manual clock per test installed on the module's local Cognito; the
user-pool modules that need a module-wide clock (``test_idp_auth``, ``test_idp_tokens``) define
their own, which takes precedence in those modules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pyamplify.local import LocalCognito
from pyamplify.local.clock import ManualClock

from .identity_fixtures import identity_client, installed_clock


@pytest.fixture
def clock(local_cognito: LocalCognito) -> Iterator[ManualClock]:
    """A manual clock at the real time on the local Cognito, for one test."""
    yield from installed_clock(local_cognito)


@pytest.fixture(scope="module")
def cognito_identity(local_cognito: LocalCognito) -> Any:
    """A boto3 ``cognito-identity`` client for the module's local Cognito."""
    return identity_client(local_cognito)


@pytest.fixture(scope="module")
def user_pool(new_user_pool: Callable[..., Any]) -> Any:
    """One user pool for the module (each test signs in its own users)."""
    return new_user_pool()
