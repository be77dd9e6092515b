"""Errors of the web sign-in and the token endpoint."""

from __future__ import annotations

from pyamplify.errors import PyamplifyError


class OAuthError(PyamplifyError):
    """An OAuth error answer (``error=`` on the redirect, or the token endpoint's JSON)."""

    def __init__(self, error: str, description: str | None = None, status: int | None = None):
        shown = f"{error}: {description}" if description else error
        super().__init__(f"the Hosted UI answered {shown}")
        self.error = error
        self.description = description
        self.status = status


class InvalidGrantError(OAuthError):
    """``invalid_grant``: the code or refresh token is used, expired, revoked or not ours."""


class StateMismatchError(PyamplifyError):
    """A redirect without the ``state`` this sign-in sent (a forged or stale redirect)."""


class WebSignInTimeout(PyamplifyError):
    """No valid redirect reached the loopback listener in time."""


class OAuthConfigError(PyamplifyError):
    """The configuration cannot do a web sign-in (no OAuth block, no usable redirect URI...)."""
