"""The event hub: subscribe, unsubscribe, and failing subscribers never break others."""

from __future__ import annotations

import logging

import pytest

from pyamplify.auth.events import AuthEvent, EventHub


def test_subscribe_unsubscribe_and_isolation(caplog: pytest.LogCaptureFixture) -> None:
    hub = EventHub()
    seen: list[str] = []

    def broken(event: AuthEvent) -> None:
        raise RuntimeError("subscriber bug")

    hub.subscribe(broken)
    unsubscribe = hub.subscribe(lambda event: seen.append(event.name))
    with caplog.at_level(logging.ERROR, logger="pyamplify.auth"):
        hub.emit(AuthEvent("signed_in", "alice"))
    assert seen == ["signed_in"]
    assert "subscriber failed" in caplog.text
    unsubscribe()
    unsubscribe()  # twice is harmless
    hub.emit(AuthEvent("signed_out"))
    assert seen == ["signed_in"]
