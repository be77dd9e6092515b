"""Identity pools (``AWSCognitoIdentityService.<Op>``) on the local Cognito's port.

This module is an extension of the local Cognito (listed in ``app.EXTENSION_MODULES``): its
:func:`install` registers the JSON 1.1 target, the OpenID token keys and, through
:mod:`pyamplify.local.sts.service`, STS. Before an operation runs, requests are checked as the
user-pool service checks them: the operation must exist in botocore's cognito-identity model,
management operations must be SigV4-signed (any credentials: dev mode), and the body must fit
the model (Coral-worded ``InvalidParameterException``).

Identities: GetId with no Logins makes a new guest identity (when the pool allows guests);
with Logins it returns the identity the logins are linked to, or a new one, and links any
login not linked yet. GetCredentialsForIdentity and GetOpenIdToken accept the logins of the
identity (a guest given logins becomes signed in, or is merged into the identity those logins
already belong to, whose id is then returned).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.identity import errors as identity_errors
from pyamplify.local.identity import openid as identity_openid
from pyamplify.local.identity.credentials import TTL_TAG, credentials_ttl, mint, parse_ttl
from pyamplify.local.identity.logins import Login, validate_logins
from pyamplify.local.identity.roles import check_roles, resolve_role
from pyamplify.local.service.validation import load_model, unsigned_operations, validate_input
from pyamplify.local.store.identity import (
    IdentityRecord,
    IdentityStore,
    page_start,
    page_token,
)
from pyamplify.local.sts import service as sts

if TYPE_CHECKING:
    from pyamplify.local.front.app import RequestInfo, ServiceRegistry

IDENTITY_TARGET_PREFIX = "AWSCognitoIdentityService"
_FALLBACK_UNSIGNED = frozenset(
    {"GetId", "GetCredentialsForIdentity", "GetOpenIdToken", "UnlinkIdentity"}
)
#: Required members per operation, checked when botocore's model is not installed.
_FALLBACK_REQUIRED: dict[str, tuple[str, ...]] = {
    "CreateIdentityPool": ("IdentityPoolName", "AllowUnauthenticatedIdentities"),
    "DescribeIdentityPool": ("IdentityPoolId",),
    "UpdateIdentityPool": ("IdentityPoolId", "IdentityPoolName", "AllowUnauthenticatedIdentities"),
    "DeleteIdentityPool": ("IdentityPoolId",),
    "ListIdentityPools": ("MaxResults",),
    "SetIdentityPoolRoles": ("IdentityPoolId", "Roles"),
    "GetIdentityPoolRoles": ("IdentityPoolId",),
    "GetId": ("IdentityPoolId",),
    "GetCredentialsForIdentity": ("IdentityId",),
    "GetOpenIdToken": ("IdentityId",),
    "DescribeIdentity": ("IdentityId",),
    "ListIdentities": ("IdentityPoolId", "MaxResults"),
}
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

    def create_identity_pool(self, body: dict[str, Any]) -> dict[str, Any]:
        """CreateIdentityPool."""
        config = self._pool_config(self.new_id(), body, dict(body.get("IdentityPoolTags") or {}))
        self.store.put_pool(config, self.backend.now())
        return config

    def describe_identity_pool(self, body: dict[str, Any]) -> dict[str, Any]:
        """DescribeIdentityPool."""
        return self.pool_or_error(body["IdentityPoolId"])

    def update_identity_pool(self, body: dict[str, Any]) -> dict[str, Any]:
        """UpdateIdentityPool: settings left out go back to their defaults; tags are kept."""
        current = self.pool_or_error(body["IdentityPoolId"])
        tags = body.get("IdentityPoolTags")
        config = self._pool_config(
            current["IdentityPoolId"],
            body,
            dict(tags) if tags is not None else dict(current.get("IdentityPoolTags") or {}),
        )
        self.store.put_pool(config, self.backend.now())
        return config

    def delete_identity_pool(self, body: dict[str, Any]) -> dict[str, Any]:
        """DeleteIdentityPool (its identities go with it)."""
        pool = self.pool_or_error(body["IdentityPoolId"])
        self.store.delete_pool(pool["IdentityPoolId"])
        return {}

    def list_identity_pools(self, body: dict[str, Any]) -> dict[str, Any]:
        """ListIdentityPools, ordered by id, paginated with NextToken."""
        pools, more = self.store.list_pools(_resume_after(body), int(body["MaxResults"]))
        result: dict[str, Any] = {
            "IdentityPools": [
                {"IdentityPoolId": p["IdentityPoolId"], "IdentityPoolName": p["IdentityPoolName"]}
                for p in pools
            ]
        }
        if more and pools:
            result["NextToken"] = page_token(pools[-1]["IdentityPoolId"])
        return result

    def set_identity_pool_roles(self, body: dict[str, Any]) -> dict[str, Any]:
        """SetIdentityPoolRoles: the default roles and the per-provider role mappings."""
        pool = self.pool_or_error(body["IdentityPoolId"])
        roles = dict(body.get("Roles") or {})
        mappings = body.get("RoleMappings")
        check_roles(roles, mappings, pool)
        settings: dict[str, Any] = {"Roles": roles}
        if mappings:
            settings["RoleMappings"] = mappings
        self.store.set_roles(pool["IdentityPoolId"], settings, self.backend.now())
        return {}

    def get_identity_pool_roles(self, body: dict[str, Any]) -> dict[str, Any]:
        """GetIdentityPoolRoles."""
        pool = self.pool_or_error(body["IdentityPoolId"])
        settings = self.store.get_roles(pool["IdentityPoolId"])
        result: dict[str, Any] = {
            "IdentityPoolId": pool["IdentityPoolId"],
            "Roles": settings.get("Roles") or {},
        }
        if settings.get("RoleMappings"):
            result["RoleMappings"] = settings["RoleMappings"]
        return result

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

    def get_id(self, body: dict[str, Any]) -> dict[str, Any]:
        """GetId: the identity of these logins (made on first use), or a new guest."""
        pool = self.pool_or_error(body["IdentityPoolId"])
        pool_id = pool["IdentityPoolId"]
        logins = validate_logins(self.backend, pool, body.get("Logins"))
        now = self.backend.now()
        with self.store.store.transaction():
            if not logins:
                if not pool["AllowUnauthenticatedIdentities"]:
                    raise errors.NotAuthorizedException(identity_errors.NO_GUESTS)
                identity_id = self.new_id()
                self.store.create_identity(identity_id, pool_id, now)
                return {"IdentityId": identity_id}
            owners = self._owners(pool_id, logins)
            if len(owners) > 1:
                raise identity_errors.ResourceConflictException(
                    "These logins are linked to different identities of this identity pool; "
                    "send the logins of one identity."
                )
            if owners:
                identity_id = owners.pop()
            else:
                identity_id = self.new_id()
                self.store.create_identity(identity_id, pool_id, now)
            identity = self.store.get_identity(identity_id)
            assert identity is not None
            self._link_new(identity, logins, now)
        return {"IdentityId": identity_id}

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

    def get_credentials_for_identity(self, body: dict[str, Any]) -> dict[str, Any]:
        """GetCredentialsForIdentity: resolve the role, mint STS-shaped credentials."""
        identity, pool, logins = self._authorize(body)
        role_arn = resolve_role(
            self.store.get_roles(identity.pool_id), logins, body.get("CustomRoleArn")
        )
        credentials = mint(
            self.store,
            identity_id=identity.identity_id,
            pool_id=identity.pool_id,
            role_arn=role_arn,
            now=self.backend.now(),
            ttl=credentials_ttl(pool),
        )
        return {"IdentityId": identity.identity_id, "Credentials": credentials.as_wire()}

    def get_open_id_token(self, body: dict[str, Any]) -> dict[str, Any]:
        """GetOpenIdToken: a signed OpenID token for the identity (ten minutes)."""
        identity, _pool, logins = self._authorize(body)
        token = identity_openid.issue_open_id_token(
            self.backend, identity_id=identity.identity_id, pool_id=identity.pool_id, logins=logins
        )
        return {"IdentityId": identity.identity_id, "Token": token}

    def describe_identity(self, body: dict[str, Any]) -> dict[str, Any]:
        """DescribeIdentity."""
        return _description(self.identity_or_error(body["IdentityId"]))

    def list_identities(self, body: dict[str, Any]) -> dict[str, Any]:
        """ListIdentities, ordered by id, paginated with NextToken."""
        pool = self.pool_or_error(body["IdentityPoolId"])
        identities, more = self.store.list_identities(
            pool["IdentityPoolId"], _resume_after(body), int(body["MaxResults"])
        )
        result: dict[str, Any] = {
            "IdentityPoolId": pool["IdentityPoolId"],
            "Identities": [_description(identity) for identity in identities],
        }
        if more and identities:
            result["NextToken"] = page_token(identities[-1].identity_id)
        return result

    def operations(self) -> dict[str, Callable[[dict[str, Any]], dict[str, Any]]]:
        """The implemented operations by name."""
        return {
            "CreateIdentityPool": self.create_identity_pool,
            "DescribeIdentityPool": self.describe_identity_pool,
            "UpdateIdentityPool": self.update_identity_pool,
            "DeleteIdentityPool": self.delete_identity_pool,
            "ListIdentityPools": self.list_identity_pools,
            "SetIdentityPoolRoles": self.set_identity_pool_roles,
            "GetIdentityPoolRoles": self.get_identity_pool_roles,
            "GetId": self.get_id,
            "GetCredentialsForIdentity": self.get_credentials_for_identity,
            "GetOpenIdToken": self.get_open_id_token,
            "DescribeIdentity": self.describe_identity,
            "ListIdentities": self.list_identities,
        }


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


def _check_required(operation: str, body: dict[str, Any]) -> None:
    missing = [name for name in _FALLBACK_REQUIRED.get(operation, ()) if body.get(name) is None]
    if missing:
        raise errors.InvalidParameterException(
            f"{operation} needs {', '.join(missing)}; see the Cognito Identity API reference."
        )


class IdentityService:
    """Dispatches cognito-identity operations after AWS's request checks."""

    def __init__(self, backend: Backend) -> None:
        self.pools = IdentityPools(backend)
        self.handlers = self.pools.operations()
        self.model = load_model("cognito-identity", "2014-06-30")
        self.unsigned = (
            unsigned_operations(self.model) if self.model is not None else _FALLBACK_UNSIGNED
        )
        self.known = (
            frozenset(self.model["operations"])
            if self.model is not None
            else frozenset(self.handlers)
        )

    def handle(self, operation: str, body: Any, request: RequestInfo) -> dict[str, Any]:
        """Check and run one operation."""
        if operation not in self.known and operation not in self.handlers:
            raise errors.UnknownOperationException(
                f"{operation[:100]!r} is not a Cognito identity pool operation."
            )
        if operation not in self.unsigned and not request.signed:
            raise errors.MissingAuthenticationTokenException("Missing Authentication Token")
        validate_input(self.model, operation, body)
        if self.model is None:
            _check_required(operation, body)
        handler = self.handlers.get(operation)
        if handler is None:
            raise errors.UnsupportedOperationException(
                f"The local Cognito does not implement {operation} yet."
            )
        return handler(body)


def install(backend: Backend, registry: ServiceRegistry) -> None:
    """Serve identity pools, their OpenID keys and STS on this local Cognito."""
    registry.register_target(IDENTITY_TARGET_PREFIX, IdentityService(backend))
    for route in identity_openid.routes(backend):
        registry.add_route(route)
    sts.install(backend, registry)
