"""Resource servers: the custom OAuth scopes of a user pool (Create/Describe/List/Update/Delete).

A resource server is an API identifier (``https://api.example.com`` or ``orders``) with named
scopes; a client may be allowed ``<identifier>/<scope>``, and the client-credentials grant of
the Hosted UI's token endpoint issues access tokens with those scopes. UpdateResourceServer
replaces name and scopes (scopes left out are removed), as AWS's update operations do. A pool
holds at most 25 (the published quota).
"""

from __future__ import annotations

from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp.common import pool_or_error, str_param
from pyamplify.local.idp.pools import paginate
from pyamplify.local.idp.registry import OPERATIONS

#: Resource servers per user pool (Cognito's quotas page).
MAX_PER_POOL = 25
#: Scopes per resource server (Cognito's quotas page).
MAX_SCOPES = 100


def _scopes(body: dict[str, Any]) -> list[dict[str, str]]:
    scopes: list[dict[str, str]] = []
    seen: set[str] = set()
    for item in body.get("Scopes") or []:
        name = str(item.get("ScopeName", ""))
        if name in seen:
            raise errors.InvalidParameterException(
                f"The scope {name} is given twice; scope names of a resource server are unique."
            )
        seen.add(name)
        description = str(item.get("ScopeDescription", ""))
        scopes.append({"ScopeName": name, "ScopeDescription": description})
    if len(scopes) > MAX_SCOPES:
        raise errors.LimitExceededException(f"A resource server has at most {MAX_SCOPES} scopes.")
    return scopes


def _server_or_error(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    pool = pool_or_error(backend, str_param(body, "UserPoolId"))
    identifier = str_param(body, "Identifier")
    server = backend.store.get_resource_server(pool["Id"], identifier)
    if server is None:
        raise errors.ResourceNotFoundException(
            f"Resource server {identifier} does not exist in user pool {pool['Id']}."
        )
    return server


@OPERATIONS.operation("CreateResourceServer")
def create_resource_server(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """CreateResourceServer."""
    pool = pool_or_error(backend, str_param(body, "UserPoolId"))
    identifier = str_param(body, "Identifier")
    if backend.store.get_resource_server(pool["Id"], identifier) is not None:
        raise errors.InvalidParameterException(
            f"{identifier} already exists in user pool {pool['Id']}."
        )
    if len(backend.store.list_resource_servers(pool["Id"])) >= MAX_PER_POOL:
        raise errors.LimitExceededException(
            f"User pool {pool['Id']} already has {MAX_PER_POOL} resource servers, the most allowed."
        )
    server = {
        "UserPoolId": pool["Id"],
        "Identifier": identifier,
        "Name": str_param(body, "Name"),
        "Scopes": _scopes(body),
    }
    backend.store.put_resource_server(pool["Id"], identifier, server)
    return {"ResourceServer": server}


@OPERATIONS.operation("DescribeResourceServer")
def describe_resource_server(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """DescribeResourceServer."""
    return {"ResourceServer": _server_or_error(backend, body)}


@OPERATIONS.operation("ListResourceServers")
def list_resource_servers(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """ListResourceServers (paged)."""
    pool = pool_or_error(backend, str_param(body, "UserPoolId"))
    limit = body.get("MaxResults") if isinstance(body.get("MaxResults"), int) else 50
    servers = backend.store.list_resource_servers(pool["Id"])
    page, next_token = paginate(servers, body.get("NextToken"), int(limit or 50))
    result: dict[str, Any] = {"ResourceServers": page}
    if next_token:
        result["NextToken"] = next_token
    return result


@OPERATIONS.operation("UpdateResourceServer")
def update_resource_server(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """UpdateResourceServer: name and scopes are replaced (omitted scopes are removed)."""
    server = _server_or_error(backend, body)
    server = {**server, "Name": str_param(body, "Name"), "Scopes": _scopes(body)}
    backend.store.put_resource_server(server["UserPoolId"], server["Identifier"], server)
    return {"ResourceServer": server}


@OPERATIONS.operation("DeleteResourceServer")
def delete_resource_server(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """DeleteResourceServer."""
    server = _server_or_error(backend, body)
    backend.store.delete_resource_server(server["UserPoolId"], server["Identifier"])
    return {}
