"""The Hosted UI's browser session: an hour during which ``/oauth2/authorize`` skips the form.

The cookie holds a random value; the store keeps its SHA-256 with the pool, the user and the
time of the sign-in. A session ends at ``/logout``, after an hour, or when its user is deleted,
disabled or re-created (the ``sub`` no longer matches).
"""

from __future__ import annotations

import secrets

from pyamplify.local.oauth.grant import SignedIn
from pyamplify.local.oauth.web import (
    SESSION_COOKIE,
    SESSION_SECONDS,
    DomainContext,
    Req,
    cookie,
    digest,
)


def start(ctx: DomainContext, username: str, sub: str) -> SignedIn:
    """Sign the browser in: store the session and set its cookie on the answer."""
    now = ctx.backend.now()
    value = secrets.token_urlsafe(32)
    ctx.backend.store.put_hosted_session(
        digest(value), ctx.pool["Id"], username, sub, now, now + SESSION_SECONDS
    )
    cookie(ctx, SESSION_COOKIE, value, SESSION_SECONDS)
    return SignedIn(username, sub, now)


def current(ctx: DomainContext, req: Req) -> SignedIn | None:
    """The browser's session on this domain's pool, if it is still good."""
    value = req.cookies.get(SESSION_COOKIE)
    if not value:
        return None
    row = ctx.backend.store.get_hosted_session(digest(value))
    if row is None:
        return None
    pool_id, username, sub, auth_time, expires_at = row
    if pool_id != ctx.pool["Id"] or ctx.backend.now() >= expires_at:
        return None
    user = ctx.backend.store.get_user(pool_id, username)
    if user is None or user.sub != sub or not user.enabled:
        return None
    return SignedIn(username, sub, auth_time)


def end(ctx: DomainContext, req: Req) -> None:
    """Sign the browser out: forget the session and expire the cookie."""
    value = req.cookies.get(SESSION_COOKIE)
    if value:
        ctx.backend.store.delete_hosted_session(digest(value))
    cookie(ctx, SESSION_COOKIE, "", 0)
