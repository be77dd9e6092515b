"""Two tiny transports (httpx sync and async) that send :class:`Call`\\ s and retry wisely.

Both share :class:`RetryPolicy` and the request/response handling below, so they behave the same:
a 200 answer is the operation's JSON result; anything else becomes the typed error from
:func:`error_from_response`; connection failures and timeouts become :class:`NetworkError`\\ s.
Throttling, server faults and network failures are retried with capped, fully jittered
exponential backoff (the scheme AWS SDKs use); everything else is raised at once.

Retries are only made where repeating the call is safe. A one-shot operation (answering a
sign-in challenge, confirming a code, signing up: :data:`ONE_SHOT_OPERATIONS`) may have run
before its answer was lost, and its repeat would fail for a reason that hides the real one (a
used SRP secret block reads "Incorrect username or password."); such calls are retried only
after failures that prove the request was not processed: no connection, or throttling.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from pyamplify import __version__
from pyamplify.errors import PyamplifyError
from pyamplify.wire.call import Call
from pyamplify.wire.errors import (
    ConnectError,
    NetworkError,
    ProtocolError,
    RequestTimeoutError,
    RetryableError,
    ServiceUnavailableException,
    ThrottlingException,
    TooManyRequestsException,
    error_from_response,
)
from pyamplify.wire.sigv4 import AwsCredentials, sign

USER_AGENT = f"pyamplify/{__version__}"
DEFAULT_TIMEOUT = 10.0


#: Operations whose repeat after a lost answer fails misleadingly: one-time sessions and codes,
#: and creations (the repeat meets its own first success).
ONE_SHOT_OPERATIONS = frozenset(
    {
        "RespondToAuthChallenge",
        "AdminRespondToAuthChallenge",
        "ConfirmSignUp",
        "ConfirmForgotPassword",
        "VerifySoftwareToken",
        "VerifyUserAttribute",
        "ChangePassword",
        "SignUp",
        "AdminCreateUser",
        "CreateUserPool",
        "CreateUserPoolClient",
        "CreateIdentityPool",
    }
)
#: Failures after which the request certainly did not run: nothing was sent, or the service
#: refused it at the door.
NOT_PROCESSED: tuple[type[BaseException], ...] = (
    ConnectError,
    TooManyRequestsException,
    ThrottlingException,
    ServiceUnavailableException,
)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry calls that failed for a transient reason."""

    max_attempts: int = 3
    base_delay: float = 0.1
    max_delay: float = 2.0

    def should_retry(self, error: BaseException, attempt: int, operation: str = "") -> bool:
        """Whether to try again after ``error`` on (1-based) ``attempt`` of ``operation``."""
        if not isinstance(error, RetryableError) or attempt >= self.max_attempts:
            return False
        return operation not in ONE_SHOT_OPERATIONS or isinstance(error, NOT_PROCESSED)

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed ``attempt``: full jitter under a capped exponential."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return random.uniform(0, ceiling)


def _endpoint_for(endpoints: Mapping[str, str], call: Call) -> str:
    try:
        return endpoints[call.service]
    except KeyError:
        raise PyamplifyError(
            f"no endpoint is configured for {call.service} (needed for {call.operation}); "
            "add that pool to the configuration"
        ) from None


def _as_endpoints(endpoints: Mapping[str, str] | str) -> Mapping[str, str]:
    if isinstance(endpoints, str):
        return {"cognito-idp": endpoints, "cognito-identity": endpoints}
    return dict(endpoints)


def _all_loopback(endpoints: Mapping[str, str]) -> bool:
    """Whether every endpoint is on this machine (then proxy settings must not apply)."""
    hosts = {httpx.URL(url).host for url in endpoints.values()}
    return all(host in {"127.0.0.1", "localhost", "::1"} for host in hosts)


@dataclass(frozen=True, repr=False)
class Signer:
    """Signs every call with SigV4 (for management operations such as ``CreateUserPool``)."""

    credentials: AwsCredentials
    region: str

    def headers(self, call: Call, url: str, body: bytes) -> dict[str, str]:
        """The call's headers plus its SigV4 signature."""
        return sign(
            url,
            call.headers(),
            body,
            credentials=self.credentials,
            region=self.region,
            service=call.service,
        )


def _result(call: Call, response: httpx.Response) -> dict[str, Any]:
    if response.status_code != 200:
        raise error_from_response(
            response.status_code,
            response.headers,
            response.content,
            operation=call.operation,
            redact=call.secret_values(),
        )
    if not response.content:
        return {}
    try:
        data = json.loads(response.content)
    except ValueError:
        raise ProtocolError(
            f"{call.operation} answered 200 with a body that is not JSON; "
            "check that the endpoint is a Cognito user pool endpoint"
        ) from None
    if not isinstance(data, dict):
        raise ProtocolError(f"{call.operation} answered 200 with JSON that is not an object")
    return data


def transport_error_reason(error: httpx.TransportError) -> str:
    """``error`` for a message: its type and text, except text that may quote our request.

    httpx (h11 below it) words a request it refuses to send as ``Illegal header value b'…'``,
    quoting the header, which may be ``X-Amz-Security-Token`` or ``Authorization``; the other
    transport errors describe the connection or the server's answer.
    """
    kind = type(error).__name__
    if isinstance(error, httpx.LocalProtocolError):
        return f"{kind}: the request is not valid HTTP (a header holds a character it may not)"
    return f"{kind}: {error}"


def _network_error(call: Call, url: str, error: httpx.TransportError) -> NetworkError:
    if isinstance(error, httpx.TimeoutException):
        return RequestTimeoutError(
            f"{call.operation} to {url} timed out ({type(error).__name__}); "
            "the session is unchanged, try again"
        )
    if isinstance(error, httpx.ConnectError):
        return ConnectError(
            f"could not connect to {url} for {call.operation} ({error}); check the network "
            "and the configured endpoint"
        )
    return NetworkError(f"{call.operation} to {url} failed: {transport_error_reason(error)}")


class _Attempts:
    """One call's attempts, shared by both transports: what to send, and what each answer means.

    A transport only performs the POST (blocking or awaited) and the pause between attempts;
    everything else (signing, turning answers into results or typed errors, whether and how long
    to wait before trying again) happens here, once.
    """

    def __init__(
        self,
        call: Call,
        endpoints: Mapping[str, str],
        signer: Signer | None,
        retry: RetryPolicy,
    ) -> None:
        self.call = call
        self.url = _endpoint_for(endpoints, call)
        self.body = call.body()
        self._signer = signer
        self._retry = retry
        self._attempt = 0

    def headers(self) -> dict[str, str]:
        """Start the next attempt: its headers, re-signed each time (fresh ``X-Amz-Date``)."""
        self._attempt += 1
        call = self.call
        if self._signer is None:
            return call.headers()
        return self._signer.headers(call, self.url, self.body)

    def result(self, answer: httpx.Response | httpx.TransportError) -> dict[str, Any] | None:
        """The call's JSON result; ``None`` to try again; raises a typed error otherwise."""
        try:
            if isinstance(answer, httpx.TransportError):
                raise _network_error(self.call, self.url, answer)
            return _result(self.call, answer)
        except PyamplifyError as error:
            if not self._retry.should_retry(error, self._attempt, self.call.operation):
                raise
        return None

    def delay(self) -> float:
        """Seconds to wait before the next attempt."""
        return self._retry.delay(self._attempt)


def _client_options(endpoints: Mapping[str, str], timeout: float) -> dict[str, Any]:
    """The ``httpx.Client`` / ``AsyncClient`` settings both transports use.

    When every endpoint is plain ``http://`` (a local Cognito) no TLS is ever negotiated, so
    there is nothing to verify: ``verify=False`` spares the CA bundle an ``httpx`` client loads
    when it is made (~90 ms, paid by every ``Auth`` a test suite builds).
    """
    plain_http = all(httpx.URL(url).scheme == "http" for url in endpoints.values())
    return {
        "timeout": timeout,
        "headers": {"User-Agent": USER_AGENT},
        "trust_env": not _all_loopback(endpoints),
        "verify": not plain_http,
    }


class SyncTransport:
    """Sends calls with an ``httpx.Client`` (connection pooling, timeouts) and retries."""

    def __init__(
        self,
        endpoints: Mapping[str, str] | str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        client: httpx.Client | None = None,
        sleep: Callable[[float], None] = time.sleep,
        signer: Signer | None = None,
    ) -> None:
        self._signer = signer
        self._endpoints = _as_endpoints(endpoints)
        self._retry = retry or RetryPolicy()
        self._client = client or httpx.Client(**_client_options(self._endpoints, timeout))
        self._sleep = sleep

    def send(self, call: Call) -> dict[str, Any]:
        """Perform ``call`` and return its JSON result, or raise its typed error."""
        attempts = _Attempts(call, self._endpoints, self._signer, self._retry)
        while True:
            headers = attempts.headers()
            answer: httpx.Response | httpx.TransportError
            try:
                answer = self._client.post(attempts.url, content=attempts.body, headers=headers)
            except httpx.TransportError as error:
                answer = error
            result = attempts.result(answer)
            if result is not None:
                return result
            self._sleep(attempts.delay())

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()


class AsyncTransport:
    """Sends calls with an ``httpx.AsyncClient``; same behaviour as :class:`SyncTransport`."""

    def __init__(
        self,
        endpoints: Mapping[str, str] | str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        signer: Signer | None = None,
    ) -> None:
        import asyncio  # here, not at module level: sync users never pay for asyncio

        self._signer = signer
        self._endpoints = _as_endpoints(endpoints)
        self._retry = retry or RetryPolicy()
        self._client = client or httpx.AsyncClient(**_client_options(self._endpoints, timeout))
        self._sleep = sleep or asyncio.sleep

    async def send(self, call: Call) -> dict[str, Any]:
        """Perform ``call`` and return its JSON result, or raise its typed error."""
        attempts = _Attempts(call, self._endpoints, self._signer, self._retry)
        while True:
            headers = attempts.headers()
            answer: httpx.Response | httpx.TransportError
            try:
                answer = await self._client.post(
                    attempts.url, content=attempts.body, headers=headers
                )
            except httpx.TransportError as error:
                answer = error
            result = attempts.result(answer)
            if result is not None:
                return result
            await self._sleep(attempts.delay())

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()
