"""The two ten-line drivers that run a flow (or an operation) to its result, sync or async.

``perform`` does what the generator yields: a flow yields only calls, so ``perform`` is a
transport's ``send``; an operation (:mod:`pyamplify.auth.operations`) also yields store work and
locks, which ``Auth`` and ``AsyncAuth`` perform in their own way. A ``PyamplifyError`` from
``perform`` is thrown into the generator at its ``yield`` so it can turn it into a result (or let
it propagate); the generator's return value is the driver's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar

from pyamplify.errors import PyamplifyError

T = TypeVar("T")
E = TypeVar("E")


def run_sync(flow: Generator[E, Any, T], perform: Callable[[E], Any]) -> T:
    """Drive ``flow`` to its result with a blocking ``perform`` (e.g. a transport's ``send``)."""
    try:
        effect = next(flow)
        while True:
            try:
                result = perform(effect)
            except PyamplifyError as error:
                effect = flow.throw(error)
            else:
                effect = flow.send(result)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


async def run_async(flow: Generator[E, Any, T], perform: Callable[[E], Awaitable[Any]]) -> T:
    """Drive ``flow`` to its result with an async ``perform``."""
    try:
        effect = next(flow)
        while True:
            try:
                result = await perform(effect)
            except PyamplifyError as error:
                effect = flow.throw(error)
            else:
                effect = flow.send(result)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
