"""A local Cognito: user pools with real SRP, real tokens and SQLite state (``pyamplify[local]``).

The client library never imports this package. Start one with ``pyamplify local start`` or, in
tests, ``with LocalCognito() as cognito: ...`` and point boto3 / Amplify at ``cognito.url``.
"""

from __future__ import annotations

from pyamplify.local.front.server import LocalCognito, LocalCognitoError

__all__ = ["LocalCognito", "LocalCognitoError"]
