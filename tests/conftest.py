"""Shared fixtures: a local Cognito per test module and boto3 clients pointed at it.

The pyamplify pytest plugin (``pyamplify.local.testing.plugin``, installed with the package)
brings ``local_cognito``, ``user_pool``, ``cognito_user``, ``signed_in_auth`` and
``cognito_clock``. Here ``local_cognito`` is narrowed from the plugin's session scope to one
server per test module, built on the plugin's own :func:`serve_local_cognito` (same skip, same
clock guard): modules count the calls their server served (``calls`` / ``reset_calls``), read
its whole outbox, and some start their own server with a module-wide manual clock, so a
server shared by the whole session would let one module's traffic into another's assertions.
Tests in one module share the server, so each test makes its own pool (``user_pool`` or
``new_user_pool``) instead of relying on global state. boto3 is imported lazily so that modules
which do not use these fixtures stay fast.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from pyamplify.local.testing.plugin import serve_local_cognito

if TYPE_CHECKING:
    from pyamplify.local import LocalCognito

DUMMY_CREDENTIALS = {"aws_access_key_id": "AKIDLOCALTEST", "aws_secret_access_key": "local-secret"}


def boto3_client(service: str, url: str, region: str = "us-east-1") -> Any:
    """A boto3 client for ``service`` at ``url`` with dummy credentials and no retries."""
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        endpoint_url=url,
        region_name=region,
        # total_max_attempts 1: no retry. (botocore's max_attempts counts retries, so 1 there
        # would retry a 500 once and could hide a server error behind the retry's answer.)
        config=Config(retries={"total_max_attempts": 1, "mode": "standard"}),
        **DUMMY_CREDENTIALS,
    )


@dataclass(frozen=True)
class PoolClient:
    """A user pool and one app client made for a test."""

    pool_id: str
    client_id: str
    client_secret: str | None = None


@pytest.fixture(scope="session")
def make_boto3_client() -> Callable[..., Any]:
    """``make_boto3_client(service, url, region="us-east-1")``: boto3 with dummy credentials."""
    return boto3_client


@pytest.fixture(scope="session")
def aws_credentials() -> dict[str, str]:
    """The dummy credentials the boto3 fixtures use (``aws_access_key_id`` / ``..._secret...``)."""
    return dict(DUMMY_CREDENTIALS)


@pytest.fixture(scope="module")
def local_cognito(request: pytest.FixtureRequest) -> Iterator[LocalCognito]:
    """An ephemeral local Cognito on a free loopback port, shared by the test module."""
    yield from serve_local_cognito(request)


@pytest.fixture(scope="module")
def cognito_idp(local_cognito: LocalCognito) -> Any:
    """A boto3 ``cognito-idp`` client (us-east-1, dummy credentials) for ``local_cognito``."""
    return boto3_client("cognito-idp", local_cognito.url, local_cognito.region)


@pytest.fixture(scope="module")
def new_user_pool(cognito_idp: Any) -> Callable[..., PoolClient]:
    """Factory: ``new_user_pool(pool={...CreateUserPool kwargs}, client={...})``.

    The client allows SRP, password and refresh sign-in unless ``client`` says otherwise.
    """

    def make(
        pool: dict[str, Any] | None = None, client: dict[str, Any] | None = None
    ) -> PoolClient:
        pool_kwargs = {"PoolName": f"test-{secrets.token_hex(4)}", **(pool or {})}
        pool_id = cognito_idp.create_user_pool(**pool_kwargs)["UserPool"]["Id"]
        client_kwargs = {
            "UserPoolId": pool_id,
            "ClientName": "test-client",
            "ExplicitAuthFlows": [
                "ALLOW_USER_SRP_AUTH",
                "ALLOW_USER_PASSWORD_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH",
                "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            ],
            **(client or {}),
        }
        made = cognito_idp.create_user_pool_client(**client_kwargs)["UserPoolClient"]
        return PoolClient(pool_id, made["ClientId"], made.get("ClientSecret"))

    return make


@pytest.fixture(scope="module")
def new_user(cognito_idp: Any) -> Callable[..., str]:
    """Factory: ``new_user(pool_id, username, password, attributes={})`` -> a CONFIRMED user."""

    def make(
        pool_id: str, username: str, password: str, attributes: dict[str, str] | None = None
    ) -> str:
        cognito_idp.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            UserAttributes=[{"Name": k, "Value": v} for k, v in (attributes or {}).items()],
            MessageAction="SUPPRESS",
        )
        cognito_idp.admin_set_user_password(
            UserPoolId=pool_id, Username=username, Password=password, Permanent=True
        )
        return username

    return make
