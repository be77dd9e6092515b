"""Who a sign-in step serves: the local Cognito's backend, the user pool and its app client.

Every step of a sign-in (the password, a challenge, the tokens) needs the same three things,
checked once when the operation starts; they travel together as one :class:`Caller`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyamplify.local.backend import Backend
from pyamplify.local.idp.common import (
    client_or_error,
    pool_client_or_error,
    pool_or_error,
    str_param,
)


@dataclass(frozen=True)
class Caller:
    """The backend, the user pool and the app client an operation is for."""

    backend: Backend = field(repr=False)
    pool: dict[str, Any] = field(repr=False)
    client: dict[str, Any] = field(repr=False)

    @classmethod
    def of_client(cls, backend: Backend, body: dict[str, Any]) -> Caller:
        """A user-plane call: its ``ClientId`` names the app client, whose pool it is for."""
        client = client_or_error(backend, str_param(body, "ClientId"))
        return cls(backend, pool_or_error(backend, client["UserPoolId"]), client)

    @classmethod
    def of_admin(cls, backend: Backend, body: dict[str, Any]) -> Caller:
        """An admin (SigV4) call: it names the pool (``UserPoolId``) and one of its clients."""
        pool, client = pool_client_or_error(
            backend, str_param(body, "UserPoolId"), str_param(body, "ClientId")
        )
        return cls(backend, pool, client)

    @property
    def pool_id(self) -> str:
        """The user pool's id."""
        return str(self.pool["Id"])

    @property
    def client_id(self) -> str:
        """The app client's id."""
        return str(self.client["ClientId"])

    def __repr__(self) -> str:
        return f"Caller({self.pool_id}, {self.client_id})"
