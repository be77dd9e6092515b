"""Fixtures the CLI tests share: one local Cognito per module."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="module")
def cognito(local_cognito: Any) -> Any:
    """The module's local Cognito (``tests/conftest.py``), also what the plugin's fixtures use."""
    return local_cognito
