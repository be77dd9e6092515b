"""Expired short-lived state is forgotten by a running server (at most once a minute, an hour
past expiry), so a long-lived ``pyamplify local start`` does not keep every Session, code and
browser session it ever issued."""

from __future__ import annotations

from typing import Any

from pyamplify.local import LocalCognito
from pyamplify.local.clock import ManualClock


def _any_operation(cognito_idp: Any) -> None:
    cognito_idp.list_user_pools(MaxResults=1)


def test_expired_hosted_ui_state_is_purged_an_hour_after_expiry(
    local_cognito: LocalCognito, cognito_idp: Any, clock: ManualClock
) -> None:
    store = local_cognito.backend.store
    _any_operation(cognito_idp)  # the minute's purge has run: the next is a minute away
    store.put_oauth_state("kept-hash", "purge-test", {"n": 1}, clock() + 300)
    store.put_oauth_state("gone-hash", "purge-test", {"n": 2}, clock() + 300)

    clock.advance(300 + 1800)  # expired half an hour ago: still kept (a late answer is told why)
    _any_operation(cognito_idp)
    assert store.take_oauth_state("kept-hash", "purge-test") is not None

    clock.advance(3600)  # an hour and a half past expiry, more than a minute since the last purge
    _any_operation(cognito_idp)
    assert store.take_oauth_state("gone-hash", "purge-test") is None
