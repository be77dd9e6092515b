"""What exists in AWS: user pools, their app clients and identity providers, identity pools.

The types here are built from plain dicts shaped like the boto3 responses
(``DescribeUserPool``'s ``UserPool``, ``DescribeUserPoolClient``'s ``UserPoolClient``,
``DescribeIdentityPool``), so the rules and the config builder can be tested over plain data,
and the ``read_*`` functions are the only code that talks to AWS. Like the Amplify CLI, every
app client is described (``ListUserPoolClients`` does not say whether a client has a secret).
Client secrets are kept out of every ``repr``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pyamplify.config.endpoints import dns_suffix
from pyamplify.config.validate import STANDARD_ATTRIBUTES
from pyamplify.provision.aws_clients import IDENTITY, IDP, CognitoApi
from pyamplify.provision.errors import AwsAccessDenied, AwsCallError

#: The three Lambda triggers of a custom authentication flow; all three make CUSTOM_AUTH.
CUSTOM_AUTH_TRIGGERS: tuple[str, ...] = (
    "DefineAuthChallenge",
    "CreateAuthChallenge",
    "VerifyAuthChallengeResponse",
)
#: Cognito's names of the social identity providers and the Amplify configuration's names.
SOCIAL_PROVIDERS: dict[str, str] = {
    "Facebook": "FACEBOOK",
    "Google": "GOOGLE",
    "LoginWithAmazon": "AMAZON",
    "SignInWithApple": "APPLE",
}
#: The built-in provider: the user pool's own sign-in page.
COGNITO_PROVIDER = "COGNITO"
#: What an app client allows when ``ExplicitAuthFlows`` is empty (Cognito's default).
DEFAULT_AUTH_FLOWS: frozenset[str] = frozenset(
    {"ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
)
_LEGACY_FLOWS = {
    "ADMIN_NO_SRP_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "CUSTOM_AUTH_FLOW_ONLY": "ALLOW_CUSTOM_AUTH",
}


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, Iterable) or isinstance(value, (str, bytes, Mapping)):
        return ()
    return tuple(str(item) for item in value)


@dataclass(frozen=True)
class AppClient:
    """One app client of a user pool, as ``DescribeUserPoolClient`` shows it."""

    client_id: str
    name: str
    secret: str | None = field(default=None, repr=False)
    explicit_auth_flows: tuple[str, ...] = ()
    identity_providers: tuple[str, ...] = ()
    callback_urls: tuple[str, ...] = ()
    logout_urls: tuple[str, ...] = ()
    oauth_flows: tuple[str, ...] = ()
    oauth_scopes: tuple[str, ...] = ()
    oauth_enabled: bool = False
    #: RefreshTokenRotation: on, and how long a replaced refresh token keeps working.
    refresh_rotation: bool = False
    refresh_grace_seconds: int = 0

    @classmethod
    def from_description(cls, client: Mapping[str, Any]) -> AppClient:
        """Build from a ``UserPoolClient`` dict (the boto3 ``DescribeUserPoolClient`` shape)."""
        secret = client.get("ClientSecret")
        return cls(
            client_id=str(client["ClientId"]),
            name=str(client.get("ClientName") or client["ClientId"]),
            secret=str(secret) if secret else None,
            explicit_auth_flows=_strings(client.get("ExplicitAuthFlows")),
            identity_providers=_strings(client.get("SupportedIdentityProviders")),
            callback_urls=_strings(client.get("CallbackURLs")),
            logout_urls=_strings(client.get("LogoutURLs")),
            oauth_flows=_strings(client.get("AllowedOAuthFlows")),
            oauth_scopes=_strings(client.get("AllowedOAuthScopes")),
            oauth_enabled=bool(client.get("AllowedOAuthFlowsUserPoolClient")),
            refresh_rotation=(client.get("RefreshTokenRotation") or {}).get("Feature") == "ENABLED",
            refresh_grace_seconds=int(
                (client.get("RefreshTokenRotation") or {}).get("RetryGracePeriodSeconds") or 0
            ),
        )

    @property
    def has_secret(self) -> bool:
        """Whether the client has a secret (then it is not a "web" client)."""
        return self.secret is not None

    @property
    def label(self) -> str:
        """``name (id)``, as the walk-through lists it."""
        return f"{self.name} ({self.client_id})"

    def allowed_flows(self) -> frozenset[str]:
        """The ``ALLOW_*`` flows the client permits, with Cognito's defaults and legacy names."""
        if not self.explicit_auth_flows:
            return DEFAULT_AUTH_FLOWS
        flows = {_LEGACY_FLOWS.get(flow, flow) for flow in self.explicit_auth_flows}
        legacy = [flow for flow in self.explicit_auth_flows if flow in _LEGACY_FLOWS]
        if legacy and "CUSTOM_AUTH_FLOW_ONLY" not in legacy:
            flows |= DEFAULT_AUTH_FLOWS  # legacy names add SRP, custom and refresh
        return frozenset(flows)


@dataclass(frozen=True)
class IdentityProvider:
    """A federated identity provider of a user pool (``ListIdentityProviders``)."""

    name: str
    type: str

    @property
    def kind(self) -> str:
        """``social``, ``OIDC`` or ``SAML`` (what the config can and cannot name)."""
        if self.type in ("OIDC", "SAML"):
            return self.type
        return "social" if self.name in SOCIAL_PROVIDERS else self.type


@dataclass(frozen=True)
class UserPool:
    """A user pool with everything the import needs: clients, triggers, domain, providers."""

    pool_id: str
    name: str
    clients: tuple[AppClient, ...] = ()
    lambda_config: Mapping[str, Any] = field(default_factory=dict)
    domain: str | None = None
    custom_domain: str | None = None
    mfa_configuration: str = "OFF"
    mfa_types: tuple[str, ...] = ()
    username_attributes: tuple[str, ...] = ()
    auto_verified_attributes: tuple[str, ...] = ()
    required_attributes: tuple[str, ...] = ()
    password_policy: Mapping[str, Any] = field(default_factory=dict)
    identity_providers: tuple[IdentityProvider, ...] = ()
    #: Things the reader could not find out (e.g. a permission to list identity providers).
    notes: tuple[str, ...] = ()

    @classmethod
    def from_description(
        cls,
        pool: Mapping[str, Any],
        clients: Iterable[Mapping[str, Any]] = (),
        providers: Iterable[Mapping[str, Any]] = (),
        mfa: Mapping[str, Any] | None = None,
        notes: Iterable[str] = (),
    ) -> UserPool:
        """Build from a ``UserPool`` dict, its clients' and providers' dicts, its MFA config."""
        domain = pool.get("Domain") or None
        custom = pool.get("CustomDomain") or None
        if domain and "." in str(domain):  # prefix domains cannot contain dots
            custom, domain = custom or domain, None
        required = tuple(
            str(item["Name"])
            for item in pool.get("SchemaAttributes") or ()
            if item.get("Required") and item.get("Name") in STANDARD_ATTRIBUTES
        )
        policies = pool.get("Policies") or {}
        return cls(
            pool_id=str(pool["Id"]),
            name=str(pool.get("Name") or pool["Id"]),
            clients=tuple(AppClient.from_description(client) for client in clients),
            lambda_config=dict(pool.get("LambdaConfig") or {}),
            domain=str(domain) if domain else None,
            custom_domain=str(custom) if custom else None,
            mfa_configuration=str(pool.get("MfaConfiguration") or "OFF"),
            mfa_types=_mfa_types(mfa),
            username_attributes=_strings(pool.get("UsernameAttributes")),
            auto_verified_attributes=_strings(pool.get("AutoVerifiedAttributes")),
            required_attributes=required,
            password_policy=dict(policies.get("PasswordPolicy") or {}),
            identity_providers=tuple(
                IdentityProvider(str(p["ProviderName"]), str(p.get("ProviderType") or ""))
                for p in providers
            ),
            notes=tuple(notes),
        )

    @property
    def region(self) -> str:
        """The region in the pool id (``us-east-1_AbC`` -> ``us-east-1``)."""
        return self.pool_id.partition("_")[0]

    @property
    def label(self) -> str:
        """``Name (Id)``, as the walk-through lists pools."""
        return f"{self.name} ({self.pool_id})"

    @property
    def provider_name(self) -> str:
        """The pool's name as an identity pool provider: ``cognito-idp.<region>.<dns>/<id>``."""
        return f"cognito-idp.{self.region}.{dns_suffix(self.region)}/{self.pool_id}"

    def web_clients(self) -> tuple[AppClient, ...]:
        """App clients without a secret: the only ones a browser app can use."""
        return tuple(client for client in self.clients if not client.has_secret)

    def client(self, client_id: str) -> AppClient | None:
        """The app client with this id, or None."""
        return next((c for c in self.clients if c.client_id == client_id), None)

    def missing_custom_auth_triggers(self) -> tuple[str, ...]:
        """Which of the three custom-auth triggers the pool lacks (empty: it has all)."""
        return tuple(name for name in CUSTOM_AUTH_TRIGGERS if not self.lambda_config.get(name))

    def web_domain(self) -> str | None:
        """The Hosted UI host: the custom domain when there is one, else the prefix domain's."""
        if self.custom_domain:
            return self.custom_domain
        if self.domain:
            return f"{self.domain}.auth.{self.region}.amazoncognito.com"
        return None

    def web_domains(self) -> tuple[str, ...]:
        """Every Hosted UI host of the pool: the custom domain and the prefix domain's."""
        hosts = []
        if self.custom_domain:
            hosts.append(self.custom_domain)
        if self.domain:
            hosts.append(f"{self.domain}.auth.{self.region}.amazoncognito.com")
        return tuple(hosts)

    def provider_types(self) -> dict[str, str]:
        """Provider name -> type, for the providers the pool's clients name."""
        known = {provider.name: provider.kind for provider in self.identity_providers}
        result: dict[str, str] = {}
        for client in self.clients:
            for name in client.identity_providers:
                if name == COGNITO_PROVIDER:
                    continue
                result[name] = known.get(
                    name, "social" if name in SOCIAL_PROVIDERS else "OIDC or SAML"
                )
        return result


def _mfa_types(mfa: Mapping[str, Any] | None) -> tuple[str, ...]:
    if not mfa:
        return ()
    types = []
    if mfa.get("SmsMfaConfiguration"):
        types.append("SMS")
    if (mfa.get("SoftwareTokenMfaConfiguration") or {}).get("Enabled"):
        types.append("TOTP")
    if mfa.get("EmailMfaConfiguration"):
        types.append("EMAIL")
    return tuple(types)


@dataclass(frozen=True)
class CognitoProvider:
    """One user pool (and optionally one app client) an identity pool accepts sign-ins from."""

    provider_name: str
    client_id: str | None = None

    @property
    def user_pool_id(self) -> str:
        """The user pool id at the end of the provider name."""
        return self.provider_name.rpartition("/")[2]

    @property
    def region(self) -> str | None:
        """The region inside ``cognito-idp.<region>.amazonaws.com/...`` (None if unreadable)."""
        host = self.provider_name.partition("/")[0]
        parts = host.split(".")
        return parts[1] if len(parts) > 2 and parts[0] == "cognito-idp" else None


@dataclass(frozen=True)
class IdentityPool:
    """An identity pool, its Cognito user pool providers and (once read) its roles."""

    pool_id: str
    name: str
    allow_unauthenticated: bool = False
    providers: tuple[CognitoProvider, ...] = ()
    roles: Mapping[str, str] | None = None

    @classmethod
    def from_description(
        cls, pool: Mapping[str, Any], roles: Mapping[str, Any] | None = None
    ) -> IdentityPool:
        """Build from a ``DescribeIdentityPool`` dict and, optionally, its ``Roles``."""
        providers = tuple(
            CognitoProvider(str(item["ProviderName"]), item.get("ClientId") or None)
            for item in pool.get("CognitoIdentityProviders") or ()
        )
        return cls(
            pool_id=str(pool["IdentityPoolId"]),
            name=str(pool.get("IdentityPoolName") or pool["IdentityPoolId"]),
            allow_unauthenticated=bool(pool.get("AllowUnauthenticatedIdentities")),
            providers=providers,
            roles=None if roles is None else {str(k): str(v) for k, v in roles.items()},
        )

    @property
    def label(self) -> str:
        """``'name' (id)``, as the walk-through lists identity pools."""
        return f"{self.name} ({self.pool_id})"

    def providers_of(self, user_pool_id: str) -> tuple[CognitoProvider, ...]:
        """This identity pool's providers for a user pool (the name ends with its id)."""
        return tuple(p for p in self.providers if p.provider_name.endswith(user_pool_id))

    def accepts_client(self, user_pool_id: str, client_id: str) -> bool:
        """Whether sign-ins through this app client of this user pool are accepted."""
        return any(p.client_id in (None, client_id) for p in self.providers_of(user_pool_id))


# ------------------------------------------------------------------------- reading from AWS


@dataclass(frozen=True)
class PoolSummary:
    """A user pool as ``ListUserPools`` names it."""

    pool_id: str
    name: str

    @property
    def label(self) -> str:
        """``Name (Id)``."""
        return f"{self.name} ({self.pool_id})"


def list_user_pools(api: CognitoApi, region: str) -> list[PoolSummary]:
    """Every user pool in ``region``, sorted by label like the Amplify CLI's list."""
    pools = [
        PoolSummary(str(item["Id"]), str(item.get("Name") or item["Id"]))
        for item in api.pages(IDP, "ListUserPools", "UserPools", region, MaxResults=60)
    ]
    return sorted(pools, key=lambda pool: pool.label.lower())


def read_user_pool(api: CognitoApi, pool_id: str) -> UserPool:
    """Describe a pool, each of its clients, its identity providers and its MFA methods."""
    region = pool_id.partition("_")[0]
    pool = api.call(IDP, "DescribeUserPool", region, UserPoolId=pool_id)["UserPool"]
    clients = [
        api.call(
            IDP, "DescribeUserPoolClient", region, UserPoolId=pool_id, ClientId=item["ClientId"]
        )["UserPoolClient"]
        for item in api.pages(
            IDP, "ListUserPoolClients", "UserPoolClients", region, UserPoolId=pool_id, MaxResults=60
        )
    ]
    notes: list[str] = []
    providers: list[dict[str, Any]] = []
    federated = {
        name for client in clients for name in client.get("SupportedIdentityProviders") or ()
    } - {COGNITO_PROVIDER}
    if federated:  # only their types are needed, so only ask when a client names one
        try:
            providers = list(
                api.pages(
                    IDP,
                    "ListIdentityProviders",
                    "Providers",
                    region,
                    UserPoolId=pool_id,
                    MaxResults=60,
                )
            )
        except AwsCallError as error:
            notes.append(_unread("identity provider types", error))
    mfa = None
    if str(pool.get("MfaConfiguration") or "OFF") != "OFF":
        try:
            mfa = api.call(IDP, "GetUserPoolMfaConfig", region, UserPoolId=pool_id)
        except AwsCallError as error:
            notes.append(_unread("MFA methods", error))
    return UserPool.from_description(pool, clients, providers, mfa, notes)


def _unread(what: str, error: AwsCallError) -> str:
    if isinstance(error, AwsAccessDenied):
        return f"the {what} were not read: grant {error.action} to see them"
    return f"the {what} were not read ({error.action} failed: {error.code})"


def read_identity_pools(api: CognitoApi, region: str) -> list[IdentityPool]:
    """Every identity pool in ``region``, described (roles are read later, when chosen)."""
    summaries = list(
        api.pages(IDENTITY, "ListIdentityPools", "IdentityPools", region, MaxResults=60)
    )
    return [read_identity_pool(api, str(item["IdentityPoolId"])) for item in summaries]


def read_identity_pool(api: CognitoApi, pool_id: str, *, with_roles: bool = False) -> IdentityPool:
    """Describe one identity pool, with its roles when asked (``GetIdentityPoolRoles``)."""
    region = pool_id.partition(":")[0]
    pool = api.call(IDENTITY, "DescribeIdentityPool", region, IdentityPoolId=pool_id)
    roles = read_roles(api, pool_id) if with_roles else None
    return IdentityPool.from_description(pool, roles)


def read_roles(api: CognitoApi, pool_id: str) -> dict[str, str]:
    """The identity pool's ``authenticated`` / ``unauthenticated`` role ARNs."""
    region = pool_id.partition(":")[0]
    response = api.call(IDENTITY, "GetIdentityPoolRoles", region, IdentityPoolId=pool_id)
    return {str(k): str(v) for k, v in (response.get("Roles") or {}).items()}


class AwsInventory:
    """The resources of one region, read from AWS on first use and cached for the walk-through."""

    def __init__(self, api: CognitoApi, region: str) -> None:
        self.api = api
        self.region = region
        self._summaries: list[PoolSummary] | None = None
        self._pools: dict[str, UserPool] = {}
        self._identity_pools: list[IdentityPool] | None = None
        self._roles: dict[str, dict[str, str]] = {}

    def user_pools(self) -> list[PoolSummary]:
        """Every user pool in the region (``ListUserPools``)."""
        if self._summaries is None:
            self._summaries = list_user_pools(self.api, self.region)
        return self._summaries

    def user_pool(self, pool_id: str) -> UserPool:
        """One pool with its clients (``DescribeUserPool``, ``DescribeUserPoolClient``…)."""
        if pool_id not in self._pools:
            self._pools[pool_id] = read_user_pool(self.api, pool_id)
        return self._pools[pool_id]

    def identity_pools(self) -> list[IdentityPool]:
        """Every identity pool in the region (``ListIdentityPools``, ``DescribeIdentityPool``)."""
        if self._identity_pools is None:
            self._identity_pools = read_identity_pools(self.api, self.region)
        return self._identity_pools

    def roles(self, identity_pool_id: str) -> dict[str, str]:
        """The identity pool's roles (``GetIdentityPoolRoles``)."""
        if identity_pool_id not in self._roles:
            self._roles[identity_pool_id] = read_roles(self.api, identity_pool_id)
        return self._roles[identity_pool_id]
