"""The ASGI application: JSON 1.1 dispatch by ``X-Amz-Target``, error rendering, extra routes.

``POST /`` carries every Cognito call. The part of ``X-Amz-Target`` before the dot picks a
service from the :class:`ServiceRegistry` (``AWSCognitoIdentityProviderService`` is built in;
identity pools plug in as ``AWSCognitoIdentityService``), the part after it names the
operation. Form-encoded ``POST /`` bodies with ``Action=...`` (the AWS query protocol, e.g. STS
``GetCallerIdentity``) go to registered query actions. Extensions add plain routes too
(Hosted UI pages, OAuth endpoints).

Extensions are modules listed in :data:`EXTENSION_MODULES`; each exposes
``install(backend: Backend, registry: ServiceRegistry) -> None`` and is imported when a local
Cognito starts, so a missing optional module never breaks the user-pool service.

Errors are rendered as Cognito renders them: HTTP 400, ``{"__type", "message"}``, and the
``x-amzn-ErrorType: <Code>:`` header. Anything unexpected becomes ``InternalErrorException``
(500), the only fault Cognito has; the fuzz test keeps that path unused.
"""

from __future__ import annotations

import importlib
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp_service import IDP_TARGET_PREFIX, IdentityProviderService

LOG = logging.getLogger("pyamplify.local")

#: Modules that extend the local Cognito (``install(backend, registry)``), in install order.
EXTENSION_MODULES: tuple[str, ...] = (
    # one entry per extension module, e.g. identity pools
    "pyamplify.local.identity_service",
)

AMZ_JSON = "application/x-amz-json-1.1"
_CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date",
}


@dataclass(frozen=True)
class RequestInfo:
    """What a service may know about the HTTP request besides its body."""

    headers: Mapping[str, str]
    #: Whether the request carries a SigV4 signature (any credentials are accepted).
    signed: bool
    client_host: str | None = None


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
        self.targets[prefix] = service

    def register_query_action(self, action: str, handler: QueryAction) -> None:
        """Serve form-encoded ``POST /`` requests whose ``Action`` is ``action``."""
        self.query_actions[action] = handler

    def add_route(self, route: BaseRoute) -> None:
        """Serve an extra Starlette route (checked before the built-in ones)."""
        self.routes.append(route)


def is_signed(headers: Mapping[str, str]) -> bool:
    """Whether a request carries SigV4 authentication (header form)."""
    authorization = headers.get("authorization", "")
    return authorization.startswith("AWS4-HMAC-SHA256") or "x-amz-security-token" in headers


def error_response(error: errors.CognitoError) -> Response:
    """Render a Cognito error exactly as AWS does on the wire."""
    headers = {
        "x-amzn-RequestId": str(uuid.uuid4()),
        "x-amzn-ErrorType": f"{error.code}:",
        **_CORS,
    }
    if all(" " <= char <= "~" for char in error.message):  # HTTP header values: printable
        headers["x-amzn-ErrorMessage"] = error.message
    return JSONResponse(
        error.body(), status_code=error.status, headers=headers, media_type=AMZ_JSON
    )


def json_response(payload: dict[str, Any]) -> Response:
    """A successful JSON 1.1 response."""
    headers = {"x-amzn-RequestId": str(uuid.uuid4()), **_CORS}
    return JSONResponse(payload, headers=headers, media_type=AMZ_JSON)


class Dispatcher:
    """``POST /``: finds the service and operation, parses the body, renders the outcome."""

    def __init__(self, backend: Backend, registry: ServiceRegistry) -> None:
        self.backend = backend
        self.registry = registry

    async def __call__(self, request: Request) -> Response:
        try:
            raw = await request.body()
            headers = {key.lower(): value for key, value in request.headers.items()}
            info = RequestInfo(
                headers=headers,
                signed=is_signed(headers),
                client_host=request.client.host if request.client else None,
            )
            target = headers.get("x-amz-target")
            if target is None:
                return self._query(raw, headers, info)
            return json_response(self._target(target, raw, info))
        except errors.CognitoError as error:
            return error_response(error)
        except Exception:  # the one place a bug becomes Cognito's only 5xx
            LOG.exception("local Cognito bug while serving a request")
            return error_response(
                errors.InternalErrorException("The local Cognito failed; see its log.")
            )

    def _target(self, target: str, raw: bytes, info: RequestInfo) -> dict[str, Any]:
        prefix, _, operation = target.partition(".")
        service = self.registry.targets.get(prefix)
        if service is None or not operation:
            raise errors.UnknownOperationException(
                f"Unknown X-Amz-Target {target[:200]!r}: expected "
                f"'{IDP_TARGET_PREFIX}.<Operation>'."
            )
        try:
            body = json.loads(raw) if raw.strip() else {}
        except (ValueError, RecursionError):
            raise errors.InvalidParameterException(
                "The request body is not valid JSON; send a JSON object."
            ) from None
        self.backend.calls.add(operation)
        return service.handle(operation, body, info)

    def _query(self, raw: bytes, headers: Mapping[str, str], info: RequestInfo) -> Response:
        try:
            params = dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            params = {}
        action = params.get("Action", "")
        handler = self.registry.query_actions.get(action)
        if handler is None:
            raise errors.UnknownOperationException(
                "Missing X-Amz-Target header: send 'X-Amz-Target: "
                f"{IDP_TARGET_PREFIX}.<Operation>' with a JSON 1.1 body."
            )
        self.backend.calls.add(action)
        return handler(params, info)


def _well_known(backend: Backend) -> list[BaseRoute]:
    def pool_id_of(request: Request) -> str:
        pool_id = str(request.path_params["pool_id"])
        if backend.store.get_pool(pool_id) is None:
            raise errors.ResourceNotFoundException(f"User pool {pool_id} does not exist.")
        return pool_id

    async def jwks(request: Request) -> Response:
        try:
            pool_id = pool_id_of(request)
        except errors.CognitoError as error:
            return error_response(error)
        return JSONResponse(backend.keys.jwks(pool_id), headers=_CORS)

    async def discovery(request: Request) -> Response:
        try:
            pool_id = pool_id_of(request)
        except errors.CognitoError as error:
            return error_response(error)
        return JSONResponse(openid_configuration(backend, pool_id), headers=_CORS)

    return [
        Route("/{pool_id}/.well-known/jwks.json", jwks, methods=["GET"]),
        Route("/{pool_id}/.well-known/openid-configuration", discovery, methods=["GET"]),
    ]


def openid_configuration(backend: Backend, pool_id: str) -> dict[str, Any]:
    """The pool's OIDC discovery document; endpoints point at this local server."""
    base = backend.base_url
    return {
        "authorization_endpoint": f"{base}/oauth2/authorize",
        "end_session_endpoint": f"{base}/logout",
        "id_token_signing_alg_values_supported": ["RS256"],
        "issuer": backend.issuer(pool_id),
        "jwks_uri": f"{base}/{pool_id}/.well-known/jwks.json",
        "response_types_supported": ["code", "token"],
        "revocation_endpoint": f"{base}/oauth2/revoke",
        "scopes_supported": ["openid", "email", "phone", "profile"],
        "subject_types_supported": ["public"],
        "token_endpoint": f"{base}/oauth2/token",
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "userinfo_endpoint": f"{base}/oauth2/userInfo",
    }


def _local_routes(backend: Backend) -> list[BaseRoute]:
    async def outbox(request: Request) -> Response:
        username = request.query_params.get("username")
        return JSONResponse([item.as_json() for item in backend.store.outbox(username)])

    async def stats(request: Request) -> Response:
        return JSONResponse(dict(backend.calls.snapshot()))

    async def index(request: Request) -> Response:
        return JSONResponse(
            {
                "service": "pyamplify local Cognito",
                "region": backend.region,
                "endpoint": backend.base_url,
                "targets": [IDP_TARGET_PREFIX],
            }
        )

    async def preflight(request: Request) -> Response:
        return Response(
            status_code=200,
            headers={
                **_CORS,
                "Access-Control-Allow-Methods": "POST, GET, OPTIONS",
                "Access-Control-Allow-Headers": request.headers.get(
                    "access-control-request-headers", "*"
                ),
                "Access-Control-Max-Age": "86400",
            },
        )

    return [
        Route("/_local/outbox", outbox, methods=["GET"]),
        Route("/_local/stats", stats, methods=["GET"]),
        Route("/", index, methods=["GET"]),
        Route("/", preflight, methods=["OPTIONS"]),
    ]


def build_app(backend: Backend, registry: ServiceRegistry | None = None) -> Starlette:
    """The local Cognito's ASGI app with its services, extensions and routes."""
    registry = registry or ServiceRegistry()
    registry.register_target(IDP_TARGET_PREFIX, IdentityProviderService(backend))
    for module_name in EXTENSION_MODULES:
        importlib.import_module(module_name).install(backend, registry)
    dispatcher = Dispatcher(backend, registry)

    async def dispatch(request: Request) -> Response:
        return await dispatcher(request)

    endpoint: Callable[[Request], Awaitable[Response]] = dispatch
    routes: list[BaseRoute] = [
        *registry.routes,
        Route("/", endpoint, methods=["POST"]),
        *_well_known(backend),
        *_local_routes(backend),
    ]
    return Starlette(routes=routes)
