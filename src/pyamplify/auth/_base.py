"""What ``Auth`` and ``AsyncAuth`` share outside the operations: their state, plain getters and
setters (nothing here talks to Cognito or the store).

Both twins hold one :class:`~pyamplify.auth._core.AuthCore` (the session in memory, the pending
sign-in, the events) and, with an identity pool, one
:class:`~pyamplify.auth._identity_core.IdentityCore`; the operations
(:mod:`pyamplify.auth.operations`) work on these two, and the twins only add how effects are
performed (blocking or with ``await``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from pyamplify.auth._core import AuthCore, identity_core_of

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pyamplify.auth.events import EventHub
    from pyamplify.config import AuthConfig


class AuthBase:
    """The state of one Auth object, its getters and setters (see the module docstring)."""

    #: The name the repr shows (the public class's, also for subclasses users make).
    _public_name: ClassVar[str]

    def __init__(self, core: AuthCore) -> None:
        self._core = core
        self._identity = identity_core_of(core)

    def __repr__(self) -> str:
        return f"{self._public_name}({self._core.describe()}, profile={self._core.profile!r})"

    @property
    def events(self) -> EventHub:
        """The event hub: ``auth.events.subscribe(callback) -> unsubscribe``."""
        return self._core.events

    @property
    def config(self) -> AuthConfig:
        """The configuration this object was built from."""
        return self._core.config

    def set_token_refresh_client_metadata(self, client_metadata: Mapping[str, str] | None) -> None:
        """ClientMetadata to send with every later token refresh (for a pre-token-generation
        trigger); ``None`` stops sending it."""
        self._core.refresh_client_metadata = dict(client_metadata) if client_metadata else None
