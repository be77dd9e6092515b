"""The import rules over plain data: each rule holds, or its message says what to change."""

from __future__ import annotations

from pyamplify.provision import rules
from pyamplify.provision.inventory import AppClient

from .shapes import OAUTH, client, identity_pool, pool

POOL_ID = "us-east-1_Rules1"


def test_no_web_client_when_every_client_has_a_secret() -> None:
    only_secret = pool(POOL_ID, "secretive", [client("c1", "native", secret="s" * 51)])
    message = rules.no_web_client(only_secret)
    assert message is not None
    assert message.startswith(
        "The selected Cognito User Pool does not have at least 1 Web app client configured. "
        "Web app clients are app clients without a client secret."
    )
    assert f"--user-pool-id {POOL_ID}" in message  # says what to run in AWS
    assert rules.no_web_client(pool(POOL_ID, "ok", [client("c2", "web")])) is None


def test_identity_pool_candidates_follow_the_cli_rule() -> None:
    up = pool(POOL_ID, "p", [client("web1"), client("nat1", secret="x" * 51)])
    with_web = identity_pool("us-east-1:1", "with-web", [(POOL_ID, "web1")])
    only_native = identity_pool("us-east-1:2", "only-native", [(POOL_ID, "nat1")])
    other_pool = identity_pool("us-east-1:3", "other", [("us-east-1_Other", "web1")])
    any_client = identity_pool("us-east-1:4", "any-client", [(POOL_ID, None)])
    found = rules.identity_pool_candidates(up, [with_web, only_native, other_pool, any_client])
    assert [candidate.name for candidate in found] == ["with-web", "any-client"]
    message = rules.no_identity_pool(up)
    assert message.startswith(
        "There are no Identity Pools found which has the selected Cognito User Pool configured "
        "as identity provider."
    )
    assert "web1" in message and "Add identity provider" in message


def test_client_not_accepted_names_the_client_and_the_fix() -> None:
    up = pool(POOL_ID, "p", [client("web1"), client("other")])
    ip = identity_pool("us-east-1:1", "ids", [(POOL_ID, "web1")])
    assert rules.client_not_accepted(up, up.clients[0], ip) is None
    message = rules.client_not_accepted(up, up.clients[1], ip)
    assert message is not None
    assert "does not accept sign-ins from app client other (other)" in message
    assert "Token is not from a supported provider" in message
    assert "add app client other" in message


def test_missing_roles_names_each_missing_role() -> None:
    ip = identity_pool("us-east-1:1", "ids", [])
    both = {"authenticated": "arn:aws:iam::123456789012:role/a", "unauthenticated": "x"}
    assert rules.missing_roles(ip, both) is None
    message = rules.missing_roles(ip, {"authenticated": "arn:aws:iam::123456789012:role/a"})
    assert message is not None
    assert message.startswith(
        "Cannot import Identity Pool without 'authenticated' and 'unauthenticated' roles."
    )
    assert "has no 'unauthenticated' role" in message
    assert "set-identity-pool-roles --identity-pool-id us-east-1:1" in message
    assert "'authenticated' and 'unauthenticated' role." in (rules.missing_roles(ip, {}) or "")


def test_bad_role_arn_is_reported_early() -> None:
    ip = identity_pool("us-east-1:1", "ids", [])
    good = {"authenticated": "arn:aws:iam::123456789012:role/service-role/Auth_1"}
    assert rules.bad_role_arns(ip, good) is None
    message = rules.bad_role_arns(ip, {"authenticated": "undefined"})
    assert message is not None and message.startswith("Cannot parse arn: 'undefined'.")


def _clients(
    web_extra: dict[str, object], native_extra: dict[str, object]
) -> tuple[AppClient, AppClient]:
    web = AppClient.from_description(client("w", "web", **web_extra))
    native = AppClient.from_description(client("n", "native", **native_extra))
    return web, native


def test_oauth_agreement_is_order_insensitive() -> None:
    web, native = _clients(dict(OAUTH), {**OAUTH, "AllowedOAuthScopes": ["email", "openid"]})
    assert rules.oauth_differences(web, native) == []
    assert rules.oauth_mismatch(web, native, headless=True) is None


def test_oauth_mismatch_table_lists_each_differing_property() -> None:
    web, native = _clients(
        dict(OAUTH),
        {
            **OAUTH,
            "CallbackURLs": ["https://other.example.com/cb"],
            "AllowedOAuthFlows": ["implicit"],
        },
    )
    differences = rules.oauth_differences(web, native)
    assert [d.label for d in differences] == ["Callback URLs", "Allowed OAuth Flows"]
    message = rules.oauth_mismatch(web, native, headless=False)
    assert message is not None
    assert message.startswith("The following OAuth properties are not matching:")
    table = rules.oauth_table(differences, web, native)
    lines = table.splitlines()
    assert [cell.strip() for cell in lines[0].strip("|").split("|")] == [
        "Property",
        "Web: web",
        "Native: native",
    ]
    assert set(lines[1]) == {"|", "-"}
    assert len({len(line) for line in lines}) == 1  # columns line up
    assert "| Callback URLs" in table and "myapp://callback/" in table
    assert "https://other.example.com/cb" in table
    assert "| Allowed OAuth Flows" in table and "implicit" in table
    headless = rules.oauth_mismatch(web, native, headless=True)
    assert headless is not None
    assert headless.startswith("OAuth properties for the app clients are not matching.")
    assert "update-user-pool-client" in headless


def test_no_oauth_needed_when_no_client_has_providers() -> None:
    web, native = _clients({}, {"CallbackURLs": ["https://x.example.com/"]})
    assert not rules.needs_oauth(web, native)
    assert rules.oauth_mismatch(web, native, headless=True) is None


def test_no_user_pools_message_names_the_region() -> None:
    message = rules.no_user_pools("eu-west-1")
    assert message.startswith(
        "No Cognito User Pools were found in the configured region: eu-west-1."
    )
    assert "--region" in message
