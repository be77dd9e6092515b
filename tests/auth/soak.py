"""A soak of the client against a local Cognito that injects faults: what users would see.

Worker threads, each with its own ``Auth``, repeat a life cycle until the time is up: an SRP
sign-in, a few forced refreshes, a sign-out. Every outcome is counted by kind: sign-ins
attempted / succeeded / failed (by error class), refreshes attempted / succeeded / failed
transiently (the session kept) and sessions lost (``session_expired``: the user would have to
sign in again). Used by ``tests/auth/test_soak.py`` (seconds) and ``benchmarks/bench_soak.py``
(minutes). Not a test module.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pyamplify.auth import Auth
from pyamplify.local import LocalCognito
from pyamplify.local.testing import LocalPool, provision_pool, provision_user
from pyamplify.storage import MemoryStore

PASSWORD = "Soak-passw0rd!"


@dataclass
class SoakResult:
    """What happened, counted (see the module docstring)."""

    seconds: float = 0.0
    sign_ins: int = 0
    signed_in: int = 0
    sign_in_failures: Counter[str] = field(default_factory=Counter)
    refreshes: int = 0
    refreshed: int = 0
    refresh_failures: Counter[str] = field(default_factory=Counter)
    sessions_lost: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    calls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str, amount: int = 1) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + amount)

    def failed(self, counter: str, error: BaseException) -> None:
        with self._lock:
            getattr(self, counter)[type(error).__name__] += 1

    def summary(self) -> str:
        rate = f"{self.signed_in / self.sign_ins:.1%}" if self.sign_ins else "-"
        kept = f"{self.refreshed / self.refreshes:.1%}" if self.refreshes else "-"
        return (
            f"{self.seconds:.0f}s, {self.calls} calls, faults {self.faults}: sign-ins "
            f"{self.signed_in}/{self.sign_ins} ({rate}) failures {dict(self.sign_in_failures)}; "
            f"refreshes {self.refreshed}/{self.refreshes} ({kept}) transient failures "
            f"{dict(self.refresh_failures)}; sessions lost {self.sessions_lost}"
        )


def make_pool(cognito: LocalCognito, users: int, grace: int | None) -> tuple[LocalPool, list[str]]:
    """A pool with ``users`` users; ``grace`` None: no rotation, else rotation with that grace."""
    rotation = (
        {}
        if grace is None
        else {"RefreshTokenRotation": {"Feature": "ENABLED", "RetryGracePeriodSeconds": grace}}
    )
    pool = provision_pool(cognito.url, name="soak", extra_client=rotation)
    names = [f"soak{n}" for n in range(users)]
    for name in names:
        provision_user(cognito.url, pool, name, PASSWORD)
    return pool, names


def _life_cycles(
    pool: LocalPool, name: str, deadline: float, refreshes: int, result: SoakResult
) -> None:
    auth = Auth(pool.config, store=MemoryStore())
    auth.events.subscribe(
        lambda event: result.add("sessions_lost") if event.name == "session_expired" else None
    )
    while time.monotonic() < deadline:
        result.add("sign_ins")
        try:
            auth.sign_in(name, PASSWORD)
        except Exception as error:  # counted by kind; the loop goes on, as an app's would
            result.failed("sign_in_failures", error)
            continue
        result.add("signed_in")
        for _ in range(refreshes):
            if time.monotonic() >= deadline:
                break
            result.add("refreshes")
            try:
                session = auth.fetch_auth_session(force_refresh=True)
            except Exception as error:  # transient: the session is kept
                result.failed("refresh_failures", error)
                continue
            if not session.is_signed_in:
                break  # lost (counted by the session_expired event)
            result.add("refreshed")
        auth.sign_out()


def run_soak(
    cognito: LocalCognito,
    pool: LocalPool,
    names: list[str],
    *,
    seconds: float,
    faults: Any,
    refreshes: int = 3,
) -> SoakResult:
    """Run one worker thread per name for ``seconds`` with ``faults`` injected."""
    result = SoakResult()
    cognito.reset_calls()
    cognito.faults = faults
    started = time.monotonic()
    deadline = started + seconds
    workers = [
        threading.Thread(target=_life_cycles, args=(pool, name, deadline, refreshes, result))
        for name in names
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    result.seconds = time.monotonic() - started
    result.faults = cognito.fault_counts
    result.calls = sum(cognito.calls.values())
    cognito.faults = None
    return result
