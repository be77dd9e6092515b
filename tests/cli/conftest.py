"""Fixtures the CLI tests share: one local Cognito per module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="module")
def cognito() -> Iterator[Any]:
    """A local Cognito for the module (in memory, random loopback port)."""
    local = pytest.importorskip("pyamplify.local")
    with local.LocalCognito() as server:
        yield server
