"""Pools, clients, identity pools and users on a local Cognito, made through the Cognito API.

Everything here talks to a running local Cognito over HTTP with SigV4-signed JSON calls from
:mod:`pyamplify.wire` (the way boto3 would make them), so it needs only the core install and
works as well against ``pyamplify local start`` in another process. The demo and the pytest
fixtures (:mod:`pyamplify.local.testing.plugin`) are built on it. Only the standard library is
imported at import time: the pytest plugin imports this module in every pytest run.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from pyamplify.config import AuthConfig
    from pyamplify.wire.transport import SyncTransport

#: Dummy IAM credentials for the local Cognito's management calls (it accepts any).
LOCAL_ACCESS_KEY = "AKIDLOCALDEMO"
LOCAL_SECRET_KEY = "local-demo-secret"

#: The roles identity pools made here hand out (the local STS names them in its answers).
AUTH_ROLE_ARN = "arn:aws:iam::123456789012:role/pyamplify-demo-authenticated"
UNAUTH_ROLE_ARN = "arn:aws:iam::123456789012:role/pyamplify-demo-guest"

#: The password of :func:`~pyamplify.local.testing.plugin.cognito_user` unless a test picks one
#: (it satisfies Cognito's default password policy).
DEFAULT_PASSWORD = "Test-Passw0rd!"

MFA_MODES = ("OFF", "ON", "OPTIONAL")


class LocalPool(NamedTuple):
    """A user pool and app client created on a local Cognito, and its configuration.

    ``config`` is what an app would load (``Auth(pool.config)``); with an identity pool it
    names that too. ``mfa`` is the pool's MFA mode (the pools made here offer TOTP as factor).
    """

    pool_id: str
    client_id: str
    client_secret: str | None
    config: AuthConfig
    identity_pool_id: str | None = None
    mfa: str = "OFF"

    def __repr__(self) -> str:
        secret = ", <client secret>" if self.client_secret else ""
        identity = f", identity_pool_id={self.identity_pool_id!r}" if self.identity_pool_id else ""
        return f"LocalPool({self.pool_id!r}, {self.client_id!r}{secret}{identity})"


def _no_attributes() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True)
class CognitoUser:
    """A confirmed user of a local pool with a known password (and TOTP secret, when enrolled).

    ``clock`` is the server's clock, so :meth:`totp_code` gives the code the local Cognito
    expects even when a test has moved its clock.
    """

    username: str
    password: str = field(repr=False)
    attributes: Mapping[str, str] = field(default_factory=_no_attributes)
    sub: str = ""
    totp_secret: str | None = field(default=None, repr=False)
    clock: Callable[[], float] = field(default=time.time, repr=False, compare=False)

    def totp_code(self, at: float | None = None) -> str:
        """The authenticator-app code for this user's software token, at ``at`` or now."""
        if self.totp_secret is None:
            raise ValueError(f"{self.username} has no software token (see cognito_user's totp)")
        from pyamplify.local.idp.totp import code_at

        return code_at(self.totp_secret, self.clock() if at is None else at)


class LocalAdmin:
    """Management calls to one local Cognito over one pooled connection (SigV4, dummy keys)."""

    def __init__(self, url: str, *, region: str = "us-east-1") -> None:
        self.url = url
        self.region = region
        self._transport: SyncTransport | None = None

    def send(self, operation: str, payload: Mapping[str, Any], *, identity: bool = False) -> Any:
        """One user-pool (or, with ``identity``, identity-pool) operation; its JSON answer."""
        from pyamplify.wire.call import identity_call, idp

        if self._transport is None:
            from pyamplify.wire.sigv4 import AwsCredentials
            from pyamplify.wire.transport import Signer, SyncTransport

            signer = Signer(AwsCredentials(LOCAL_ACCESS_KEY, LOCAL_SECRET_KEY), self.region)
            self._transport = SyncTransport(self.url, signer=signer)
        call = identity_call(operation, payload) if identity else idp(operation, payload)
        return self._transport.send(call)

    def create_pool(
        self,
        *,
        name: str = "pyamplify-demo",
        client_secret: bool = False,
        access_token_minutes: int = 60,
        mfa: str = "OFF",
        extra_pool: Mapping[str, Any] | None = None,
        extra_client: Mapping[str, Any] | None = None,
    ) -> LocalPool:
        """A pool (email auto-verified) and an SRP/password/refresh client with revocation on.

        ``mfa`` ``"ON"`` or ``"OPTIONAL"`` turns MFA on with TOTP (software tokens) as factor.
        """
        if mfa not in MFA_MODES:
            raise ValueError(f"mfa must be one of {', '.join(MFA_MODES)}, not {mfa!r}")
        from pyamplify.config import AuthConfig, UserPoolConfig

        pool = self.send(
            "CreateUserPool",
            {"PoolName": name, "AutoVerifiedAttributes": ["email"], **(extra_pool or {})},
        )["UserPool"]
        client = self.send(
            "CreateUserPoolClient",
            {
                "UserPoolId": pool["Id"],
                "ClientName": f"{name}-app",
                "GenerateSecret": client_secret,
                "ExplicitAuthFlows": [
                    "ALLOW_USER_SRP_AUTH",
                    "ALLOW_USER_PASSWORD_AUTH",
                    "ALLOW_REFRESH_TOKEN_AUTH",
                ],
                "AccessTokenValidity": access_token_minutes,
                "IdTokenValidity": access_token_minutes,
                "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes"},
                "EnableTokenRevocation": True,
                **(extra_client or {}),
            },
        )["UserPoolClient"]
        if mfa != "OFF":
            self.send(
                "SetUserPoolMfaConfig",
                {
                    "UserPoolId": pool["Id"],
                    "MfaConfiguration": mfa,
                    "SoftwareTokenMfaConfiguration": {"Enabled": True},
                },
            )
        secret = client.get("ClientSecret")
        config = AuthConfig(
            user_pool=UserPoolConfig(
                pool_id=pool["Id"],
                app_client_id=client["ClientId"],
                region=self.region,
                app_client_secret=secret,
                endpoint=self.url,
            )
        )
        return LocalPool(pool["Id"], client["ClientId"], secret, config, mfa=mfa)

    def add_identity_pool(
        self,
        pool: LocalPool,
        *,
        allow_guests: bool = True,
        credentials_ttl: int | None = None,
        name: str = "pyamplify_demo_ids",
    ) -> LocalPool:
        """``pool`` with an identity pool for its client (authenticated and guest roles).

        ``credentials_ttl`` is the local Cognito's test tag for short-lived AWS credentials.
        """
        from pyamplify.config import IdentityPoolConfig

        region = pool.config.user_pool.region if pool.config.user_pool else self.region
        tags = {"pyamplify:credentials-ttl": str(credentials_ttl)} if credentials_ttl else {}
        created = self.send(
            "CreateIdentityPool",
            {
                "IdentityPoolName": name,
                "AllowUnauthenticatedIdentities": allow_guests,
                "CognitoIdentityProviders": [
                    {
                        "ProviderName": f"cognito-idp.{region}.amazonaws.com/{pool.pool_id}",
                        "ClientId": pool.client_id,
                        "ServerSideTokenCheck": True,
                    }
                ],
                "IdentityPoolTags": tags,
            },
            identity=True,
        )
        identity_pool_id = str(created["IdentityPoolId"])
        self.send(
            "SetIdentityPoolRoles",
            {
                "IdentityPoolId": identity_pool_id,
                "Roles": {"authenticated": AUTH_ROLE_ARN, "unauthenticated": UNAUTH_ROLE_ARN},
            },
            identity=True,
        )
        config = replace(
            pool.config,
            identity_pool=IdentityPoolConfig(
                pool_id=identity_pool_id, region=region, endpoint=self.url
            ),
        )
        return pool._replace(identity_pool_id=identity_pool_id, config=config)

    def create_user(
        self,
        pool: LocalPool,
        username: str,
        password: str = DEFAULT_PASSWORD,
        attributes: Mapping[str, str] | None = None,
    ) -> CognitoUser:
        """A CONFIRMED user (no message sent) with a permanent password.

        An ``email`` or ``phone_number`` given is marked verified unless ``attributes`` says.
        """
        given = dict(attributes or {})
        for name in ("email", "phone_number"):
            if name in given:
                given.setdefault(f"{name}_verified", "true")
        created = self.send(
            "AdminCreateUser",
            {
                "UserPoolId": pool.pool_id,
                "Username": username,
                "MessageAction": "SUPPRESS",
                "UserAttributes": [{"Name": key, "Value": value} for key, value in given.items()],
            },
        )["User"]
        self.send(
            "AdminSetUserPassword",
            {
                "UserPoolId": pool.pool_id,
                "Username": username,
                "Password": password,
                "Permanent": True,
            },
        )
        sub = next((a["Value"] for a in created.get("Attributes", []) if a["Name"] == "sub"), "")
        return CognitoUser(username, password, MappingProxyType(given), sub)

    def delete_pool(self, pool: LocalPool) -> None:
        """Delete the pool and its identity pool; ones already gone are fine."""
        from pyamplify.wire.errors import ResourceNotFoundException

        if pool.identity_pool_id is not None:
            with contextlib.suppress(ResourceNotFoundException):
                self.send(
                    "DeleteIdentityPool", {"IdentityPoolId": pool.identity_pool_id}, identity=True
                )
        with contextlib.suppress(ResourceNotFoundException):
            self.send("DeleteUserPool", {"UserPoolId": pool.pool_id})

    def close(self) -> None:
        """Close the connection."""
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    def __enter__(self) -> LocalAdmin:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def provision_pool(
    url: str,
    *,
    region: str = "us-east-1",
    name: str = "pyamplify-demo",
    client_secret: bool = False,
    access_token_minutes: int = 60,
    extra_pool: dict[str, Any] | None = None,
    extra_client: dict[str, Any] | None = None,
) -> LocalPool:
    """Create a pool (email auto-verified) and an SRP/password/refresh client on ``url``."""
    with LocalAdmin(url, region=region) as admin:
        return admin.create_pool(
            name=name,
            client_secret=client_secret,
            access_token_minutes=access_token_minutes,
            extra_pool=extra_pool,
            extra_client=extra_client,
        )


def provision_identity_pool(
    url: str,
    pool: LocalPool,
    *,
    allow_guests: bool = True,
    credentials_ttl: int | None = None,
    name: str = "pyamplify_demo_ids",
) -> tuple[str, AuthConfig]:
    """Create an identity pool for ``pool``'s client with authenticated and guest roles
    (``credentials_ttl``: the local Cognito's test tag for short-lived credentials); returns
    its id and ``pool.config`` with the identity pool added."""
    region = pool.config.user_pool.region if pool.config.user_pool else "us-east-1"
    with LocalAdmin(url, region=region) as admin:
        with_identity = admin.add_identity_pool(
            pool, allow_guests=allow_guests, credentials_ttl=credentials_ttl, name=name
        )
    assert with_identity.identity_pool_id is not None
    return with_identity.identity_pool_id, with_identity.config


def provision_user(
    url: str,
    pool: LocalPool,
    username: str,
    password: str = DEFAULT_PASSWORD,
    attributes: Mapping[str, str] | None = None,
) -> CognitoUser:
    """Create a CONFIRMED user with a permanent password in ``pool`` on ``url``."""
    region = pool.config.user_pool.region if pool.config.user_pool else "us-east-1"
    with LocalAdmin(url, region=region) as admin:
        return admin.create_user(pool, username, password, attributes)
