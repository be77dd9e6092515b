"""Many clients at once: a busy local Cognito stays as correct as one that serves one call.

The server runs each operation whole on its event-loop thread (handing operations to worker
threads, even with SRP arithmetic and RSA signing outside the GIL, cost more CPU in hand-offs
than it gained on the 2-core CI VM; BENCHMARKS.md). These tests hit one server from many
threads and connections at once and pin what any future concurrency must keep: every sign-in
correct, a SECRET_BLOCK used once, lockout counters without lost updates.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jwt
import pytest
from botocore.exceptions import ClientError

from conftest import boto3_client
from pyamplify.local import LocalCognito
from pyamplify.local.clock import ManualClock

from . import srp_client

PASSWORD = "Parallel-passw0rd!"
THREADS = 8


def _in_parallel(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` for i < count on THREADS threads released together by a barrier."""
    barrier = threading.Barrier(min(count, THREADS))

    def run(index: int) -> Any:
        if index < THREADS:
            barrier.wait(timeout=30)
        try:
            return work(index)
        except ClientError as error:
            return error

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(run, range(count)))


def _error_code(outcome: Any) -> str | None:
    return outcome.response["Error"]["Code"] if isinstance(outcome, ClientError) else None


def test_many_srp_sign_ins_at_once_all_get_their_own_valid_tokens(
    local_cognito: LocalCognito,
    new_user_pool: Callable[..., Any],
    new_user: Callable[..., str],
) -> None:
    pool = new_user_pool()
    names = [new_user(pool.pool_id, f"parallel-{index}", PASSWORD) for index in range(24)]
    jwks = jwt.PyJWKClient(f"{local_cognito.url}/{pool.pool_id}/.well-known/jwks.json")
    clients = [boto3_client("cognito-idp", local_cognito.url) for _ in range(THREADS)]

    def sign_in(index: int) -> dict[str, Any]:
        idp = clients[index % THREADS]
        result = srp_client.sign_in(idp, pool.pool_id, pool.client_id, names[index], PASSWORD)
        return dict(result["AuthenticationResult"])

    results = _in_parallel(len(names), sign_in)
    for name, result in zip(names, results, strict=True):
        assert isinstance(result, dict), result
        token = result["IdToken"]
        claims = jwt.decode(
            token, jwks.get_signing_key_from_jwt(token).key, ["RS256"], audience=pool.client_id
        )
        assert claims["cognito:username"] == name
    assert len({result["RefreshToken"] for result in results}) == len(names)


def test_a_secret_block_answered_many_times_at_once_signs_in_once(
    local_cognito: LocalCognito,
    new_user_pool: Callable[..., Any],
    new_user: Callable[..., str],
) -> None:
    pool = new_user_pool()
    name = new_user(pool.pool_id, "replayed", PASSWORD)
    idp = boto3_client("cognito-idp", local_cognito.url)
    eph, started = srp_client.start(idp, pool.client_id, name)
    responses = srp_client.answer(eph, started["ChallengeParameters"], pool.pool_id, PASSWORD)
    clients = [boto3_client("cognito-idp", local_cognito.url) for _ in range(THREADS)]

    outcomes = _in_parallel(
        THREADS, lambda index: srp_client.respond(clients[index], pool.client_id, responses)
    )

    successes = [outcome for outcome in outcomes if isinstance(outcome, dict)]
    assert len(successes) == 1
    failures = [outcome for outcome in outcomes if isinstance(outcome, ClientError)]
    assert [_error_code(failure) for failure in failures] == ["NotAuthorizedException"] * 7
    assert {failure.response["Error"]["Message"] for failure in failures} == {
        "Incorrect username or password."
    }


@pytest.mark.parametrize("flow", ["USER_PASSWORD_AUTH", "USER_SRP_AUTH"])
def test_wrong_passwords_at_once_are_all_counted_toward_lockout(
    local_cognito: LocalCognito,
    new_user_pool: Callable[..., Any],
    new_user: Callable[..., str],
    clock: ManualClock,
    flow: str,
) -> None:
    """Time stands still (``clock``), so the one-second lockout of the fifth failure holds."""
    pool = new_user_pool()
    name = new_user(pool.pool_id, f"locked-{flow.lower()}", PASSWORD)
    clients = [boto3_client("cognito-idp", local_cognito.url) for _ in range(THREADS)]

    def wrong(index: int) -> Any:
        idp = clients[index]
        if flow == "USER_SRP_AUTH":
            return srp_client.sign_in(idp, pool.pool_id, pool.client_id, name, "Wrong-passw0rd!")
        return idp.initiate_auth(
            ClientId=pool.client_id,
            AuthFlow=flow,
            AuthParameters={"USERNAME": name, "PASSWORD": "Wrong-passw0rd!"},
        )

    outcomes = _in_parallel(5, wrong)
    assert [_error_code(outcome) for outcome in outcomes] == ["NotAuthorizedException"] * 5

    # Five failures lock the account: the right password is now refused, as on AWS.
    with pytest.raises(ClientError) as refused:
        srp_client.sign_in(clients[0], pool.pool_id, pool.client_id, name, PASSWORD)
    assert refused.value.response["Error"]["Message"] == "Password attempts exceeded"
