"""Things a user pool owns under a name the request gives: groups, identity providers, resource
servers, and the operations that are the same for each of them.

Every kind is found the same way, in Cognito's order: the pool (``UserPoolId``, else ``User pool
... does not exist.``), then the item by its name, else ``ResourceNotFoundException`` with the
message of that kind. Get/Describe answer the item, List pages through the pool's items (or
their summaries), Delete removes it, Update hands it to the kind's own change and stores the
result. Create stays with each kind: what it checks and builds differs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp.common import int_param, list_page, pool_or_error, str_param
from pyamplify.local.service.registry import Handler
from pyamplify.local.store.userpools import Store

Item = dict[str, Any]
#: An Update's own part: the item as found and the request, to the item to store.
Change = Callable[[Backend, Item, dict[str, Any]], Item]


@dataclass(frozen=True)
class Shelf:
    """Where the store keeps one kind of item: its methods to read one, read all (in their
    order), write one and delete one, by pool id and name."""

    get: Callable[[Store, str, str], Item | None]
    all: Callable[[Store, str], list[Item]]
    put: Callable[[Store, str, str, Item], None]
    delete: Callable[[Store, str, str], None]


@dataclass(frozen=True)
class PoolItems:
    """One kind of named item of a user pool."""

    #: The request member, and the item's, that names it: ``GroupName``, ``Identifier``, ...
    name_param: str
    #: The not-found message; ``{name}`` and ``{pool_id}`` are filled in.
    missing: str
    shelf: Shelf

    def look_up(self, backend: Backend, body: dict[str, Any]) -> tuple[Item, str, Item | None]:
        """The pool the request names, the item's name, and the item if the pool has one."""
        pool = pool_or_error(backend, str_param(body, "UserPoolId"))
        name = str_param(body, self.name_param)
        return pool, name, self.shelf.get(backend.store, pool["Id"], name)

    def get(self, backend: Backend, body: dict[str, Any]) -> Item:
        """The item the request names (the pool checked first), or ResourceNotFoundException."""
        pool, name, item = self.look_up(backend, body)
        return self._found(item, pool["Id"], name)

    def named(self, backend: Backend, pool_id: str, name: str) -> Item:
        """The item ``name`` of the pool, or ResourceNotFoundException."""
        return self._found(self.shelf.get(backend.store, pool_id, name), pool_id, name)

    def _found(self, item: Item | None, pool_id: str, name: str) -> Item:
        if item is None:
            raise errors.ResourceNotFoundException(self.missing.format(name=name, pool_id=pool_id))
        return item

    def describer(self, key: str) -> Handler:
        """Get/Describe: the item, as ``key``."""

        def describe(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
            return {key: self.get(backend, body)}

        return describe

    def lister(
        self,
        key: str,
        *,
        page_param: str = "MaxResults",
        page_default: int = 60,
        summary: tuple[str, ...] = (),
    ) -> Handler:
        """List: a page of the pool's items as ``key``, each cut to its ``summary`` members
        when given; the page size is the request's ``page_param``."""

        def list_items(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
            pool = pool_or_error(backend, str_param(body, "UserPoolId"))
            items = self.shelf.all(backend.store, pool["Id"])
            if summary:
                items = [{member: item[member] for member in summary} for item in items]
            return list_page(body, items, key, int_param(body, page_param, page_default))

        return list_items

    def updater(self, key: str, change: Change) -> Handler:
        """Update: the item found, changed by ``change``, stored and answered as ``key``."""

        def update(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
            item = change(backend, self.get(backend, body), body)
            self.shelf.put(backend.store, item["UserPoolId"], item[self.name_param], item)
            return {key: item}

        return update

    def delete(self, backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
        """Delete: the item is removed."""
        item = self.get(backend, body)
        self.shelf.delete(backend.store, item["UserPoolId"], item[self.name_param])
        return {}
