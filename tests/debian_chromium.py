"""Debian's Chromium for the browser tests (never a browser download): where it is, the flags
every headless run here needs, and the module-level skip when it or Playwright is missing."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def sync_api_or_skip() -> Any:
    """Playwright's sync API; skips the calling module without Playwright or the browser."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not os.path.exists(CHROMIUM):
        pytest.skip(
            "Debian's chromium is not installed (bash scripts/setup-browser.sh)",
            allow_module_level=True,
        )
    return sync_api


@contextmanager
def launched(sync_api: Any, extra_flags: Sequence[str] = ()) -> Iterator[Any]:
    """A headless Debian Chromium for the duration of the block."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*FLAGS, *extra_flags], headless=True
        )
        try:
            yield browser
        finally:
            browser.close()
