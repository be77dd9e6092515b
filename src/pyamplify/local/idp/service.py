"""The user-pool service (``AWSCognitoIdentityProviderService``) as a :class:`ModelService`.

Importing the operation modules fills :data:`.registry.OPERATIONS` (and the extension points of
:mod:`.hooks`); :func:`build` serves that registry behind the cognito-idp model's checks.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

from pyamplify.local.backend import Backend
from pyamplify.local.idp import (  # noqa: F401  (imported for their registrations)
    admin,
    auth,
    devices,
    domains,
    hooks,
    mfa,
    pool_mfa,
    pools,
    providers,
    resource_servers,
    user,
)
from pyamplify.local.idp.common import str_map
from pyamplify.local.idp.registry import OPERATIONS
from pyamplify.local.service.endpoints import ServiceRegistry
from pyamplify.local.service.model import idp_model
from pyamplify.local.service.registry import ModelService

IDP_TARGET_PREFIX = "AWSCognitoIdentityProviderService"
#: Unfinished sign-ins are kept an hour past expiry, so a late answer hears "Invalid session".
_SESSION_GRACE = 3600.0
_PURGE_INTERVAL = 60.0


class _SessionPurge:
    """Forgets expired sign-in state at most once a minute, before an operation runs: API
    sign-in Sessions, and the Hosted UI's codes, browser sessions and federation state (a
    long-running server otherwise keeps every one it ever issued)."""

    def __init__(self) -> None:
        self._last = 0.0

    def __call__(self, backend: Backend) -> None:
        now = backend.now()
        if abs(now - self._last) > _PURGE_INTERVAL:
            self._last = now
            backend.store.purge_sessions(now - _SESSION_GRACE)
            backend.store.purge_oauth(now - _SESSION_GRACE)


def _serving(operation: str, body: dict[str, Any]) -> AbstractContextManager[Any]:
    """Each operation's ClientMetadata, visible to the triggers Cognito passes it to."""
    return hooks.serving(operation, str_map(body, "ClientMetadata"))


def build(backend: Backend) -> ModelService:
    """The user-pool service of one local Cognito."""
    return ModelService(
        backend,
        model=idp_model(),
        registry=OPERATIONS,
        title="Cognito user pool",
        before_operation=_SessionPurge(),
        scope=_serving,
    )


def install(backend: Backend, registry: ServiceRegistry) -> None:
    """Serve user pools on this local Cognito."""
    registry.register_target(IDP_TARGET_PREFIX, build(backend))
