"""The ``AuthConfig`` an import writes, built from the chosen pool, clients and identity pool.

What goes in, and where the Amplify CLI differs (``amplify-anchors.md`` §2c, §3):

* the app client is the *native* client, as in the CLI's ``amplifyconfiguration.json``;
* ``authenticationFlowType`` is ``CUSTOM_AUTH`` when the pool has all three custom-auth
  triggers, else ``USER_SRP_AUTH`` (``USER_PASSWORD_AUTH`` when the client allows only that,
  so the file works as written);
* ``OAuth`` comes from the client's callback and logout URLs, scopes and flows and the pool's
  domain. A **custom domain is kept** (the CLI writes only the prefix domain), and OIDC and
  SAML providers count as providers (the CLI drops them and then writes no OAuth block,
  amplify-cli#11309). When the client asks for the Hosted UI but something is missing, the
  block is left out and a warning says what to set in AWS;
* the pool's sign-in settings (username attributes, required attributes, password policy, MFA,
  verification) are copied like the CLI's ``frontendAuthConfig``.

Nothing here talks to AWS; the inputs are inventory values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyamplify.config import (
    AuthConfig,
    IdentityPoolConfig,
    OAuthConfig,
    PasswordPolicy,
    UserPoolConfig,
)
from pyamplify.provision.choose import Selection
from pyamplify.provision.inventory import COGNITO_PROVIDER, SOCIAL_PROVIDERS, AppClient, UserPool


@dataclass(frozen=True)
class BuildResult:
    """The configuration, what the user should know about it, and the providers kept."""

    config: AuthConfig
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    #: Federated providers of the client: name -> "social", "OIDC", "SAML" or "OIDC or SAML".
    identity_providers: dict[str, str] = field(default_factory=dict)


def flow_type(pool: UserPool, client: AppClient) -> tuple[str, list[str]]:
    """The ``authenticationFlowType`` to write, and warnings when the client does not allow it."""
    allowed = client.allowed_flows()
    warnings: list[str] = []
    if not pool.missing_custom_auth_triggers():
        flow = "CUSTOM_AUTH"
        if "ALLOW_CUSTOM_AUTH" not in allowed:
            warnings.append(
                f"user pool {pool.pool_id} has the custom-auth triggers, so the flow is "
                f"CUSTOM_AUTH, but app client {client.label} does not allow ALLOW_CUSTOM_AUTH: "
                "add it to the client's authentication flows in AWS (App clients > Edit)."
            )
        return flow, warnings
    if "ALLOW_USER_SRP_AUTH" in allowed:
        return "USER_SRP_AUTH", warnings
    if "ALLOW_USER_PASSWORD_AUTH" in allowed:
        warnings.append(
            f"app client {client.label} does not allow ALLOW_USER_SRP_AUTH, so the file says "
            "USER_PASSWORD_AUTH (the password is sent to Cognito over TLS); allow "
            "ALLOW_USER_SRP_AUTH on the client in AWS to sign in without sending it."
        )
        return "USER_PASSWORD_AUTH", warnings
    warnings.append(
        f"app client {client.label} allows neither ALLOW_USER_SRP_AUTH nor "
        "ALLOW_USER_PASSWORD_AUTH, so signing in with a password will fail: add "
        "ALLOW_USER_SRP_AUTH to the client's authentication flows in AWS (App clients > Edit)."
    )
    return "USER_SRP_AUTH", warnings


#: What an app client needs for the Hosted UI: its setting, and what to say when it is not set.
_HOSTED_UI_NEEDS = (
    ("oauth_enabled", "OAuth is not enabled on the client (AllowedOAuthFlowsUserPoolClient)"),
    ("identity_providers", "no identity providers (SupportedIdentityProviders, e.g. COGNITO)"),
    ("oauth_flows", "no OAuth grant types (AllowedOAuthFlows: code or implicit)"),
    ("oauth_scopes", "no OAuth scopes (AllowedOAuthScopes, e.g. openid)"),
    ("callback_urls", "no callback URLs (CallbackURLs)"),
    ("logout_urls", "no sign-out URLs (LogoutURLs)"),
)


def _is_loopback(endpoint: str) -> bool:
    from urllib.parse import urlsplit

    return urlsplit(endpoint).hostname in ("127.0.0.1", "localhost", "::1")


def _local_web_domain(pool: UserPool, endpoint: str) -> str | None:
    """A local Cognito serves each domain under its own port: ``<endpoint>/_domain/<domain>``
    (no DNS, no hosts file), the custom domain when there is one, else the prefix."""
    domain = pool.custom_domain or pool.domain
    return f"{endpoint.rstrip('/')}/_domain/{domain}" if domain else None


def oauth_config(
    pool: UserPool, client: AppClient, endpoint: str | None = None
) -> tuple[OAuthConfig | None, list[str]]:
    """The Hosted UI block for ``client``, or None with the reason when it cannot be written.

    With ``endpoint`` (a local Cognito) the ``WebDomain`` is where that server serves the
    pool's domain, so a browser and the client on this machine reach it as written.
    """
    if not client.identity_providers and not client.oauth_enabled:
        return None, []
    missing = [message for name, message in _HOSTED_UI_NEEDS if not getattr(client, name)]
    local = endpoint is not None and _is_loopback(endpoint)
    domain = _local_web_domain(pool, str(endpoint)) if local else pool.web_domain()
    if domain is None:
        missing.append(f"user pool {pool.pool_id} has no domain (App integration > Domain)")
    if missing:
        return None, [
            f"the Hosted UI (OAuth) section is left out because app client {client.label} is "
            f"not fully set up for it: {'; '.join(missing)}. Set these in AWS and import again "
            "if you sign in through the Hosted UI."
        ]
    assert domain is not None
    response_type = "code" if "code" in client.oauth_flows else "token"
    return (
        OAuthConfig(
            web_domain=domain,
            app_client_id=client.client_id,
            sign_in_redirect_uris=client.callback_urls,
            sign_out_redirect_uris=client.logout_urls,
            scopes=client.oauth_scopes,
            app_client_secret=client.secret,
            response_type=response_type,
        ),
        [],
    )


def _password_policy(pool: UserPool) -> PasswordPolicy | None:
    policy = pool.password_policy
    if not policy:
        return None
    length = policy.get("MinimumLength")
    return PasswordPolicy(
        min_length=int(length) if isinstance(length, int) and 6 <= length <= 99 else None,
        require_lowercase=bool(policy.get("RequireLowercase")),
        require_uppercase=bool(policy.get("RequireUppercase")),
        require_numbers=bool(policy.get("RequireNumbers")),
        require_symbols=bool(policy.get("RequireSymbols")),
    )


def build_config(selection: Selection, endpoint: str | None = None) -> BuildResult:
    """The configuration for the selection, with warnings about anything that will not work.

    ``endpoint`` (the local Cognito's URL) is written as the pools' ``Endpoint`` so the file
    works against it as written; for AWS it stays None and the SDKs use the regional default.
    """
    pool, client = selection.user_pool, selection.native_client
    flow, warnings = flow_type(pool, client)
    oauth, oauth_warnings = oauth_config(pool, client, endpoint)
    warnings += oauth_warnings
    providers = {
        name: kind
        for name, kind in pool.provider_types().items()
        if name in client.identity_providers
    }
    notes = list(pool.notes)
    custom = [name for name, kind in providers.items() if kind != "social"]
    if custom and oauth is not None:
        notes.append(
            f"identity provider(s) {', '.join(custom)} (OIDC/SAML) are kept: the Hosted UI "
            "offers them, and a sign-in can go straight to one with identity_provider=<name>."
        )
    identity = selection.identity_pool
    config = AuthConfig(
        user_pool=UserPoolConfig(
            pool_id=pool.pool_id,
            app_client_id=client.client_id,
            region=pool.region,
            app_client_secret=client.secret,
            endpoint=endpoint,
        ),
        identity_pool=None
        if identity is None
        else IdentityPoolConfig(
            pool_id=identity.pool_id,
            region=identity.pool_id.partition(":")[0],
            endpoint=endpoint,
        ),
        authentication_flow_type=flow,
        oauth=oauth,
        username_attributes=pool.username_attributes,
        signup_attributes=pool.required_attributes,
        password_policy=_password_policy(pool),
        mfa_configuration=pool.mfa_configuration
        if pool.mfa_configuration in ("OFF", "ON", "OPTIONAL")
        else None,
        mfa_types=pool.mfa_types,
        verification_mechanisms=pool.auto_verified_attributes,
        social_providers=tuple(
            SOCIAL_PROVIDERS[name]
            for name in client.identity_providers
            if name in SOCIAL_PROVIDERS and name != COGNITO_PROVIDER
        ),
        unauthenticated_identities_enabled=None
        if identity is None
        else identity.allow_unauthenticated,
    )
    return BuildResult(config, tuple(warnings), tuple(notes), providers)
