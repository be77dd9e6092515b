"""The rules every configuration value must follow, shared by the file readers and the model.

Each ``*_problem`` function takes a value that is already known to be a string and returns
``None`` when it is right, or a sentence saying what is wrong. The matching ``*_EXAMPLE`` constant
shows a right value; a :class:`Rule` (``USER_POOL_ID``, ``ENDPOINT``…) holds the two together,
since every message about a wrong value shows what a right one looks like. The Gen 1 and Gen 2
readers apply these with a JSON path; ``AuthConfig`` and its parts apply them from
``__post_init__`` so a configuration built in code obeys the same rules.
Formats follow the Cognito API models (botocore ``cognito-idp`` / ``cognito-identity``) and the
Amplify libraries (see ``shared/reference/amplify-anchors.md`` §2).
"""

from __future__ import annotations

import difflib
import ipaddress
import re
import unicodedata
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urlsplit

from pyamplify.config.errors import ConfigProblem, show_value

#: A check: ``None`` when the value is right, else what is wrong with it.
Check = Callable[[str], "str | None"]

REGION_EXAMPLE = '"us-east-1"'
USER_POOL_ID_EXAMPLE = '"us-east-1_AbCdEfGhI"'
IDENTITY_POOL_ID_EXAMPLE = '"us-east-1:0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"'
APP_CLIENT_ID_EXAMPLE = '"3n4b5urk1ft4fl3mg5e62d9ado"'
APP_CLIENT_SECRET_EXAMPLE = "the app client's secret, from the Cognito console (App clients)"
ENDPOINT_EXAMPLE = '"cognito-idp.example.com" (a host name) or "http://127.0.0.1:9229"'
WEB_DOMAIN_EXAMPLE = '"myapp.auth.us-east-1.amazoncognito.com"'
REDIRECT_URI_EXAMPLE = '"myapp://callback/" or "http://localhost:3000/"'
SCOPE_EXAMPLE = '"openid" or "api.example.com/read"'
FLOW_TYPE_EXAMPLE = '"USER_SRP_AUTH"'

#: ``authenticationFlowType`` values Amplify Swift and Android understand.
AUTH_FLOW_TYPES: tuple[str, ...] = (
    "USER_SRP_AUTH",
    "USER_PASSWORD_AUTH",
    "CUSTOM_AUTH",
    "CUSTOM_AUTH_WITH_SRP",
    "CUSTOM_AUTH_WITHOUT_SRP",
    "USER_AUTH",
)
#: Cognito's reserved OAuth scopes; anything else must be a ``resource-server/scope``.
RESERVED_SCOPES: tuple[str, ...] = (
    "phone",
    "email",
    "openid",
    "profile",
    "aws.cognito.signin.user.admin",
)
#: Hosts that plain ``http://`` may reach: this machine only (the local Cognito).
LOOPBACK_HOSTS: tuple[str, ...] = ("127.0.0.1", "localhost", "::1")
MFA_CONFIGURATIONS: tuple[str, ...] = ("OFF", "ON", "OPTIONAL")
#: The Hosted UI's OAuth response types (authorization code or implicit grant).
RESPONSE_TYPES: tuple[str, ...] = ("code", "token")
MFA_TYPES: tuple[str, ...] = ("SMS", "TOTP", "EMAIL")
USERNAME_ATTRIBUTES: tuple[str, ...] = ("email", "phone_number", "username", "preferred_username")
VERIFICATION_MECHANISMS: tuple[str, ...] = ("email", "phone_number")
SOCIAL_PROVIDERS: tuple[str, ...] = ("FACEBOOK", "GOOGLE", "AMAZON", "APPLE")
STANDARD_ATTRIBUTES: tuple[str, ...] = (
    "address",
    "birthdate",
    "email",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "picture",
    "preferred_username",
    "profile",
    "updated_at",
    "website",
    "zoneinfo",
)
PASSWORD_CHARACTER_RULES: tuple[str, ...] = (
    "REQUIRES_LOWERCASE",
    "REQUIRES_UPPERCASE",
    "REQUIRES_NUMBERS",
    "REQUIRES_SYMBOLS",
)
PASSWORD_MIN_LENGTH_RANGE = (6, 99)

_DIRECTIONS = "central|north|south|east|west|northeast|northwest|southeast|southwest"
_REGION = re.compile(rf"[a-z]{{2}}(?:-gov|-iso[a-z]?)?-(?:{_DIRECTIONS})-[0-9]{{1,2}}\Z")
_USER_POOL_ID = re.compile(r"(?P<region>[^_]*)_(?P<id>.*)\Z", re.DOTALL)
_ALNUM = re.compile(r"[0-9A-Za-z]+\Z")
_IDENTITY_POOL_ID = re.compile(r"(?P<region>[^:]*):(?P<id>.*)\Z", re.DOTALL)
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z", re.I)
_CLIENT_ID = re.compile(r"[\w+]{1,128}\Z", re.ASCII)
#: Template text wrapped the ways docs and templates write it: ``[REGION]``,
#: ``<your-user-pool-id>``, ``{{USER_POOL_ID}}``, ``${USER_POOL_ID}``.
_PLACEHOLDER = re.compile(r"\s*(?:\[.*\]|<.*>|\{\{.*\}\}|\$\{.*\})\s*\Z", re.DOTALL)
#: The word "your" standing alone in a value (``YOUR_APP_CLIENT_ID``, ``your-pool-id``).
_YOUR = re.compile(r"(?<![A-Za-z])(?:your|Your|YOUR)(?![a-z])")
#: A region and its separator at the start of a pool id (``us-east-1_``, ``us-east-1:``).
_ID_REGION_PREFIX = re.compile(r"[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}[_:]")
_FILLER_SEPARATORS = re.compile(r"[-_:.\s]")
_LABEL = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
_HOST_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*\.?\Z")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_SCOPE_NAME = re.compile(r"[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+\Z")
_RESOURCE_SERVER = re.compile(r"[\x21\x23-\x5B\x5D-\x7E]+\Z")


def is_placeholder(value: str) -> bool:
    """True for template text left in a configuration.

    ``[COGNITO USER POOL ID]`` (the Amplify docs), ``<your-user-pool-id>``, ``{{POOL_ID}}``,
    ``${POOL_ID}``, anything with the word "your" in it (``YOUR_APP_CLIENT_ID``), and ids made of
    x's (``us-east-1_XXXXXXXXX``, ``XX-XXXX-X``, ``xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx``).
    """
    if _PLACEHOLDER.match(value) or _YOUR.search(value):
        return True
    prefix = _ID_REGION_PREFIX.match(value)
    filler = _FILLER_SEPARATORS.sub("", value[prefix.end() :] if prefix else value)
    return len(filler) >= 3 and not filler.strip("xX")


def placeholder_message(value: str) -> str:
    """The sentence that names a placeholder left in a configuration."""
    return f"placeholder {show_value(value)} left in; replace it with your real value"


#: Every region of every AWS partition botocore 1.44.8 knew (its ``endpoints.json``, 2026-11):
#: a name outside this list is allowed (AWS opens regions) but warned about, as a likely typo.
KNOWN_REGIONS = frozenset(
    {
        *("af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2"),
        *("ap-northeast-3", "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2"),
        *("ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6"),
        *("ap-southeast-7", "ca-central-1", "ca-west-1", "cn-north-1", "cn-northwest-1"),
        *("eu-central-1", "eu-central-2", "eu-isoe-west-1", "eu-north-1", "eu-south-1"),
        *("eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "eusc-de-east-1"),
        *("il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1"),
        *("us-east-1", "us-east-2", "us-gov-east-1", "us-gov-west-1", "us-iso-east-1"),
        *("us-iso-west-1", "us-isob-east-1", "us-isob-west-1", "us-isof-east-1"),
        *("us-isof-south-1", "us-west-1", "us-west-2"),
    }
)


def region_problem(value: str) -> str | None:
    """Check an AWS region name (standard, GovCloud, China, ISO and sovereign partitions)."""
    if value in KNOWN_REGIONS or _REGION.match(value):
        return None
    if _REGION.match(value.strip().lower()):
        return f"{show_value(value)} is not an AWS region name (write it in lower case, no spaces)"
    return f"{show_value(value)} is not an AWS region name"


def region_caution(value: str) -> str | None:
    """A warning for a well-formed region name AWS did not have (``us-east-99``): a typo?"""
    if value in KNOWN_REGIONS:
        return None
    return (
        f"{show_value(value)} is not a region AWS had when this pyamplify was released; check "
        "it for a typo (a new region works all the same)"
    )


class _PoolIdForm(NamedTuple):
    """How a pool id is written, ``<region><separator><id>``, and what the id part must be."""

    noun: str  # with its article, as the messages say it
    pattern: re.Pattern[str]  # groups ``region`` and ``id``
    separator: str
    expected: str
    id_ok: Callable[[str, str], bool]  # (the id part, the whole value)
    id_rule: str

    def region_in(self, value: str) -> str | None:
        """The region prefix of such an id, or None when it has none."""
        match = self.pattern.match(value)
        return match.group("region") if match else None

    def problem(self, value: str) -> str | None:
        """Check such an id: the form, then the region, then the id part."""
        match = self.pattern.match(value)
        if match is None:
            return f"{show_value(value)} is not {self.noun} (expected {self.expected})"
        if region_problem(match.group("region")) is not None:
            return (
                f"{show_value(value)} is not {self.noun}: it must start with its region "
                f"and '{self.separator}', and {show_value(match.group('region'))} is not a region"
            )
        if not self.id_ok(match.group("id"), value):
            return f"{show_value(value)} is not {self.noun}: {self.id_rule}"
        return None


#: User pool ids: ``<region>_<letters and digits>``.
_USER_POOL_ID_FORM = _PoolIdForm(
    "a user pool id",
    _USER_POOL_ID,
    "_",
    "<region>_<id>",
    lambda part, whole: _ALNUM.match(part) is not None and len(whole) <= 55,
    "after '_' come only letters and digits (at most 55 characters in all)",
)
#: Identity pool ids: ``<region>:<uuid>``.
_IDENTITY_POOL_ID_FORM = _PoolIdForm(
    "an identity pool id",
    _IDENTITY_POOL_ID,
    ":",
    "<region>:<uuid>",
    lambda part, _whole: _UUID.match(part) is not None,
    "after ':' comes a UUID",
)
region_of_user_pool_id = _USER_POOL_ID_FORM.region_in
user_pool_id_problem = _USER_POOL_ID_FORM.problem
region_of_identity_pool_id = _IDENTITY_POOL_ID_FORM.region_in
identity_pool_id_problem = _IDENTITY_POOL_ID_FORM.problem


def app_client_id_problem(value: str) -> str | None:
    """Check an app client id: 1 to 128 letters, digits, ``_`` or ``+``."""
    if _CLIENT_ID.match(value):
        return None
    return (
        f"{show_value(value)} is not an app client id "
        "(1 to 128 characters: letters, digits, '_' and '+')"
    )


def app_client_secret_problem(value: str) -> str | None:
    """Check an app client secret without ever repeating it."""
    if _CLIENT_ID.match(value):
        return None
    return (
        f"this is not an app client secret ({len(value)} characters; a secret has 1 to 128 "
        "letters, digits, '_' or '+'); the value is not shown because it is a secret"
    )


def region_mismatch_problem(pool_id: str, region_in_id: str | None, region: str) -> str | None:
    """Check that the region inside a pool id is the ``Region`` written beside it."""
    if region_in_id is None or region_in_id == region:
        return None
    return (
        f"the pool id {show_value(pool_id)} belongs to region {show_value(region_in_id)} "
        f"but the Region beside it is {show_value(region)}; they must be the same"
    )


def _host_port_problem(rest: str) -> tuple[str | None, str]:
    """Split ``host[:port]`` and check both; returns (problem, host as written)."""
    if rest.startswith("["):
        host, bracket, after = rest[1:].partition("]")
        if not bracket:
            return "the IPv6 address is missing its closing ']'", host
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return f"{show_value(host)} is not an IPv6 address", host
        port = after[1:] if after.startswith(":") else None
        if after and port is None:
            return "after ']' only ':PORT' may follow", host
    else:
        host, colon, port_text = rest.partition(":")
        port = port_text if colon else None
        if not _HOST_NAME.match(host):
            return f"{show_value(host)} is not a host name{_host_name_hint(host)}", host
    if port is not None and (not port.isdigit() or not port.isascii() or not 0 < int(port) < 65536):
        return f"{show_value(port)} is not a port number (1 to 65535)", host
    return None, host


def _host_name_hint(host: str) -> str:
    """Why ``host`` is no host name: the characters it may not have, or the general rule."""
    bad = sorted(
        {char for char in host if not (char.isascii() and (char.isalnum() or char in ".-"))}
    )
    if bad and len(bad) <= 3:
        return f" (a host name has no {', '.join(show_value(char) for char in bad)})"
    return " (letters, digits and '-' between dots, such as myapp.auth.us-east-1.amazoncognito.com)"


def _without_user_info(value: str) -> str:
    """``value`` with a ``user:password@`` before the host shown as ``…@`` (a password)."""
    scheme, separator, rest = value.partition("://")
    authority, slash, tail = rest.partition("/") if separator else value.partition("/")
    if "@" not in authority:
        return value
    host = authority.rsplit("@", 1)[1]
    return f"{scheme}{separator}…@{host}{slash}{tail}" if separator else f"…@{host}{slash}{tail}"


def endpoint_url(value: str) -> tuple[str | None, str | None]:
    """Resolve an ``Endpoint`` to a URL ending in ``/``; returns (url, None) or (None, problem).

    As in Amplify a bare host name means ``https://host``; ``https://host[:port]`` is accepted;
    plain ``http://`` only to this machine (127.0.0.1, localhost, [::1]) for the local Cognito.
    """
    shown = show_value(_without_user_info(value))
    if value != value.strip() or not value:
        return None, f"{shown} must be a host name with no spaces around it"
    scheme, separator, rest = value.partition("://")
    if not separator:
        scheme, rest = "https", value
    scheme = scheme.lower()
    if scheme not in ("https", "http"):
        return None, f"{shown} uses the scheme {show_value(scheme)}; only https is allowed"
    rest = rest[:-1] if rest.endswith("/") else rest
    if any(char in rest for char in "/?#@\\ "):
        return None, (
            f"{shown} must be a host name with an optional port and nothing else "
            "(no path, query or user name)"
        )
    problem, host = _host_port_problem(rest)
    if problem is not None:
        # A bare host is the whole value: say it once, not as '"x": "x" is not...' (which
        # reads like a JSON member).
        return None, problem if host == value else f"in {shown}, {problem}"
    if scheme == "http" and host.lower() not in LOOPBACK_HOSTS:
        return None, (
            f"{shown} uses plain http to another machine; use https, or http only to "
            "127.0.0.1, localhost or [::1] (the local Cognito)"
        )
    return f"{scheme}://{rest}/", None


def endpoint_problem(value: str) -> str | None:
    """Check an ``Endpoint`` value (see ``endpoint_url``)."""
    return endpoint_url(value)[1]


_LOCAL_DOMAIN_PATH = re.compile(r"/_domain/[a-z0-9][a-z0-9.\-]{0,252}")


def web_domain_problem(value: str) -> str | None:
    """Check an OAuth ``WebDomain``: a host name (https), or http to this machine.

    The local Cognito's domains are accepted too (README, "Hosted UI"): plain http to
    127.0.0.1/localhost/[::1] with the path ``/_domain/<domain>``, or to a
    ``<prefix>.auth.<region>.localhost`` host, which RFC 6761 keeps on this machine.
    """
    scheme, separator, rest = value.partition("://")
    if separator and scheme.lower() == "http" and value == value.strip():
        authority, slash, path = rest.rstrip("/").partition("/")
        host = authority.rsplit(":", 1)[0].lower() if not authority.endswith("]") else authority
        if slash and _LOCAL_DOMAIN_PATH.fullmatch("/" + path):
            problem = endpoint_url(f"http://{authority}")[1]
            return None if problem is None else problem
        if not slash and host.endswith(".localhost"):
            problem = endpoint_url(f"http://127.0.0.1{authority[len(host) :]}")[1]
            return None if problem is None else f"{show_value(value)}: {problem}"
    problem = endpoint_url(value)[1]
    return None if problem is None else problem.replace("only https", "only https (or none)")


def redirect_uri_problem(value: str) -> str | None:
    """Check one OAuth redirect URI as Cognito does: a scheme, no fragment, http only locally."""
    shown = show_value(value)
    if not value:
        return "an empty redirect URI (two commas in a row, or a comma at the end?)"
    if any(char.isspace() for char in value):
        return f"{shown} contains white space"
    if any(unicodedata.category(char)[0] not in "LMNPS" for char in value):
        return f"{shown} contains a control or unassigned character"
    if not _SCHEME.match(value):
        return f"{shown} has no scheme (such as https:// or myapp://)"
    if "#" in value:
        return f"{shown} has a fragment ('#...'); Cognito does not allow one in redirect URIs"
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return f"{shown} is not a valid URI"
    if parts.scheme.lower() == "http" and (host or "") not in LOOPBACK_HOSTS:
        return f"{shown} uses plain http; Cognito allows http only for localhost"
    return None


def scope_problem(value: str) -> str | None:
    """Check an OAuth scope: a reserved Cognito scope or ``resource-server/scope``."""
    if value in RESERVED_SCOPES:
        return None
    server, slash, name = value.rpartition("/")
    if slash and _RESOURCE_SERVER.match(server) and _SCOPE_NAME.match(name):
        return None
    close = difflib.get_close_matches(value.lower(), RESERVED_SCOPES, n=1)
    hint = f" (did you mean {show_value(close[0])}?)" if close else ""
    return (
        f"{show_value(value)} is neither one of Cognito's reserved scopes "
        f"({', '.join(RESERVED_SCOPES)}) nor a custom scope written resource-server/scope{hint}"
    )


def flow_type_problem(value: str) -> str | None:
    """Check ``authenticationFlowType`` (unknown values are an error, never a silent SRP)."""
    if value in AUTH_FLOW_TYPES:
        return None
    close = difflib.get_close_matches(value.upper(), AUTH_FLOW_TYPES, n=1)
    hint = f" (did you mean {show_value(close[0])}?)" if close else ""
    return (
        f"{show_value(value)} is not an authentication flow type; use one of "
        f"{', '.join(AUTH_FLOW_TYPES)}{hint}"
    )


def one_of_problem(allowed: tuple[str, ...]) -> Check:
    """A check that accepts exactly the values in ``allowed``."""

    def check(value: str) -> str | None:
        if value in allowed:
            return None
        return f"{show_value(value)} is not one of {', '.join(allowed)}"

    return check


class Rule(NamedTuple):
    """A check and an example of a value that passes it (shown beside every problem it finds)."""

    check: Check
    example: str


REGION = Rule(region_problem, REGION_EXAMPLE)
USER_POOL_ID = Rule(user_pool_id_problem, USER_POOL_ID_EXAMPLE)
IDENTITY_POOL_ID = Rule(identity_pool_id_problem, IDENTITY_POOL_ID_EXAMPLE)
APP_CLIENT_ID = Rule(app_client_id_problem, APP_CLIENT_ID_EXAMPLE)
APP_CLIENT_SECRET = Rule(app_client_secret_problem, APP_CLIENT_SECRET_EXAMPLE)
ENDPOINT = Rule(endpoint_problem, ENDPOINT_EXAMPLE)
WEB_DOMAIN = Rule(web_domain_problem, WEB_DOMAIN_EXAMPLE)
REDIRECT_URI = Rule(redirect_uri_problem, REDIRECT_URI_EXAMPLE)
SCOPE = Rule(scope_problem, SCOPE_EXAMPLE)
FLOW_TYPE = Rule(flow_type_problem, FLOW_TYPE_EXAMPLE)


def one_of(allowed: tuple[str, ...], example: str) -> Rule:
    """The rule of a value that must be one of ``allowed`` (a response type, an MFA setting)."""
    return Rule(one_of_problem(allowed), example)


def check_code_value(
    problems: list[ConfigProblem], where: str, value: object, rule: Rule, *, optional: bool = False
) -> bool:
    """Check a value given in code (not read from a file); append a problem when it is wrong."""
    if value is None and optional:
        return True
    message: str | None
    if not isinstance(value, str):
        message = f"must be a string, not {type(value).__name__}"
    elif is_placeholder(value):
        message = placeholder_message(value)
    else:
        message = rule.check(value)
    if message is None:
        return True
    problems.append(ConfigProblem("<code>", where, message, rule.example))
    return False
