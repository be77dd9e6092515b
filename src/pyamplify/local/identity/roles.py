"""Which IAM role an identity gets: default roles, Token and Rules role mappings.

The rules are the Developer Guide's ("Using role-based access control"):

* A guest gets the pool's ``unauthenticated`` role.
* A signed-in identity whose login has a role mapping (keyed ``<provider>:<client id>``):

  - **Token**: ``CustomRoleArn`` if it is one of the token's ``cognito:roles`` (otherwise
    access is denied); else ``cognito:preferred_role``; else the mapping is *ambiguous*.
  - **Rules**: the first rule whose claim matches (``Equals``, ``Contains``, ``StartsWith``,
    ``NotEqual``; a rule on a missing claim never matches), or, when ``CustomRoleArn`` is
    given, the matching rule with that role; no match is *ambiguous*.
  - *Ambiguous* means ``AmbiguousRoleResolution``: ``AuthenticatedRole`` falls back to the
    pool's ``authenticated`` role, ``Deny`` refuses with ``NotAuthorizedException``.

* A signed-in identity without a mapping gets the ``authenticated`` role.

A missing role is ``InvalidIdentityPoolConfigurationException``, as on AWS.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from pyamplify.local import errors
from pyamplify.local.identity import errors as identity_errors
from pyamplify.local.identity.logins import Login

#: An IAM role ARN: partition, 12-digit account, optional path, name.
ROLE_ARN = re.compile(
    r"arn:aws[\w-]*:iam::(?P<account>\d{12}):role/(?:[\w+=,.@-]+/)*(?P<name>[\w+=,.@-]+)"
)
#: Cognito's documented cap on rules per provider (the API model allows more).
MAX_RULES = 25


def role_name(role_arn: str) -> str:
    """The role's name: the last path segment of its ARN."""
    match = ROLE_ARN.fullmatch(role_arn)
    return match["name"] if match else role_arn.rsplit("/", 1)[-1]


def role_account(role_arn: str) -> str | None:
    """The account id in a role ARN, or ``None`` when the ARN is not a role ARN."""
    match = ROLE_ARN.fullmatch(role_arn)
    return match["account"] if match else None


def _check_role_arn(arn: Any, where: str) -> None:
    if not isinstance(arn, str) or ROLE_ARN.fullmatch(arn) is None:
        raise errors.InvalidParameterException(
            f"{where} must be an IAM role ARN like arn:aws:iam::123456789012:role/Name."
        )


def check_roles(
    roles: Mapping[str, Any],
    mappings: Mapping[str, Any] | None,
    pool: Mapping[str, Any],
) -> None:
    """SetIdentityPoolRoles' checks beyond the API model: ARNs, mapping keys and completeness."""
    for kind, arn in roles.items():
        _check_role_arn(arn, f"Roles.{kind}")
    known = {
        f"{provider.get('ProviderName')}:{provider.get('ClientId')}"
        for provider in pool.get("CognitoIdentityProviders") or []
    } | set(pool.get("SupportedLoginProviders") or {})
    for key, mapping in (mappings or {}).items():
        if key not in known:
            raise errors.InvalidParameterException(
                f"RoleMappings key {key[:200]!r} is not a provider of this identity pool; use "
                "'cognito-idp.<region>.amazonaws.com/<userPoolId>:<appClientId>' of an attached "
                "user pool client."
            )
        kind = mapping.get("Type")
        if kind in ("Token", "Rules") and not mapping.get("AmbiguousRoleResolution"):
            raise errors.InvalidParameterException(
                f"AmbiguousRoleResolution is required for the {kind} role mapping of {key}."
            )
        if kind != "Rules":
            continue
        rules = (mapping.get("RulesConfiguration") or {}).get("Rules")
        if not rules:
            raise errors.InvalidParameterException(
                f"RulesConfiguration with at least one rule is required for the Rules role "
                f"mapping of {key}."
            )
        if len(rules) > MAX_RULES:
            raise errors.InvalidParameterException(
                f"The Rules role mapping of {key} has {len(rules)} rules; at most {MAX_RULES} "
                "are allowed."
            )
        for index, rule in enumerate(rules, start=1):
            _check_role_arn(rule.get("RoleARN"), f"Rule {index} of {key}: RoleARN")


def _claim_values(value: Any) -> list[str] | None:
    if value is None:
        return None
    items = value if isinstance(value, list) else [value]
    return ["true" if item is True else "false" if item is False else str(item) for item in items]


def rule_matches(rule: Mapping[str, Any], claims: Mapping[str, Any]) -> bool:
    """Whether one MappingRule matches a token's claims (list claims: any element)."""
    values = _claim_values(claims.get(rule["Claim"]))
    if values is None:
        return False
    wanted = str(rule["Value"])
    match rule["MatchType"]:
        case "Equals":
            return wanted in values
        case "NotEqual":
            return wanted not in values
        case "StartsWith":
            return any(value.startswith(wanted) for value in values)
        case "Contains":
            return any(wanted in value for value in values)
    return False


def _pool_role(roles: Mapping[str, Any], kind: str) -> str:
    """The pool's ``authenticated`` or ``unauthenticated`` role; a pool without it cannot
    hand one out (InvalidIdentityPoolConfigurationException, as Cognito answers)."""
    role = roles.get(kind)
    if not role:
        raise identity_errors.InvalidIdentityPoolConfigurationException(
            identity_errors.INVALID_POOL_CONFIGURATION
        )
    return str(role)


def _ambiguous(mapping: Mapping[str, Any], roles: Mapping[str, Any]) -> str:
    if mapping.get("AmbiguousRoleResolution") == "AuthenticatedRole":
        return _pool_role(roles, "authenticated")
    raise errors.NotAuthorizedException(identity_errors.AMBIGUOUS_ROLE_DENIED)


def _from_token(
    mapping: Mapping[str, Any], roles: Mapping[str, Any], login: Login, custom: str | None
) -> str:
    allowed = _claim_values(login.claims.get("cognito:roles")) or []
    if custom is not None:
        if custom in allowed:
            return custom
        raise errors.NotAuthorizedException(identity_errors.AMBIGUOUS_ROLE_DENIED)
    preferred = login.claims.get("cognito:preferred_role")
    if isinstance(preferred, str) and preferred:
        return preferred
    return _ambiguous(mapping, roles)


def _from_rules(
    mapping: Mapping[str, Any], roles: Mapping[str, Any], login: Login, custom: str | None
) -> str:
    rules = (mapping.get("RulesConfiguration") or {}).get("Rules") or []
    matched = [rule["RoleARN"] for rule in rules if rule_matches(rule, login.claims)]
    if custom is not None and custom in matched:
        return custom
    if matched and custom is None:
        return str(matched[0])
    return _ambiguous(mapping, roles)


def resolve_role(
    settings: Mapping[str, Any], logins: Sequence[Login], custom_role_arn: str | None = None
) -> str:
    """The role ARN for an identity with these validated logins (none: a guest)."""
    roles: Mapping[str, Any] = settings.get("Roles") or {}
    if not logins:
        return _pool_role(roles, "unauthenticated")
    mappings: Mapping[str, Any] = settings.get("RoleMappings") or {}
    for login in logins:
        mapping = mappings.get(login.role_mapping_key) or mappings.get(login.provider)
        if mapping is None:
            continue
        if mapping.get("Type") == "Token":
            return _from_token(mapping, roles, login, custom_role_arn)
        return _from_rules(mapping, roles, login, custom_role_arn)
    return _pool_role(roles, "authenticated")
