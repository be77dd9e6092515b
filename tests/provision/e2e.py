"""Helpers for the end-to-end provision tests: pools built through boto3, the CLI in-process.

Not a test module. Pools are made with the real boto3 clients against the module's local
Cognito (``tests/conftest.py``), exactly as a person would set them up in AWS.
"""

from __future__ import annotations

import io
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from pyamplify.cli.main import main

PASSWORD = "Corr3ct-Horse-Battery!"
AUTH_ROLE = "arn:aws:iam::123456789012:role/CognitoAuthenticated"
UNAUTH_ROLE = "arn:aws:iam::123456789012:role/CognitoUnauthenticated"
SRP_FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]

#: The ``cli`` fixture: ``cli(*argv, stdin="")`` -> (exit code, stdout, stderr).
Runner = Callable[..., tuple[int, str, str]]


@dataclass(frozen=True)
class Pool:
    """A user pool made for a test: its id and its app clients by name."""

    pool_id: str
    clients: dict[str, dict[str, Any]]

    def client_id(self, name: str) -> str:
        """The id of the client called ``name``."""
        return str(self.clients[name]["ClientId"])

    def secret(self, name: str) -> str | None:
        """The secret of the client called ``name`` (None: it has none)."""
        return self.clients[name].get("ClientSecret")


def make_pool(
    idp: Any,
    clients: dict[str, dict[str, Any]],
    *,
    name: str | None = None,
    domain: str | None = None,
    **pool_kwargs: Any,
) -> Pool:
    """CreateUserPool, then CreateUserPoolClient for each ``name: kwargs`` (and a domain)."""
    pool_name = name or f"pool-{secrets.token_hex(3)}"
    pool_id = idp.create_user_pool(PoolName=pool_name, **pool_kwargs)["UserPool"]["Id"]
    made = {}
    for client_name, kwargs in clients.items():
        request = {"ExplicitAuthFlows": SRP_FLOWS, **kwargs}
        made[client_name] = idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName=client_name, **request
        )["UserPoolClient"]
    if domain:
        idp.create_user_pool_domain(UserPoolId=pool_id, Domain=domain)
    return Pool(pool_id, made)


def make_user(idp: Any, pool_id: str, username: str = "alice") -> str:
    """A confirmed user with :data:`PASSWORD`."""
    idp.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS")
    idp.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True
    )
    return username


def make_identity_pool(
    identity: Any,
    providers: list[tuple[str, str | None]],
    *,
    guests: bool = False,
    roles: dict[str, str] | None = None,
    region: str = "us-east-1",
) -> str:
    """CreateIdentityPool with these (user pool, client) providers, then SetIdentityPoolRoles."""
    request: dict[str, Any] = {
        "IdentityPoolName": f"ids_{secrets.token_hex(3)}",
        "AllowUnauthenticatedIdentities": guests,
        "CognitoIdentityProviders": [
            {"ProviderName": f"cognito-idp.{region}.amazonaws.com/{pool_id}", "ClientId": client}
            if client
            else {"ProviderName": f"cognito-idp.{region}.amazonaws.com/{pool_id}"}
            for pool_id, client in providers
        ],
    }
    pool_id = identity.create_identity_pool(**request)["IdentityPoolId"]
    chosen = (
        {"authenticated": AUTH_ROLE, "unauthenticated": UNAUTH_ROLE} if roles is None else roles
    )
    if chosen:
        identity.set_identity_pool_roles(IdentityPoolId=pool_id, Roles=chosen)
    return str(pool_id)


def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *argv: str, stdin: str = ""
) -> tuple[int, str, str]:
    """Run ``pyamplify`` in-process with ``stdin`` (not a terminal, so no prompts)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


#: An app client set up for the Hosted UI (CreateUserPoolClient arguments).
OAUTH_CLIENT: dict[str, Any] = {
    "SupportedIdentityProviders": ["COGNITO"],
    "CallbackURLs": ["http://localhost:3000/callback", "myapp://callback/"],
    "LogoutURLs": ["http://localhost:3000/signout"],
    "AllowedOAuthFlows": ["code"],
    "AllowedOAuthScopes": ["openid", "email", "profile"],
    "AllowedOAuthFlowsUserPoolClient": True,
}
