"""The ``import auth`` walk-through: which pool, which clients, which identity pool.

It follows the Amplify CLI's steps and messages (``amplify-anchors.md`` §3): the kind of
import, the user pool (auto-selected when there is one valid pool, refused with the reason when
the only pool is invalid, a searchable list otherwise), the web and native app clients, the
OAuth agreement between them (a table of differences, then new clients, in a loop), and the
identity pool with its roles. Flags answer questions before they are asked; a
:class:`~pyamplify.provision.prompts.HeadlessPrompter` turns every question left open into an
error naming its flag, so one code path serves people and scripts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from pyamplify.provision import rules
from pyamplify.provision.errors import AwsResourceNotFound, ImportRuleError
from pyamplify.provision.inventory import (
    AppClient,
    IdentityPool,
    PoolSummary,
    UserPool,
)
from pyamplify.provision.prompts import Option, Prompter


class Inventory(Protocol):
    """Where the walk-through reads resources from (AWS, through :class:`AwsInventory`)."""

    region: str

    def user_pools(self) -> list[PoolSummary]:
        """Every user pool in the region."""
        ...

    def user_pool(self, pool_id: str) -> UserPool:
        """One user pool with its clients."""
        ...

    def identity_pools(self) -> list[IdentityPool]:
        """Every identity pool in the region."""
        ...

    def roles(self, identity_pool_id: str) -> dict[str, str]:
        """An identity pool's roles."""
        ...


@dataclass(frozen=True)
class ImportRequest:
    """The choices made on the command line (None: ask, or auto-select when unambiguous)."""

    user_pool_id: str | None = None
    web_client_id: str | None = None
    native_client_id: str | None = None
    identity_pool_id: str | None = None
    #: ``--yes``: take the recommended answer to yes/no questions.
    assume_yes: bool = False


@dataclass(frozen=True)
class Selection:
    """The resources chosen: everything the configuration is built from."""

    user_pool: UserPool
    web_client: AppClient
    native_client: AppClient
    identity_pool: IdentityPool | None = None
    roles: Mapping[str, str] | None = None


def choose(inventory: Inventory, request: ImportRequest, prompter: Prompter) -> Selection:
    """Run the walk-through and return the validated selection (or raise ImportRuleError)."""
    with_identity_pool = _kind(request, prompter)
    pool = _user_pool(inventory, request, prompter, with_identity_pool)
    web, native = _clients_with_matching_oauth(pool, request, prompter)
    if not with_identity_pool:
        return Selection(pool, web, native)
    identity_pool, roles = _identity_pool(inventory, pool, native, request, prompter)
    return Selection(pool, web, native, identity_pool, roles)


# ------------------------------------------------------------------------------ steps


def _kind(request: ImportRequest, prompter: Prompter) -> bool:
    if request.identity_pool_id is not None:
        return True
    if not prompter.interactive:
        prompter.say("No --identity-pool-id given: importing the Cognito User Pool only.")
        return False
    return prompter.select(
        "What type of auth resource do you want to import?",
        [
            Option("Cognito User Pool and Identity Pool", True),
            Option("Cognito User Pool only", False),
        ],
        flag="--identity-pool-id",
    )


def _pool_problem(inventory: Inventory, pool: UserPool, with_identity_pool: bool) -> str | None:
    problem = rules.no_web_client(pool)
    if (
        problem is None
        and with_identity_pool
        and not rules.identity_pool_candidates(pool, inventory.identity_pools())
    ):
        problem = rules.no_identity_pool(pool)
    return problem


def _read_pool(inventory: Inventory, pool_id: str) -> UserPool:
    try:
        return inventory.user_pool(pool_id)
    except AwsResourceNotFound:
        raise ImportRuleError(
            f"User pool {pool_id} was not found in region {inventory.region}: check the id "
            "(Cognito console: User pools) and the region (--region).",
            rule="user-pool-not-found",
        ) from None


def _user_pool(
    inventory: Inventory, request: ImportRequest, prompter: Prompter, with_identity_pool: bool
) -> UserPool:
    if request.user_pool_id is not None:
        pool = _read_pool(inventory, request.user_pool_id)
        problem = _pool_problem(inventory, pool, with_identity_pool)
        if problem is not None:
            raise ImportRuleError(problem, rule="user-pool")
        return pool
    summaries = inventory.user_pools()
    if not summaries:
        raise ImportRuleError(rules.no_user_pools(inventory.region), rule="no-user-pools")
    if len(summaries) == 1:
        pool = _read_pool(inventory, summaries[0].pool_id)
        problem = _pool_problem(inventory, pool, with_identity_pool)
        if problem is not None:
            raise ImportRuleError(
                f"Only one Cognito User Pool '{pool.pool_id}' found, but it does not meet the "
                f"requirements for import:\n{problem}",
                rule="user-pool",
            )
        prompter.say(
            f"✔ Only one Cognito User Pool ({pool.pool_id}) found and it was automatically "
            "selected."
        )
        return pool
    pool_id = prompter.select(
        "Select the User Pool you want to import:",
        [Option(summary.label, summary.pool_id) for summary in summaries],
        flag="--user-pool-id",
        validate=lambda chosen: _pool_problem(
            inventory, _read_pool(inventory, chosen), with_identity_pool
        ),
    )
    return _read_pool(inventory, pool_id)


def _named_client(pool: UserPool, client_id: str, flag: str) -> AppClient:
    client = pool.client(client_id)
    if client is None:
        names = ", ".join(c.label for c in pool.clients) or "(none)"
        raise ImportRuleError(
            f"{flag} {client_id} is not an app client of user pool {pool.label}; its app "
            f"clients are: {names}.",
            rule="client-not-found",
        )
    return client


#: How a client was chosen: by its flag, automatically (the only one), or by the person.
_FLAG, _AUTO, _ASKED = "flag", "auto", "asked"


def _web_client(
    pool: UserPool, request: ImportRequest, prompter: Prompter
) -> tuple[AppClient, str]:
    web = pool.web_clients()
    if request.web_client_id is not None:
        client = _named_client(pool, request.web_client_id, "--web-client-id")
        if client.has_secret:
            choices = ", ".join(c.label for c in web)
            raise ImportRuleError(
                f"App client {client.label} has a client secret, so it cannot be the Web app "
                "client: Web app clients are app clients without a client secret. Choose one of "
                f"{choices}, or in AWS add an app client without a secret.",
                rule="web-client-secret",
            )
        return client, _FLAG
    if len(web) == 1:
        prompter.say(
            f"✔ Only one Web app client found: '{web[0].name}' was automatically selected."
        )
        return web[0], _AUTO
    if not prompter.interactive and request.native_client_id is not None:
        native = pool.client(request.native_client_id)
        if native is not None and not native.has_secret:
            prompter.say(f"No --web-client-id given: using '{native.name}' as the Web app client.")
            return native, _FLAG
    prompter.say("The User Pool has multiple Web app clients configured.")
    chosen = prompter.select(
        "Select a Web client to import:",
        [Option(client.label, client) for client in web],
        flag="--web-client-id",
    )
    return chosen, _ASKED


def _native_client(
    pool: UserPool, web: AppClient, request: ImportRequest, prompter: Prompter
) -> tuple[AppClient, str]:
    if request.native_client_id is not None:
        return _named_client(pool, request.native_client_id, "--native-client-id"), _FLAG
    if len(pool.clients) == 1:
        only = pool.clients[0]
        prompter.say(
            f"✔ Only one Native app client found: '{only.name}' was automatically selected."
        )
        prompter.say(
            "⚠️ It is recommended to use different app client for web and native application."
        )
        return only, _AUTO
    if not prompter.interactive:
        prompter.say(
            f"No --native-client-id given: pyamplify signs in with the Web app client "
            f"'{web.name}' (pass --native-client-id to use another app client)."
        )
        return web, _AUTO
    options = [
        Option(client.label + (" (has app client secret)" if client.has_secret else ""), client)
        for client in pool.clients
    ]
    chosen = prompter.select(
        "Select a Native client to import:", options, flag="--native-client-id"
    )
    return chosen, _ASKED


def _clients_with_matching_oauth(
    pool: UserPool, request: ImportRequest, prompter: Prompter
) -> tuple[AppClient, AppClient]:
    while True:
        web, web_how = _web_client(pool, request, prompter)
        native, native_how = _native_client(pool, web, request, prompter)
        if (
            native_how == _ASKED
            and web.client_id == native.client_id
            and not request.assume_yes
            and prompter.confirm(
                "It is recommended to use different app clients for web and native "
                "application, You have chosen the same app client for both. Do you want to "
                "change this?",
                default=False,
            )
        ):
            continue
        if not rules.needs_oauth(web, native):
            prompter.say(
                "✔ Federated identity providers are not configured, no OAuth configuration needed."
            )
            return web, native
        # The loop can only offer new clients when the person picked at least one of them.
        can_loop = _ASKED in (web_how, native_how) and _FLAG not in (web_how, native_how)
        problem = rules.oauth_mismatch(web, native, headless=not prompter.interactive)
        if problem is None:
            return web, native
        if not can_loop:
            raise ImportRuleError(problem, rule="oauth-mismatch")
        prompter.say(problem)
        prompter.say("Select new app clients")


def _identity_pool(
    inventory: Inventory,
    pool: UserPool,
    client: AppClient,
    request: ImportRequest,
    prompter: Prompter,
) -> tuple[IdentityPool, dict[str, str]]:
    every = inventory.identity_pools()
    candidates = rules.identity_pool_candidates(pool, every)

    def problem_of(identity_pool: IdentityPool) -> str | None:
        problem = rules.client_not_accepted(pool, client, identity_pool)
        if problem is not None:
            return problem
        roles = inventory.roles(identity_pool.pool_id)
        return rules.missing_roles(identity_pool, roles) or rules.bad_role_arns(
            identity_pool, roles
        )

    if request.identity_pool_id is not None:
        named = next((p for p in every if p.pool_id == request.identity_pool_id), None)
        if named is None:
            raise ImportRuleError(
                f"Identity pool {request.identity_pool_id} was not found in region "
                f"{inventory.region}: check the id (Cognito console: Identity pools) and "
                "--region.",
                rule="identity-pool-not-found",
            )
        if named not in candidates:
            raise ImportRuleError(rules.not_a_candidate(pool, named), rule="identity-pool")
        chosen = named
    elif not candidates:
        raise ImportRuleError(rules.no_identity_pool(pool), rule="identity-pool")
    elif len(candidates) == 1:
        chosen = candidates[0]
        prompter.say(
            f"✔ Only one Identity Pool resource found: '{chosen.name}' ({chosen.pool_id}) was "
            "automatically selected."
        )
    else:
        prompter.say(" Multiple Identity Pools are configured for the selected Cognito User Pool.")
        chosen = prompter.select(
            "Select the Identity Pool you want to import:",
            [Option(candidate.label, candidate) for candidate in candidates],
            flag="--identity-pool-id",
            validate=problem_of,
        )
    problem = problem_of(chosen)
    if problem is not None:
        raise ImportRuleError(problem, rule="identity-pool")
    return chosen, inventory.roles(chosen.pool_id)
