"""Federated identity providers of a user pool: Create/Describe/List/Update/DeleteIdentityProvider.

Management tools such as ``pyamplify import auth`` read each provider's type through
``ListIdentityProviders``. OIDC providers are usable by the Hosted UI (``pyamplify.local.oauth``
federates through them): their ``ProviderDetails`` need ``client_id``, ``authorize_scopes``,
``oidc_issuer`` and ``attributes_request_method``, and Cognito fills in the endpoints it
discovered (``authorize_url``, ``token_url``, ``attributes_url``, ``jwks_uri``). The local
Cognito discovers them the same way: from the details when given, from its own built-in test
provider (issuer ``<server>/_test_idp``) without a request, else, for an issuer on this
machine, from its ``/.well-known/openid-configuration`` (no request leaves the machine: a
remote issuer's endpoints must be given, or sign-in through it shows an error page).
``AttributeMapping`` always maps ``username`` to the provider's ``sub`` for OIDC, as Cognito
shows. The table lives in the store's database
(:mod:`.provider_store`).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp.common import str_param
from pyamplify.local.idp.pool_items import PoolItems, Shelf
from pyamplify.local.idp.registry import OPERATIONS
from pyamplify.local.store.userpools import Store

PROVIDER_TYPES = ("SAML", "Facebook", "Google", "LoginWithAmazon", "SignInWithApple", "OIDC")
#: The path of the built-in test OIDC provider on every local Cognito (``pyamplify.local.oauth``).
TEST_IDP_PATH = "/_test_idp"
_OIDC_REQUIRED = ("client_id", "authorize_scopes", "oidc_issuer")
_OIDC_ENDPOINTS = {
    "authorize_url": "authorization_endpoint",
    "token_url": "token_endpoint",
    "attributes_url": "userinfo_endpoint",
    "jwks_uri": "jwks_uri",
}


def is_test_issuer(issuer: str) -> bool:
    """Whether ``issuer`` is a local Cognito's built-in test provider (any port: the data dir
    may outlive the port it was created on)."""
    parts = urlsplit(issuer)
    return parts.hostname in ("127.0.0.1", "localhost", "::1") and parts.path == TEST_IDP_PATH


def _discover(issuer: str) -> dict[str, str]:
    """The endpoints an OIDC issuer publishes, as Cognito reads them on create/update."""
    if is_test_issuer(issuer):
        return {
            "authorize_url": f"{issuer}/authorize",
            "token_url": f"{issuer}/token",
            "attributes_url": f"{issuer}/userinfo",
            "jwks_uri": f"{issuer}/jwks.json",
        }
    parts = urlsplit(issuer)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        return {}  # offline: a remote issuer's endpoints must be given in ProviderDetails
    import httpx

    try:
        document = httpx.get(f"{issuer.rstrip('/')}/.well-known/openid-configuration", timeout=5)
        found = document.json()
    except (httpx.HTTPError, ValueError):
        found = None
    if not isinstance(found, dict) or not all(
        isinstance(found.get(key), str) for key in _OIDC_ENDPOINTS.values()
    ):
        raise errors.InvalidParameterException(
            f"Could not read the OpenID configuration of {issuer}: give authorize_url, "
            "token_url, attributes_url and jwks_uri in ProviderDetails, or an oidc_issuer "
            "that publishes /.well-known/openid-configuration."
        )
    return {ours: str(found[theirs]) for ours, theirs in _OIDC_ENDPOINTS.items()}


def _oidc_details(details: dict[str, Any]) -> dict[str, Any]:
    """Check an OIDC provider's details and add the discovered endpoints."""
    missing = [key for key in _OIDC_REQUIRED if not details.get(key)]
    if missing:
        raise errors.InvalidParameterException(
            f"ProviderDetails of an OIDC provider must contain {', '.join(missing)}."
        )
    method = details.setdefault("attributes_request_method", "GET")
    if method not in ("GET", "POST"):
        raise errors.InvalidParameterException("attributes_request_method must be GET or POST.")
    if not all(details.get(key) for key in _OIDC_ENDPOINTS):
        details.update(_discover(str(details["oidc_issuer"])))
    details.setdefault("attributes_url_add_attributes", "false")
    return details


def _mapping(kind: str, mapping: dict[str, Any]) -> dict[str, Any]:
    if kind == "OIDC":
        mapping.setdefault("username", "sub")
    return mapping


_PROVIDERS = PoolItems(
    "ProviderName",
    "Identity provider {name} does not exist.",
    Shelf(
        Store.get_identity_provider,
        Store.list_identity_providers,
        Store.put_identity_provider,
        Store.delete_identity_provider,
    ),
)


@OPERATIONS.operation("CreateIdentityProvider")
def create_identity_provider(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """CreateIdentityProvider."""
    pool, name, existing = _PROVIDERS.look_up(backend, body)
    kind = str_param(body, "ProviderType")
    if kind not in PROVIDER_TYPES:
        raise errors.InvalidParameterException(
            f"ProviderType {kind[:50]!r} is not one of {', '.join(PROVIDER_TYPES)}."
        )
    if existing is not None:
        raise errors.DuplicateProviderException(
            f"A provider with the name {name} already exists in this user pool."
        )
    now = backend.now()
    details = dict(body.get("ProviderDetails") or {})
    if kind == "OIDC":
        details = _oidc_details(details)
    provider = {
        "UserPoolId": pool["Id"],
        "ProviderName": name,
        "ProviderType": kind,
        "ProviderDetails": details,
        "AttributeMapping": _mapping(kind, dict(body.get("AttributeMapping") or {})),
        "IdpIdentifiers": list(body.get("IdpIdentifiers") or []),
        "LastModifiedDate": now,
        "CreationDate": now,
    }
    backend.store.add_identity_provider(pool["Id"], name, provider)
    return {"IdentityProvider": provider}


def _changed_provider(
    backend: Backend, provider: dict[str, Any], body: dict[str, Any]
) -> dict[str, Any]:
    """UpdateIdentityProvider: the members given replace the stored ones, the others stay."""
    kind = provider["ProviderType"]
    if isinstance(body.get("ProviderDetails"), dict):
        details = dict(body["ProviderDetails"])
        provider["ProviderDetails"] = _oidc_details(details) if kind == "OIDC" else details
    if isinstance(body.get("AttributeMapping"), dict):
        provider["AttributeMapping"] = _mapping(kind, dict(body["AttributeMapping"]))
    if isinstance(body.get("IdpIdentifiers"), list):
        provider["IdpIdentifiers"] = list(body["IdpIdentifiers"])
    provider["LastModifiedDate"] = backend.now()
    return provider


_SUMMARY = ("ProviderName", "ProviderType", "LastModifiedDate", "CreationDate")
OPERATIONS.add("DescribeIdentityProvider", _PROVIDERS.describer("IdentityProvider"))
OPERATIONS.add("ListIdentityProviders", _PROVIDERS.lister("Providers", summary=_SUMMARY))
OPERATIONS.add("UpdateIdentityProvider", _PROVIDERS.updater("IdentityProvider", _changed_provider))
OPERATIONS.add("DeleteIdentityProvider", _PROVIDERS.delete)
