"""The two ten-line drivers that run a flow over a transport (sync or async).

A transport error is thrown into the flow at its ``yield`` so the flow can turn it into a result
(or let it propagate); the flow's return value is the driver's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pyamplify.auth.flows import Flow
from pyamplify.errors import PyamplifyError
from pyamplify.wire.call import Call

T = TypeVar("T")


def run_sync(flow: Flow[T], send: Callable[[Call], dict[str, Any]]) -> T:
    """Drive ``flow`` to its result with a blocking ``send``."""
    try:
        call = next(flow)
        while True:
            try:
                response = send(call)
            except PyamplifyError as error:
                call = flow.throw(error)
            else:
                call = flow.send(response)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


async def run_async(flow: Flow[T], send: Callable[[Call], Awaitable[dict[str, Any]]]) -> T:
    """Drive ``flow`` to its result with an async ``send``."""
    try:
        call = next(flow)
        while True:
            try:
                response = await send(call)
            except PyamplifyError as error:
                call = flow.throw(error)
            else:
                call = flow.send(response)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
