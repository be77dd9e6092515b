"""Plain dicts shaped like boto3's Cognito responses, and an inventory over them.

Not a test module: the pure tests of the rules, the builder and the walk-through use these
instead of a server, so each rule's logic is checked in microseconds; the end-to-end tests
check the same rules against the local Cognito.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyamplify.provision.errors import AwsResourceNotFound
from pyamplify.provision.inventory import IdentityPool, PoolSummary, UserPool

REGION = "us-east-1"
AUTH_ROLE = "arn:aws:iam::123456789012:role/Authenticated"
UNAUTH_ROLE = "arn:aws:iam::123456789012:role/Unauthenticated"
TRIGGERS = {
    "DefineAuthChallenge": "arn:aws:lambda:us-east-1:123456789012:function:define",
    "CreateAuthChallenge": "arn:aws:lambda:us-east-1:123456789012:function:create",
    "VerifyAuthChallengeResponse": "arn:aws:lambda:us-east-1:123456789012:function:verify",
}
OAUTH = {
    "SupportedIdentityProviders": ["COGNITO"],
    "CallbackURLs": ["myapp://callback/"],
    "LogoutURLs": ["myapp://signout/"],
    "AllowedOAuthFlows": ["code"],
    "AllowedOAuthScopes": ["openid", "email"],
    "AllowedOAuthFlowsUserPoolClient": True,
}


def client(
    client_id: str, name: str | None = None, secret: str | None = None, **extra: Any
) -> dict[str, Any]:
    """A ``UserPoolClient`` dict."""
    shape: dict[str, Any] = {"ClientId": client_id, "ClientName": name or client_id}
    if secret:
        shape["ClientSecret"] = secret
    shape.update(extra)
    return shape


def pool(pool_id: str, name: str, clients: list[dict[str, Any]], **extra: Any) -> UserPool:
    """A ``UserPool`` from a ``DescribeUserPool`` dict and its clients."""
    return UserPool.from_description({"Id": pool_id, "Name": name, **extra}, clients)


def identity_pool(
    pool_id: str,
    name: str,
    providers: list[tuple[str, str | None]],
    allow_guests: bool = False,
) -> IdentityPool:
    """An ``IdentityPool`` naming ``(user pool id, client id)`` providers."""
    return IdentityPool.from_description(
        {
            "IdentityPoolId": pool_id,
            "IdentityPoolName": name,
            "AllowUnauthenticatedIdentities": allow_guests,
            "CognitoIdentityProviders": [
                {"ProviderName": f"cognito-idp.{REGION}.amazonaws.com/{up}", "ClientId": c}
                for up, c in providers
            ],
        }
    )


@dataclass
class DataInventory:
    """The walk-through's inventory over plain values (what AWS would have answered)."""

    pools: list[UserPool]
    identity: list[IdentityPool] = field(default_factory=list)
    role_map: dict[str, dict[str, str]] = field(default_factory=dict)
    region: str = REGION

    def user_pools(self) -> list[PoolSummary]:
        return sorted(
            (PoolSummary(p.pool_id, p.name) for p in self.pools), key=lambda s: s.label.lower()
        )

    def user_pool(self, pool_id: str) -> UserPool:
        for candidate in self.pools:
            if candidate.pool_id == pool_id:
                return candidate
        raise AwsResourceNotFound("not found", action="cognito-idp:DescribeUserPool")

    def identity_pools(self) -> list[IdentityPool]:
        return self.identity

    def roles(self, identity_pool_id: str) -> dict[str, str]:
        return self.role_map.get(
            identity_pool_id, {"authenticated": AUTH_ROLE, "unauthenticated": UNAUTH_ROLE}
        )
