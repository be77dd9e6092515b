"""Management of user pools and app clients (SigV4 operations).

Pools and clients are stored as the shapes DescribeUserPool / DescribeUserPoolClient return.
UpdateUserPool and UpdateUserPoolClient behave like AWS's: settings left out of the request go
back to their defaults (a well-known trap that a faithful emulator must reproduce).

The pool's parts kept in their own modules, domains (:mod:`.domains`) and the MFA configuration
(:mod:`.pool_mfa`), register their own operations; DescribeUserPool reports them too.
"""

from __future__ import annotations

import base64
import secrets
import string
from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp import domains as idp_domains
from pyamplify.local.idp import pool_mfa as idp_pool_mfa
from pyamplify.local.idp import provider_store as idp_provider_store
from pyamplify.local.idp.common import (
    STANDARD_ATTRIBUTES,
    int_param,
    pool_client_or_error,
    pool_or_error,
    str_param,
)
from pyamplify.local.idp.passwords import DEFAULT_POLICY
from pyamplify.local.idp.registry import OPERATIONS

DEFAULT_AUTH_FLOWS = ("ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH")
LEGACY_AUTH_FLOWS = {
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY": "ALLOW_CUSTOM_AUTH",
}
_UPDATABLE_POOL_SETTINGS = (
    "DeletionProtection",
    "LambdaConfig",
    "AutoVerifiedAttributes",
    "SmsVerificationMessage",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "VerificationMessageTemplate",
    "SmsAuthenticationMessage",
    "UserAttributeUpdateSettings",
    "MfaConfiguration",
    "DeviceConfiguration",
    "EmailConfiguration",
    "SmsConfiguration",
    "UserPoolTags",
    "AdminCreateUserConfig",
    "UserPoolAddOns",
    "AccountRecoverySetting",
    "UserPoolTier",
)
_CLIENT_SETTINGS = (
    "ClientName",
    "RefreshTokenValidity",
    "AccessTokenValidity",
    "IdTokenValidity",
    "TokenValidityUnits",
    "ReadAttributes",
    "WriteAttributes",
    "ExplicitAuthFlows",
    "SupportedIdentityProviders",
    "CallbackURLs",
    "LogoutURLs",
    "DefaultRedirectURI",
    "AllowedOAuthFlows",
    "AllowedOAuthScopes",
    "AllowedOAuthFlowsUserPoolClient",
    "AnalyticsConfiguration",
    "PreventUserExistenceErrors",
    "EnableTokenRevocation",
    "EnablePropagateAdditionalUserContextData",
    "AuthSessionValidity",
    "RefreshTokenRotation",
)
_UNIT_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
_DEFAULT_UNITS = {"AccessToken": "hours", "IdToken": "hours", "RefreshToken": "days"}


def _random_id(alphabet: str, length: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def new_pool_id(region: str) -> str:
    """``<region>_<9 letters and digits>``, as Cognito names pools."""
    return f"{region}_{_random_id(string.ascii_letters + string.digits, 9)}"


# ---------------------------------------------------------------------- schema


def _standard_schema() -> list[dict[str, Any]]:
    schema = []
    for name, data_type in STANDARD_ATTRIBUTES.items():
        entry: dict[str, Any] = {
            "Name": name,
            "AttributeDataType": data_type,
            "DeveloperOnlyAttribute": False,
            "Mutable": name != "sub",
            "Required": name == "sub",
        }
        if data_type == "String":
            low = {"birthdate": "10", "sub": "1"}.get(name, "0")
            high = "10" if name == "birthdate" else "2048"
            entry["StringAttributeConstraints"] = {"MinLength": low, "MaxLength": high}
        elif data_type == "Number":
            entry["NumberAttributeConstraints"] = {"MinValue": "0"}
        schema.append(entry)
    return schema


def build_schema(requested: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pool's SchemaAttributes: the standard ones adjusted by the request, then custom."""
    schema = _standard_schema()
    by_name = {entry["Name"]: entry for entry in schema}
    for item in requested:
        name = item.get("Name")
        if not isinstance(name, str) or not name:
            raise errors.InvalidParameterException("Every schema attribute needs a Name.")
        if name in by_name:
            if name == "sub":
                raise errors.InvalidParameterException("The sub attribute cannot be modified.")
            for key in ("Required", "Mutable"):
                if isinstance(item.get(key), bool):
                    by_name[name][key] = item[key]
            for key in ("StringAttributeConstraints", "NumberAttributeConstraints"):
                if isinstance(item.get(key), dict) and key in by_name[name]:
                    by_name[name][key] = {**by_name[name][key], **item[key]}
            continue
        if item.get("Required"):
            raise errors.InvalidParameterException(
                "Required custom attributes are not supported currently."
            )
        developer_only = bool(item.get("DeveloperOnlyAttribute"))
        bare = name.removeprefix("custom:")
        full = ("dev:custom:" if developer_only else "custom:") + bare
        if full in by_name:
            raise errors.InvalidParameterException(f"Existing attribute already has name {full}.")
        entry = {
            "Name": full,
            "AttributeDataType": item.get("AttributeDataType") or "String",
            "DeveloperOnlyAttribute": developer_only,
            "Mutable": item.get("Mutable", True) is not False,
            "Required": False,
        }
        for key in ("StringAttributeConstraints", "NumberAttributeConstraints"):
            if isinstance(item.get(key), dict):
                entry[key] = item[key]
        if entry["AttributeDataType"] == "String" and "StringAttributeConstraints" not in entry:
            entry["StringAttributeConstraints"] = {}
        by_name[full] = entry
        schema.append(entry)
    return schema


# ---------------------------------------------------------------------- pools


def _pool_settings(body: dict[str, Any]) -> dict[str, Any]:
    """The updatable part of a pool, from a Create/UpdateUserPool request, with defaults."""
    policies = dict(body.get("Policies") or {})
    policy = dict(DEFAULT_POLICY)
    policy.update(policies.get("PasswordPolicy") or {})
    policies["PasswordPolicy"] = policy
    policies.setdefault("SignInPolicy", {"AllowedFirstAuthFactors": ["PASSWORD"]})
    settings: dict[str, Any] = {
        "Policies": policies,
        "DeletionProtection": "INACTIVE",
        "LambdaConfig": {},
        "VerificationMessageTemplate": {"DefaultEmailOption": "CONFIRM_WITH_CODE"},
        "MfaConfiguration": "OFF",
        "EmailConfiguration": {"EmailSendingAccount": "COGNITO_DEFAULT"},
        "UserPoolTags": {},
        "AdminCreateUserConfig": {
            "AllowAdminCreateUserOnly": False,
            "UnusedAccountValidityDays": 7,
        },
        "UserPoolTier": "ESSENTIALS",
    }
    for key in _UPDATABLE_POOL_SETTINGS:
        if body.get(key) is not None:
            settings[key] = body[key]
    auto_verified = settings.get("AutoVerifiedAttributes") or []
    if any(name not in ("email", "phone_number") for name in auto_verified):
        raise errors.InvalidParameterException(
            "AutoVerifiedAttributes may only contain email and phone_number."
        )
    return settings


#: AWS's refusal of an MFA pool without SMS settings (aws-cloudformation roadmap #769).
MFA_NEEDS_SMS = (
    "SMS configuration and Auto verification for phone_number are required when MFA is "
    "required/optional"
)


@OPERATIONS.operation("CreateUserPool")
def create_user_pool(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """CreateUserPool (MFA ON/OPTIONAL needs SmsConfiguration: SMS is the only factor here)."""
    name = str_param(body, "PoolName")
    if body.get("MfaConfiguration") in ("ON", "OPTIONAL") and not body.get("SmsConfiguration"):
        raise errors.InvalidParameterException(MFA_NEEDS_SMS)
    if body.get("UsernameAttributes") and body.get("AliasAttributes"):
        raise errors.InvalidParameterException(
            "UsernameAttributes and AliasAttributes cannot both be set; choose one way of "
            "signing in with an email or phone number."
        )
    now = backend.now()
    pool_id = new_pool_id(backend.region)
    pool: dict[str, Any] = {"Id": pool_id, "Name": name}
    pool.update(_pool_settings(body))
    pool["SchemaAttributes"] = build_schema(list(body.get("Schema") or []))
    for key in ("AliasAttributes", "UsernameAttributes", "UsernameConfiguration"):
        if body.get(key) is not None:
            pool[key] = body[key]
    pool.update(
        {
            "Arn": backend.pool_arn(pool_id),
            "CreationDate": now,
            "LastModifiedDate": now,
            "EstimatedNumberOfUsers": 0,
        }
    )
    backend.store.put_pool(pool_id, name, pool, now)
    return {"UserPool": describe(backend, pool)}


def describe(backend: Backend, pool: dict[str, Any]) -> dict[str, Any]:
    """A stored pool with its live fields (user count, prefix ``Domain``, ``CustomDomain``)."""
    result = dict(pool)
    result["EstimatedNumberOfUsers"] = backend.store.count_users(pool["Id"])
    prefix, custom = idp_domains.pool_domains(backend, pool["Id"])
    if prefix is not None:
        result["Domain"] = prefix
    if custom is not None:
        result["CustomDomain"] = custom
    return result


@OPERATIONS.operation("DescribeUserPool")
def describe_user_pool(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """DescribeUserPool."""
    return {"UserPool": describe(backend, pool_or_error(backend, str_param(body, "UserPoolId")))}


def paginate(items: list[Any], token: Any, limit: int) -> tuple[list[Any], str | None]:
    """One page of ``items`` after the opaque ``token``, and the token of the next page."""
    start = 0
    if token is not None:
        try:
            start = int(base64.urlsafe_b64decode(str(token).encode()).decode())
        except (ValueError, UnicodeDecodeError):
            raise errors.InvalidParameterException("The pagination token is not valid.") from None
    page = items[start : start + limit]
    following = start + limit
    next_token = (
        base64.urlsafe_b64encode(str(following).encode()).decode()
        if following < len(items)
        else None
    )
    return page, next_token


@OPERATIONS.operation("ListUserPools")
def list_user_pools(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """ListUserPools."""
    limit = body.get("MaxResults")
    if not isinstance(limit, int) or isinstance(limit, bool):
        raise errors.InvalidParameterException("MaxResults is required.")
    summaries = [
        {
            "Id": pool["Id"],
            "Name": pool["Name"],
            "LambdaConfig": pool.get("LambdaConfig", {}),
            "LastModifiedDate": pool["LastModifiedDate"],
            "CreationDate": pool["CreationDate"],
        }
        for pool in backend.store.list_pools()
    ]
    page, next_token = paginate(summaries, body.get("NextToken"), limit)
    result: dict[str, Any] = {"UserPools": page}
    if next_token:
        result["NextToken"] = next_token
    return result


@OPERATIONS.operation("UpdateUserPool")
def update_user_pool(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """UpdateUserPool: omitted settings return to their defaults, as on AWS."""
    pool = pool_or_error(backend, str_param(body, "UserPoolId"))
    if body.get("MfaConfiguration") == "ON" and pool.get("MfaConfiguration") != "ON":
        # Observed (aws-cloudformation roadmap #1176); SetUserPoolMfaConfig can do it.
        raise errors.InvalidParameterException(
            "Cannot turn MFA functionality ON, once the user pool has been created."
        )
    now = backend.now()
    kept: dict[str, Any] = {
        key: pool[key]
        for key in (
            "Id",
            "Name",
            "SchemaAttributes",
            "AliasAttributes",
            "UsernameAttributes",
            "UsernameConfiguration",
            "Arn",
            "CreationDate",
        )
        if key in pool
    }
    updated: dict[str, Any] = {**kept, **_pool_settings(body)}
    if isinstance(body.get("PoolName"), str):
        updated["Name"] = body["PoolName"]
    updated["LastModifiedDate"] = now
    backend.store.put_pool(pool["Id"], updated["Name"], updated, now)
    return {}


@OPERATIONS.operation("DeleteUserPool")
def delete_user_pool(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """DeleteUserPool (refused while DeletionProtection is ACTIVE)."""
    pool = pool_or_error(backend, str_param(body, "UserPoolId"))
    if pool.get("DeletionProtection") == "ACTIVE":
        raise errors.InvalidParameterException(
            "The user pool cannot be deleted because deletion protection is activated. "
            "Deactivate it with UpdateUserPool first."
        )
    backend.store.delete_pool(pool["Id"])
    idp_pool_mfa.forget(backend, pool["Id"])
    idp_provider_store.forget_pool(backend, pool["Id"])
    backend.store.delete_resource_servers(pool["Id"])
    backend.keys.forget(pool["Id"])
    return {}


@OPERATIONS.operation("AddCustomAttributes")
def add_custom_attributes(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AddCustomAttributes."""
    pool = pool_or_error(backend, str_param(body, "UserPoolId"))
    requested = list(body.get("CustomAttributes") or [])
    existing = {entry["Name"] for entry in pool["SchemaAttributes"]}
    added = [e for e in build_schema(requested) if e["Name"] not in STANDARD_ATTRIBUTES]
    for entry in added:
        if entry["Name"] in existing:
            raise errors.InvalidParameterException(
                f"Existing attribute already has name {entry['Name']}."
            )
    pool["SchemaAttributes"] = pool["SchemaAttributes"] + added
    backend.store.put_pool(pool["Id"], pool["Name"], pool, backend.now())
    return {}


# ---------------------------------------------------------------------- clients


def _validity_seconds(client: dict[str, Any], token: str, default: float) -> float:
    field = {"AccessToken": "AccessTokenValidity", "IdToken": "IdTokenValidity"}.get(
        token, "RefreshTokenValidity"
    )
    value = client.get(field)
    if not value:
        return default
    unit = (client.get("TokenValidityUnits") or {}).get(token) or _DEFAULT_UNITS[token]
    return float(value) * _UNIT_SECONDS[unit]


def token_lifetimes(client: dict[str, Any]) -> tuple[float, float, float]:
    """``(id, access, refresh)`` token lifetimes in seconds for a client."""
    return (
        _validity_seconds(client, "IdToken", 3600.0),
        _validity_seconds(client, "AccessToken", 3600.0),
        _validity_seconds(client, "RefreshToken", 30 * 86400.0),
    )


def _check_validity(client: dict[str, Any]) -> None:
    id_s, access_s, refresh_s = token_lifetimes(client)
    for label, seconds in (("Access", access_s), ("Id", id_s)):
        if not 300 <= seconds <= 86400:
            raise errors.InvalidParameterException(
                f"{label} token validity must be between 5 minutes and 1 day."
            )
    if not 3600 <= refresh_s <= 10 * 365 * 86400:
        raise errors.InvalidParameterException(
            "Refresh token validity must be between 60 minutes and 10 years."
        )
    if refresh_s < max(id_s, access_s):
        raise errors.InvalidParameterException(
            "Refresh token validity must be longer than the ID and access token validity."
        )


def effective_auth_flows(client: dict[str, Any]) -> set[str]:
    """The client's ExplicitAuthFlows in ALLOW_* form, with Cognito's defaults when unset."""
    flows = client.get("ExplicitAuthFlows")
    if not flows:
        return set(DEFAULT_AUTH_FLOWS)
    result = {LEGACY_AUTH_FLOWS.get(flow, flow) for flow in flows}
    if "CUSTOM_AUTH_FLOW_ONLY" not in flows and any(flow in LEGACY_AUTH_FLOWS for flow in flows):
        result |= {"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH"}
    return result


def _client_settings(body: dict[str, Any]) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "RefreshTokenValidity": 30,
        "TokenValidityUnits": {},
        "AllowedOAuthFlowsUserPoolClient": False,
        "EnableTokenRevocation": True,
        "EnablePropagateAdditionalUserContextData": False,
        "AuthSessionValidity": 3,
    }
    for key in _CLIENT_SETTINGS:
        if body.get(key) is not None:
            settings[key] = body[key]
    if settings.get("RefreshTokenValidity") == 0:
        settings["RefreshTokenValidity"] = 30
    _check_validity(settings)
    return settings


def _check_identity_providers(backend: Backend, pool_id: str, settings: dict[str, Any]) -> None:
    """Every SupportedIdentityProviders entry is COGNITO or a provider of the pool, as on AWS."""
    named = settings.get("SupportedIdentityProviders") or []
    unknown = [name for name in named if name != "COGNITO"]
    if not unknown:
        return
    existing = idp_provider_store.provider_names(backend, pool_id)
    for name in unknown:
        if name not in existing:
            # AWS's text (lgallard/terraform-aws-cognito-user-pool#71).
            raise errors.InvalidParameterException(
                f"The provider {name} does not exist for User Pool {pool_id}."
            )


#: Scopes every pool has; custom ones are ``<resource server>/<scope>``.
RESERVED_SCOPES = ("openid", "email", "phone", "profile", "aws.cognito.signin.user.admin")
_OPENID_SCOPES = ("email", "phone", "profile")


def _check_oauth(
    backend: Backend, pool_id: str, settings: dict[str, Any], has_secret: bool
) -> None:
    """The OAuth fields of a client, refused as Cognito refuses them (texts observed on AWS:
    terraform-provider-aws#4984, hashicorp tests, wellcomecollection's terraform notes)."""
    flows = list(settings.get("AllowedOAuthFlows") or [])
    scopes = list(settings.get("AllowedOAuthScopes") or [])
    if settings.get("AllowedOAuthFlowsUserPoolClient") and (not flows or not scopes):
        raise errors.InvalidParameterException(
            "AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is "
            "allowed to use OAuth flows."
        )
    if "client_credentials" in flows:
        if "code" in flows or "implicit" in flows:
            raise errors.InvalidOAuthFlowException(
                "client_credentials flow can not be selected along with code flow or implicit flow."
            )
        if not has_secret:
            raise errors.InvalidOAuthFlowException(
                "client_credentials flow can not be selected if client does not have a client "
                "secret."
            )
        for scope in scopes:
            if scope in RESERVED_SCOPES:
                raise errors.InvalidOAuthFlowException(
                    f"{scope} is not supported with client_credentials flow"
                )
    if ("code" in flows or "implicit" in flows) and not settings.get("CallbackURLs"):
        raise errors.InvalidOAuthFlowException(
            "CallbackUrls can not be empty when code flow or implicit flow is selected"
        )
    custom = {
        f"{server['Identifier']}/{scope['ScopeName']}"
        for server in backend.store.list_resource_servers(pool_id)
        for scope in server.get("Scopes", [])
    }
    for scope in scopes:
        if scope not in RESERVED_SCOPES and scope not in custom:
            # Our wording: AWS's text for this refusal was not found.
            raise errors.ScopeDoesNotExistException(f"Invalid scope requested: {scope}")
    if any(scope in _OPENID_SCOPES for scope in scopes) and "openid" not in scopes:
        raise errors.InvalidParameterException(
            "The email, phone and profile scopes require the openid scope."
        )
    default = settings.get("DefaultRedirectURI")
    if default and default not in (settings.get("CallbackURLs") or []):
        raise errors.InvalidParameterException(
            "DefaultRedirectURI must be one of the client's CallbackURLs."
        )


@OPERATIONS.operation("CreateUserPoolClient")
def create_user_pool_client(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """CreateUserPoolClient (GenerateSecret gives a 51-character secret)."""
    pool = pool_or_error(backend, str_param(body, "UserPoolId"))
    str_param(body, "ClientName")
    now = backend.now()
    client_id = _random_id(string.ascii_lowercase + string.digits, 26)
    client: dict[str, Any] = {"UserPoolId": pool["Id"], "ClientId": client_id}
    client.update(_client_settings(body))
    _check_identity_providers(backend, pool["Id"], client)
    _check_oauth(backend, pool["Id"], client, bool(body.get("GenerateSecret")))
    if body.get("GenerateSecret"):
        client["ClientSecret"] = _random_id(string.ascii_lowercase + string.digits, 51)
    client["CreationDate"] = now
    client["LastModifiedDate"] = now
    backend.store.put_client(client_id, pool["Id"], client, now)
    return {"UserPoolClient": client}


@OPERATIONS.operation("DescribeUserPoolClient")
def describe_user_pool_client(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """DescribeUserPoolClient."""
    _, client = pool_client_or_error(
        backend, str_param(body, "UserPoolId"), str_param(body, "ClientId")
    )
    return {"UserPoolClient": client}


@OPERATIONS.operation("ListUserPoolClients")
def list_user_pool_clients(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """ListUserPoolClients."""
    pool = pool_or_error(backend, str_param(body, "UserPoolId"))
    limit = int_param(body, "MaxResults", 60)
    summaries = [
        {"ClientId": c["ClientId"], "UserPoolId": c["UserPoolId"], "ClientName": c["ClientName"]}
        for c in backend.store.list_clients(pool["Id"])
    ]
    page, next_token = paginate(summaries, body.get("NextToken"), limit)
    result: dict[str, Any] = {"UserPoolClients": page}
    if next_token:
        result["NextToken"] = next_token
    return result


@OPERATIONS.operation("UpdateUserPoolClient")
def update_user_pool_client(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """UpdateUserPoolClient: omitted settings return to their defaults, as on AWS."""
    pool, client = pool_client_or_error(
        backend, str_param(body, "UserPoolId"), str_param(body, "ClientId")
    )
    now = backend.now()
    updated: dict[str, Any] = {"UserPoolId": pool["Id"], "ClientId": client["ClientId"]}
    settings = _client_settings(body)
    _check_identity_providers(backend, pool["Id"], settings)
    _check_oauth(backend, pool["Id"], settings, "ClientSecret" in client)
    settings.setdefault("ClientName", client["ClientName"])
    updated.update(settings)
    if "ClientSecret" in client:
        updated["ClientSecret"] = client["ClientSecret"]
    updated["CreationDate"] = client["CreationDate"]
    updated["LastModifiedDate"] = now
    backend.store.put_client(client["ClientId"], pool["Id"], updated, now)
    return {"UserPoolClient": updated}


@OPERATIONS.operation("DeleteUserPoolClient")
def delete_user_pool_client(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """DeleteUserPoolClient."""
    _, client = pool_client_or_error(
        backend, str_param(body, "UserPoolId"), str_param(body, "ClientId")
    )
    backend.store.delete_client(client["ClientId"])
    return {}
