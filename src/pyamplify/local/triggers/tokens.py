"""PreTokenGeneration: claims (and, from V2_0, scopes) of every ID/access token pair.

Which function and which event version: ``LambdaConfig.PreTokenGenerationConfig``
(``LambdaVersion`` V1_0, V2_0 or V3_0, and ``LambdaArn``), else the older
``LambdaConfig.PreTokenGeneration`` (V1_0). Sources: ``TokenGeneration_Authentication``,
``_NewPasswordChallenge``, ``_RefreshTokens``, ``_HostedAuth``.

* V1_0 (``version: "1"``): ``claimsOverrideDetails`` adds/overrides and suppresses ID token
  claims (string values), and ``groupOverrideDetails`` replaces ``cognito:groups`` in both tokens
  and ``cognito:roles`` / ``cognito:preferred_role`` in the ID token (an empty or null group list
  removes the groups).
* V2_0 and V3_0 (``version: "2"``, the request has ``scopes``): ``claimsAndScopeOverrideDetails``
  with ``idTokenGeneration`` and ``accessTokenGeneration`` (values of any JSON type) and the
  access token's ``scopesToAdd`` / ``scopesToSuppress``, plus ``groupOverrideDetails``.

Suppression wins over override. The claims Cognito protects (``sub``, ``iss``, ``aud``,
``exp``, ``token_use``, ``cognito:username``, ...) are left as they were, whatever the function
says; so are the access token's own (``client_id``, ``username``, ``scope`` but through the scope
fields, ...). ``clientMetadata`` reaches the function only from RespondToAuthChallenge.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp import hooks
from pyamplify.local.lambdas.errors import UNRECOGNIZABLE_OUTPUT
from pyamplify.local.triggers import events
from pyamplify.local.triggers.invoke import call, function_of, response_of

#: Claims no PreTokenGeneration function may add, change or remove (reference §3).
PROTECTED = frozenset(
    {
        "acr",
        "amr",
        "aud",
        "at_hash",
        "auth_time",
        "azp",
        "cognito:username",
        "exp",
        "iat",
        "identities",
        "iss",
        "jti",
        "nbf",
        "nonce",
        "origin_jti",
        "sub",
        "token_use",
    }
)
#: The access token's own claims, beyond :data:`PROTECTED`.
ACCESS_PROTECTED = PROTECTED | {"client_id", "username", "scope", "event_id", "version"}


def lambda_of(pool: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(arn, version)`` of the pool's PreTokenGeneration function, or ``None``."""
    config = (pool.get("LambdaConfig") or {}).get("PreTokenGenerationConfig") or {}
    arn = config.get("LambdaArn")
    if isinstance(arn, str) and arn:
        return arn, str(config.get("LambdaVersion") or "V1_0")
    legacy = function_of(pool, "PreTokenGeneration")
    return (legacy, "V1_0") if legacy else None


def _invalid() -> errors.CognitoError:
    return errors.InvalidLambdaResponseException(UNRECOGNIZABLE_OUTPUT)


def _group_configuration(generation: hooks.TokenGeneration) -> dict[str, Any]:
    groups = generation.groups
    roles = [str(g["RoleArn"]) for g in groups if g.get("RoleArn")]
    return {
        "groupsToOverride": [str(g["GroupName"]) for g in groups],
        "iamRolesToOverride": roles,
        "preferredRole": generation.id_claims.get("cognito:preferred_role"),
    }


@hooks.TOKEN_GENERATION.register
def pre_token_generation(backend: Backend, generation: hooks.TokenGeneration) -> None:
    """Run the pool's PreTokenGeneration function and apply its answer to the claims."""
    configured = lambda_of(generation.pool)
    if configured is None:
        return
    arn, version = configured
    v2 = version in ("V2_0", "V3_0")
    request: dict[str, Any] = {
        "userAttributes": events.user_attributes(generation.user),
        "groupConfiguration": _group_configuration(generation),
    }
    if v2:
        request["scopes"] = str(generation.access_claims.get("scope", "")).split()
    served = hooks.current_request()
    if served.answers_challenge and served.client_metadata:
        request["clientMetadata"] = dict(served.client_metadata)
    event = events.event(
        backend,
        generation.pool,
        f"TokenGeneration_{generation.source}",
        username=generation.user.username,
        client_id=generation.client["ClientId"],
        request=request,
        version="2" if v2 else "1",
    )
    response = response_of(call(backend, arn, "PreTokenGeneration", event))
    if v2:
        _apply_v2(generation, response.get("claimsAndScopeOverrideDetails"))
    else:
        _apply_v1(generation, response.get("claimsOverrideDetails"))


def _details(value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _invalid()
    return value


def _apply_v1(generation: hooks.TokenGeneration, details: Any) -> None:
    details = _details(details)
    claims = _details(details.get("claimsToAddOrOverride"))
    if not all(isinstance(value, str) for value in claims.values()):
        raise _invalid()
    _change(generation.id_claims, claims, details.get("claimsToSuppress"), PROTECTED)
    _override_groups(generation, details.get("groupOverrideDetails"))


def _apply_v2(generation: hooks.TokenGeneration, details: Any) -> None:
    details = _details(details)
    id_part = _details(details.get("idTokenGeneration"))
    access_part = _details(details.get("accessTokenGeneration"))
    _change(
        generation.id_claims,
        _details(id_part.get("claimsToAddOrOverride")),
        id_part.get("claimsToSuppress"),
        PROTECTED,
    )
    _change(
        generation.access_claims,
        _details(access_part.get("claimsToAddOrOverride")),
        access_part.get("claimsToSuppress"),
        ACCESS_PROTECTED,
    )
    scopes = str(generation.access_claims.get("scope", "")).split()
    for scope in _names(access_part.get("scopesToAdd")):
        if scope not in scopes:
            scopes.append(scope)
    suppressed = set(_names(access_part.get("scopesToSuppress")))
    generation.access_claims["scope"] = " ".join(s for s in scopes if s not in suppressed)
    _override_groups(generation, details.get("groupOverrideDetails"))


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _invalid()
    return list(value)


def _change(
    claims: dict[str, Any],
    added: Mapping[str, Any],
    suppressed: Any,
    protected: frozenset[str],
) -> None:
    """Add/override then suppress (suppression wins), leaving protected claims alone."""
    for name, value in added.items():
        if name not in protected:
            claims[name] = value
    for name in _names(suppressed):
        if name not in protected:
            claims.pop(name, None)


def _override_groups(generation: hooks.TokenGeneration, details: Any) -> None:
    if details is None:
        return
    if not isinstance(details, dict):
        raise _invalid()
    if "groupsToOverride" in details:
        groups = _names(details.get("groupsToOverride"))
        for claims in (generation.id_claims, generation.access_claims):
            if groups:
                claims["cognito:groups"] = groups
            else:
                claims.pop("cognito:groups", None)
    if "iamRolesToOverride" in details:
        roles = _names(details.get("iamRolesToOverride"))
        if roles:
            generation.id_claims["cognito:roles"] = roles
        else:
            generation.id_claims.pop("cognito:roles", None)
    if "preferredRole" in details:
        role = details.get("preferredRole")
        if role is None:
            generation.id_claims.pop("cognito:preferred_role", None)
        elif isinstance(role, str):
            generation.id_claims["cognito:preferred_role"] = role
        else:
            raise _invalid()
