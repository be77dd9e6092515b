"""Minting: STS-shaped keys, validity settings, what is remembered, no secrets in reprs."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from pyamplify.local.errors import InvalidParameterException
from pyamplify.local.identity.credentials import (
    TTL_ENV,
    TTL_TAG,
    caller_identity,
    credentials_ttl,
    default_ttl,
    mint,
    parse_ttl,
    role_id,
    session_token_matches,
)
from pyamplify.local.store.identity import IdentityStore
from pyamplify.local.store.userpools import Store

from .identity_fixtures import identity_client, new_identity_pool

ROLE = "arn:aws:iam::210987654321:role/service-role/Reader"


@pytest.fixture
def store() -> IdentityStore:
    return IdentityStore(Store(None))


def test_minted_credentials_are_remembered(store: IdentityStore) -> None:
    minted = mint(
        store, identity_id="us-east-1:i", pool_id="us-east-1:p", role_arn=ROLE, now=1000.9, ttl=60
    )
    assert re.fullmatch(r"ASIA[A-Z2-7]{16}", minted.access_key_id)
    assert len(minted.secret_key) == 40
    assert minted.expiration == 1060
    stored = store.get_credentials(minted.access_key_id)
    assert stored is not None
    assert (stored.identity_id, stored.role_arn, stored.expires_at) == ("us-east-1:i", ROLE, 1060)
    assert stored.secret_key == minted.secret_key
    assert minted.session_token not in repr(stored.__dict__)  # only its hash is kept
    assert session_token_matches(minted.session_token, stored)
    assert not session_token_matches(minted.session_token + "x", stored)
    assert not session_token_matches(None, stored)


def test_secrets_stay_out_of_reprs(store: IdentityStore) -> None:
    minted = mint(
        store, identity_id="us-east-1:i", pool_id="us-east-1:p", role_arn=ROLE, now=0, ttl=60
    )
    stored = store.get_credentials(minted.access_key_id)
    for text in (repr(minted), repr(stored)):
        assert minted.secret_key not in text
        assert minted.session_token not in text


def test_every_mint_is_new(store: IdentityStore) -> None:
    keys = {
        mint(
            store, identity_id="us-east-1:i", pool_id="p", role_arn=ROLE, now=0, ttl=60
        ).access_key_id
        for _ in range(20)
    }
    assert len(keys) == 20


def test_caller_identity_names_role_with_its_path_stripped(store: IdentityStore) -> None:
    minted = mint(store, identity_id="us-east-1:i", pool_id="p", role_arn=ROLE, now=0, ttl=60)
    stored = store.get_credentials(minted.access_key_id)
    assert stored is not None
    assert caller_identity(stored) == {
        "Arn": "arn:aws:sts::210987654321:assumed-role/Reader/CognitoIdentityCredentials",
        "UserId": f"{role_id(ROLE)}:CognitoIdentityCredentials",
        "Account": "210987654321",
    }
    assert re.fullmatch(r"AROA[A-Z2-7]{17}", role_id(ROLE))
    assert role_id(ROLE) != role_id(ROLE + "2")


@pytest.mark.parametrize("value", ["0", "-5", "abc", "43201", ""])
def test_bad_ttls_are_refused(value: str) -> None:
    with pytest.raises(InvalidParameterException):
        parse_ttl(value, "ttl")


def test_ttl_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TTL_ENV, raising=False)
    assert default_ttl() == 3600
    assert credentials_ttl({}) == 3600
    monkeypatch.setenv(TTL_ENV, "300")
    assert credentials_ttl({}) == 300
    assert credentials_ttl({"IdentityPoolTags": {TTL_TAG: "30"}}) == 30  # the tag wins
    monkeypatch.setenv(TTL_ENV, "soon")
    assert default_ttl() == 3600  # a bad environment value is logged and ignored


@pytest.mark.e2e
def test_bad_ttl_tag_is_refused_by_create_identity_pool(local_cognito: Any) -> None:
    client = identity_client(local_cognito)
    with pytest.raises(client.exceptions.InvalidParameterException) as caught:
        client.create_identity_pool(
            IdentityPoolName="bad_ttl",
            AllowUnauthenticatedIdentities=True,
            IdentityPoolTags={TTL_TAG: "forever"},
        )
    assert TTL_TAG in caught.value.response["Error"]["Message"]


@pytest.mark.e2e
def test_ttl_tag_sets_the_expiration(local_cognito: Any, new_user_pool: Callable[..., Any]) -> None:
    client = identity_client(local_cognito)
    pool_id = new_identity_pool(client, [new_user_pool()], tags={TTL_TAG: "45"})
    guest = client.get_id(IdentityPoolId=pool_id)["IdentityId"]
    before = local_cognito.backend.now()
    expiration = client.get_credentials_for_identity(IdentityId=guest)["Credentials"][
        "Expiration"
    ].timestamp()
    assert int(before) + 45 <= expiration <= local_cognito.backend.now() + 45
