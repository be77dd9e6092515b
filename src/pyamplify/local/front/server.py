"""LocalCognito: the local Cognito served by uvicorn on a loopback port in a background thread.

Used as a context manager by tests (``with LocalCognito() as cognito: ...``) and by
``pyamplify local start`` (which calls :meth:`LocalCognito.serve_forever`). Port 0 picks a free
port; the socket is bound before the thread starts, so :attr:`LocalCognito.url` is known at
once and no request can race the start-up.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, Literal

import uvicorn

from pyamplify.errors import PyamplifyError
from pyamplify.local.backend import Backend
from pyamplify.local.front.app import build_app
from pyamplify.local.front.faults import FaultInjector, FaultSpec
from pyamplify.local.front.limits import Limits
from pyamplify.local.front.policy import AccessPolicy
from pyamplify.local.front.protocol import http_protocol
from pyamplify.local.front.strict_auth import LocalCredentials, SignatureCheck
from pyamplify.local.lambdas import FunctionRunner, HandlerSpec, HandlerSpecError
from pyamplify.local.oauth.service import serves_host
from pyamplify.local.service.endpoints import ServiceRegistry
from pyamplify.local.store.database import DatabaseError
from pyamplify.local.store.userpools import Store

_START_TIMEOUT = 10.0
#: Where a data dir keeps the credentials made for strict auth (in its database's meta table).
_CREDENTIALS_META = "strict-auth-credentials"


class LocalCognitoError(PyamplifyError):
    """The local Cognito could not start (port taken, data dir unwritable, database from a
    newer pyamplify, ...)."""


def _bind_fix(error: OSError) -> str:
    """What to change when binding failed: the port when it is taken or not allowed, else the
    host (a name that does not resolve, an address this machine does not have)."""
    import errno

    if error.errno in (errno.EADDRINUSE, errno.EACCES):
        return "choose another --port (0 picks a free one)"
    return "choose another --host: an address of this machine, e.g. 127.0.0.1 (the default)"


class LocalCognito:
    """A local Cognito (user pools; extensions add identity pools) on one loopback port.

    ``data_dir=None`` keeps all state in memory; a directory keeps it in SQLite there, so it
    survives restarts. ``clock`` decides every expiry (tokens, codes, lockout, TIMESTAMP), so
    tests can move time without sleeping. ``issuer="local"`` puts the served URL into the
    tokens' ``iss`` instead of the AWS URL.

    ``triggers`` maps the Lambda function ARNs the pools' ``LambdaConfig`` names to handlers: a
    Python callable ``handler(event, context)``, ``"package.module:function"``,
    ``"path/to/file.py:function"`` or ``"path/to/index.mjs:handler"`` (Node.js; ``.cjs``/``.js``
    too), relative paths from the working directory; or a ready
    :class:`~pyamplify.local.lambdas.FunctionRunner`. Every handler is checked here
    (:class:`LocalCognitoError` names a bad one); :attr:`functions` maps more at run time.

    Hardening (docs/architecture.md, "Local Cognito: hardening"): ``cors_origins`` are the
    browser origins allowed besides loopback ones, ``allowed_hosts`` the Host names served
    besides loopback names and the bound address; ``strict_auth=True`` verifies management
    calls' SigV4 signatures against ``credentials`` (key id -> secret; default: one pair made
    at start, kept in the data dir, see :attr:`credentials`); ``limits`` caps body size, request
    time and connections; ``faults`` injects latency, throttling, 5xx and dropped connections
    (``"throttle=0.1,seed=7"`` or a :class:`~pyamplify.local.front.faults.FaultSpec`).
    """

    def __init__(
        self,
        data_dir: str | os.PathLike[str] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        region: str = "us-east-1",
        issuer: Literal["aws", "local"] = "aws",
        clock: Callable[[], float] = time.time,
        triggers: Mapping[str, HandlerSpec] | FunctionRunner | None = None,
        cors_origins: Iterable[str] = (),
        allowed_hosts: Iterable[str] = (),
        strict_auth: bool = False,
        credentials: Mapping[str, str] | None = None,
        limits: Limits | None = None,
        faults: FaultSpec | str | None = None,
    ) -> None:
        self.region = region
        self.limits = limits or Limits()
        self._cors_origins = tuple(cors_origins)
        self._allowed_hosts = tuple(allowed_hosts)
        self.strict_auth = strict_auth
        self._given_credentials = dict(credentials) if credentials else None
        self._credentials: LocalCredentials | None = None
        try:
            self._faults = FaultInjector(
                FaultSpec.parse(faults) if isinstance(faults, str) else faults
            )
        except PyamplifyError as error:
            raise LocalCognitoError(f"cannot read the faults: {error}") from None
        if isinstance(triggers, FunctionRunner):
            self.functions = triggers
        else:
            try:
                self.functions = FunctionRunner(triggers)
            except HandlerSpecError as error:
                raise LocalCognitoError(f"cannot map a trigger: {error}") from None
        self.host = host
        self._requested_port = port
        self._data_dir = data_dir
        self._clock = clock
        self._issuer: Literal["aws", "local"] = issuer
        self.registry = ServiceRegistry()
        self._store: Store | None = None
        self._backend: Backend | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.port = port

    # ------------------------------------------------------------------ properties

    @property
    def url(self) -> str:
        """The endpoint URL, e.g. ``http://127.0.0.1:53211`` (no trailing slash)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def backend(self) -> Backend:
        """The running state (store, keys, clock): the extension API."""
        if self._backend is None:
            raise LocalCognitoError("The local Cognito is not started; call start() first.")
        return self._backend

    @property
    def clock(self) -> Callable[[], float]:
        """The clock every time decision uses."""
        return self._clock

    @clock.setter
    def clock(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        if self._backend is not None:
            self._backend.clock = clock

    @property
    def calls(self) -> Counter[str]:
        """Operations answered so far (successes and errors), by name: a thread-safe snapshot."""
        return self.backend.calls.snapshot()

    @property
    def faults(self) -> FaultSpec:
        """The faults being injected (assign a spec or a string to change them; ``None`` for
        none); :attr:`fault_counts` says how many of each were injected since."""
        return self._faults.spec

    @faults.setter
    def faults(self, spec: FaultSpec | str | None) -> None:
        self._faults.set(spec)

    @property
    def fault_counts(self) -> dict[str, int]:
        """Faults injected since the spec was last set, by kind (and ``latency``)."""
        return dict(self._faults.counts)

    @property
    def credentials(self) -> LocalCredentials | None:
        """With strict auth and no ``credentials`` given: the pair made for this server (kept
        in the data dir, so it survives restarts); else ``None``."""
        return self._credentials

    def reset_calls(self) -> None:
        """Set every count in :attr:`calls` back to zero."""
        self.backend.calls.clear()

    def outbox(self, username: str | None = None) -> list[dict[str, Any]]:
        """Codes the local Cognito would have sent, oldest first (as ``GET /_local/outbox``)."""
        return [item.as_json() for item in self.backend.store.outbox(username)]

    # ------------------------------------------------------------------ life cycle

    def start(self) -> LocalCognito:
        """Bind the port and serve in a background thread; returns ``self``."""
        if self._thread is not None:
            return self
        try:
            self._store = Store(self._data_dir)
        except DatabaseError as error:  # names the file and the way out already
            raise LocalCognitoError(str(error)) from None
        except (OSError, ValueError) as error:
            raise LocalCognitoError(
                f"cannot open the local Cognito data dir {self._data_dir!s}: {error}"
            ) from None
        self._backend = Backend(
            self._store,
            region=self.region,
            issuer=self._issuer,
            clock=self._clock,
            functions=self.functions,
        )
        signatures = self._signature_check(self._store) if self.strict_auth else None
        self._socket = self._bind()
        self.port = int(self._socket.getsockname()[1])
        self._backend.base_url = self.url
        backend = self._backend
        policy = AccessPolicy(
            bound_host=self.host,
            cors_origins=self._cors_origins,
            allowed_hosts=self._allowed_hosts,
            serves_host=lambda name: serves_host(backend, name),
        )
        app = build_app(
            backend,
            self.registry,
            policy=policy,
            limits=self.limits,
            signatures=signatures,
            faults=self._faults,
        )
        config = uvicorn.Config(
            app,
            http=http_protocol(self.limits),
            loop="auto",  # uvloop when installed (the local extra installs it where it exists)
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_keep_alive=max(1, round(self.limits.keep_alive)),
        )
        self._server = uvicorn.Server(config)
        server, sock = self._server, self._socket
        self._thread = threading.Thread(
            target=lambda: server.run(sockets=[sock]), name="local-cognito", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise LocalCognitoError(f"the local Cognito did not start on {self.url}")
            time.sleep(0.005)
        return self

    def _signature_check(self, store: Store) -> SignatureCheck:
        """The credentials strict auth accepts: those given, else one pair made once per data
        dir (in memory: per start)."""
        if self._given_credentials:
            return SignatureCheck(self._given_credentials, self.region)
        made = LocalCredentials.generate()
        kept = store.meta(
            _CREDENTIALS_META, lambda: f"{made.access_key_id}:{made.secret_access_key}"
        )
        key_id, _, secret = kept.partition(":")
        self._credentials = LocalCredentials(key_id, secret)
        return SignatureCheck({key_id: secret}, self.region)

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted sockets inherit TCP_NODELAY: without it a keep-alive client's delayed ACK
        # meets Nagle's algorithm and every second request waits ~40 ms.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            sock.bind((self.host, self._requested_port))
        except OSError as error:
            sock.close()
            raise LocalCognitoError(
                f"cannot listen on {self.host}:{self._requested_port}: {error.strerror}; "
                + _bind_fix(error)
            ) from None
        sock.listen(128)
        sock.set_inheritable(True)
        return sock

    def stop(self) -> None:
        """Stop serving and close the store (in-memory state is discarded)."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=_START_TIMEOUT)
        if self._socket is not None:
            self._socket.close()
        if self._backend is not None:
            self._backend.keys.close()
        if self._store is not None:
            self._store.close()
        self.functions.close()  # stops the Node.js worker; it restarts if served again
        self._server = self._thread = self._socket = None
        self._store = None

    def serve_forever(self) -> None:
        """Block until interrupted (Ctrl-C), then stop."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(timeout=0.5)
        finally:
            self.stop()

    def __enter__(self) -> LocalCognito:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self._thread is not None else "stopped"
        return f"LocalCognito(url={self.url!r}, region={self.region!r}, {state})"
