"""Single-flight refresh: across threads, asyncio tasks, Auth objects and processes.

The server counts what it serves (``cognito.calls``), so "exactly one refresh" is measured at
the local Cognito, not inferred from the client.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from pyamplify.auth import AsyncAuth, Auth
from pyamplify.config import write_config
from pyamplify.storage import FileStore, MemoryStore

from .conftest import ClientClock, register_user

pytestmark = pytest.mark.e2e

PASSWORD = "Corr3ct-Horse-Battery"
WORKER = Path(__file__).with_name("session_worker.py")


def test_fifty_threads_and_fifty_tasks_cause_one_refresh(
    cognito: Any, make_pool: Any, clock: ClientClock
) -> None:
    pool = make_pool(client_secret=True)
    store = MemoryStore()
    sync_auth = Auth(pool.config, store=store, clock=clock)
    async_auth = AsyncAuth(pool.config, store=store, clock=clock)
    register_user(sync_auth, cognito, "grace", PASSWORD)
    sync_auth.sign_in("grace", PASSWORD)
    original = sync_auth.fetch_auth_session().tokens.access_token.token
    refresh_events: list[str] = []
    for auth in (sync_auth, async_auth):
        auth.events.subscribe(lambda e: refresh_events.append(e.name))

    async def warm_up() -> None:  # the async object loads the stored session first
        assert (await async_auth.fetch_auth_session()).is_signed_in

    loop = asyncio.new_event_loop()
    loop.run_until_complete(warm_up())
    clock.offset = 3600  # every cached token is now expired
    before = cognito.calls["GetTokensFromRefreshToken"]
    start = threading.Barrier(51)
    seen: list[str] = []
    errors: list[BaseException] = []

    def thread_body() -> None:
        try:
            start.wait()
            session = sync_auth.fetch_auth_session()
            seen.append(session.tokens.access_token.token)
        except BaseException as error:
            errors.append(error)

    async def tasks_body() -> list[str]:
        async def one() -> str:
            session = await async_auth.fetch_auth_session()
            return session.tokens.access_token.token

        await asyncio.to_thread(start.wait)
        return list(await asyncio.gather(*(one() for _ in range(50))))

    threads = [threading.Thread(target=thread_body) for _ in range(50)]
    for thread in threads:
        thread.start()
    task_tokens = loop.run_until_complete(tasks_body())
    for thread in threads:
        thread.join(30)
    assert not errors
    assert cognito.calls["GetTokensFromRefreshToken"] == before + 1
    everyone = seen + task_tokens
    assert len(everyone) == 100
    assert len(set(everyone)) == 1 and everyone[0] != original
    assert refresh_events == ["token_refresh"]
    loop.run_until_complete(async_auth.aclose())
    loop.close()
    sync_auth.close()


def _spawn(config: Path, store: Path, offset: float, go: Path, *action: str) -> Any:
    process = subprocess.Popen(
        [sys.executable, str(WORKER), str(config), str(store), str(offset), str(go), *action],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready", process.stderr.read()  # type: ignore[union-attr]
    return process


def _outcome(process: Any) -> dict[str, Any]:
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return dict(json.loads(out.strip().splitlines()[-1]))


def test_two_processes_refresh_one_file_store_without_corruption(
    cognito: Any, make_pool: Any, tmp_path: Path
) -> None:
    pool = make_pool(client_secret=True)
    config = tmp_path / "amplifyconfiguration.json"
    write_config(pool.config, config, include_secret=True)
    store_dir = tmp_path / "sessions"
    go = tmp_path / "go"
    signer = Auth(config, store=FileStore(store_dir))
    register_user(signer, cognito, "ken", PASSWORD)
    signer.sign_in("ken", PASSWORD)
    stored_before = FileStore(store_dir).load(signer._core.key)
    signer.close()

    before = cognito.calls["GetTokensFromRefreshToken"]
    workers = [_spawn(config, store_dir, 7200, go, "fetch") for _ in range(2)]
    go.touch()
    outcomes = [_outcome(worker) for worker in workers]
    assert all(outcome["is_signed_in"] for outcome in outcomes)
    # Neither corrupted the store nor both refreshed: one refresh, one shared result.
    assert cognito.calls["GetTokensFromRefreshToken"] == before + 1
    assert outcomes[0]["access"] == outcomes[1]["access"]
    assert sorted(event for o in outcomes for event in o["events"]) == ["token_refresh"]
    stored_after = FileStore(store_dir).load(signer._core.key)
    assert stored_after is not None and stored_before is not None
    assert stored_after["access_token"] != stored_before["access_token"]
    assert stored_after["refresh_token"] == stored_before["refresh_token"]


def test_global_sign_out_invalidates_another_process_session(
    cognito: Any, make_pool: Any, tmp_path: Path
) -> None:
    pool = make_pool()
    config = tmp_path / "amplifyconfiguration.json"
    write_config(pool.config, config)
    other_store = tmp_path / "other-process-sessions"
    here = Auth(config, store=MemoryStore())
    register_user(here, cognito, "hedy", PASSWORD)

    go = tmp_path / "go-sign-in"
    go.touch()
    signed_in = _outcome(_spawn(config, other_store, 0, go, "sign-in", "hedy", PASSWORD))
    assert signed_in["is_signed_in"] and signed_in["events"] == ["signed_in"]

    here.sign_in("hedy", PASSWORD)
    assert here.sign_out(global_sign_out=True).is_complete

    later = _outcome(_spawn(config, other_store, 0, go, "force-refresh"))
    assert later == {
        "is_signed_in": False,
        "access": None,
        "events": ["token_refresh_failure", "session_expired"],
    }
    assert FileStore(other_store).keys() == []
    here.close()
