"""The state and services one local Cognito shares between its operations.

:class:`Backend` owns the store, the signing keys, the clock, the served-calls counter and the
issuer. It is also the **internal API for extensions** (identity pools, STS, Hosted UI), which
must not reach into the user-pool operations:

* :meth:`Backend.user_pool`, :meth:`Backend.app_client`, :meth:`Backend.app_clients`: read a
  pool's and its clients' configuration (Cognito's ``UserPoolType`` / ``UserPoolClientType``
  shapes as dicts);
* :meth:`Backend.verify_token`: verify a token a pool issued (signature, ``exp``, ``token_use``,
  ``aud``/``client_id``, issuer) and, optionally, that it was not revoked; failures raise
  :class:`TokenVerificationError` with a machine-readable ``reason``;
* :meth:`Backend.is_revoked`: whether GlobalSignOut, RevokeToken or a deleted user killed a
  token's session;
* :attr:`Backend.functions`: the :class:`~pyamplify.local.lambdas.FunctionRunner` that runs the
  handlers mapped to function ARNs (the pools' Lambda triggers); empty unless configured;
* :attr:`Backend.store`: the SQLite store (its tables are all in :mod:`.store.schema`; an
  extension adds a migration there and its data access in a module of :mod:`.store`).

Every time decision reads :attr:`Backend.clock` so that tests can move time by hand.
"""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal

from pyamplify.local.lambdas import FunctionRunner
from pyamplify.local.lambdas.errors import COGNITO_TIMEOUT
from pyamplify.local.signing import JwtError, KeyRing, unverified_parts, verify_jwt_signature
from pyamplify.local.store.userpools import Store

#: The fake AWS account id in ARNs and ``AWSAccountId`` fields (LocalStack uses the same).
ACCOUNT_ID = "000000000000"

IssuerMode = Literal["aws", "local"]

TokenFailure = Literal[
    "malformed", "unknown_pool", "signature", "expired", "token_use", "audience", "revoked"
]


class TokenVerificationError(ValueError):
    """A token failed :meth:`Backend.verify_token`; ``reason`` says which check failed."""

    def __init__(self, reason: TokenFailure, detail: str, claims: dict[str, Any] | None = None):
        super().__init__(detail)
        self.reason: TokenFailure = reason
        self.claims = claims or {}


class CallCounter:
    """A thread-safe ``Counter`` of served operations, readable as a snapshot."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def add(self, operation: str) -> None:
        """Count one served call of ``operation``."""
        with self._lock:
            self._counts[operation] += 1

    def snapshot(self) -> Counter[str]:
        """A copy of the counts (safe to read while the server runs)."""
        with self._lock:
            return Counter(self._counts)

    def clear(self) -> None:
        """Reset all counts to zero."""
        with self._lock:
            self._counts.clear()


class OperationGate:
    """Operations run one at a time, except while one waits for a Lambda function.

    With triggers mapped, operations leave the event loop for worker threads (a trigger may be
    slow, and may call this very server: a PostConfirmation adding the user to a group). They
    still run one at a time, as on the loop, except while one waits for a handler's answer
    (:meth:`waiting`): AWS's triggers run outside Cognito too, so a handler's own calls are
    served meanwhile. Nothing holds the store's lock across that wait.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder: int | None = None

    @contextmanager
    def running(self) -> Iterator[None]:
        """Hold the gate for one operation (on a worker thread)."""
        with self._lock:
            self._holder = threading.get_ident()
            try:
                yield
            finally:
                self._holder = None

    @contextmanager
    def waiting(self) -> Iterator[None]:
        """Let other operations in while this one waits (no-op for an ungated caller)."""
        if self._holder != threading.get_ident():
            yield
            return
        self._holder = None
        self._lock.release()
        try:
            yield
        finally:
            self._lock.acquire()
            self._holder = threading.get_ident()


class Backend:
    """Everything the operations of one local Cognito share (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        *,
        region: str,
        issuer: IssuerMode,
        clock: Callable[[], float],
        functions: FunctionRunner | None = None,
    ) -> None:
        self.store = store
        #: Function ARN -> handler: what the pools' Lambda triggers run.
        self.functions = functions if functions is not None else FunctionRunner()
        #: One operation at a time when operations run on worker threads (triggers mapped).
        self.gate = OperationGate()
        #: Seconds a trigger may take before Cognito's time-out error (AWS: 5; tests: less).
        self.trigger_timeout = COGNITO_TIMEOUT
        self.region = region
        self.issuer_mode: IssuerMode = issuer
        self.clock = clock
        self.keys = KeyRing(store)
        self.calls = CallCounter()
        #: The served base URL, e.g. ``http://127.0.0.1:9229``; set when the server binds.
        self.base_url = "http://127.0.0.1"
        #: A per-data-dir secret: makes PreventUserExistenceErrors' fake salts stable per user.
        self.server_secret = bytes.fromhex(
            store.meta("server_secret", lambda: secrets.token_hex(32))
        )
        #: Seconds a SRP TIMESTAMP may differ from the clock.
        self.timestamp_tolerance = 300.0

    def now(self) -> float:
        """The current time in epoch seconds, from the injectable clock."""
        return float(self.clock())

    # ------------------------------------------------------------------ naming

    def pool_arn(self, pool_id: str) -> str:
        """``arn:aws:cognito-idp:<region>:000000000000:userpool/<id>``."""
        return f"arn:aws:cognito-idp:{self.region}:{ACCOUNT_ID}:userpool/{pool_id}"

    def issuer(self, pool_id: str) -> str:
        """The ``iss`` of a pool's tokens: the AWS URL by default, the local URL on request."""
        if self.issuer_mode == "local":
            return f"{self.base_url}/{pool_id}"
        return f"https://cognito-idp.{self.region}.amazonaws.com/{pool_id}"

    def provider_name(self, pool_id: str) -> str:
        """The identity-pool provider name of a user pool (also the Logins key)."""
        return f"cognito-idp.{self.region}.amazonaws.com/{pool_id}"

    # ------------------------------------------------------------------ extension API

    def user_pool(self, pool_id: str) -> dict[str, Any] | None:
        """A user pool's configuration (``UserPoolType`` shape), or ``None``."""
        return self.store.get_pool(pool_id)

    def app_client(self, client_id: str) -> dict[str, Any] | None:
        """An app client's configuration (``UserPoolClientType``, with ``UserPoolId``)."""
        return self.store.get_client(client_id)

    def app_clients(self, pool_id: str) -> list[dict[str, Any]]:
        """A pool's app clients."""
        return self.store.list_clients(pool_id)

    def verify_token(
        self,
        token: str,
        *,
        token_use: Literal["id", "access"] = "id",
        pool_id: str | None = None,
        client_ids: frozenset[str] | set[str] | None = None,
        check_revoked: bool = True,
    ) -> dict[str, Any]:
        """Verify a token one of our pools issued and return its claims.

        Checks, in order: JWS shape, the pool named by ``iss`` (and ``pool_id`` when given),
        the RS256 signature against that pool's key, ``token_use``, ``exp`` against the clock,
        ``aud`` (ID token) or ``client_id`` (access token) against ``client_ids`` when given,
        and finally revocation when ``check_revoked``.
        """
        try:
            header, claims = unverified_parts(token)
        except JwtError as error:
            raise TokenVerificationError("malformed", str(error)) from None
        issuer = claims.get("iss")
        if not isinstance(issuer, str) or "/" not in issuer:
            raise TokenVerificationError("malformed", "no iss claim", claims)
        token_pool = issuer.rsplit("/", 1)[1]
        if (pool_id is not None and token_pool != pool_id) or issuer != self.issuer(token_pool):
            raise TokenVerificationError("unknown_pool", "issuer is not this pool", claims)
        if self.store.get_pool(token_pool) is None:
            raise TokenVerificationError("unknown_pool", "the pool does not exist", claims)
        kid = header.get("kid")
        key = self.keys.by_kid(token_pool, kid) if isinstance(kid, str) else None
        if key is None or header.get("alg") != "RS256":
            raise TokenVerificationError("signature", "unknown kid or alg", claims)
        try:
            verify_jwt_signature(key, token)
        except JwtError as error:
            raise TokenVerificationError("signature", str(error), claims) from None
        if claims.get("token_use") != token_use:
            raise TokenVerificationError("token_use", f"token_use is not {token_use}", claims)
        exp = claims.get("exp")
        if not isinstance(exp, (int, float)) or self.now() >= exp:
            raise TokenVerificationError("expired", f"Token expired: {int(self.now())}", claims)
        audience = claims.get("aud" if token_use == "id" else "client_id")
        if client_ids is not None and audience not in client_ids:
            raise TokenVerificationError("audience", "the token is for another client", claims)
        if check_revoked and self.is_revoked(claims):
            raise TokenVerificationError("revoked", "the session was revoked", claims)
        return claims

    def is_revoked(self, claims: dict[str, Any]) -> bool:
        """Whether a verified token's session ended (sign-out, revocation, user deleted)."""
        origin = claims.get("origin_jti")
        family = self.store.get_family(origin) if isinstance(origin, str) else None
        if family is None:
            return True
        _pool, _client, _username, sub, _auth_time, revoked_at = family
        return revoked_at is not None or sub != claims.get("sub")
