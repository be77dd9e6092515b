"""Which refresh call an endpoint answers, remembered per endpoint for the process.

Amplify's libraries refresh with ``GetTokensFromRefreshToken``; Cognito stand-ins that teams
run (moto's server, older emulators) do not implement it (moto answers HTTP 500 with an HTML
page). Against a *custom* endpoint (a configured ``Endpoint`` or an ``AWS_ENDPOINT_URL…``
override, never AWS's own) a refresh whose call is not understood is retried as
``InitiateAuth`` ``REFRESH_TOKEN_AUTH``, which every stand-in implements, and the endpoint is
remembered, so later refreshes go there at once. Only a fallback that *succeeds* is remembered;
if it fails too, the first error is raised (a transient fault stays transient: a proxy's one-off
500 must not end the session through a probe).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from pyamplify.errors import PyamplifyError
from pyamplify.wire.errors import (
    CognitoServerError,
    ProtocolError,
    UnsupportedOperationException,
)

_lock = threading.Lock()
_initiate_auth_endpoints: set[str] = set()


def lacks_operation(error: PyamplifyError) -> bool:
    """Whether ``error`` says the endpoint does not implement the operation called (as opposed
    to Cognito refusing or failing it): no Cognito error code in a 5xx, an answer that is not
    the protocol, or an unknown/unsupported operation."""
    if isinstance(error, CognitoServerError) and error.code.startswith("HTTP"):
        return True
    if isinstance(error, ProtocolError | UnsupportedOperationException):
        return True
    return getattr(error, "code", "") in ("UnknownOperationException", "InvalidAction")


@dataclass(frozen=True)
class RefreshFallback:
    """The fallback for one custom endpoint: whether it is known to need it, and remembering."""

    endpoint: str

    @property
    def _key(self) -> str:
        return self.endpoint.rstrip("/").lower()

    @property
    def known(self) -> bool:
        """Whether this endpoint already answered ``REFRESH_TOKEN_AUTH`` instead."""
        with _lock:
            return self._key in _initiate_auth_endpoints

    def remember(self) -> None:
        """Refresh through ``InitiateAuth`` at this endpoint from now on (this process)."""
        with _lock:
            _initiate_auth_endpoints.add(self._key)

    def forget(self) -> None:
        """Try ``GetTokensFromRefreshToken`` again (tests; an endpoint that was upgraded)."""
        with _lock:
            _initiate_auth_endpoints.discard(self._key)
