"""Helpers shared by the identity-pool and STS tests: signed-in users, identity pools, STS.

Not a test module (no ``test_`` prefix): plain functions over boto3 clients, used with the
``local_cognito`` / ``cognito_idp`` / ``new_user_pool`` / ``new_user`` fixtures of
``tests/conftest.py``. ``tests/local/conftest.py`` turns :func:`installed_clock` and
:func:`identity_client` into the ``clock`` and ``cognito_identity`` fixtures (importing
fixtures into each module would shadow names).
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from conftest import PoolClient, boto3_client
from pyamplify.local import LocalCognito
from pyamplify.local.clock import ManualClock

REGION = "us-east-1"
PASSWORD = "Correct-Horse-9-battery"
AUTH_ROLE = "arn:aws:iam::123456789012:role/CognitoAuthenticated"
UNAUTH_ROLE = "arn:aws:iam::123456789012:role/CognitoUnauthenticated"


def provider_name(pool_id: str) -> str:
    """The Logins key / ProviderName of a user pool."""
    return f"cognito-idp.{REGION}.amazonaws.com/{pool_id}"


@dataclass(frozen=True)
class SignedIn:
    """A confirmed user of a fresh pool, signed in with USER_PASSWORD_AUTH."""

    pool: PoolClient
    username: str
    id_token: str = field(repr=False)
    access_token: str = field(repr=False)

    @property
    def provider(self) -> str:
        """The Logins key of the user's pool."""
        return provider_name(self.pool.pool_id)

    @property
    def logins(self) -> dict[str, str]:
        """``{provider: id token}``, the Logins map for this user."""
        return {self.provider: self.id_token}


def sign_in(cognito_idp: Any, pool: PoolClient, username: str) -> SignedIn:
    """Sign ``username`` in to ``pool`` and keep the tokens."""
    result = cognito_idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    return SignedIn(pool, username, result["IdToken"], result["AccessToken"])


def new_signed_in(
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
    *,
    pool: PoolClient | None = None,
    pool_settings: dict[str, Any] | None = None,
    attributes: dict[str, str] | None = None,
    groups: Iterable[tuple[str, str | None, int | None]] = (),
) -> SignedIn:
    """A new user (in ``pool`` or a new pool), in ``groups`` (name, role ARN, precedence)."""
    pool = pool or new_user_pool(pool=pool_settings)
    username = f"user-{secrets.token_hex(4)}"
    new_user(pool.pool_id, username, PASSWORD, attributes)
    for name, role_arn, precedence in groups:
        group: dict[str, Any] = {"UserPoolId": pool.pool_id, "GroupName": name}
        if role_arn:
            group["RoleArn"] = role_arn
        if precedence is not None:
            group["Precedence"] = precedence
        with contextlib.suppress(cognito_idp.exceptions.GroupExistsException):
            cognito_idp.create_group(**group)
        cognito_idp.admin_add_user_to_group(
            UserPoolId=pool.pool_id, Username=username, GroupName=name
        )
    return sign_in(cognito_idp, pool, username)


def new_identity_pool(
    cognito_identity: Any,
    pools: Iterable[PoolClient],
    *,
    guests: bool = True,
    server_side_check: bool = False,
    tags: dict[str, str] | None = None,
    roles: dict[str, str] | None = None,
    role_mappings: dict[str, Any] | None = None,
) -> str:
    """An identity pool attached to ``pools``' clients, with the default roles set."""
    created = cognito_identity.create_identity_pool(
        IdentityPoolName=f"ids_{secrets.token_hex(4)}",
        AllowUnauthenticatedIdentities=guests,
        CognitoIdentityProviders=[
            {
                "ProviderName": provider_name(pool.pool_id),
                "ClientId": pool.client_id,
                "ServerSideTokenCheck": server_side_check,
            }
            for pool in pools
        ],
        IdentityPoolTags=tags or {},
    )
    pool_id: str = created["IdentityPoolId"]
    roles = {"authenticated": AUTH_ROLE, "unauthenticated": UNAUTH_ROLE} if roles is None else roles
    kwargs: dict[str, Any] = {"IdentityPoolId": pool_id, "Roles": roles}
    if role_mappings:
        kwargs["RoleMappings"] = role_mappings
    cognito_identity.set_identity_pool_roles(**kwargs)
    return pool_id


def sts_client(url: str, credentials: dict[str, Any], **changes: str) -> Any:
    """A boto3 STS client at ``url`` signing with minted ``credentials`` (optionally altered)."""
    import boto3

    session = boto3.Session(
        aws_access_key_id=changes.get("access_key", credentials["AccessKeyId"]),
        aws_secret_access_key=changes.get("secret_key", credentials["SecretKey"]),
        aws_session_token=changes.get("session_token", credentials["SessionToken"]),
        region_name=REGION,
    )
    from botocore.config import Config

    return session.client(
        "sts", endpoint_url=url, config=Config(retries={"max_attempts": 1, "mode": "standard"})
    )


def installed_clock(local_cognito: LocalCognito) -> Iterator[ManualClock]:
    """Body of a ``clock`` fixture: a manual clock at the real time, for one test."""
    manual = ManualClock()
    previous = local_cognito.clock
    local_cognito.clock = manual
    yield manual
    local_cognito.clock = previous


def identity_client(local_cognito: LocalCognito) -> Any:
    """A boto3 ``cognito-identity`` client (dummy credentials) for ``local_cognito``."""
    return boto3_client("cognito-identity", local_cognito.url, local_cognito.region)
