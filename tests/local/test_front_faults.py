"""Faults on purpose: each kind over real HTTP, reproducible by seed, and what the client does.

``LocalCognito(faults=...)`` / ``local start --faults``: throttling, 5xx, dropped connections
(before or after the operation ran) and latency, at rates, drawn from a seeded generator.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from conftest import PoolClient
from pyamplify.local import LocalCognito
from pyamplify.local.front.faults import FaultInjector, FaultSpec, FaultSpecError

pytestmark = pytest.mark.e2e

IDP = "AWSCognitoIdentityProviderService"
SIGNED = {"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/cognito-idp/x"}
PASSWORD = "Passw0rd!-faults"


def post(cognito: LocalCognito, operation: str, body: Any) -> httpx.Response:
    return httpx.post(
        cognito.url + "/",
        content=json.dumps(body).encode(),
        headers={"X-Amz-Target": f"{IDP}.{operation}", **SIGNED},
    )


@pytest.fixture
def faulty(local_cognito: LocalCognito) -> Iterator[LocalCognito]:
    """The module's server; whatever faults a test sets are removed afterwards."""
    yield local_cognito
    local_cognito.faults = None


# ------------------------------------------------------------------------------- the spec
def test_the_spec_reads_rates_durations_operations_and_a_seed() -> None:
    spec = FaultSpec.parse("throttle=5%, error=0.02,drop=1%,drop-after=0.01,latency=50-400ms@0.5")
    assert (spec.throttle, spec.error, spec.drop, spec.drop_after) == (0.05, 0.02, 0.01, 0.01)
    assert spec.latency == (0.05, 0.4) and spec.latency_rate == 0.5
    assert FaultSpec.parse("latency=1.5s,ops=InitiateAuth+SignUp,seed=9") == FaultSpec(
        latency=(1.5, 1.5), operations=frozenset({"InitiateAuth", "SignUp"}), seed=9
    )
    assert FaultSpec.parse(spec.describe()) == spec  # written back in its own syntax
    assert not FaultSpec.parse("").active


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("throttle", "write name=value"),
        ("slow=1", "unknown fault 'slow'"),
        ("error=150%", "between 0 and 1"),
        ("latency=fast", "a duration is"),
        ("latency=9-1ms", "a range is low-high"),
        ("throttle=0.6,error=0.6", "must not exceed 1"),
        ("seed=x", "whole number"),
    ],
)
def test_a_bad_spec_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(FaultSpecError, match=message):
        FaultSpec.parse(text)


def test_the_same_seed_draws_the_same_faults_at_the_given_rates() -> None:
    spec = FaultSpec.parse("throttle=10%,error=5%,drop=5%,drop-after=5%,latency=1ms@0.3,seed=42")
    first, second = FaultInjector(spec), FaultInjector(spec)
    draws = [first.decide("InitiateAuth") for _ in range(4000)]
    assert draws == [second.decide("InitiateAuth") for _ in range(4000)]
    counts = first.counts
    for name, rate in [("throttle", 0.1), ("error", 0.05), ("drop", 0.05), ("drop-after", 0.05)]:
        assert abs(counts[name] / 4000 - rate) < 0.02, (name, counts)
    assert abs(counts["latency"] / 4000 - 0.3) < 0.03
    only = FaultInjector(FaultSpec.parse("throttle=1,ops=SignUp"))
    assert only.decide("InitiateAuth").outcome is None
    assert only.decide("SignUp").outcome == "throttle"


# ------------------------------------------------------------------------------- over HTTP
def test_throttling_is_cognitos_too_many_requests(faulty: LocalCognito) -> None:
    faulty.faults = "throttle=1"
    answer = post(faulty, "ListUserPools", {"MaxResults": 1})
    assert answer.status_code == 400
    assert answer.json() == {"__type": "TooManyRequestsException", "message": "Rate exceeded"}
    assert answer.headers["x-amzn-errortype"] == "TooManyRequestsException:"
    assert faulty.fault_counts == {"throttle": 1}


def test_a_server_error_is_internal_error_500(faulty: LocalCognito) -> None:
    faulty.faults = FaultSpec(error=1.0)
    answer = post(faulty, "ListUserPools", {"MaxResults": 1})
    assert answer.status_code == 500
    assert answer.json()["__type"] == "InternalErrorException"


def test_drop_closes_the_connection_before_the_operation_runs(faulty: LocalCognito) -> None:
    faulty.faults = "drop=1,ops=CreateUserPool"
    before = faulty.calls["CreateUserPool"]
    with pytest.raises(httpx.RemoteProtocolError):
        post(faulty, "CreateUserPool", {"PoolName": "never-made"})
    assert faulty.calls["CreateUserPool"] == before
    faulty.faults = None
    listed = post(faulty, "ListUserPools", {"MaxResults": 60}).json()["UserPools"]
    assert "never-made" not in [pool["Name"] for pool in listed]


def test_drop_after_runs_the_operation_and_loses_its_answer(faulty: LocalCognito) -> None:
    faulty.faults = "drop-after=1,ops=CreateUserPool"
    with pytest.raises(httpx.RemoteProtocolError):
        post(faulty, "CreateUserPool", {"PoolName": "made-but-unanswered"})
    faulty.faults = None
    listed = post(faulty, "ListUserPools", {"MaxResults": 60}).json()["UserPools"]
    assert "made-but-unanswered" in [pool["Name"] for pool in listed]


def test_latency_delays_the_answer(faulty: LocalCognito) -> None:
    faulty.faults = "latency=300ms"
    started = time.monotonic()
    assert post(faulty, "ListUserPools", {"MaxResults": 1}).status_code == 200
    assert time.monotonic() - started >= 0.3  # a lower bound: the fault happened


def test_faults_leave_the_local_routes_alone(faulty: LocalCognito) -> None:
    faulty.faults = "drop=1"
    assert httpx.get(faulty.url + "/_local/outbox").status_code == 200
    assert httpx.get(faulty.url + "/").status_code == 200


# ------------------------------------------------------------------------------- the client
def make_user(cognito_idp: Any, pool: PoolClient, name: str) -> None:
    cognito_idp.admin_create_user(UserPoolId=pool.pool_id, Username=name, MessageAction="SUPPRESS")
    cognito_idp.admin_set_user_password(
        UserPoolId=pool.pool_id, Username=name, Password=PASSWORD, Permanent=True
    )


def auth_for(cognito: LocalCognito, pool: PoolClient) -> Any:
    from pyamplify.auth import Auth
    from pyamplify.config import AuthConfig, UserPoolConfig
    from pyamplify.storage import MemoryStore

    config = AuthConfig(
        user_pool=UserPoolConfig(pool.pool_id, pool.client_id, "us-east-1", endpoint=cognito.url)
    )
    return Auth(config, store=MemoryStore())


def test_the_client_rides_out_throttling_with_retries(
    faulty: LocalCognito, cognito_idp: Any, new_user_pool: Callable[..., PoolClient]
) -> None:
    pool = new_user_pool()
    make_user(cognito_idp, pool, "throttled")
    faulty.faults = "throttle=40%,seed=1"  # seed 1: the first call is throttled
    auth = auth_for(faulty, pool)
    assert auth.sign_in("throttled", PASSWORD).is_signed_in
    assert faulty.fault_counts.get("throttle", 0) >= 1  # it was throttled, and retried


def test_a_lost_challenge_answer_is_not_repeated_but_the_exchange_restarted(
    faulty: LocalCognito, cognito_idp: Any, new_user_pool: Callable[..., PoolClient]
) -> None:
    """The server used the SRP secret block; repeating the answer would read "Incorrect
    username or password." The client starts a fresh SRP exchange instead."""
    pool = new_user_pool()
    make_user(cognito_idp, pool, "lost")
    # Seed 1 at 50%: the first answer is lost, the next gets through.
    faulty.faults = "drop-after=50%,ops=RespondToAuthChallenge,seed=1"
    faulty.reset_calls()
    auth = auth_for(faulty, pool)
    assert auth.sign_in("lost", PASSWORD).is_signed_in
    assert faulty.fault_counts == {"drop-after": 1}
    assert faulty.calls["InitiateAuth"] == 2 and faulty.calls["RespondToAuthChallenge"] == 2
