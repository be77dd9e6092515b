"""Identity pools (``AWSCognitoIdentityService.<Op>``) on the local Cognito's port.

:func:`install` registers the JSON 1.1 target (a
:class:`~pyamplify.local.service.registry.ModelService` over botocore's cognito-identity model,
so requests get the same checks as user pools) and the OpenID token keys.

Identities: GetId with no Logins makes a new guest identity (when the pool allows guests);
with Logins it returns the identity the logins are linked to, or a new one, and links any
login not linked yet. GetCredentialsForIdentity and GetOpenIdToken accept the logins of the
identity (a guest given logins becomes signed in, or is merged into the identity those logins
already belong to, whose id is then returned).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.identity import errors as identity_errors
from pyamplify.local.identity import openid as identity_openid
from pyamplify.local.identity.credentials import TTL_TAG, credentials_ttl, mint, parse_ttl
from pyamplify.local.identity.logins import Login, validate_logins
from pyamplify.local.identity.roles import check_roles, resolve_role
from pyamplify.local.service.endpoints import ServiceRegistry
from pyamplify.local.service.model import identity_model
from pyamplify.local.service.registry import ModelService, OperationRegistry
from pyamplify.local.store.identity import (
    IdentityRecord,
    IdentityStore,
    page_start,
    page_token,
)

IDENTITY_TARGET_PREFIX = "AWSCognitoIdentityService"
OPERATIONS = OperationRegistry("cognito-identity")
_OPTIONAL_POOL_MEMBERS = (
    "SupportedLoginProviders",
    "DeveloperProviderName",
    "OpenIdConnectProviderARNs",
    "SamlProviderARNs",
)


class IdentityPools:
    """The identity-pool operations over one local Cognito's backend."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.store = IdentityStore(backend.store)

    # ------------------------------------------------------------------ lookups

    def pool_or_error(self, pool_id: str) -> dict[str, Any]:
        """The pool, or Cognito's ResourceNotFoundException."""
        pool = self.store.get_pool(pool_id)
        if pool is None:
            raise errors.ResourceNotFoundException(identity_errors.pool_not_found(pool_id))
        return pool

    def identity_or_error(self, identity_id: str) -> IdentityRecord:
        """The identity, or Cognito's ResourceNotFoundException."""
        identity = self.store.get_identity(identity_id)
        if identity is None or self.store.get_pool(identity.pool_id) is None:
            raise errors.ResourceNotFoundException(identity_errors.identity_not_found(identity_id))
        return identity

    def new_id(self) -> str:
        """``<region>:<uuid>``, the form of identity pool and identity ids."""
        return f"{self.backend.region}:{uuid.uuid4()}"

    # ------------------------------------------------------------------ pools

    def _pool_config(
        self, pool_id: str, body: dict[str, Any], tags: dict[str, str]
    ) -> dict[str, Any]:
        providers = []
        seen: set[tuple[str, str]] = set()
        for index, provider in enumerate(body.get("CognitoIdentityProviders") or [], start=1):
            name, client_id = provider.get("ProviderName"), provider.get("ClientId")
            if not name or not client_id:
                raise errors.InvalidParameterException(
                    f"CognitoIdentityProviders[{index}] needs both ProviderName "
                    "('cognito-idp.<region>.amazonaws.com/<userPoolId>') and ClientId."
                )
            if not name.startswith("cognito-idp.") or "/" not in name:
                raise errors.InvalidParameterException(
                    f"CognitoIdentityProviders[{index}].ProviderName {name!r} is not of the form "
                    "'cognito-idp.<region>.amazonaws.com/<userPoolId>'."
                )
            if (name, client_id) in seen:
                raise errors.InvalidParameterException(
                    f"CognitoIdentityProviders lists {name} with client {client_id} twice."
                )
            seen.add((name, client_id))
            providers.append(
                {
                    "ProviderName": name,
                    "ClientId": client_id,
                    "ServerSideTokenCheck": bool(provider.get("ServerSideTokenCheck", False)),
                }
            )
        if TTL_TAG in tags:
            parse_ttl(tags[TTL_TAG], f"The tag {TTL_TAG}")
        config: dict[str, Any] = {
            "IdentityPoolId": pool_id,
            "IdentityPoolName": body["IdentityPoolName"],
            "AllowUnauthenticatedIdentities": bool(body["AllowUnauthenticatedIdentities"]),
            "AllowClassicFlow": bool(body.get("AllowClassicFlow", False)),
        }
        for member in _OPTIONAL_POOL_MEMBERS:
            if body.get(member) is not None:
                config[member] = body[member]
        if "CognitoIdentityProviders" in body:
            config["CognitoIdentityProviders"] = providers
        config["IdentityPoolTags"] = tags
        return config

    # ------------------------------------------------------------------ identities

    def _link_new(self, identity: IdentityRecord, logins: Sequence[Login], now: float) -> None:
        """Link the logins not linked yet; one subject per provider and identity."""
        linked = dict(identity.logins)
        for login in logins:
            if self.store.owner_of(identity.pool_id, login.provider, login.subject) is not None:
                continue
            if login.provider in linked and linked[login.provider] != login.subject:
                raise identity_errors.ResourceConflictException(
                    f"This identity already has a different {login.provider} login; a second "
                    "login of the same provider cannot be linked to it."
                )
            self.store.link(
                identity.identity_id, identity.pool_id, login.provider, login.subject, now
            )
            linked[login.provider] = login.subject

    def _owners(self, pool_id: str, logins: Sequence[Login]) -> set[str]:
        owners = {self.store.owner_of(pool_id, login.provider, login.subject) for login in logins}
        return {owner for owner in owners if owner is not None}

    def _authorize(
        self, body: dict[str, Any]
    ) -> tuple[IdentityRecord, dict[str, Any], list[Login]]:
        """Check an identity and its Logins; return the identity to use (after any merge)."""
        identity = self.identity_or_error(body["IdentityId"])
        pool = self.pool_or_error(identity.pool_id)
        logins = validate_logins(self.backend, pool, body.get("Logins"))
        if not logins:
            if identity.authenticated:
                raise errors.NotAuthorizedException(
                    identity_errors.identity_forbidden(identity.identity_id)
                )
            if not pool["AllowUnauthenticatedIdentities"]:
                raise errors.NotAuthorizedException(identity_errors.NO_GUESTS)
            return identity, pool, []
        now = self.backend.now()
        with self.store.store.transaction():
            owners = self._owners(identity.pool_id, logins)
            others = owners - {identity.identity_id}
            if others:
                if identity.authenticated or len(others) > 1:
                    raise errors.NotAuthorizedException(identity_errors.LOGINS_DONT_MATCH)
                target = others.pop()
                self.store.merge_into(identity.identity_id, target)
                merged = self.store.get_identity(target)
                assert merged is not None
                identity = merged
            elif identity.authenticated and not owners:
                raise errors.NotAuthorizedException(identity_errors.LOGINS_DONT_MATCH)
            self._link_new(identity, logins, now)
            refreshed = self.store.get_identity(identity.identity_id)
            assert refreshed is not None
        return refreshed, pool, logins


@OPERATIONS.operation("CreateIdentityPool")
def create_identity_pool(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """CreateIdentityPool."""
    ctx = IdentityPools(backend)
    config = ctx._pool_config(ctx.new_id(), body, dict(body.get("IdentityPoolTags") or {}))
    ctx.store.put_pool(config, backend.now())
    return config


@OPERATIONS.operation("DescribeIdentityPool")
def describe_identity_pool(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """DescribeIdentityPool."""
    ctx = IdentityPools(backend)
    return ctx.pool_or_error(body["IdentityPoolId"])


@OPERATIONS.operation("UpdateIdentityPool")
def update_identity_pool(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """UpdateIdentityPool: settings left out go back to their defaults; tags are kept."""
    ctx = IdentityPools(backend)
    current = ctx.pool_or_error(body["IdentityPoolId"])
    tags = body.get("IdentityPoolTags")
    config = ctx._pool_config(
        current["IdentityPoolId"],
        body,
        dict(tags) if tags is not None else dict(current.get("IdentityPoolTags") or {}),
    )
    ctx.store.put_pool(config, backend.now())
    return config


@OPERATIONS.operation("DeleteIdentityPool")
def delete_identity_pool(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """DeleteIdentityPool (its identities go with it)."""
    ctx = IdentityPools(backend)
    pool = ctx.pool_or_error(body["IdentityPoolId"])
    ctx.store.delete_pool(pool["IdentityPoolId"])
    return {}


@OPERATIONS.operation("ListIdentityPools")
def list_identity_pools(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """ListIdentityPools, ordered by id, paginated with NextToken."""
    ctx = IdentityPools(backend)
    pools, more = ctx.store.list_pools(_resume_after(body), int(body["MaxResults"]))
    result: dict[str, Any] = {
        "IdentityPools": [
            {"IdentityPoolId": p["IdentityPoolId"], "IdentityPoolName": p["IdentityPoolName"]}
            for p in pools
        ]
    }
    if more and pools:
        result["NextToken"] = page_token(pools[-1]["IdentityPoolId"])
    return result


@OPERATIONS.operation("SetIdentityPoolRoles")
def set_identity_pool_roles(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """SetIdentityPoolRoles: the default roles and the per-provider role mappings."""
    ctx = IdentityPools(backend)
    pool = ctx.pool_or_error(body["IdentityPoolId"])
    roles = dict(body.get("Roles") or {})
    mappings = body.get("RoleMappings")
    check_roles(roles, mappings, pool)
    settings: dict[str, Any] = {"Roles": roles}
    if mappings:
        settings["RoleMappings"] = mappings
    ctx.store.set_roles(pool["IdentityPoolId"], settings, backend.now())
    return {}


@OPERATIONS.operation("GetIdentityPoolRoles")
def get_identity_pool_roles(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """GetIdentityPoolRoles."""
    ctx = IdentityPools(backend)
    pool = ctx.pool_or_error(body["IdentityPoolId"])
    settings = ctx.store.get_roles(pool["IdentityPoolId"])
    result: dict[str, Any] = {
        "IdentityPoolId": pool["IdentityPoolId"],
        "Roles": settings.get("Roles") or {},
    }
    if settings.get("RoleMappings"):
        result["RoleMappings"] = settings["RoleMappings"]
    return result


@OPERATIONS.operation("GetId")
def get_id(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """GetId: the identity of these logins (made on first use), or a new guest."""
    ctx = IdentityPools(backend)
    pool = ctx.pool_or_error(body["IdentityPoolId"])
    pool_id = pool["IdentityPoolId"]
    logins = validate_logins(backend, pool, body.get("Logins"))
    now = backend.now()
    with ctx.store.store.transaction():
        if not logins:
            if not pool["AllowUnauthenticatedIdentities"]:
                raise errors.NotAuthorizedException(identity_errors.NO_GUESTS)
            identity_id = ctx.new_id()
            ctx.store.create_identity(identity_id, pool_id, now)
            return {"IdentityId": identity_id}
        owners = ctx._owners(pool_id, logins)
        if len(owners) > 1:
            raise identity_errors.ResourceConflictException(
                "These logins are linked to different identities of this identity pool; "
                "send the logins of one identity."
            )
        if owners:
            identity_id = owners.pop()
        else:
            identity_id = ctx.new_id()
            ctx.store.create_identity(identity_id, pool_id, now)
        identity = ctx.store.get_identity(identity_id)
        assert identity is not None
        ctx._link_new(identity, logins, now)
    return {"IdentityId": identity_id}


@OPERATIONS.operation("GetCredentialsForIdentity")
def get_credentials_for_identity(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """GetCredentialsForIdentity: resolve the role, mint STS-shaped credentials."""
    ctx = IdentityPools(backend)
    identity, pool, logins = ctx._authorize(body)
    role_arn = resolve_role(
        ctx.store.get_roles(identity.pool_id), logins, body.get("CustomRoleArn")
    )
    credentials = mint(
        ctx.store,
        identity_id=identity.identity_id,
        pool_id=identity.pool_id,
        role_arn=role_arn,
        now=backend.now(),
        ttl=credentials_ttl(pool),
    )
    return {"IdentityId": identity.identity_id, "Credentials": credentials.as_wire()}


@OPERATIONS.operation("GetOpenIdToken")
def get_open_id_token(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """GetOpenIdToken: a signed OpenID token for the identity (ten minutes)."""
    ctx = IdentityPools(backend)
    identity, _pool, logins = ctx._authorize(body)
    token = identity_openid.issue_open_id_token(
        backend, identity_id=identity.identity_id, pool_id=identity.pool_id, logins=logins
    )
    return {"IdentityId": identity.identity_id, "Token": token}


@OPERATIONS.operation("DescribeIdentity")
def describe_identity(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """DescribeIdentity."""
    ctx = IdentityPools(backend)
    return _description(ctx.identity_or_error(body["IdentityId"]))


@OPERATIONS.operation("ListIdentities")
def list_identities(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """ListIdentities, ordered by id, paginated with NextToken."""
    ctx = IdentityPools(backend)
    pool = ctx.pool_or_error(body["IdentityPoolId"])
    identities, more = ctx.store.list_identities(
        pool["IdentityPoolId"], _resume_after(body), int(body["MaxResults"])
    )
    result: dict[str, Any] = {
        "IdentityPoolId": pool["IdentityPoolId"],
        "Identities": [_description(identity) for identity in identities],
    }
    if more and identities:
        result["NextToken"] = page_token(identities[-1].identity_id)
    return result


def _resume_after(body: dict[str, Any]) -> str | None:
    token = body.get("NextToken")
    if token is None:
        return None
    try:
        return page_start(str(token))
    except (ValueError, UnicodeDecodeError):
        raise errors.InvalidParameterException(
            "The NextToken is not valid; pass the NextToken of the previous page."
        ) from None


def _description(identity: IdentityRecord) -> dict[str, Any]:
    description: dict[str, Any] = {
        "IdentityId": identity.identity_id,
        "CreationDate": identity.created,
        "LastModifiedDate": identity.modified,
    }
    if identity.authenticated:
        description["Logins"] = identity.providers()
    return description


def build(backend: Backend) -> ModelService:
    """The identity-pool service of one local Cognito."""
    return ModelService(
        backend, model=identity_model(), registry=OPERATIONS, title="Cognito identity pool"
    )


def install(backend: Backend, registry: ServiceRegistry) -> None:
    """Serve identity pools and their OpenID keys on this local Cognito."""
    registry.register_target(IDENTITY_TARGET_PREFIX, build(backend))
    for route in identity_openid.routes(backend):
        registry.add_route(route)
