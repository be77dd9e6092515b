"""``pyamplify.auth`` itself: ``AsyncAuth`` loads lazily, so blocking code never imports asyncio."""

from __future__ import annotations

import subprocess
import sys

import pytest


def _run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout.strip()


def test_importing_auth_and_using_auth_loads_no_asyncio() -> None:
    code = (
        "import sys\n"
        "from pyamplify.auth import Auth, AuthSession, SignInResult\n"
        "import pyamplify.auth.sync\n"
        "print('asyncio' in sys.modules)\n"
    )
    assert _run(code) == "False"


def test_async_auth_loads_on_first_use_under_every_spelling() -> None:
    code = (
        "import sys\n"
        "import pyamplify, pyamplify.auth as auth\n"
        "before = 'asyncio' in sys.modules\n"
        "from pyamplify.auth import AsyncAuth\n"
        "from pyamplify.auth.aio import AsyncAuth as direct\n"
        "same = AsyncAuth is direct is auth.AsyncAuth is pyamplify.AsyncAuth\n"
        "print(before, 'asyncio' in sys.modules, same, 'AsyncAuth' in dir(auth))\n"
    )
    assert _run(code) == "False True True True"


def test_unknown_names_still_raise_attribute_error() -> None:
    import pyamplify.auth

    with pytest.raises(AttributeError, match="NoSuchThing"):
        pyamplify.auth.NoSuchThing  # type: ignore[attr-defined]  # noqa: B018
