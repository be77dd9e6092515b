"""A local Cognito: user pools with real SRP, real tokens and SQLite state (``pyamplify[local]``).

The client library never imports this package. Start one with ``pyamplify local start`` or, in
tests, ``with LocalCognito() as cognito: ...`` and point boto3 / Amplify at ``cognito.url``;
the pytest fixtures of :mod:`pyamplify.local.testing` do that for you.

``LocalCognito`` is imported on first use (PEP 562): the pytest plugin lives in this package and
is loaded by every pytest run of an environment with pyamplify in it, so importing the package
must not need (or spend time on) the server's dependencies, which only ``pyamplify[local]``
installs. Accessing ``LocalCognito`` without them raises ``ModuleNotFoundError``.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from pyamplify.local.front.server import LocalCognito, LocalCognitoError

__all__ = ["LocalCognito", "LocalCognitoError"]


def __getattr__(name: str) -> Any:
    """Import the server on first use of its names (see the module docstring)."""
    if name in __all__:
        from pyamplify.local.front import server

        return getattr(server, name)
    raise AttributeError(f"module 'pyamplify.local' has no attribute {name!r}")
