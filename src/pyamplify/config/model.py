"""The typed, immutable ``AuthConfig`` that both configuration formats load into.

Every part validates itself in ``__post_init__`` with the same rules the file readers apply, so
a configuration built in code (``AuthConfig(user_pool=UserPoolConfig(...))``) can never be in a
state a file could not be. Lists given in code become tuples; attribute names are normalised to
Cognito's lower-case spelling and enumerations to upper case, so the Gen 1 and Gen 2 spellings of
the same pools compare equal. ``source`` (where it was loaded from) takes no part in equality.
Secrets are masked in every ``repr``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import Any, Literal, NamedTuple

from pyamplify.config import validate as v
from pyamplify.config.endpoints import (
    IDENTITY_POOL_ENV,
    USER_POOL_ENV,
    ResolvedEndpoint,
    resolve_endpoint,
)
from pyamplify.config.errors import ConfigError, ConfigProblem

#: The configuration formats pyamplify reads: Gen 1 ``amplifyconfiguration.json`` (Amplify
#: Android, Swift, Flutter), Gen 2 ``amplify_outputs.json``, the Amplify JS keys of Gen 1 web
#: projects (``aws-exports.js``, or the web ``amplifyconfiguration.json``), and the AWS Mobile
#: SDK's ``awsconfiguration.json``. Only the first two are written.
ConfigFormat = Literal["gen1", "gen2", "aws-exports", "awsconfiguration"]
#: How the file was written: JSON, or the JavaScript object literal of ``aws-exports.js``.
ConfigSyntax = Literal["json", "javascript"]

_FORMAT_NAMES: dict[str, str] = {
    "gen1": "Gen 1 amplifyconfiguration.json",
    "gen2": "Gen 2 amplify_outputs.json",
    "aws-exports": "Gen 1 web configuration, Amplify JS keys",
    "awsconfiguration": "AWS Mobile SDK awsconfiguration.json",
}


def format_name(config_format: str | None, syntax: str | None = "json") -> str:
    """What a file was read as, for people: ``Gen 1 web aws-exports.js, Amplify JS keys``."""
    if config_format == "aws-exports":
        if syntax == "javascript":
            return "Gen 1 web aws-exports.js, Amplify JS keys"
        return "Gen 1 web amplifyconfiguration.json, Amplify JS keys as in aws-exports.js"
    name = _FORMAT_NAMES.get(config_format or "", "configuration")
    if syntax == "javascript":
        name += ", written as a JavaScript object literal"
    return name


def mask_secret(secret: str | None) -> str | None:
    """Show a secret as its first 4 characters and ``…`` (only ``…`` when it is short)."""
    if secret is None:
        return None
    return f"{secret[:4]}…" if len(secret) > 8 else "…"


def _masked_repr(obj: object, secrets: tuple[str, ...]) -> str:
    parts = []
    for item in fields(obj):  # type: ignore[arg-type]
        if not item.repr:
            continue
        value = getattr(obj, item.name)
        shown = repr(mask_secret(value)) if item.name in secrets else repr(value)
        parts.append(f"{item.name}={shown}")
    return f"{type(obj).__name__}({', '.join(parts)})"


def _raise_if(problems: list[ConfigProblem]) -> None:
    if problems:
        raise ConfigError(problems)


def _as_tuple(value: object, where: str, problems: list[ConfigProblem]) -> tuple[Any, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        problems.append(
            ConfigProblem("<code>", where, "must be a tuple of strings", '("openid", "email")')
        )
        return ()
    return tuple(value)


#: The rule of each field that has one, by field name (a pool's id and the response type get
#: theirs from their class). Every class names the same value the same way, so one table serves.
_FIELD_RULES: dict[str, v.Rule] = {
    "app_client_id": v.APP_CLIENT_ID,
    "app_client_secret": v.APP_CLIENT_SECRET,
    "region": v.REGION,
    "endpoint": v.ENDPOINT,
    "web_domain": v.WEB_DOMAIN,
}


def _check_fields(
    obj: UserPoolConfig | IdentityPoolConfig | OAuthConfig,
    problems: list[ConfigProblem],
    **own: v.Rule,
) -> dict[str, bool]:
    """Check each field of ``obj`` that has a rule (``own``, else ``_FIELD_RULES``), in field
    order; a field whose default is None may be None. Returns which of them passed."""
    name = type(obj).__name__
    rules = {**_FIELD_RULES, **own}
    return {
        item.name: v.check_code_value(
            problems,
            f"{name}.{item.name}",
            getattr(obj, item.name),
            rules[item.name],
            optional=item.default is None,
        )
        for item in fields(obj)
        if item.name in rules
    }


def _check_pool(
    pool: UserPoolConfig | IdentityPoolConfig,
    id_rule: v.Rule,
    region_of: Callable[[str], str | None],
) -> None:
    """Check a pool's fields (its id by ``id_rule``), then that the region inside its id is its
    region."""
    problems: list[ConfigProblem] = []
    ok = _check_fields(pool, problems, pool_id=id_rule)
    if ok["pool_id"] and ok["region"]:
        region_in_id = region_of(pool.pool_id)
        message = v.region_mismatch_problem(pool.pool_id, region_in_id, pool.region)
        if message is not None:
            where = f"{type(pool).__name__}.region"
            problems.append(ConfigProblem("<code>", where, message, f'"{region_in_id}"'))
    _raise_if(problems)


@dataclass(frozen=True, repr=False)
class UserPoolConfig:
    """A Cognito user pool and the app client pyamplify signs in through."""

    pool_id: str
    app_client_id: str
    region: str
    app_client_secret: str | None = None
    endpoint: str | None = None

    def __post_init__(self) -> None:
        _check_pool(self, v.USER_POOL_ID, v.region_of_user_pool_id)

    def __repr__(self) -> str:
        return _masked_repr(self, ("app_client_secret",))


@dataclass(frozen=True)
class IdentityPoolConfig:
    """A Cognito identity pool, which turns sign-ins (or guests) into AWS credentials."""

    pool_id: str
    region: str
    endpoint: str | None = None

    def __post_init__(self) -> None:
        _check_pool(self, v.IDENTITY_POOL_ID, v.region_of_identity_pool_id)


def split_redirect_uris(value: str) -> tuple[str, ...]:
    """Split a comma-joined redirect URI string the way the Amplify CLI writes them."""
    return tuple(part.strip() for part in value.split(","))


@dataclass(frozen=True, repr=False)
class OAuthConfig:
    """The Hosted UI (OAuth 2.0) settings of the user pool's domain."""

    web_domain: str
    app_client_id: str
    sign_in_redirect_uris: tuple[str, ...]
    sign_out_redirect_uris: tuple[str, ...]
    scopes: tuple[str, ...]
    app_client_secret: str | None = None
    response_type: str = "code"

    def __post_init__(self) -> None:
        problems: list[ConfigProblem] = []
        name = "OAuthConfig"
        _check_fields(self, problems, response_type=v.one_of(v.RESPONSE_TYPES, '"code"'))
        for attribute in ("sign_in_redirect_uris", "sign_out_redirect_uris"):
            value = getattr(self, attribute)
            if isinstance(value, str):
                value = split_redirect_uris(value)
            uris = _as_tuple(value, f"{name}.{attribute}", problems)
            object.__setattr__(self, attribute, uris)
            if not uris:
                problems.append(
                    ConfigProblem(
                        "<code>",
                        f"{name}.{attribute}",
                        "needs at least one URI",
                        v.REDIRECT_URI_EXAMPLE,
                    )
                )
            for index, uri in enumerate(uris):
                v.check_code_value(
                    problems,
                    f"{name}.{attribute}[{index}]",
                    uri,
                    v.REDIRECT_URI,
                )
        scopes = _as_tuple(self.scopes, f"{name}.scopes", problems)
        object.__setattr__(self, "scopes", scopes)
        for index, scope in enumerate(scopes):
            v.check_code_value(problems, f"{name}.scopes[{index}]", scope, v.SCOPE)
        _raise_if(problems)

    def __repr__(self) -> str:
        return _masked_repr(self, ("app_client_secret",))

    def base_url(self) -> str:
        """The Hosted UI's base URL, e.g. ``https://myapp.auth.us-east-1.amazoncognito.com``
        (or a local Cognito's ``http://127.0.0.1:9229/_domain/myapp``, path included)."""
        url, _ = v.endpoint_url(self.web_domain)
        return (url or self.web_domain.strip()).rstrip("/")


@dataclass(frozen=True)
class PasswordPolicy:
    """The user pool's password rules, as the Amplify CLI copies them into the configuration."""

    min_length: int | None = None
    require_lowercase: bool = False
    require_uppercase: bool = False
    require_numbers: bool = False
    require_symbols: bool = False

    def __post_init__(self) -> None:
        problems: list[ConfigProblem] = []
        low, high = v.PASSWORD_MIN_LENGTH_RANGE
        length = self.min_length
        if length is not None and (
            isinstance(length, bool) or not isinstance(length, int) or not low <= length <= high
        ):
            problems.append(
                ConfigProblem(
                    "<code>",
                    "PasswordPolicy.min_length",
                    f"must be a whole number from {low} to {high}",
                    "8",
                )
            )
        for item in fields(self)[1:]:
            if not isinstance(getattr(self, item.name), bool):
                problems.append(
                    ConfigProblem(
                        "<code>", f"PasswordPolicy.{item.name}", "must be True or False", "True"
                    )
                )
        _raise_if(problems)

    def characters(self) -> tuple[str, ...]:
        """The Gen 1 ``passwordPolicyCharacters`` list (``REQUIRES_LOWERCASE``, …)."""
        flags = (
            self.require_lowercase,
            self.require_uppercase,
            self.require_numbers,
            self.require_symbols,
        )
        return tuple(
            rule for rule, flag in zip(v.PASSWORD_CHARACTER_RULES, flags, strict=True) if flag
        )


#: AuthConfig's list fields and how their values are normalised (lower or upper case).
_LIST_FIELDS: dict[str, str] = {
    "username_attributes": "lower",
    "signup_attributes": "lower",
    "mfa_types": "upper",
    "verification_mechanisms": "lower",
    "social_providers": "upper",
}


class _PoolService(NamedTuple):
    """The Cognito service a pool is called through, and what to say when the pool is absent."""

    name: str  # the service's name in its AWS endpoint
    env: str  # the environment variable that overrides the endpoint
    section: str  # the Gen 1 section that names the pool
    missing: str
    fix: str


_USER_POOL_SERVICE = _PoolService(
    "cognito-idp",
    USER_POOL_ENV,
    "CognitoUserPool",
    "this configuration has no user pool, so there is nowhere to sign in",
    "add auth.plugins.awsCognitoAuthPlugin.CognitoUserPool.Default",
)
_IDENTITY_POOL_SERVICE = _PoolService(
    "cognito-identity",
    IDENTITY_POOL_ENV,
    "CredentialsProvider",
    "this configuration has no identity pool, so it cannot get AWS credentials",
    "add auth.plugins.awsCognitoAuthPlugin.CredentialsProvider.CognitoIdentity.Default",
)


@dataclass(frozen=True)
class AuthConfig:
    """Everything pyamplify needs to know about the Cognito pools an app signs in to.

    At least one of ``user_pool`` (sign-in) and ``identity_pool`` (AWS credentials, or guest
    access when alone) is present. The remaining fields mirror what the Amplify CLI writes; the
    client library does not need them, but ``config check`` shows them and the writers keep them.
    """

    user_pool: UserPoolConfig | None = None
    identity_pool: IdentityPoolConfig | None = None
    authentication_flow_type: str = "USER_SRP_AUTH"
    oauth: OAuthConfig | None = None
    username_attributes: tuple[str, ...] = ()
    signup_attributes: tuple[str, ...] = ()
    password_policy: PasswordPolicy | None = None
    mfa_configuration: str | None = None
    mfa_types: tuple[str, ...] = ()
    verification_mechanisms: tuple[str, ...] = ()
    social_providers: tuple[str, ...] = ()
    unauthenticated_identities_enabled: bool | None = None
    #: The file (or other source) this configuration was read from; ignored by ``==``.
    source: str | None = field(default=None, compare=False)
    #: The format of the file it was read from (see ``ConfigFormat``); ignored by ``==``.
    source_format: ConfigFormat | None = field(default=None, compare=False)
    #: "json" or "javascript" when read from a file; ignored by ``==``.
    source_syntax: ConfigSyntax | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        problems: list[ConfigProblem] = []
        self._check_parts(problems)
        v.check_code_value(
            problems,
            "AuthConfig.authentication_flow_type",
            self.authentication_flow_type,
            v.FLOW_TYPE,
        )
        for name, case in _LIST_FIELDS.items():
            items = _as_tuple(getattr(self, name), f"AuthConfig.{name}", problems)
            normalised = []
            for index, item in enumerate(items):
                if not isinstance(item, str) or not item:
                    problems.append(
                        ConfigProblem(
                            "<code>",
                            f"AuthConfig.{name}[{index}]",
                            "must be a non-empty string",
                            '"email"',
                        )
                    )
                    continue
                normalised.append(item.lower() if case == "lower" else item.upper())
            object.__setattr__(self, name, tuple(normalised))
        v.check_code_value(
            problems,
            "AuthConfig.mfa_configuration",
            self.mfa_configuration,
            v.one_of(v.MFA_CONFIGURATIONS, '"OPTIONAL"'),
            optional=True,
        )
        if self.unauthenticated_identities_enabled not in (None, True, False):
            problems.append(
                ConfigProblem(
                    "<code>",
                    "AuthConfig.unauthenticated_identities_enabled",
                    "must be True, False or None",
                    "True",
                )
            )
        _raise_if(problems)

    def _check_parts(self, problems: list[ConfigProblem]) -> None:
        parts: tuple[tuple[str, object, type], ...] = (
            ("user_pool", self.user_pool, UserPoolConfig),
            ("identity_pool", self.identity_pool, IdentityPoolConfig),
            ("oauth", self.oauth, OAuthConfig),
            ("password_policy", self.password_policy, PasswordPolicy),
        )
        for name, value, kind in parts:
            if value is not None and not isinstance(value, kind):
                problems.append(
                    ConfigProblem(
                        "<code>",
                        f"AuthConfig.{name}",
                        f"must be a {kind.__name__} or None, not {type(value).__name__}",
                        f"{kind.__name__}(...)",
                    )
                )
        if self.user_pool is None and self.identity_pool is None:
            problems.append(
                ConfigProblem(
                    "<code>",
                    "AuthConfig",
                    "needs a user pool, an identity pool, or both",
                    "AuthConfig(user_pool=UserPoolConfig(...))",
                )
            )
        if self.oauth is not None and self.user_pool is None:
            problems.append(
                ConfigProblem(
                    "<code>",
                    "AuthConfig.oauth",
                    "OAuth (the Hosted UI) belongs to a user pool, and there is none",
                    "AuthConfig(user_pool=UserPoolConfig(...), oauth=OAuthConfig(...))",
                )
            )

    # -- where calls go ------------------------------------------------------------------------

    def resolve_user_pool_endpoint(self) -> ResolvedEndpoint:
        """The user pool endpoint and where it came from (environment, file or AWS default)."""
        return self._resolve_endpoint(self.user_pool, _USER_POOL_SERVICE)

    def resolve_identity_pool_endpoint(self) -> ResolvedEndpoint:
        """The identity pool endpoint and where it came from (environment, file or default)."""
        return self._resolve_endpoint(self.identity_pool, _IDENTITY_POOL_SERVICE)

    def _resolve_endpoint(
        self, pool: UserPoolConfig | IdentityPoolConfig | None, service: _PoolService
    ) -> ResolvedEndpoint:
        if pool is None:
            where = self.source or "<code>"
            raise ConfigError([ConfigProblem(where, service.section, service.missing, service.fix)])
        return resolve_endpoint(service.env, pool.endpoint, service.name, pool.region)

    def user_pool_endpoint_url(self) -> str:
        """The URL to POST user pool (cognito-idp) calls to, resolved now."""
        return self.resolve_user_pool_endpoint().url

    def identity_pool_endpoint_url(self) -> str:
        """The URL to POST identity pool (cognito-identity) calls to, resolved now."""
        return self.resolve_identity_pool_endpoint().url

    def resolved_flow_type(self) -> str:
        """The flow to run: ``CUSTOM_AUTH`` means custom auth with SRP, as in Amplify Swift."""
        if self.authentication_flow_type == "CUSTOM_AUTH":
            return "CUSTOM_AUTH_WITH_SRP"
        return self.authentication_flow_type

    # -- writing -------------------------------------------------------------------------------

    def to_gen1_dict(self, include_secret: bool = False) -> dict[str, Any]:
        """This configuration as an ``amplifyconfiguration.json`` document (Gen 1)."""
        from pyamplify.config.writer import gen1_document

        return gen1_document(self, include_secret=include_secret)

    def to_gen2_dict(self, include_secret: bool = False) -> dict[str, Any]:
        """This configuration as an ``amplify_outputs.json`` document (Gen 2)."""
        from pyamplify.config.writer import gen2_document

        return gen2_document(self, include_secret=include_secret)
