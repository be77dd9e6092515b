"""``AsyncAuth``'s transports: one per event loop, and those of stopped loops closed.

An httpx ``AsyncClient`` belongs to the loop it was made on, so ``AsyncAuth`` keeps one transport
per loop. These tests make real calls to the local Cognito from several loops and look at which
clients are closed afterwards.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from pyamplify.auth import AsyncAuth
from pyamplify.local.testing import LocalPool
from pyamplify.storage import MemoryStore
from pyamplify.wire.transport import AsyncTransport

pytestmark = pytest.mark.e2e


def transports(auth: AsyncAuth) -> dict[asyncio.AbstractEventLoop, AsyncTransport]:
    return dict(auth._transports)


def is_closed(transport: AsyncTransport) -> bool:
    return bool(transport._client.is_closed)


async def make_a_call(auth: AsyncAuth, name: str) -> None:
    """One real call over this loop's transport (a sign-up of a new user)."""
    result = await auth.sign_up(name, "Corr3ct-Horse-Battery", attributes={"email": "a@b.co"})
    assert result.user_id


@pytest.fixture
def pool(make_pool: Any) -> LocalPool:
    made: LocalPool = make_pool()
    return made


@pytest.fixture
def running_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """An event loop running on another thread (as in an app with a loop per thread)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)
    loop.close()


def test_a_stopped_loops_transport_is_closed_when_another_loop_makes_its_own(
    pool: LocalPool,
) -> None:
    auth = AsyncAuth(pool.config, store=MemoryStore())
    first = asyncio.new_event_loop()
    first.run_until_complete(make_a_call(auth, "ada"))
    (old,) = transports(auth).values()
    assert not is_closed(old)

    second = asyncio.new_event_loop()
    second.run_until_complete(make_a_call(auth, "bob"))

    assert is_closed(old)  # the first loop is not running: nothing there can be using it
    assert list(transports(auth)) == [second]
    second.run_until_complete(auth.aclose())
    assert transports(auth) == {}
    first.run_until_complete(asyncio.sleep(0))  # its sockets' close was queued on it: let it run
    first.close()
    second.close()


def test_a_closed_loops_transport_is_dropped_and_the_next_loop_works(pool: LocalPool) -> None:
    auth = AsyncAuth(pool.config, store=MemoryStore())
    asyncio.run(make_a_call(auth, "cy"))
    (gone,) = transports(auth)
    assert gone.is_closed()

    async def again() -> None:
        await make_a_call(auth, "di")
        assert list(transports(auth)) == [asyncio.get_running_loop()]
        await auth.aclose()

    asyncio.run(again())


def test_a_loop_running_on_another_thread_keeps_its_transport(
    pool: LocalPool, running_loop: asyncio.AbstractEventLoop
) -> None:
    auth = AsyncAuth(pool.config, store=MemoryStore())
    on_thread = asyncio.run_coroutine_threadsafe(make_a_call(auth, "ed"), running_loop)
    on_thread.result(30)
    theirs = transports(auth)[running_loop]

    async def here() -> None:
        await make_a_call(auth, "flo")
        await auth.aclose()  # closes this loop's transport, not the running loop's

    asyncio.run(here())
    assert not is_closed(theirs)
    again = asyncio.run_coroutine_threadsafe(make_a_call(auth, "gus"), running_loop)
    again.result(30)  # still usable there
    asyncio.run_coroutine_threadsafe(auth.aclose(), running_loop).result(30)
    assert is_closed(theirs)
