"""PreTokenGeneration V2_0: a ``tenant`` claim in both tokens and a scope in the access token.

The pool must name the function in ``LambdaConfig.PreTokenGenerationConfig`` with
``LambdaVersion: V2_0`` (the V1_0 event cannot touch the access token). The tenant is the
user's e-mail domain here; in real use it would come from your own records. The scope lets an
API authorise on ``tenant/<domain>`` without another lookup. Claims Cognito protects (``sub``,
``aud``, ``token_use``, ...) cannot be changed by any function, so none is tried.

Deploy it as a Lambda function with handler ``pre_token_v2.handler``. Standard library only.
"""

from __future__ import annotations

from typing import Any

#: The scope prefix added to the access token: ``tenant/<e-mail domain>``.
SCOPE_PREFIX = "tenant/"


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Add ``tenant`` to both tokens and ``tenant/<domain>`` to the access token's scopes."""
    email = event["request"]["userAttributes"].get("email", "")
    tenant = email.partition("@")[2].lower() or "none"
    event["response"]["claimsAndScopeOverrideDetails"] = {
        "idTokenGeneration": {"claimsToAddOrOverride": {"tenant": tenant}},
        "accessTokenGeneration": {
            "claimsToAddOrOverride": {"tenant": tenant},
            "scopesToAdd": [SCOPE_PREFIX + tenant],
        },
    }
    return event
