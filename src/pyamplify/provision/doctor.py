"""``pyamplify doctor``: check a configuration against the pools it names, finding by finding.

Each :class:`Finding` says what is wrong, what the app will see because of it (Cognito's own
error, where known), and the fix. Checks are named (:data:`CHECKS`) so the report can say which
ran and which were skipped, and why: ``--offline`` skips every check that needs AWS, and a
check whose subject is missing (no user pool, so no app client to look at) is skipped with
that reason rather than reported twice.

The checks over AWS resources are pure functions of inventory values, so they are tested over
plain data as well as against the local Cognito; :func:`run_doctor` only gathers the values.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyamplify.config import AuthConfig, IdentityPoolConfig, OAuthConfig, UserPoolConfig
from pyamplify.provision.aws_clients import CognitoApi
from pyamplify.provision.errors import AwsAccessDenied, AwsResourceNotFound
from pyamplify.provision.inventory import (
    CUSTOM_AUTH_TRIGGERS,
    AppClient,
    IdentityPool,
    UserPool,
    read_identity_pool,
    read_roles,
    read_user_pool,
)
from pyamplify.provision.rules import bad_role_arns

#: Every check: name -> (what it makes sure of, whether it needs AWS).
CHECKS: dict[str, tuple[str, bool]] = {
    "regions": ("the OAuth domain and endpoints are in the pools' regions", False),
    "secret-file": ("a file holding a client secret is readable by its owner only", False),
    "user-pool": ("the user pool exists", True),
    "app-client": ("the app client exists in the user pool", True),
    "client-secret": ("the file has the app client's secret exactly when the client has one", True),
    "auth-flows": ("the app client allows the configured flow and token refresh", True),
    "refresh-rotation": ("a rotated refresh token has a grace period for retries", True),
    "custom-auth-triggers": ("CUSTOM_AUTH has its three Lambda triggers", True),
    "oauth-client": ("redirect URIs registered, scopes and the grant allowed on the client", True),
    "oauth-domain": ("the OAuth domain is the user pool's domain", True),
    "oauth-providers": ("the social providers named are set up on the pool and the client", True),
    "identity-pool": ("the identity pool exists", True),
    "identity-pool-provider": ("the identity pool accepts this user pool and app client", True),
    "guest-access": ("guest access is allowed when the configuration expects it", True),
    "identity-pool-roles": ("the identity pool has the roles its users need", True),
}

#: The ExplicitAuthFlows value each authenticationFlowType needs.
FLOW_NEEDS: dict[str, str] = {
    "USER_SRP_AUTH": "ALLOW_USER_SRP_AUTH",
    "USER_PASSWORD_AUTH": "ALLOW_USER_PASSWORD_AUTH",
    "CUSTOM_AUTH": "ALLOW_CUSTOM_AUTH",
    "CUSTOM_AUTH_WITH_SRP": "ALLOW_CUSTOM_AUTH",
    "CUSTOM_AUTH_WITHOUT_SRP": "ALLOW_CUSTOM_AUTH",
    "USER_AUTH": "ALLOW_USER_AUTH",
}
_HOSTED_UI_REGION = re.compile(r"\.auth\.([a-z0-9-]+)\.amazoncognito\.com\.?\Z")
_SERVICE_REGION = re.compile(r"\Acognito-(?:idp|identity)(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com")
_EDIT_CLIENT = "Cognito console: User pools > {pool} > App clients > {client} > Edit"


@dataclass(frozen=True)
class Finding:
    """One thing wrong: which check found it, what is wrong, and how to fix it."""

    check: str
    message: str
    fix: str

    def to_dict(self) -> dict[str, str]:
        """A JSON-ready description."""
        return {"check": self.check, "message": self.message, "fix": self.fix}


@dataclass
class DoctorReport:
    """The findings, and which checks ran or were skipped (with the reason)."""

    source: str | None
    findings: list[Finding] = field(default_factory=list)
    ran: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when nothing was found."""
        return not self.findings

    def add(self, check: str, findings: list[Finding]) -> None:
        """Record that ``check`` ran, with what it found."""
        if check not in self.ran:
            self.ran.append(check)
        self.skipped.pop(check, None)
        self.findings.extend(findings)

    def skip(self, checks: list[str], reason: str) -> None:
        """Record checks that could not run."""
        for check in checks:
            if check not in self.ran and check not in self.skipped:
                self.skipped[check] = reason

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready report (``pyamplify doctor --json``)."""
        return {
            "ok": self.ok,
            "config": self.source,
            "findings": [finding.to_dict() for finding in self.findings],
            "checks_run": list(self.ran),
            "checks_skipped": [
                {"check": check, "reason": reason} for check, reason in self.skipped.items()
            ],
        }


# ------------------------------------------------------------------------- offline checks


def check_regions(config: AuthConfig) -> list[Finding]:
    """The Hosted UI domain and any AWS endpoint host must name the pools' regions."""
    findings = []
    user_pool = config.user_pool
    if user_pool is not None and config.oauth is not None:
        match = _HOSTED_UI_REGION.search(config.oauth.web_domain)
        if match and match.group(1) != user_pool.region:
            findings.append(
                Finding(
                    "regions",
                    f"the OAuth WebDomain {config.oauth.web_domain} is in region "
                    f"{match.group(1)}, but user pool {user_pool.pool_id} is in "
                    f"{user_pool.region}; the Hosted UI of another region's pool cannot sign "
                    "users in to this one.",
                    "Set WebDomain to this user pool's domain (Cognito console: User pools > "
                    f"{user_pool.pool_id} > App integration > Domain).",
                )
            )
    for name, part in (("user pool", user_pool), ("identity pool", config.identity_pool)):
        if part is None or part.endpoint is None:
            continue
        match = _SERVICE_REGION.match(part.endpoint.split("://")[-1])
        if match and match.group(1) != part.region:
            findings.append(
                Finding(
                    "regions",
                    f"the {name} Endpoint {part.endpoint} is in region {match.group(1)}, but "
                    f"the {name} {part.pool_id} is in {part.region}.",
                    f"Remove the {name} Endpoint or point it at region {part.region}.",
                )
            )
    return findings


def check_secret_file(config: AuthConfig, path: str | None) -> list[Finding]:
    """A file that holds a client secret must not be readable by other users."""
    has_secret = any(
        part is not None and part.app_client_secret for part in (config.user_pool, config.oauth)
    )
    if not has_secret or path is None or os.name != "posix":
        return []
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return []
    if not mode & 0o077:
        return []
    return [
        Finding(
            "secret-file",
            f"{path} holds an app client secret and is readable by other users (mode {mode:04o}).",
            f"Run `chmod 600 {path}`, and keep the file out of version control and app bundles.",
        )
    ]


# ------------------------------------------------------------------ user pool and clients


def _client_fix(pool: UserPool, client: AppClient) -> str:
    return _EDIT_CLIENT.format(pool=pool.pool_id, client=client.name)


def check_app_client(config: AuthConfig, pool: UserPool) -> list[Finding]:
    """The configured app client must be one of the pool's."""
    assert config.user_pool is not None
    client_id = config.user_pool.app_client_id
    if pool.client(client_id) is not None:
        return []
    names = ", ".join(client.label for client in pool.clients) or "none"
    return [
        Finding(
            "app-client",
            f"app client {client_id} does not exist in user pool {pool.label}; every sign-in "
            "fails with ResourceNotFoundException 'User pool client ... does not exist.'",
            f"Set AppClientId to one of the pool's app clients ({names}), or run "
            f"`pyamplify import auth --user-pool-id {pool.pool_id} --force`.",
        )
    ]


def check_client_secret(config: AuthConfig, client: AppClient) -> list[Finding]:
    """The file has the client's secret exactly when the client has one (and it is the same)."""
    assert config.user_pool is not None
    configured = config.user_pool.app_client_secret
    if client.secret and not configured:
        return [
            Finding(
                "client-secret",
                f"app client {client.label} has a client secret but the configuration has "
                "none, so every sign-in fails with NotAuthorizedException 'Unable to verify "
                "secret hash for client'.",
                "Write the secret into the file (`pyamplify import auth --user-pool-id ... "
                f"--native-client-id {client.client_id} --include-secret --force`), or sign in "
                "through an app client without a secret.",
            )
        ]
    if configured and not client.secret:
        return [
            Finding(
                "client-secret",
                f"the configuration has an app client secret, but app client {client.label} "
                "has none, so the SECRET_HASH sent with every sign-in is refused.",
                "Remove AppClientSecret (user_pool_client_secret) from the configuration.",
            )
        ]
    if configured and client.secret and configured != client.secret:
        return [
            Finding(
                "client-secret",
                f"the app client secret in the configuration is not app client {client.label}'s "
                "secret, so every sign-in fails with 'Unable to verify secret hash for client'.",
                "Copy the current secret (`pyamplify import auth ... --include-secret --force`).",
            )
        ]
    return []


def check_auth_flows(config: AuthConfig, pool: UserPool, client: AppClient) -> list[Finding]:
    """The client must allow the configured flow, and refresh."""
    allowed = client.allowed_flows()
    flow = config.authentication_flow_type
    needed = [FLOW_NEEDS.get(flow, "ALLOW_USER_SRP_AUTH"), "ALLOW_REFRESH_TOKEN_AUTH"]
    findings = []
    for flag in needed:
        if flag in allowed:
            continue
        effect = (
            "sessions cannot be refreshed, so users are signed out when the access token expires"
            if flag == "ALLOW_REFRESH_TOKEN_AUTH"
            else f"sign-in fails with InvalidParameterException '{flow.removesuffix('_WITH_SRP')}"
            " flow not enabled for this client'"
        )
        findings.append(
            Finding(
                "auth-flows",
                f"app client {client.label} does not allow {flag}, which the configured "
                f"authenticationFlowType {flow} needs: {effect}.",
                f"Add {flag} to the client's authentication flows ({_client_fix(pool, client)}); "
                "with `aws cognito-idp update-user-pool-client`, pass every setting, since "
                "omitted ones are reset.",
            )
        )
    return findings


#: The grace period recommended with refresh token rotation (Cognito allows 0-60 s).
RECOMMENDED_GRACE_SECONDS = 30


def check_refresh_rotation(config: AuthConfig, client: AppClient) -> list[Finding]:
    """Rotation with no grace period: a refresh whose answer is lost loses the session."""
    if not client.refresh_rotation or client.refresh_grace_seconds > 0:
        return []
    pool_id = config.user_pool.pool_id if config.user_pool else "?"
    return [
        Finding(
            "refresh-rotation",
            f"app client {client.label} rotates refresh tokens with no grace period "
            "(RetryGracePeriodSeconds 0): when an app dies, or loses the connection, between "
            "Cognito's rotation and saving the new token, the old token is refused at once and "
            "the user must sign in again (measured: 11 of 30 clients killed mid-refresh).",
            f"Set RefreshTokenRotation RetryGracePeriodSeconds to {RECOMMENDED_GRACE_SECONDS} "
            "(0-60 s; the old token then works that long, enough to retry the refresh) in "
            f"{_EDIT_CLIENT.format(pool=pool_id, client=client.client_id)}, or "
            "`aws cognito-idp update-user-pool-client --refresh-token-rotation "
            f"Feature=ENABLED,RetryGracePeriodSeconds={RECOMMENDED_GRACE_SECONDS}` (pass every "
            "other setting too: omitted ones are reset).",
        )
    ]


def check_custom_auth(config: AuthConfig, pool: UserPool) -> list[Finding]:
    """CUSTOM_AUTH needs the Define, Create and Verify challenge triggers."""
    if not config.authentication_flow_type.startswith("CUSTOM_AUTH"):
        return []
    missing = pool.missing_custom_auth_triggers()
    if not missing:
        return []
    return [
        Finding(
            "custom-auth-triggers",
            f"authenticationFlowType is {config.authentication_flow_type}, but user pool "
            f"{pool.label} lacks the Lambda trigger(s) {', '.join(missing)} (it needs all of "
            f"{', '.join(CUSTOM_AUTH_TRIGGERS)}), so custom sign-in fails.",
            "Attach the triggers (Cognito console: User pools > "
            f"{pool.pool_id} > Extensions > Lambda triggers > Custom authentication), or set "
            "authenticationFlowType to USER_SRP_AUTH.",
        )
    ]


def check_oauth_client(oauth: OAuthConfig, pool: UserPool, client: AppClient) -> list[Finding]:
    """Redirect URIs registered, scopes allowed, the grant enabled on the Hosted UI client."""
    findings = []
    fix = _client_fix(pool, client) + " > Login pages"
    if not client.oauth_enabled:
        findings.append(
            Finding(
                "oauth-client",
                f"app client {client.label} does not have OAuth enabled "
                "(AllowedOAuthFlowsUserPoolClient), so the Hosted UI answers "
                "unauthorized_client.",
                f"Enable the OAuth grant on the client ({fix}), or remove the OAuth section.",
            )
        )
    grant = "code" if oauth.response_type == "code" else "implicit"
    if client.oauth_enabled and grant not in client.oauth_flows:
        findings.append(
            Finding(
                "oauth-client",
                f"the configuration asks for response type {oauth.response_type}, but app "
                f"client {client.label} does not allow the {grant} grant (AllowedOAuthFlows: "
                f"{', '.join(client.oauth_flows) or 'none'}).",
                f"Allow the {grant} grant on the client ({fix}).",
            )
        )
    #: Each redirect list: the client's list it must be in, what that list's URLs are called,
    #: what goes wrong without it, and the configuration key it comes from.
    redirects = (
        (
            oauth.sign_in_redirect_uris,
            client.callback_urls,
            "sign-in",
            "callback",
            "the Hosted UI answers redirect_mismatch",
            "SignInRedirectURI",
        ),
        (
            oauth.sign_out_redirect_uris,
            client.logout_urls,
            "sign-out",
            "sign-out",
            "signing out of the Hosted UI fails",
            "SignOutRedirectURI",
        ),
    )
    for uris, registered, which, kind, consequence, key in redirects:
        findings.extend(
            Finding(
                "oauth-client",
                f"the {which} redirect URI {uri} is not a {kind} URL of app client "
                f"{client.label}, so {consequence}.",
                f"Add {uri} to the client's allowed {kind} URLs ({fix}), or remove it from {key}.",
            )
            for uri in uris
            if uri not in registered
        )
    refused = [scope for scope in oauth.scopes if scope not in client.oauth_scopes]
    if refused:
        findings.append(
            Finding(
                "oauth-client",
                f"scope(s) {', '.join(refused)} are not allowed on app client {client.label} "
                f"(allowed: {', '.join(client.oauth_scopes) or 'none'}), so the Hosted UI "
                "answers invalid_scope.",
                f"Allow them on the client ({fix}), or remove them from Scopes.",
            )
        )
    return findings


#: The configuration's socialProviders words and Cognito's provider names for them.
SOCIAL_PROVIDER_NAMES = {
    "FACEBOOK": "Facebook",
    "GOOGLE": "Google",
    "AMAZON": "LoginWithAmazon",
    "APPLE": "SignInWithApple",
}


def check_oauth_providers(config: AuthConfig, pool: UserPool, client: AppClient) -> list[Finding]:
    """Each social provider the file names (its sign-in buttons) must exist on the pool and
    be offered by the Hosted UI's client, as the Amplify CLI sets them up."""
    findings = []
    where = f"Cognito console: User pools > {pool.pool_id} > Sign-in experience"
    configured = {provider.name for provider in pool.identity_providers}
    for word in config.social_providers:
        name = SOCIAL_PROVIDER_NAMES.get(word)
        if name is None:
            continue
        if name not in configured:
            findings.append(
                Finding(
                    "oauth-providers",
                    f"the configuration offers {word} sign-in, but user pool {pool.label} has "
                    f"no {name} identity provider.",
                    f"Add the {name} identity provider ({where} > Federated identity provider "
                    f"sign-in), or remove {word} from socialProviders.",
                )
            )
        elif name not in client.identity_providers:
            findings.append(
                Finding(
                    "oauth-providers",
                    f"the configuration offers {word} sign-in, but app client {client.label} "
                    f"does not list {name} in its identity providers (SupportedIdentityProviders: "
                    f"{', '.join(client.identity_providers) or 'none'}).",
                    f"Add {name} to the app client's identity providers (App integration > App "
                    "client > Hosted UI), or remove it from socialProviders.",
                )
            )
    return findings


def check_oauth_domain(oauth: OAuthConfig, pool: UserPool) -> list[Finding]:
    """The configured WebDomain must be one of the pool's domains."""
    domains = pool.web_domains()
    configured = oauth.web_domain.split("://")[-1].rstrip("/").lower()
    if "/_domain/" in configured:  # the local Cognito's form: <endpoint>/_domain/<domain>
        served = configured.rsplit("/_domain/", 1)[1]
        if served in (pool.domain or "", pool.custom_domain or ""):
            return []
    if configured in (domain.lower() for domain in domains):
        return []
    where = f"Cognito console: User pools > {pool.pool_id} > App integration > Domain"
    if not domains:
        return [
            Finding(
                "oauth-domain",
                f"user pool {pool.label} has no domain, so the Hosted UI at "
                f"{oauth.web_domain} does not exist.",
                f"Create a domain ({where}) and set WebDomain to it.",
            )
        ]
    return [
        Finding(
            "oauth-domain",
            f"the OAuth WebDomain {oauth.web_domain} is not a domain of user pool "
            f"{pool.label} (its domain: {', '.join(domains)}).",
            f"Set WebDomain to {domains[0]}.",
        )
    ]


# --------------------------------------------------------------------------- identity pool


def guest_expected(config: AuthConfig) -> bool:
    """Whether the configuration expects guest (unauthenticated) credentials."""
    return config.unauthenticated_identities_enabled is True or config.user_pool is None


def check_identity_pool_provider(config: AuthConfig, identity_pool: IdentityPool) -> list[Finding]:
    """The identity pool must list the configured user pool and app client as a provider."""
    user_pool = config.user_pool
    if user_pool is None:
        return []
    how_to = (
        f"Cognito console: Identity pools > {identity_pool.name} > User access > Add identity "
        f"provider > Amazon Cognito user pool (user pool {user_pool.pool_id}, app client "
        f"{user_pool.app_client_id})"
    )
    if not identity_pool.accepts_client(user_pool.pool_id, user_pool.app_client_id):
        return [
            Finding(
                "identity-pool-provider",
                f"identity pool {identity_pool.label} does not list user pool "
                f"{user_pool.pool_id} with app client {user_pool.app_client_id} as an "
                "authentication provider, so getting AWS credentials after sign-in fails with "
                "NotAuthorizedException 'Token is not from a supported provider of this "
                "identity pool.'",
                f"Add it ({how_to}).",
            )
        ]
    findings = []
    for provider in identity_pool.providers_of(user_pool.pool_id):
        if provider.region is not None and provider.region != user_pool.region:
            findings.append(
                Finding(
                    "regions",
                    f"identity pool {identity_pool.label} names the user pool as "
                    f"{provider.provider_name}, in region {provider.region}, but user pool "
                    f"{user_pool.pool_id} is in {user_pool.region}: tokens are issued by "
                    f"cognito-idp.{user_pool.region}, so they are refused.",
                    f"Remove that provider and add the user pool again ({how_to}).",
                )
            )
    return findings


def check_guest_access(config: AuthConfig, identity_pool: IdentityPool) -> list[Finding]:
    """Guest credentials need AllowUnauthenticatedIdentities when the app expects them."""
    if not guest_expected(config) or identity_pool.allow_unauthenticated:
        return []
    why = (
        "the configuration has no user pool (guest access only)"
        if config.user_pool is None
        else "the configuration enables unauthenticated identities"
    )
    return [
        Finding(
            "guest-access",
            f"{why}, but identity pool {identity_pool.label} does not allow guest access, so "
            "guest credentials fail with NotAuthorizedException 'Unauthenticated access is not "
            "supported for this identity pool.'",
            f"Activate guest access (Cognito console: Identity pools > {identity_pool.name} > "
            "User access > Guest access; or `aws cognito-identity update-identity-pool "
            f"--identity-pool-id {identity_pool.pool_id} --identity-pool-name "
            f"{identity_pool.name} --allow-unauthenticated-identities`), or turn it off in the "
            "configuration.",
        )
    ]


def check_roles(
    config: AuthConfig, identity_pool: IdentityPool, roles: dict[str, str]
) -> list[Finding]:
    """Signed-in users need the authenticated role; guests the unauthenticated one."""
    needed = []
    if config.user_pool is not None:
        needed.append("authenticated")
    if guest_expected(config) or identity_pool.allow_unauthenticated:
        needed.append("unauthenticated")
    findings = []
    for kind in needed:
        if roles.get(kind):
            continue
        who = "signed-in users" if kind == "authenticated" else "guests"
        findings.append(
            Finding(
                "identity-pool-roles",
                f"identity pool {identity_pool.label} has no {kind} role, so {who} get no AWS "
                "credentials (InvalidIdentityPoolConfigurationException 'Invalid identity pool "
                "configuration. Check assigned IAM roles for this pool.').",
                f"Assign an {kind} role (Cognito console: Identity pools > {identity_pool.name} "
                "> User access; or `aws cognito-identity set-identity-pool-roles "
                f"--identity-pool-id {identity_pool.pool_id} --roles {kind}=<role arn>`).",
            )
        )
    problem = bad_role_arns(identity_pool, roles)
    if problem is not None:
        message, _, fix = problem.partition(" To fix it in AWS: ")
        findings.append(Finding("identity-pool-roles", message, fix[:1].upper() + fix[1:]))
    return findings


# --------------------------------------------------------------------------------- running

_POOL_CHECKS = [
    "app-client",
    "client-secret",
    "auth-flows",
    "refresh-rotation",
    "custom-auth-triggers",
]
_OAUTH_CHECKS = ["oauth-client", "oauth-providers", "oauth-domain"]
_IDENTITY_CHECKS = ["identity-pool-provider", "guest-access", "identity-pool-roles"]


def _denied(check: str, error: AwsAccessDenied) -> Finding:
    return Finding(
        check,
        f"could not check: {error}",
        f"Grant {error.action} to the identity doctor runs as, or run with --aws-profile NAME.",
    )


def run_doctor(config: AuthConfig, api: CognitoApi | None) -> DoctorReport:
    """Run the offline checks, and the AWS checks when ``api`` is given (None: --offline)."""
    report = DoctorReport(config.source)
    report.add("regions", check_regions(config))
    report.add("secret-file", check_secret_file(config, config.source))
    aws_checks = [name for name, (_, needs_aws) in CHECKS.items() if needs_aws]
    if api is None:
        report.skip(aws_checks, "--offline: needs the Cognito API")
        return report
    for stage in _POOL_STAGES:
        pool = stage.read(config, api, report)
        if pool is not None:
            stage.checks(config, api, report, pool)
    return report


def _guarded(report: DoctorReport, check: str, read: Callable[[], Any]) -> Any:
    """Run a read for ``check``; a permission error becomes a finding, returning None."""
    try:
        return read()
    except AwsAccessDenied as error:
        report.add(check, [_denied(check, error)])
        return None


def _user_pool_checks(
    config: AuthConfig, api: CognitoApi, report: DoctorReport, pool: UserPool
) -> None:
    assert config.user_pool is not None
    report.add("app-client", check_app_client(config, pool))
    client = pool.client(config.user_pool.app_client_id)
    if client is None:
        report.skip(
            ["client-secret", "auth-flows", "refresh-rotation", "oauth-client"],
            "the app client does not exist",
        )
    else:
        report.add("client-secret", check_client_secret(config, client))
        report.add("auth-flows", check_auth_flows(config, pool, client))
        report.add("refresh-rotation", check_refresh_rotation(config, client))
    report.add("custom-auth-triggers", check_custom_auth(config, pool))
    oauth = config.oauth
    if oauth is None:
        report.skip(_OAUTH_CHECKS, "no OAuth (Hosted UI) section in the file")
        return
    oauth_client = pool.client(oauth.app_client_id)
    if oauth_client is None:
        report.add(
            "oauth-client",
            [
                Finding(
                    "oauth-client",
                    f"the OAuth AppClientId {oauth.app_client_id} is not an app client of user "
                    f"pool {pool.label}.",
                    "Set the OAuth AppClientId to the app client the Hosted UI is set up on.",
                )
            ],
        )
        report.skip(["oauth-providers"], "the OAuth app client does not exist")
    else:
        report.add("oauth-client", check_oauth_client(oauth, pool, oauth_client))
        report.add("oauth-providers", check_oauth_providers(config, pool, oauth_client))
    report.add("oauth-domain", check_oauth_domain(oauth, pool))


def _identity_pool_checks(
    config: AuthConfig, api: CognitoApi, report: DoctorReport, identity_pool: IdentityPool
) -> None:
    assert config.identity_pool is not None
    pool_id = config.identity_pool.pool_id
    report.add("identity-pool-provider", check_identity_pool_provider(config, identity_pool))
    report.add("guest-access", check_guest_access(config, identity_pool))
    roles = _guarded(report, "identity-pool-roles", lambda: read_roles(api, pool_id))
    if roles is not None:
        report.add("identity-pool-roles", check_roles(config, identity_pool, roles))


@dataclass(frozen=True)
class _PoolStage:
    """One pool the file may name: reading it from AWS, then the checks on what was read."""

    check: str  # "user-pool": also how the messages name it ("user pool")
    configured: Callable[[AuthConfig], UserPoolConfig | IdentityPoolConfig | None]
    fetch: Callable[[CognitoApi, str], Any]
    #: What to check in the file when the pool does not exist.
    fix: str
    #: The checks that need the pool read.
    dependents: list[str]
    checks: Callable[[AuthConfig, CognitoApi, DoctorReport, Any], None]

    def read(self, config: AuthConfig, api: CognitoApi, report: DoctorReport) -> Any:
        """The pool, or ``None`` with its checks skipped (not in the file, absent or denied)."""
        noun = self.check.replace("-", " ")
        named = self.configured(config)
        if named is None:
            report.skip([self.check, *self.dependents], f"no {noun} in the file")
            return None
        try:
            pool = _guarded(report, self.check, lambda: self.fetch(api, named.pool_id))
        except AwsResourceNotFound:
            missing = (
                f"{noun} {named.pool_id} does not exist in region {named.region} "
                "(it was deleted, or the id or region is wrong)."
            )
            report.add(self.check, [Finding(self.check, missing, self.fix)])
            pool = None
        if pool is None:
            report.skip(self.dependents, f"the {noun} could not be read")
        else:
            report.add(self.check, [])
        return pool


_POOL_STAGES = (
    _PoolStage(
        "user-pool",
        lambda config: config.user_pool,
        read_user_pool,
        "Check PoolId and Region in the file (Cognito console: User pools), or "
        "import an existing pool with `pyamplify import auth --force`.",
        [*_POOL_CHECKS, *_OAUTH_CHECKS],
        _user_pool_checks,
    ),
    _PoolStage(
        "identity-pool",
        lambda config: config.identity_pool,
        read_identity_pool,
        "Check the identity pool's PoolId and Region in the file (Cognito console: "
        "Identity pools), or import again with `pyamplify import auth --force`.",
        _IDENTITY_CHECKS,
        _identity_pool_checks,
    ),
)
