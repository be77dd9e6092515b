"""Who may talk to the local Cognito from a browser: the Host check and CORS.

A local Cognito listens on a loopback port, and every web page the developer opens can send
requests there. Two rules keep those pages out of what they must not touch:

* **Host.** A page on ``evil.example`` that re-points its own DNS name at 127.0.0.1 (DNS
  rebinding) becomes same-origin with the server, but its requests still say
  ``Host: evil.example``. Only Host names of this server are served: the loopback names
  (``localhost``, ``127.0.0.1``, ``[::1]``, any ``*.localhost``, which browsers always resolve
  here), the bound address (any IP literal when bound to all interfaces: a rebinding attack
  needs a name), the Hosted UI's names (``<prefix>.auth.<region>.localhost`` /
  ``.amazoncognito.com`` and registered custom domains, for a hosts-file entry pointing them
  here), and the names given with ``--allowed-host`` (``.example.com`` also allows its
  subdomains). Anything else is answered 403 before any route runs, ``/_local/*`` included.
* **CORS.** As on AWS, only the user-plane operations (those the model sends unsigned:
  ``InitiateAuth``, ``SignUp``, ``GetId``…) are meant for browsers; management calls need SigV4
  credentials, which no page should hold. So the preflight allows only the headers browser SDKs
  send for unsigned calls (never ``Authorization`` or ``X-Amz-Security-Token``), and answers
  carry ``Access-Control-Allow-Origin`` only for a user-plane operation (and the public JWKS
  and discovery documents) and only for an allowed origin: any ``http://localhost:<port>``,
  ``http://127.0.0.1:<port>`` or ``http://[::1]:<port>`` by default, plus ``--cors-origin``
  values. ``/_local/*`` never gets CORS headers: other origins cannot read the outbox.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

LOG = logging.getLogger("pyamplify.local")

_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
_WILDCARD_BINDS = frozenset({"", "0.0.0.0", "::"})
#: Request headers browser SDKs (Amplify JS, the AWS SDK for JavaScript) send on unsigned
#: Cognito calls; a preflight asking for any other header is refused.
BROWSER_HEADERS = frozenset(
    {
        "content-type",
        "x-amz-target",
        "x-amz-user-agent",
        "cache-control",
        "amz-sdk-invocation-id",
        "amz-sdk-request",
    }
)
EXPOSED_HEADERS = "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date"
_PREFLIGHT_MAX_AGE = "600"
#: Distinct refused Host names logged, at most (a scan must not fill the log).
_MAX_LOGGED_HOSTS = 20


def host_name(header: str) -> str:
    """The name in a Host header value, lower case, without port or IPv6 brackets."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1:].partition("]")[0]
    if value.count(":") == 1:
        value = value.partition(":")[0]
    return value.rstrip(".")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def normalise_origin(origin: str) -> str:
    """``scheme://host[:port]`` in lower case, without a trailing slash."""
    return origin.strip().rstrip("/").lower()


@dataclass
class AccessPolicy:
    """The Host and CORS rules of one local Cognito (see the module docstring).

    ``bound_host`` is the address the server listens on; ``serves_host`` answers for names
    other rooms serve (the Hosted UI's domains); ``cors_origins`` are origins allowed besides
    loopback ones (``https://app.example.com``, or ``http://app.test:*`` for any port);
    ``allowed_hosts`` are extra Host names (``.example.com`` for a domain and its subdomains).
    """

    bound_host: str = "127.0.0.1"
    cors_origins: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    serves_host: Callable[[str], bool] = field(default=lambda name: False, repr=False)
    _logged: set[str] = field(default_factory=set, repr=False)

    def __post_init__(self) -> None:
        self.cors_origins = tuple(normalise_origin(origin) for origin in self.cors_origins)
        self.allowed_hosts = tuple(host_name(name) or name for name in self.allowed_hosts)
        self._bound = host_name(self.bound_host)

    # ------------------------------------------------------------------ Host
    def host_allowed(self, header: str | None) -> bool:
        """Whether a request with this Host header value is for this server."""
        if header is None:
            return True  # HTTP/1.0 tools; no browser omits Host
        name = host_name(header)
        if name in _LOOPBACK_NAMES or name.endswith(".localhost") or name == self._bound:
            return True
        if self._bound in _WILDCARD_BINDS and _is_ip(name):
            return True
        for allowed in self.allowed_hosts:
            if name == allowed.lstrip(".") or (allowed.startswith(".") and name.endswith(allowed)):
                return True
        return self.serves_host(name)

    def refusal_text(self, header: str) -> str:
        """The 403 body for a foreign Host (logged once per name)."""
        name = host_name(header)[:100]
        if name not in self._logged and len(self._logged) < _MAX_LOGGED_HOSTS:
            self._logged.add(name)
            LOG.warning(
                "refused a request for Host %r (not a name of this local Cognito: DNS "
                "rebinding?); start it with --allowed-host %s if that name is yours",
                name,
                name,
            )
        return (
            f"Blocked: Host {name!r} is not a name of this local Cognito. If you reach it under "
            f"that name on purpose, start it with --allowed-host {name} "
            "(LocalCognito(allowed_hosts=...)).\n"
        )

    # ------------------------------------------------------------------ CORS
    def origin_allowed(self, origin: str | None) -> bool:
        """Whether a browser page of ``origin`` may read user-plane answers."""
        if not origin:
            return False
        value = normalise_origin(origin)
        scheme, _, rest = value.partition("://")
        if scheme == "http" and host_name(rest) in _LOOPBACK_NAMES:
            return True
        for allowed in self.cors_origins:
            if value == allowed:
                return True
            if allowed.endswith(":*") and value.rpartition(":")[0] == allowed[:-2]:
                return value.rpartition(":")[2].isdigit()
        return False

    def cors_headers(self, origin: str | None) -> list[tuple[bytes, bytes]]:
        """The CORS headers of an answer a page of ``origin`` may read (none otherwise)."""
        if not self.origin_allowed(origin):
            return []
        assert origin is not None
        return [
            (b"access-control-allow-origin", origin.strip().encode("latin-1")),
            (b"access-control-expose-headers", EXPOSED_HEADERS.encode("latin-1")),
            (b"vary", b"Origin"),
        ]

    def preflight(
        self, origin: str | None, method: str | None, requested: str | None
    ) -> tuple[int, list[tuple[bytes, bytes]]]:
        """Status and headers of the answer to a CORS preflight of ``POST /``."""
        asked = {name.strip().lower() for name in (requested or "").split(",") if name.strip()}
        if (
            not self.origin_allowed(origin)
            or (method or "").upper() not in ("POST", "GET")
            or not asked <= BROWSER_HEADERS
        ):
            return 403, [(b"vary", b"Origin")]
        return 200, [
            *self.cors_headers(origin),
            (b"access-control-allow-methods", b"POST, GET, OPTIONS"),
            (b"access-control-allow-headers", ", ".join(sorted(asked)).encode("latin-1")),
            (b"access-control-max-age", _PREFLIGHT_MAX_AGE.encode("latin-1")),
        ]


def parse_origins(values: Iterable[str]) -> tuple[str, ...]:
    """``--cors-origin`` values (repeatable, or comma-separated) as origins; raises
    ``ValueError`` naming one that is not ``scheme://host[:port]``."""
    found: list[str] = []
    for value in values:
        for item in value.split(","):
            origin = normalise_origin(item)
            if not origin:
                continue
            scheme, sep, rest = origin.partition("://")
            if not sep or scheme not in ("http", "https") or not rest or "/" in rest:
                raise ValueError(
                    f"{item.strip()!r} is not an origin: write scheme://host[:port], e.g. "
                    "https://app.example.com or http://app.test:*"
                )
            found.append(origin)
    return tuple(found)
