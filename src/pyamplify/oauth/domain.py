"""Where the user pool domain's endpoints are, from the configuration's ``WebDomain``.

``WebDomain`` is a host (``myapp.auth.us-east-1.amazoncognito.com``: https), or, for the local
Cognito, ``http://127.0.0.1:<port>/_domain/<prefix>`` (what ``pyamplify import auth
--endpoint-url`` writes) or ``http://<prefix>.auth.<region>.localhost:<port>``. Browsers
resolve ``*.localhost`` to this machine by themselves (RFC 6761 §6.3); glibc does not, so
:func:`connect_target` tells the HTTP client to connect to 127.0.0.1 and keep the name in the
``Host`` header.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit


def base_url(web_domain: str) -> str:
    """The domain's base URL without a trailing slash."""
    value = web_domain.strip().rstrip("/")
    if "://" not in value:
        value = f"https://{value}"
    return value


def endpoint(web_domain: str, path: str) -> str:
    """An endpoint of the domain, e.g. ``endpoint(d, "/oauth2/token")``."""
    return f"{base_url(web_domain)}{path}"


def with_query(url: str, params: dict[str, str]) -> str:
    """``url`` with ``params`` as its query string."""
    return f"{url}?{urlencode(params)}"


def connect_target(url: str) -> tuple[str, dict[str, str]]:
    """The URL to connect to and extra headers: ``*.localhost`` goes to 127.0.0.1 with its
    name in ``Host`` (the resolver may not know it); every other URL is used as it is."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not host.endswith(".localhost"):
        return url, {}
    netloc = "127.0.0.1" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")), {"Host": parts.netloc}
