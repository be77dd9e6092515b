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
from pyamplify.local.key_supply import KeyPair, new_key_pair

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
    """One user pool for the module (each test signs in its own users).

    Shadows the pyamplify plugin's per-test ``user_pool`` in this directory: the identity-pool
    and STS modules share one pool (a ``PoolClient``) and make their own users in it.
    """
    return new_user_pool()


@pytest.fixture(scope="session")
def key_stock() -> list[KeyPair]:
    """Real RSA-2048 key pairs made once, for the key supply and cache tests to hand around."""
    return [new_key_pair() for _ in range(12)]
