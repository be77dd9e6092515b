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
from pyamplify.local.idp.common import str_param
from pyamplify.local.idp.pool_items import PoolItems, Shelf
from pyamplify.local.idp.registry import OPERATIONS
from pyamplify.local.store.userpools import Store

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


_SERVERS = PoolItems(
    "Identifier",
    "Resource server {name} does not exist in user pool {pool_id}.",
    Shelf(
        Store.get_resource_server,
        Store.list_resource_servers,
        Store.put_resource_server,
        Store.delete_resource_server,
    ),
)


@OPERATIONS.operation("CreateResourceServer")
def create_resource_server(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """CreateResourceServer."""
    pool, identifier, existing = _SERVERS.look_up(backend, body)
    if existing is not None:
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


def _changed_server(
    _backend: Backend, server: dict[str, Any], body: dict[str, Any]
) -> dict[str, Any]:
    """UpdateResourceServer: name and scopes are replaced (omitted scopes are removed)."""
    return {**server, "Name": str_param(body, "Name"), "Scopes": _scopes(body)}


OPERATIONS.add("DescribeResourceServer", _SERVERS.describer("ResourceServer"))
OPERATIONS.add("ListResourceServers", _SERVERS.lister("ResourceServers", page_default=50))
OPERATIONS.add("UpdateResourceServer", _SERVERS.updater("ResourceServer", _changed_server))
OPERATIONS.add("DeleteResourceServer", _SERVERS.delete)
