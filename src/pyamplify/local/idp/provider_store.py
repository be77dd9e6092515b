"""The table of a user pool's federated identity providers, shared by the operations on them.

:mod:`.providers` manages providers; :mod:`.pools` needs only to know which exist, to
refuse app clients that name a provider the pool lacks (as Cognito does), and to forget a
deleted pool's providers. Both read the table through here, so neither imports the other.
"""

from __future__ import annotations

from typing import Any

from pyamplify.local.backend import Backend


def load_provider(backend: Backend, pool_id: str, name: str) -> dict[str, Any] | None:
    """A provider's description (DescribeIdentityProvider's shape), or ``None``."""
    return backend.store.get_identity_provider(pool_id, name)


def provider_names(backend: Backend, pool_id: str) -> set[str]:
    """The names of a pool's identity providers."""
    return backend.store.identity_provider_names(pool_id)


def forget_pool(backend: Backend, pool_id: str) -> None:
    """Drop a deleted pool's providers."""
    backend.store.delete_identity_providers(pool_id)
