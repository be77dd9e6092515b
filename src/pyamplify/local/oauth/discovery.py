"""A pool's OIDC discovery document: the endpoints of its domain on this local Cognito.

Served at ``<server>/<poolId>/.well-known/openid-configuration`` (the path AWS uses on
``cognito-idp.<region>.amazonaws.com``). The issuer stays the pool's token issuer; the other
endpoints are the pool's domain as this server serves it (``<server>/_domain/<domain>``, the
prefix domain before a custom one). A pool without a domain has no OAuth endpoints; the
document then points at ``<server>/_domain/<poolId>``, which answers 404, instead of leaving
keys out that OIDC clients require.
"""

from __future__ import annotations

from typing import Any

from pyamplify.local.backend import Backend
from pyamplify.local.idp.domains import pool_domains


def domain_base(backend: Backend, pool_id: str) -> str:
    """Where this server serves the pool's domain."""
    prefix, custom = pool_domains(backend, pool_id)
    return f"{backend.base_url}/_domain/{prefix or custom or pool_id}"


def openid_configuration(backend: Backend, pool_id: str) -> dict[str, Any]:
    """The discovery document (the members AWS publishes, plus PKCE's method)."""
    base = domain_base(backend, pool_id)
    return {
        "authorization_endpoint": f"{base}/oauth2/authorize",
        "code_challenge_methods_supported": ["S256"],
        "end_session_endpoint": f"{base}/logout",
        "id_token_signing_alg_values_supported": ["RS256"],
        "issuer": backend.issuer(pool_id),
        "jwks_uri": f"{backend.base_url}/{pool_id}/.well-known/jwks.json",
        "response_types_supported": ["code", "token"],
        "revocation_endpoint": f"{base}/oauth2/revoke",
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "subject_types_supported": ["public"],
        "token_endpoint": f"{base}/oauth2/token",
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "userinfo_endpoint": f"{base}/oauth2/userInfo",
    }
