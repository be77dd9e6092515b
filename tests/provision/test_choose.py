"""The walk-through over plain data: auto-selection, refusals, flags, the OAuth loop."""

from __future__ import annotations

import io

import pytest

from pyamplify.provision.choose import ImportRequest, choose
from pyamplify.provision.errors import ImportRuleError
from pyamplify.provision.prompts import HeadlessPrompter, TerminalPrompter

from .shapes import OAUTH, UNAUTH_ROLE, DataInventory, client, identity_pool, pool

A, B, C = "us-east-1_Alpha", "us-east-1_Beta", "us-east-1_Gamma"
IP = "us-east-1:0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"


def _refused(inventory: DataInventory, request: ImportRequest) -> str:
    with pytest.raises(ImportRuleError) as raised:
        choose(inventory, request, HeadlessPrompter())
    return str(raised.value)


def test_no_pools() -> None:
    assert _refused(DataInventory([]), ImportRequest()).startswith(
        "No Cognito User Pools were found in the configured region: us-east-1."
    )


def test_only_valid_pool_is_selected_automatically() -> None:
    headless = HeadlessPrompter()
    selection = choose(DataInventory([pool(A, "alpha", [client("w")])]), ImportRequest(), headless)
    assert selection.user_pool.pool_id == A and selection.identity_pool is None
    assert (
        f"✔ Only one Cognito User Pool ({A}) found and it was automatically selected."
        in headless.messages
    )
    assert "✔ Only one Web app client found: 'w' was automatically selected." in headless.messages


def test_only_pool_invalid_gives_the_reason() -> None:
    inventory = DataInventory([pool(A, "alpha", [client("n", secret="s" * 51)])])
    message = _refused(inventory, ImportRequest())
    assert message.startswith(
        f"Only one Cognito User Pool '{A}' found, but it does not meet the requirements for "
        "import:\nThe selected Cognito User Pool does not have at least 1 Web app client"
    )


def test_several_pools_need_a_flag_in_scripts() -> None:
    inventory = DataInventory([pool(A, "alpha", [client("w")]), pool(B, "beta", [client("w")])])
    message = _refused(inventory, ImportRequest())
    assert "pass --user-pool-id" in message and f"beta ({B})" in message
    assert (
        choose(inventory, ImportRequest(user_pool_id=B), HeadlessPrompter()).user_pool.name
        == "beta"
    )
    assert "was not found in region us-east-1" in _refused(inventory, ImportRequest(user_pool_id=C))


def test_client_flags_are_checked() -> None:
    inventory = DataInventory(
        [pool(A, "alpha", [client("w1"), client("w2"), client("n1", secret="s" * 51)])]
    )
    assert "pass --web-client-id" in _refused(inventory, ImportRequest(user_pool_id=A))
    secret = _refused(inventory, ImportRequest(user_pool_id=A, web_client_id="n1"))
    assert "has a client secret, so it cannot be the Web app client" in secret
    missing = _refused(inventory, ImportRequest(user_pool_id=A, web_client_id="zz"))
    assert "--web-client-id zz is not an app client of user pool" in missing
    chosen = choose(
        inventory, ImportRequest(user_pool_id=A, web_client_id="w2"), HeadlessPrompter()
    )
    assert chosen.native_client.client_id == "w2"  # no --native-client-id: the web client
    native = choose(
        inventory,
        ImportRequest(user_pool_id=A, web_client_id="w1", native_client_id="n1"),
        HeadlessPrompter(),
    )
    assert (native.web_client.client_id, native.native_client.client_id) == ("w1", "n1")


def test_oauth_mismatch_in_scripts_is_an_error_with_the_table() -> None:
    inventory = DataInventory(
        [
            pool(
                A,
                "alpha",
                [client("w1", **OAUTH), client("n1", **{**OAUTH, "LogoutURLs": ["myapp://bye/"]})],
            )
        ]
    )
    message = _refused(
        inventory, ImportRequest(user_pool_id=A, web_client_id="w1", native_client_id="n1")
    )
    assert message.startswith("OAuth properties for the app clients are not matching.")
    assert "| Logout URLs" in message and "myapp://bye/" in message


def _with_identity(
    *identity_pools: object, roles: dict[str, dict[str, str]] | None = None
) -> DataInventory:
    return DataInventory(
        [pool(A, "alpha", [client("w1"), client("n1", secret="s" * 51)])],
        list(identity_pools),  # type: ignore[arg-type]
        roles or {},
    )


def test_identity_pool_rules() -> None:
    good = identity_pool(IP, "ids", [(A, "w1")])
    selection = choose(
        _with_identity(good),
        ImportRequest(user_pool_id=A, web_client_id="w1", identity_pool_id=IP),
        HeadlessPrompter(),
    )
    assert selection.identity_pool == good and selection.roles is not None
    no_unauth = _with_identity(good, roles={IP: {"authenticated": UNAUTH_ROLE}})
    assert _refused(
        no_unauth, ImportRequest(user_pool_id=A, web_client_id="w1", identity_pool_id=IP)
    ).startswith("Cannot import Identity Pool without 'authenticated' and 'unauthenticated' roles.")
    native_not_listed = _refused(
        _with_identity(good),
        ImportRequest(
            user_pool_id=A, web_client_id="w1", native_client_id="n1", identity_pool_id=IP
        ),
    )
    assert "does not accept sign-ins from app client n1 (n1)" in native_not_listed
    elsewhere = identity_pool(IP, "elsewhere", [(B, "w1")])
    assert "There are no Identity Pools found" in _refused(
        _with_identity(elsewhere),
        ImportRequest(user_pool_id=A, web_client_id="w1", identity_pool_id=IP),
    )
    assert "was not found" in _refused(
        _with_identity(good), ImportRequest(user_pool_id=A, identity_pool_id="us-east-1:nope")
    )


def test_terminal_walk_through_with_refusal_and_oauth_loop() -> None:
    mismatched = {**OAUTH, "CallbackURLs": ["https://elsewhere.example.com/"]}
    inventory = DataInventory(
        [
            pool(A, "alpha", [client("n", secret="s" * 51)]),  # invalid: no web client
            pool(
                B,
                "beta",
                [
                    client("web", "web", **OAUTH),
                    client("odd", "odd", secret="s" * 51, **mismatched),
                    client("twin", "twin", secret="s" * 51, **OAUTH),
                ],
            ),
        ],
        [identity_pool(IP, "ids", [(B, "web"), (B, "twin")])],
    )
    answers = "\n".join(
        [
            "1",  # user pool and identity pool
            "alpha",  # refused: no web client
            "beta",
            "odd",  # native: OAuth does not match the web client
            "twin",  # native again, after the table
        ]
    )
    output = io.StringIO()
    selection = choose(
        inventory, ImportRequest(), TerminalPrompter(io.StringIO(answers + "\n"), output)
    )
    shown = output.getvalue()
    assert "✖ The selected Cognito User Pool does not have at least 1 Web app client" in shown
    assert "The following OAuth properties are not matching:" in shown
    assert "Select new app clients" in shown
    assert "odd (odd) (has app client secret)" in shown
    assert selection.native_client.client_id == "twin"
    assert selection.identity_pool is not None and selection.identity_pool.pool_id == IP
    assert "✔ Only one Identity Pool resource found: 'ids'" in shown


def test_same_client_for_both_asks_to_change() -> None:
    inventory = DataInventory([pool(A, "alpha", [client("w1"), client("w2")])])
    answers = "2\n1\nw1\ny\n1\nw2\n"  # user pool only; w1 twice; change: w1 + w2
    output = io.StringIO()
    selection = choose(inventory, ImportRequest(), TerminalPrompter(io.StringIO(answers), output))
    assert "You have chosen the same app client for both" in output.getvalue()
    assert (selection.web_client.client_id, selection.native_client.client_id) == ("w1", "w2")


def test_several_identity_pools_are_listed_and_validated() -> None:
    second = "us-east-1:11111111-2222-4333-8444-555555555555"
    inventory = DataInventory(
        [pool(A, "alpha", [client("w1")])],
        [identity_pool(IP, "first", [(A, "w1")]), identity_pool(second, "second", [(A, None)])],
        {IP: {"authenticated": UNAUTH_ROLE}},  # the first lacks its unauthenticated role
    )
    output = io.StringIO()
    prompter = TerminalPrompter(io.StringIO("1\nfirst\nsecond\n"), output)
    selection = choose(inventory, ImportRequest(), prompter)
    shown = output.getvalue()
    assert " Multiple Identity Pools are configured for the selected Cognito User Pool." in shown
    assert "✖ Cannot import Identity Pool without 'authenticated' and 'unauthenticated'" in shown
    assert selection.identity_pool is not None and selection.identity_pool.name == "second"
