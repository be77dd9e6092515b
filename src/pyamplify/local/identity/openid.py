"""The OpenID token of GetOpenIdToken and the keys that verify it.

On AWS the token is what Cognito hands to STS AssumeRoleWithWebIdentity: issuer
``https://cognito-identity.amazonaws.com``, ``sub`` = the identity id, ``aud`` = the identity
pool id, and a multi-valued ``amr``: ``unauthenticated`` for a guest, or ``authenticated``
plus each login's provider name and ``<provider>:CognitoSignIn:<sub>`` for a signed-in
identity (DG "Role trust and permissions"). It is valid for ten minutes.

Here it is an RS256 JWT signed with one key the local Cognito keeps for the whole identity
service (stored with the user pools' keys under the reserved owner ``cognito-identity``), and
served as a JWKS at ``GET /.well-known/jwks_uri`` with an OpenID discovery document at
``GET /.well-known/openid-configuration``, the paths cognito-identity.amazonaws.com uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from pyamplify.local.backend import Backend
from pyamplify.local.identity.logins import Login
from pyamplify.local.signing import sign_jwt

ISSUER = "https://cognito-identity.amazonaws.com"
TOKEN_LIFETIME = 600
_KEY_OWNER = "cognito-identity"
_KEY_PURPOSE = "openid"


def amr(logins: Sequence[Login]) -> list[str]:
    """The token's ``amr`` claim for an identity with these logins."""
    if not logins:
        return ["unauthenticated"]
    values = ["authenticated"]
    for login in logins:
        values.append(login.provider)
        values.append(f"{login.provider}:CognitoSignIn:{login.subject}")
    return values


def issue_open_id_token(
    backend: Backend, *, identity_id: str, pool_id: str, logins: Sequence[Login]
) -> str:
    """A signed OpenID token for ``identity_id`` in ``pool_id``."""
    now = int(backend.now())
    claims: dict[str, Any] = {
        "sub": identity_id,
        "aud": pool_id,
        "amr": amr(logins),
        "iss": ISSUER,
        "exp": now + TOKEN_LIFETIME,
        "iat": now,
    }
    return sign_jwt(backend.keys.key(_KEY_OWNER, _KEY_PURPOSE), claims)


def routes(backend: Backend) -> list[BaseRoute]:
    """The JWKS and discovery document of the OpenID tokens."""

    async def jwks(request: Request) -> Response:
        return JSONResponse({"keys": [backend.keys.key(_KEY_OWNER, _KEY_PURPOSE).jwk()]})

    async def discovery(request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": ISSUER,
                "jwks_uri": f"{backend.base_url}/.well-known/jwks_uri",
                "response_types_supported": ["id_token"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "claims_supported": ["sub", "aud", "amr", "iss", "exp", "iat"],
            }
        )

    return [
        Route("/.well-known/jwks_uri", jwks, methods=["GET"]),
        Route("/.well-known/openid-configuration", discovery, methods=["GET"]),
    ]
