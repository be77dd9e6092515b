"""Federated identity providers of a user pool: Create/Describe/List/DeleteIdentityProvider.

Stored as given (the local Cognito does not federate yet): enough for management tools such as
``pyamplify import auth`` to see each provider's type, as ``amplify import auth`` reads them
through ``ListIdentityProviders``. OIDC discovery is not performed; ``ProviderDetails`` are kept
as sent. The table lives in the store's database (:mod:`.provider_store`).
"""

from __future__ import annotations

from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp.common import pool_or_error, str_param
from pyamplify.local.idp.pools import paginate
from pyamplify.local.idp.provider_store import load_provider
from pyamplify.local.idp.registry import OPERATIONS

PROVIDER_TYPES = ("SAML", "Facebook", "Google", "LoginWithAmazon", "SignInWithApple", "OIDC")


def _provider_or_error(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    pool = pool_or_error(backend, str_param(body, "UserPoolId"))
    name = str_param(body, "ProviderName")
    provider = load_provider(backend, pool["Id"], name)
    if provider is None:
        raise errors.ResourceNotFoundException(f"Identity provider {name} does not exist.")
    return provider


@OPERATIONS.operation("CreateIdentityProvider")
def create_identity_provider(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """CreateIdentityProvider."""
    pool = pool_or_error(backend, str_param(body, "UserPoolId"))
    name = str_param(body, "ProviderName")
    kind = str_param(body, "ProviderType")
    if kind not in PROVIDER_TYPES:
        raise errors.InvalidParameterException(
            f"ProviderType {kind[:50]!r} is not one of {', '.join(PROVIDER_TYPES)}."
        )
    if load_provider(backend, pool["Id"], name) is not None:
        raise errors.DuplicateProviderException(
            f"A provider with the name {name} already exists in this user pool."
        )
    now = backend.now()
    provider = {
        "UserPoolId": pool["Id"],
        "ProviderName": name,
        "ProviderType": kind,
        "ProviderDetails": dict(body.get("ProviderDetails") or {}),
        "AttributeMapping": dict(body.get("AttributeMapping") or {}),
        "IdpIdentifiers": list(body.get("IdpIdentifiers") or []),
        "LastModifiedDate": now,
        "CreationDate": now,
    }
    backend.store.add_identity_provider(pool["Id"], name, provider)
    return {"IdentityProvider": provider}


@OPERATIONS.operation("DescribeIdentityProvider")
def describe_identity_provider(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """DescribeIdentityProvider."""
    return {"IdentityProvider": _provider_or_error(backend, body)}


@OPERATIONS.operation("ListIdentityProviders")
def list_identity_providers(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """ListIdentityProviders (summaries: name, type, dates)."""
    pool = pool_or_error(backend, str_param(body, "UserPoolId"))
    providers = backend.store.list_identity_providers(pool["Id"])
    summaries = [
        {
            key: provider[key]
            for key in ("ProviderName", "ProviderType", "LastModifiedDate", "CreationDate")
        }
        for provider in providers
    ]
    limit = body.get("MaxResults") if isinstance(body.get("MaxResults"), int) else 60
    page, next_token = paginate(summaries, body.get("NextToken"), int(limit or 60))
    result: dict[str, Any] = {"Providers": page}
    if next_token:
        result["NextToken"] = next_token
    return result


@OPERATIONS.operation("DeleteIdentityProvider")
def delete_identity_provider(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """DeleteIdentityProvider."""
    provider = _provider_or_error(backend, body)
    backend.store.delete_identity_provider(provider["UserPoolId"], provider["ProviderName"])
    return {}
