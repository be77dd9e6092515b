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

Before any route, :class:`LocalCognitoApp` refuses a foreign ``Host`` (403, DNS rebinding) and
a body over the limit (413), and answers the CORS preflight; CORS headers go only on answers a
browser may read (:mod:`.policy`). With strict auth, management calls' SigV4 signatures are
verified (:mod:`.strict_auth`); injected faults happen on JSON 1.1 calls (:mod:`.faults`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from pyamplify.local import errors, triggers
from pyamplify.local.backend import Backend
from pyamplify.local.front.faults import DROP, DROP_AFTER, ERROR, THROTTLE, FaultInjector
from pyamplify.local.front.limits import Limits, TooLarge, read_body, too_large_text
from pyamplify.local.front.policy import AccessPolicy
from pyamplify.local.front.strict_auth import SignatureCheck
from pyamplify.local.front.text import refuse_unpaired_surrogates
from pyamplify.local.identity import service as identity_service
from pyamplify.local.idp import service as idp_service
from pyamplify.local.idp.service import IDP_TARGET_PREFIX
from pyamplify.local.lambdas.listing import describe_triggers
from pyamplify.local.oauth import service as oauth_service
from pyamplify.local.oauth.discovery import openid_configuration
from pyamplify.local.service.endpoints import Installer, RequestInfo, ServiceRegistry, is_signed
from pyamplify.local.service.registry import ModelService
from pyamplify.local.sts import service as sts

LOG = logging.getLogger("pyamplify.local")

#: The services one local Cognito serves on its port, in install order.
INSTALLERS: tuple[Installer, ...] = (
    idp_service.install,
    identity_service.install,
    sts.install,
    oauth_service.install,
    triggers.install,
)

AMZ_JSON = "application/x-amz-json-1.1"


#: A rendered answer: HTTP status, raw ASGI headers, body.
RawResponse = tuple[int, list[tuple[bytes, bytes]], bytes]

# Starlette's JSONResponse rendering (compact, UTF-8, no NaN), with one encoder made once.
_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
# For text UTF-8 cannot encode (a lone surrogate quoted in a message): JSON escapes it instead.
_ASCII_JSON_ENCODER = json.JSONEncoder(ensure_ascii=True, allow_nan=False, separators=(",", ":"))
_AMZ_JSON_RAW = AMZ_JSON.encode("latin-1")


def _raw_json(
    status: int,
    payload: Any,
    leading: list[tuple[bytes, bytes]],
    trailing: list[tuple[bytes, bytes]],
) -> RawResponse:
    """A JSON 1.1 answer (CORS headers, when due, are added by :class:`LocalCognitoApp`)."""
    try:
        body = _JSON_ENCODER.encode(payload).encode("utf-8")
    except UnicodeEncodeError:
        body = _ASCII_JSON_ENCODER.encode(payload).encode("ascii")
    headers = [
        (b"x-amzn-requestid", str(uuid.uuid4()).encode("latin-1")),
        *leading,
        *trailing,
        (b"content-length", str(len(body)).encode("latin-1")),
        (b"content-type", _AMZ_JSON_RAW),
    ]
    return status, headers, body


def raw_error(error: errors.CognitoError) -> RawResponse:
    """Render a Cognito error exactly as AWS does on the wire."""
    message: list[tuple[bytes, bytes]] = []
    if all(" " <= char <= "~" for char in error.message):  # HTTP header values: printable
        message.append((b"x-amzn-errormessage", error.message.encode("latin-1")))
    error_type = [(b"x-amzn-errortype", f"{error.code}:".encode("latin-1"))]
    body = {"__type": error.code, "message": error.message}
    return _raw_json(error.status, body, error_type, message)


def raw_success(payload: dict[str, Any]) -> RawResponse:
    """A successful JSON 1.1 answer."""
    return _raw_json(200, payload, [], [])


def _as_response(raw: RawResponse) -> Response:
    status, headers, body = raw
    response = Response(body, status_code=status)
    response.raw_headers = headers
    return response


def error_response(error: errors.CognitoError) -> Response:
    """Render a Cognito error exactly as AWS does on the wire (as a Starlette response)."""
    return _as_response(raw_error(error))


def json_response(payload: dict[str, Any]) -> Response:
    """A successful JSON 1.1 response (as a Starlette response)."""
    return _as_response(raw_success(payload))


def _internal_error() -> RawResponse:
    LOG.exception("local Cognito bug while serving a request")
    return raw_error(errors.InternalErrorException("The local Cognito failed; see its log."))


class Dispatcher:
    """``POST /``: finds the service and operation, parses the body, renders the outcome."""

    def __init__(
        self,
        backend: Backend,
        registry: ServiceRegistry,
        signatures: SignatureCheck | None = None,
    ) -> None:
        self.backend = backend
        self.registry = registry
        self.signatures = signatures

    def is_user_plane(self, target: str) -> bool:
        """Whether ``target`` is an operation the model sends unsigned (browsers call those)."""
        prefix, _, operation = target.partition(".")
        service = self.registry.targets.get(prefix)
        return isinstance(service, ModelService) and operation in service.model.unsigned

    def _signed(
        self,
        target: str,
        raw: bytes,
        headers: Mapping[str, str],
        query: str,
        raw_headers: Sequence[tuple[bytes, bytes]],
    ) -> bool:
        """Whether the call counts as signed: any SigV4-looking header, or with strict auth a
        signature verified for a management operation (a bad one raises the front door's
        error; user-plane calls need none)."""
        if self.signatures is None:
            return is_signed(headers)
        prefix, _, operation = target.partition(".")
        service = self.registry.targets.get(prefix)
        if not isinstance(service, ModelService) or operation in service.model.unsigned:
            return False
        self.signatures.verify(
            service=service.model.name,
            query=query,
            headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw_headers],
            body=raw,
            now=self.backend.clock(),
        )
        return True

    def answer_target(
        self,
        target: str,
        raw: bytes,
        headers: Mapping[str, str],
        client_host: str | None,
        query: str = "",
        raw_headers: Sequence[tuple[bytes, bytes]] = (),
    ) -> RawResponse:
        """Answer a JSON 1.1 call (``X-Amz-Target`` present); never raises."""
        try:
            signed = self._signed(target, raw, headers, query, raw_headers)
            info = RequestInfo(headers=headers, signed=signed, client_host=client_host)
            return raw_success(self._target(target, raw, info))
        except errors.CognitoError as error:
            return raw_error(error)
        except Exception:  # the one place a bug becomes Cognito's only 5xx
            return _internal_error()

    async def answer(
        self,
        target: str,
        raw: bytes,
        headers: Mapping[str, str],
        client_host: str | None,
        query: str = "",
        raw_headers: Sequence[tuple[bytes, bytes]] = (),
    ) -> RawResponse:
        """:meth:`answer_target`, on the loop; on a gated worker thread when triggers are
        mapped, since a trigger's handler may take its time or call this server back."""
        call = (target, raw, headers, client_host, query, raw_headers)
        if not self.backend.functions.arns():
            return self.answer_target(*call)
        return await asyncio.to_thread(self._answer_gated, *call)

    def _answer_gated(
        self,
        target: str,
        raw: bytes,
        headers: Mapping[str, str],
        client_host: str | None,
        query: str,
        raw_headers: Sequence[tuple[bytes, bytes]],
    ) -> RawResponse:
        with self.backend.gate.running():
            return self.answer_target(target, raw, headers, client_host, query, raw_headers)

    async def __call__(self, request: Request) -> Response:
        try:
            raw = await request.body()
            headers = {key.lower(): value for key, value in request.headers.items()}
            client_host = request.client.host if request.client else None
            target = headers.get("x-amz-target")
            if target is not None:
                return _as_response(await self.answer(target, raw, headers, client_host))
            info = RequestInfo(headers=headers, signed=is_signed(headers), client_host=client_host)
            return self._query(raw, headers, info)
        except errors.CognitoError as error:
            return error_response(error)
        except Exception:  # the one place a bug becomes Cognito's only 5xx
            return _as_response(_internal_error())

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
        refuse_unpaired_surrogates(raw, body)
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


def _cors(policy: AccessPolicy, request: Request) -> dict[str, str]:
    raw = policy.cors_headers(request.headers.get("origin"))
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in raw}


def _well_known(backend: Backend, policy: AccessPolicy) -> list[BaseRoute]:
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
        return JSONResponse(backend.keys.jwks(pool_id), headers=_cors(policy, request))

    async def discovery(request: Request) -> Response:
        try:
            pool_id = pool_id_of(request)
        except errors.CognitoError as error:
            return error_response(error)
        return JSONResponse(openid_configuration(backend, pool_id), headers=_cors(policy, request))

    return [
        Route("/{pool_id}/.well-known/jwks.json", jwks, methods=["GET"]),
        Route("/{pool_id}/.well-known/openid-configuration", discovery, methods=["GET"]),
    ]


def _local_routes(backend: Backend, registry: ServiceRegistry) -> list[BaseRoute]:
    async def outbox(request: Request) -> Response:
        username = request.query_params.get("username")
        return JSONResponse([item.as_json() for item in backend.store.outbox(username)])

    async def stats(request: Request) -> Response:
        return JSONResponse(dict(backend.calls.snapshot()))

    async def triggers(request: Request) -> Response:
        return JSONResponse(describe_triggers(backend.store.list_pools(), backend.functions))

    async def index(request: Request) -> Response:
        return JSONResponse(
            {
                "service": "pyamplify local Cognito",
                "region": backend.region,
                "endpoint": backend.base_url,
                "targets": sorted(registry.targets),
            }
        )

    return [
        Route("/_local/outbox", outbox, methods=["GET"]),
        Route("/_local/stats", stats, methods=["GET"]),
        Route("/_local/triggers", triggers, methods=["GET"]),
        Route("/", index, methods=["GET"]),
    ]


class LocalCognitoApp:
    """The ASGI entry point: the Host check, the body limit and the CORS preflight for every
    request; JSON 1.1 calls straight to the dispatcher; the rest to Starlette.

    ``POST /`` with an ``X-Amz-Target`` header is always a JSON 1.1 call (no route of ours or of
    an extension takes it: the query protocol has no target), and it is nearly all the traffic.
    Answering it here skips Starlette's middleware stack, router and response objects, which
    cost more per call than the operations' own Python code.
    """

    def __init__(
        self,
        dispatcher: Dispatcher,
        routes: ASGIApp,
        *,
        policy: AccessPolicy | None = None,
        limits: Limits | None = None,
        faults: FaultInjector | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.routes = routes
        self.policy = policy or AccessPolicy()
        self.limits = limits or Limits()
        self.faults = faults or FaultInjector()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.routes(scope, receive, send)
            return
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in scope["headers"]
        }
        host = headers.get("host")
        if host is not None and not self.policy.host_allowed(host):
            await _plain(send, 403, self.policy.refusal_text(host).encode("utf-8"))
            return
        try:
            raw = await read_body(receive, self.limits.max_body, headers.get("content-length"))
        except TooLarge:
            await _plain(send, 413, too_large_text(self.limits.max_body), close=True)
            return
        if raw is None:
            return  # the client went away before sending its whole body
        method, path = scope["method"], scope["path"]
        if path == "/" and method == "POST":
            target = headers.get("x-amz-target")
            if target is not None:
                await self._call(scope, target, raw, headers, receive, send)
                return
        if path == "/" and method == "OPTIONS":
            status, cors = self.policy.preflight(
                headers.get("origin"),
                headers.get("access-control-request-method"),
                headers.get("access-control-request-headers"),
            )
            await send({"type": "http.response.start", "status": status, "headers": cors})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.routes(scope, _replay(raw, receive), send)

    async def _call(
        self,
        scope: Scope,
        target: str,
        raw: bytes,
        headers: Mapping[str, str],
        receive: Receive,
        send: Send,
    ) -> None:
        """Answer one JSON 1.1 call, with the fault drawn for it (if any)."""
        decision = self.faults.decide(target.partition(".")[2])
        if decision.delay:
            await asyncio.sleep(decision.delay)
        if decision.outcome == DROP:
            await _drop(scope, receive, send)
            return
        if decision.outcome == THROTTLE:
            answer = raw_error(errors.TooManyRequestsException("Rate exceeded"))
        elif decision.outcome == ERROR:
            answer = raw_error(errors.InternalErrorException("Internal server error."))
        else:
            client = scope.get("client")
            answer = await self.dispatcher.answer(
                target,
                raw,
                headers,
                client[0] if client else None,
                query=scope.get("query_string", b"").decode("latin-1"),
                raw_headers=scope["headers"],
            )
            if decision.outcome == DROP_AFTER:
                await _drop(scope, receive, send)
                return
        status, raw_headers, body = answer
        origin = headers.get("origin")
        if origin is not None and self.dispatcher.is_user_plane(target):
            raw_headers = [*raw_headers, *self.policy.cors_headers(origin)]
        await send({"type": "http.response.start", "status": status, "headers": raw_headers})
        await send({"type": "http.response.body", "body": body})


async def _plain(send: Send, status: int, text: bytes, *, close: bool = False) -> None:
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(text)).encode("latin-1")),
    ]
    if close:  # an unread body follows: do not read it to keep the connection
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": text})


async def _drop(scope: Scope, receive: Receive, send: Send) -> None:
    """Close the connection without an answer (an injected fault); without the protocol's
    hook (the h11 fallback) the closest thing is a 500."""
    drop = scope.get("extensions", {}).get("pyamplify.drop")
    if drop is None:
        status, headers, body = raw_error(errors.InternalErrorException("Dropped (injected)."))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return
    drop()
    while (await receive())["type"] != "http.disconnect":
        pass


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` for routes after the front has read the body: the body once, then the
    connection's own messages (its disconnect)."""
    sent = False

    async def replay() -> Any:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def build_app(
    backend: Backend,
    registry: ServiceRegistry | None = None,
    *,
    policy: AccessPolicy | None = None,
    limits: Limits | None = None,
    signatures: SignatureCheck | None = None,
    faults: FaultInjector | None = None,
) -> LocalCognitoApp:
    """The local Cognito's ASGI app with its services, extensions and routes.

    ``policy`` (Host and CORS rules), ``limits`` (body size), ``signatures`` (strict auth) and
    ``faults`` default to: loopback names and origins, 1 MiB, any signature, none.
    """
    registry = registry or ServiceRegistry()
    policy = policy or AccessPolicy()
    for install in INSTALLERS:
        install(backend, registry)
    dispatcher = Dispatcher(backend, registry, signatures)

    async def dispatch(request: Request) -> Response:
        return await dispatcher(request)

    endpoint: Callable[[Request], Awaitable[Response]] = dispatch
    routes: list[BaseRoute] = [
        *registry.routes,
        Route("/", endpoint, methods=["POST"]),
        *_well_known(backend, policy),
        *_local_routes(backend, registry),
    ]
    return LocalCognitoApp(
        dispatcher, Starlette(routes=routes), policy=policy, limits=limits, faults=faults
    )
