"""The client under injected faults: no session is lost to a transient fault, retries are made
only where safe, and a lost refresh answer costs the session only without a grace period.

The short soak here runs a few seconds; ``benchmarks/bench_soak.py`` runs the long one and
BENCHMARKS.md has its figures.
"""

from __future__ import annotations

import pytest

from pyamplify.auth import Auth
from pyamplify.local import LocalCognito
from pyamplify.storage import MemoryStore
from pyamplify.wire.errors import RetryableError

from .soak import PASSWORD, make_pool, run_soak

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FAULTS = "throttle=6%,error=4%,drop=3%,drop-after=2%,latency=0-20ms@0.3,seed=2026"


def test_a_short_soak_loses_no_session(local_cognito: LocalCognito) -> None:
    pool, names = make_pool(local_cognito, users=3, grace=30)
    result = run_soak(local_cognito, pool, names, seconds=4, faults=FAULTS)
    print(result.summary())
    assert result.sessions_lost == 0, result.summary()
    assert result.signed_in > 0 and result.refreshed > 0, result.summary()
    assert set(result.faults) >= {"throttle", "error", "drop"}, result.summary()
    # Every failure is one the user can retry; never a misleading "Incorrect username or
    # password." from a repeated SRP answer.
    for kind in (*result.sign_in_failures, *result.refresh_failures):
        error_class = _error_class(kind)
        assert issubclass(error_class, RetryableError), result.summary()


def _error_class(name: str) -> type:
    from pyamplify.wire import errors

    return getattr(errors, name)  # type: ignore[no-any-return]


@pytest.mark.parametrize(("grace", "kept"), [(30, True), (0, False)])
def test_a_lost_refresh_answer_is_retried_within_the_grace_period(
    local_cognito: LocalCognito, grace: int, kept: bool
) -> None:
    """Defect 7's point, made deterministic: the server rotates, the answer is lost, the client
    retries with the old token. With a grace period that works; with 0 s the session is gone."""
    pool, (name, *_) = make_pool(local_cognito, users=1, grace=grace)
    auth = Auth(pool.config, store=MemoryStore())
    auth.sign_in(name, PASSWORD)
    # Seed 1 at 50%: the first refresh answer is lost, the retry gets through.
    local_cognito.faults = "drop-after=50%,ops=GetTokensFromRefreshToken,seed=1"
    try:
        session = auth.fetch_auth_session(force_refresh=True)
    finally:
        local_cognito.faults = None
    assert session.is_signed_in is kept
