"""A local STS that answers ``GetCallerIdentity`` for the credentials identity pools mint.

STS speaks the AWS *query* protocol: ``POST /`` with a form body
``Action=GetCallerIdentity&Version=2011-06-15`` (or ``GET /?Action=...``), SigV4 in the
``Authorization`` header, XML answers in the ``https://sts.amazonaws.com/doc/2011-06-15/``
namespace and XML errors (``<ErrorResponse><Error><Type>Sender</Type><Code>...``).

Requests are verified as STS verifies them, in this order: an Authorization header must be
present (``MissingAuthenticationToken``); the access key must be one this local Cognito minted
and the ``X-Amz-Security-Token`` the session token minted with it (``InvalidClientTokenId``);
the credentials must not have expired on the local Cognito's clock (``ExpiredToken``); the
signature, recomputed from the raw request with the minted secret, must match within 15 minutes
of the clock (``SignatureDoesNotMatch``). These auth errors are HTTP 403, as on AWS.

The route sees the raw body (SigV4 signs its hash), so it is a Starlette route that claims
only query-protocol requests on ``/``: no ``X-Amz-Target``, and a form-encoded POST or a GET
with ``Action=``. Other query actions registered with ``ServiceRegistry.register_query_action``
still reach their handlers through it.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, unquote
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import Scope

from pyamplify.local.backend import Backend
from pyamplify.local.identity.credentials import caller_identity, session_token_matches
from pyamplify.local.service.endpoints import RequestInfo, ServiceRegistry, is_signed
from pyamplify.local.store.identity import IdentityStore
from pyamplify.local.sts import sigv4

STS_VERSION = "2011-06-15"
STS_NAMESPACE = f"https://sts.amazonaws.com/doc/{STS_VERSION}/"
_XML = "text/xml"
_FORM = b"application/x-www-form-urlencoded"


class StsError(Exception):
    """An STS error: its code, message and HTTP status (``Type`` is always ``Sender``)."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


def _auth_error(failure: sigv4.SignatureError) -> StsError:
    return StsError(failure.code, str(failure), 403)


def xml_error(error: StsError, request_id: str) -> Response:
    """An STS error response."""
    body = (
        f'<ErrorResponse xmlns="{STS_NAMESPACE}">\n'
        "  <Error>\n"
        "    <Type>Sender</Type>\n"
        f"    <Code>{escape(error.code)}</Code>\n"
        f"    <Message>{escape(error.message)}</Message>\n"
        "  </Error>\n"
        f"  <RequestId>{request_id}</RequestId>\n"
        "</ErrorResponse>\n"
    )
    return Response(
        body, status_code=error.status, media_type=_XML, headers={"x-amzn-RequestId": request_id}
    )


def xml_result(action: str, members: dict[str, str], request_id: str) -> Response:
    """A successful STS response: ``<ActionResponse><ActionResult>`` plus metadata."""
    fields = "".join(f"    <{name}>{escape(value)}</{name}>\n" for name, value in members.items())
    body = (
        f'<{action}Response xmlns="{STS_NAMESPACE}">\n'
        f"  <{action}Result>\n{fields}  </{action}Result>\n"
        "  <ResponseMetadata>\n"
        f"    <RequestId>{request_id}</RequestId>\n"
        "  </ResponseMetadata>\n"
        f"</{action}Response>\n"
    )
    return Response(body, media_type=_XML, headers={"x-amzn-RequestId": request_id})


def is_query_request(scope: Scope) -> bool:
    """Whether a request to ``/`` is a query-protocol call (form POST, or Action in the URL)."""
    headers = {name.lower(): value for name, value in scope.get("headers", [])}
    if b"x-amz-target" in headers:
        return False
    method = scope.get("method")
    if method in ("GET", "HEAD"):
        return b"Action=" in scope.get("query_string", b"")
    if method == "POST":
        form = headers.get(b"content-type", b"").lower().startswith(_FORM)
        return form or b"Action=" in scope.get("query_string", b"")
    return False


class QueryRoute(Route):
    """``/`` for query-protocol requests only; everything else passes to the next routes."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """Match like a Route, but only requests :func:`is_query_request` accepts."""
        if scope.get("type") != "http" or not is_query_request(scope):
            return Match.NONE, {}
        return super().matches(scope)


class SecurityTokenService:
    """The query-protocol endpoint: STS actions, then the registry's other query actions."""

    def __init__(self, backend: Backend, registry: ServiceRegistry) -> None:
        self.backend = backend
        self.registry = registry
        self.store = IdentityStore(backend.store)

    async def __call__(self, request: Request) -> Response:
        request_id = str(uuid.uuid4())
        body = await request.body()
        query = request.scope.get("query_string", b"").decode("latin-1")
        params = dict(parse_qsl(query, keep_blank_values=True))
        if request.method == "POST":
            params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
        headers = [
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in request.headers.raw
        ]
        action = params.get("Action", "")
        if action == "GetCallerIdentity":
            self.backend.calls.add(action)
            signed = sigv4.SignedRequest(
                method=request.method,
                path=request.url.path,
                query=query,
                headers=headers,
                body=body,
            )
            try:
                if params.get("Version") != STS_VERSION:
                    raise _unknown_action(action, params.get("Version"))
                return xml_result(action, self.get_caller_identity(signed), request_id)
            except StsError as error:
                return xml_error(error, request_id)
        return await self._other_action(action, params, headers, request, request_id)

    async def _other_action(
        self,
        action: str,
        params: dict[str, str],
        headers: list[tuple[str, str]],
        request: Request,
        request_id: str,
    ) -> Response:

        handler = self.registry.query_actions.get(action)
        if handler is None:
            if not action:
                return xml_error(StsError("MissingAction", "Missing Action"), request_id)
            return xml_error(_unknown_action(action, params.get("Version")), request_id)
        self.backend.calls.add(action)
        lowered = {name.lower(): value for name, value in headers}
        info = RequestInfo(
            headers=lowered,
            signed=is_signed(lowered),
            client_host=request.client.host if request.client else None,
        )
        return handler(params, info)

    def get_caller_identity(self, request: sigv4.SignedRequest) -> dict[str, str]:
        """Verify the request's SigV4 signature and name the role its credentials act as."""
        request = _presigned_as_header_signed(request)
        try:
            credential, _signed, _signature = sigv4.parse_authorization(request.headers)
        except sigv4.SignatureError as failure:
            raise _auth_error(failure) from None
        stored = self.store.get_credentials(credential.access_key_id)
        token = _header(request, "x-amz-security-token")
        if stored is None or not session_token_matches(token, stored):
            raise StsError(*sigv4.INVALID_TOKEN, 403)
        now = self.backend.now()
        if now >= stored.expires_at:
            raise StsError(*sigv4.EXPIRED_TOKEN, 403)
        if credential.service != "sts":
            raise StsError(
                sigv4.SIGNATURE_MISMATCH[0],
                "Credential should be scoped to correct service: 'sts'. ",
                403,
            )
        try:
            sigv4.verify(
                request,
                {stored.access_key_id: stored.secret_key},
                now=datetime.fromtimestamp(now, tz=timezone.utc),
            )
        except sigv4.SignatureError as failure:
            raise _auth_error(failure) from None
        return caller_identity(stored)


def _presigned_as_header_signed(request: sigv4.SignedRequest) -> sigv4.SignedRequest:
    """A presigned (query-string) request rewritten as the header-signed one it is equivalent to.

    SigV4 query auth signs the query without ``X-Amz-Signature`` and the same headers, payload
    and string to sign; so moving the auth parameters into an Authorization header (and
    ``X-Amz-Date`` / ``X-Amz-Security-Token`` headers, which are not among the signed headers)
    lets one verifier serve both. STS ignores ``X-Amz-Expires`` and allows the usual 15 minutes
    around ``X-Amz-Date`` (aws/aws-sdk-go#2167), which the verifier's clock check enforces.
    """
    params = dict(parse_qsl(request.query, keep_blank_values=True))
    if "X-Amz-Signature" not in params or _header(request, "authorization") is not None:
        return request
    if params.get("X-Amz-Algorithm") != sigv4.ALGORITHM:
        return request  # no Authorization header: MissingAuthenticationToken
    kept = "&".join(
        part
        for part in request.query.split("&")
        if part and unquote(part.partition("=")[0]) != "X-Amz-Signature"
    )
    authorization = (
        f"{sigv4.ALGORITHM} Credential={params.get('X-Amz-Credential', '')}, "
        f"SignedHeaders={params.get('X-Amz-SignedHeaders', '')}, "
        f"Signature={params['X-Amz-Signature']}"
    )
    moved = {"authorization", "x-amz-date", "x-amz-security-token"}
    headers = [(name, value) for name, value in request.headers if name.lower() not in moved]
    headers += [("authorization", authorization), ("x-amz-date", params.get("X-Amz-Date", ""))]
    if "X-Amz-Security-Token" in params:
        headers.append(("x-amz-security-token", params["X-Amz-Security-Token"]))
    return sigv4.SignedRequest(
        method=request.method, path=request.path, query=kept, headers=headers, body=request.body
    )


def _header(request: sigv4.SignedRequest, name: str) -> str | None:
    return next((value for key, value in request.headers if key.lower() == name), None)


def _unknown_action(action: str, version: Any) -> StsError:
    return StsError(
        "InvalidAction",
        f"Could not find operation {action[:100]} for version {version or 'NO_VERSION_SPECIFIED'}",
    )


def install(backend: Backend, registry: ServiceRegistry) -> None:
    """Serve the query protocol (STS) on ``/`` ahead of the JSON dispatcher."""
    service = SecurityTokenService(backend, registry)

    async def endpoint(request: Request) -> Response:
        return await service(request)

    registry.add_route(QueryRoute("/", endpoint, methods=["GET", "POST"]))
