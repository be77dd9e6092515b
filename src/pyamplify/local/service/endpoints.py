"""What one local Cognito serves, and what a service may know of a request.

Each service room (``idp``, ``identity``, ``sts``, later ``oauth``) has an
``install(backend, endpoints)`` that registers here: JSON 1.1 targets by ``X-Amz-Target`` prefix,
query-protocol actions (STS) and plain routes (keys, discovery, Hosted UI pages). The HTTP front
(:mod:`pyamplify.local.front.app`) serves what was registered; services never import the front.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from starlette.responses import Response
from starlette.routing import BaseRoute

if TYPE_CHECKING:
    from pyamplify.local.backend import Backend


@dataclass(frozen=True)
class RequestInfo:
    """What a service may know about the HTTP request besides its body."""

    headers: Mapping[str, str]
    #: Whether the request carries a SigV4 signature (any credentials are accepted).
    signed: bool
    client_host: str | None = None


def is_signed(headers: Mapping[str, str]) -> bool:
    """Whether a request carries SigV4 authentication (header form)."""
    authorization = headers.get("authorization", "")
    return authorization.startswith("AWS4-HMAC-SHA256") or "x-amz-security-token" in headers


class TargetService(Protocol):
    """A JSON 1.1 service addressed by an ``X-Amz-Target`` prefix."""

    def handle(self, operation: str, body: Any, request: RequestInfo) -> dict[str, Any]:
        """Run ``operation``; raise :class:`~pyamplify.local.errors.CognitoError` to fail."""
        ...


#: A query-protocol action: form parameters in, a complete HTTP response out.
QueryAction = Callable[[dict[str, str], RequestInfo], Response]


@dataclass
class ServiceRegistry:
    """Where services, query actions and extra routes of one local Cognito are registered."""

    targets: dict[str, TargetService] = field(default_factory=dict)
    query_actions: dict[str, QueryAction] = field(default_factory=dict)
    routes: list[BaseRoute] = field(default_factory=list)

    def register_target(self, prefix: str, service: TargetService) -> None:
        """Serve ``X-Amz-Target: <prefix>.<Operation>`` with ``service``."""
        if prefix in self.targets:
            raise ValueError(f"the target prefix {prefix} is already served")
        self.targets[prefix] = service

    def register_query_action(self, action: str, handler: QueryAction) -> None:
        """Serve form-encoded ``POST /`` requests whose ``Action`` is ``action``."""
        if action in self.query_actions:
            raise ValueError(f"the query action {action} is already served")
        self.query_actions[action] = handler

    def add_route(self, route: BaseRoute) -> None:
        """Serve an extra Starlette route (checked before the built-in ones)."""
        self.routes.append(route)


#: A service room's entry point: register what it serves for one local Cognito.
Installer = Callable[["Backend", ServiceRegistry], None]
