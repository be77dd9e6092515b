"""The import rules of the Amplify CLI (and pyamplify's additions), each with its fix in AWS.

Every function is pure: it takes inventory values and returns ``None`` when the rule holds, or
the message to show. The first sentence of each message is the Amplify CLI's own (see
``amplify-anchors.md`` §3), so people searching for it find their answer; what follows says
what to change in AWS, with the console path and the AWS CLI command.

pyamplify's additions to the Amplify CLI's rules:

* the identity pool must accept sign-ins from the app client written into the configuration
  (the Amplify CLI only checks that it names *some* client of the pool, so an app could import
  fine and then fail at ``GetId`` with "Token is not from a supported provider");
* role ARNs are checked when read, not when the first credentials are asked for.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pyamplify.provision.inventory import AppClient, IdentityPool, UserPool

_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+\Z")

#: The OAuth properties two app clients must agree on, and their labels in the table.
OAUTH_PROPERTIES: tuple[tuple[str, str], ...] = (
    ("identity_providers", "Configured Identity Providers"),
    ("oauth_enabled", "OAuth Flow Enabled for app client"),
    ("callback_urls", "Callback URLs"),
    ("logout_urls", "Logout URLs"),
    ("oauth_flows", "Allowed OAuth Flows"),
    ("oauth_scopes", "Allowed OAuth Scopes"),
)


def no_user_pools(region: str) -> str:
    """There is nothing to import in this region."""
    return (
        f"No Cognito User Pools were found in the configured region: {region}. "
        "Pass the region your pool is in (--region eu-west-1, or AWS_REGION), or create a user "
        "pool first (Cognito console: User pools > Create user pool)."
    )


def no_web_client(pool: UserPool) -> str | None:
    """The Amplify CLI's first rule: a pool needs an app client without a secret."""
    if pool.web_clients():
        return None
    return (
        "The selected Cognito User Pool does not have at least 1 Web app client configured. "
        "Web app clients are app clients without a client secret. "
        f"To fix it in AWS: add an app client without a client secret to user pool "
        f"{pool.label} (Cognito console: App integration > App clients > Create app client, "
        "type 'Public client'; or `aws cognito-idp create-user-pool-client --user-pool-id "
        f"{pool.pool_id} --client-name {pool.name}-web`)."
    )


def identity_pool_candidates(
    pool: UserPool, identity_pools: Iterable[IdentityPool]
) -> list[IdentityPool]:
    """Identity pools naming this user pool with one web client and one client of it.

    The Amplify CLI's rule: a provider whose name ends with the pool id and whose client is a
    web client, and one (possibly the same) whose client is any client of the pool.
    """
    web = {client.client_id for client in pool.web_clients()}
    every = {client.client_id for client in pool.clients}
    result = []
    for identity_pool in identity_pools:
        providers = identity_pool.providers_of(pool.pool_id)
        clients = {p.client_id for p in providers}
        # A provider without ClientId accepts every client of the pool; web ⊂ every, so a web
        # client match satisfies both halves of the CLI's rule.
        if clients & web or (None in clients and web and every):
            result.append(identity_pool)
    return result


def no_identity_pool(pool: UserPool) -> str:
    """No identity pool names this user pool (and one of its web clients) as a provider."""
    web = ", ".join(client.client_id for client in pool.web_clients()) or "(none)"
    return (
        "There are no Identity Pools found which has the selected Cognito User Pool configured "
        "as identity provider. "
        f"To fix it in AWS: add user pool {pool.pool_id} with one of its app clients without a "
        f"secret ({web}) as an authentication provider of an identity pool (Cognito console: "
        "Identity pools > your pool > User access > Add identity provider > Amazon Cognito "
        "user pool), or import the user pool only."
    )


def not_a_candidate(pool: UserPool, identity_pool: IdentityPool) -> str:
    """A named identity pool does not federate this user pool."""
    return (
        f"Identity pool {identity_pool.label} does not have the selected Cognito User Pool "
        f"{pool.pool_id} configured as identity provider with one of its app clients without "
        "a secret. To fix it in AWS: add the user pool and a web app client to the identity "
        "pool (Cognito console: Identity pools > "
        f"{identity_pool.name} > User access > Add identity provider > Amazon Cognito user "
        "pool), or choose another identity pool."
    )


def client_not_accepted(
    pool: UserPool, client: AppClient, identity_pool: IdentityPool
) -> str | None:
    """pyamplify's rule: the identity pool must accept the app client the config signs in with."""
    if identity_pool.accepts_client(pool.pool_id, client.client_id):
        return None
    listed = ", ".join(p.client_id or "any" for p in identity_pool.providers_of(pool.pool_id))
    return (
        f"Identity pool {identity_pool.label} does not accept sign-ins from app client "
        f"{client.label}: for user pool {pool.pool_id} it lists only app client(s) {listed}, "
        "so getting AWS credentials would fail with 'Token is not from a supported provider "
        "of this identity pool'. To fix it in AWS: add app client "
        f"{client.client_id} of user pool {pool.pool_id} as an authentication provider of the "
        "identity pool (Cognito console: Identity pools > "
        f"{identity_pool.name} > User access > Add identity provider), or choose the app "
        "client it lists."
    )


def missing_roles(identity_pool: IdentityPool, roles: dict[str, str]) -> str | None:
    """The identity pool needs both an authenticated and an unauthenticated role."""
    missing = [kind for kind in ("authenticated", "unauthenticated") if not roles.get(kind)]
    if not missing:
        return None
    kinds = " and ".join(f"'{kind}'" for kind in missing)
    return (
        "Cannot import Identity Pool without 'authenticated' and 'unauthenticated' roles. "
        f"Identity pool {identity_pool.label} has no {kinds} role. To fix it in AWS: give it "
        "both roles (Cognito console: Identity pools > "
        f"{identity_pool.name} > User access > Authenticated access / Guest access > IAM role; "
        f"or `aws cognito-identity set-identity-pool-roles --identity-pool-id "
        f"{identity_pool.pool_id} --roles authenticated=<role arn>,unauthenticated=<role arn>`)."
    )


def bad_role_arns(identity_pool: IdentityPool, roles: dict[str, str]) -> str | None:
    """Each role must be an IAM role ARN (the Amplify CLI fails late: amplify-cli#9286)."""
    for kind in ("authenticated", "unauthenticated"):
        arn = roles.get(kind)
        if arn and not _ROLE_ARN.match(arn):
            return (
                f"Cannot parse arn: '{arn}'. The {kind} role of identity pool "
                f"{identity_pool.label} is not an IAM role ARN "
                "(arn:aws:iam::<account id>:role/<role name>). To fix it in AWS: set a real "
                "role (`aws cognito-identity set-identity-pool-roles --identity-pool-id "
                f"{identity_pool.pool_id} --roles {kind}=arn:aws:iam::<account id>:role/<name>`)."
            )
    return None


# --------------------------------------------------------------------------------- OAuth


@dataclass(frozen=True)
class OAuthDifference:
    """One OAuth property on which the web and the native app client disagree."""

    label: str
    web: str
    native: str


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    items = sorted(str(item) for item in value) if isinstance(value, tuple) else [str(value)]
    return ", ".join(items) or "(none)"


def needs_oauth(web: AppClient, native: AppClient) -> bool:
    """Whether either client has federated (Hosted UI) providers configured."""
    return bool(web.identity_providers or native.identity_providers)


def oauth_differences(web: AppClient, native: AppClient) -> list[OAuthDifference]:
    """The OAuth properties the two clients do not share (order-insensitive, like the CLI)."""
    differences = []
    for attribute, label in OAUTH_PROPERTIES:
        left, right = getattr(web, attribute), getattr(native, attribute)
        same = left == right if isinstance(left, bool) else sorted(left) == sorted(right)
        if not same:
            differences.append(OAuthDifference(label, _shown(left), _shown(right)))
    return differences


def oauth_table(differences: Sequence[OAuthDifference], web: AppClient, native: AppClient) -> str:
    """A markdown table of the differences: property, web client value, native client value."""
    header = ("Property", f"Web: {web.name}", f"Native: {native.name}")
    rows = [header, *((d.label, d.web, d.native) for d in differences)]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]

    def line(cells: Sequence[str]) -> str:
        return (
            "| " + " | ".join(cell.ljust(w) for cell, w in zip(cells, widths, strict=True)) + " |"
        )

    separator = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), separator, *(line(row) for row in rows[1:])])


def oauth_mismatch(web: AppClient, native: AppClient, *, headless: bool) -> str | None:
    """The clients' OAuth settings must agree; the message has the table and the fix."""
    if web.client_id == native.client_id or not needs_oauth(web, native):
        return None
    differences = oauth_differences(web, native)
    if not differences:
        return None
    head = (
        "OAuth properties for the app clients are not matching."
        if headless
        else "The following OAuth properties are not matching:"
    )
    return (
        f"{head}\n\n{oauth_table(differences, web, native)}\n\n"
        "To fix it in AWS: give both app clients the same Hosted UI settings (Cognito console: "
        "App integration > App clients > each client > Login pages > Edit; or "
        "`aws cognito-idp update-user-pool-client` with the same --supported-identity-providers, "
        "--callback-urls, --logout-urls, --allowed-o-auth-flows and --allowed-o-auth-scopes), "
        "or choose app clients that agree (--web-client-id, --native-client-id)."
    )
