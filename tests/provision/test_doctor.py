"""``pyamplify doctor`` finds each planted misconfiguration, and is clean on a good setup."""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
from pathlib import Path
from typing import Any

import pytest

from pyamplify.config import (
    AuthConfig,
    IdentityPoolConfig,
    OAuthConfig,
    UserPoolConfig,
    write_config,
)

from .e2e import OAUTH_CLIENT, make_identity_pool, make_pool, run

pytestmark = pytest.mark.e2e
REGION = "us-east-1"


@dataclasses.dataclass(frozen=True)
class World:
    """A healthy setup: pool, Hosted UI client and domain, identity pool with guests and roles."""

    url: str
    pool_id: str
    client_id: str
    identity_pool_id: str
    domain: str

    def config(self, **changes: Any) -> AuthConfig:
        """The healthy configuration, with ``changes`` applied to the AuthConfig."""
        good = AuthConfig(
            user_pool=UserPoolConfig(self.pool_id, self.client_id, REGION, endpoint=self.url),
            identity_pool=IdentityPoolConfig(self.identity_pool_id, REGION, endpoint=self.url),
            oauth=OAuthConfig(
                web_domain=self.domain,
                app_client_id=self.client_id,
                sign_in_redirect_uris=("myapp://callback/",),
                sign_out_redirect_uris=("http://localhost:3000/signout",),
                scopes=("openid", "email"),
            ),
            unauthenticated_identities_enabled=True,
        )
        return dataclasses.replace(good, **changes)


def _new_domain() -> str:
    return f"doc{secrets.token_hex(4)}"


@pytest.fixture(scope="module")
def world(local_cognito: Any, idp: Any, identity: Any) -> World:
    """The healthy setup, built once per module through boto3."""
    prefix = _new_domain()
    pool = make_pool(idp, {"app": OAUTH_CLIENT}, domain=prefix)
    ids = make_identity_pool(identity, [(pool.pool_id, pool.client_id("app"))], guests=True)
    return World(
        local_cognito.url,
        pool.pool_id,
        pool.client_id("app"),
        ids,
        f"{prefix}.auth.{REGION}.amazoncognito.com",
    )


def doctor(
    monkeypatch: pytest.MonkeyPatch,
    capsys: Any,
    tmp_path: Path,
    config: AuthConfig,
    *extra: str,
    fmt: str = "gen2",
    include_secret: bool = False,
) -> tuple[int, dict[str, Any]]:
    """Write ``config`` and run ``pyamplify doctor --json`` on it against the local Cognito."""
    path = tmp_path / ("amplify_outputs.json" if fmt == "gen2" else "amplifyconfiguration.json")
    write_config(config, path, fmt, include_secret=include_secret)  # type: ignore[arg-type]
    url = (config.user_pool or config.identity_pool).endpoint  # type: ignore[union-attr]
    code, out, _ = run(
        monkeypatch,
        capsys,
        "doctor",
        "--config",
        str(path),
        "--json",
        "--endpoint-url",
        str(url),
        *extra,
    )
    document = json.loads(out)
    if code == 1 and "error" in document:  # findings are a failure: the report rides along
        assert document["error"]["code"] == "DoctorFindings"
        document = document["error"]["report"]
    return code, document


def findings(report: dict[str, Any], check: str) -> list[str]:
    """The messages of one check's findings."""
    return [item["message"] for item in report["findings"] if item["check"] == check]


def test_clean_on_a_good_setup(world: World, monkeypatch: Any, capsys: Any, tmp_path: Path) -> None:
    for fmt in ("gen1", "gen2"):
        code, report = doctor(monkeypatch, capsys, tmp_path, world.config(), fmt=fmt)
        assert report["findings"] == [] and code == 0, report
        assert report["checks_skipped"] == []
        assert len(report["checks_run"]) == 15


def test_text_output_for_people(
    world: World, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    path = tmp_path / "amplify_outputs.json"
    write_config(world.config(authentication_flow_type="CUSTOM_AUTH"), path, "gen2")
    code, out, _ = run(
        monkeypatch, capsys, "doctor", "--config", str(path), "--endpoint-url", world.url
    )
    assert code == 1
    assert "✖ [custom-auth-triggers]" in out and "    fix: Attach the triggers" in out
    assert "✖ [auth-flows]" in out  # the client does not allow ALLOW_CUSTOM_AUTH either
    assert "2 findings; 15 checks ran." in out


def test_user_pool_missing(world: World, monkeypatch: Any, capsys: Any, tmp_path: Path) -> None:
    missing = UserPoolConfig("us-east-1_NoSuchPool", world.client_id, REGION, endpoint=world.url)
    code, report = doctor(
        monkeypatch, capsys, tmp_path, world.config(user_pool=missing, oauth=None)
    )
    assert code == 1
    (message,) = findings(report, "user-pool")
    assert "user pool us-east-1_NoSuchPool does not exist in region us-east-1" in message
    skipped = {item["check"] for item in report["checks_skipped"]}
    assert {"app-client", "auth-flows", "client-secret"} <= skipped


def test_app_client_missing(world: World, monkeypatch: Any, capsys: Any, tmp_path: Path) -> None:
    wrong = UserPoolConfig(world.pool_id, "nosuchclient0000000000000", REGION, endpoint=world.url)
    code, report = doctor(monkeypatch, capsys, tmp_path, world.config(user_pool=wrong, oauth=None))
    assert code == 1
    (message,) = findings(report, "app-client")
    assert "app client nosuchclient0000000000000 does not exist" in message
    assert world.client_id in report["findings"][0]["fix"]


def test_client_secret_both_ways(
    world: World, idp: Any, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    pool = make_pool(idp, {"secret": {"GenerateSecret": True}, "public": {}})
    lacking = UserPoolConfig(pool.pool_id, pool.client_id("secret"), REGION, endpoint=world.url)
    _, report = doctor(monkeypatch, capsys, tmp_path, AuthConfig(user_pool=lacking), fmt="gen1")
    (message,) = findings(report, "client-secret")
    assert "has a client secret but the configuration has none" in message
    assert "Unable to verify secret hash" in message
    extra = UserPoolConfig(
        pool.pool_id,
        pool.client_id("public"),
        REGION,
        app_client_secret="z" * 51,
        endpoint=world.url,
    )
    _, report = doctor(
        monkeypatch, capsys, tmp_path, AuthConfig(user_pool=extra), fmt="gen1", include_secret=True
    )
    (message,) = findings(report, "client-secret")
    assert "the configuration has an app client secret, but app client public" in message
    stale = dataclasses.replace(lacking, app_client_secret="y" * 51)
    _, report = doctor(
        monkeypatch, capsys, tmp_path, AuthConfig(user_pool=stale), fmt="gen1", include_secret=True
    )
    (message,) = findings(report, "client-secret")
    assert "the app client secret in the configuration is not app client secret (" in message


def test_flow_not_in_explicit_auth_flows(
    world: World, idp: Any, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    pool = make_pool(
        idp,
        {
            "password-only": {
                "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
            },
            "no-refresh": {"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_CUSTOM_AUTH"]},
        },
    )
    for client, flow, expected in (
        ("password-only", "USER_SRP_AUTH", "does not allow ALLOW_USER_SRP_AUTH"),
        ("password-only", "CUSTOM_AUTH", "does not allow ALLOW_CUSTOM_AUTH"),
        ("no-refresh", "USER_PASSWORD_AUTH", "does not allow ALLOW_USER_PASSWORD_AUTH"),
        ("no-refresh", "USER_SRP_AUTH", "does not allow ALLOW_REFRESH_TOKEN_AUTH"),
    ):
        config = AuthConfig(
            user_pool=UserPoolConfig(
                pool.pool_id, pool.client_id(client), REGION, endpoint=world.url
            ),
            authentication_flow_type=flow,
        )
        code, report = doctor(monkeypatch, capsys, tmp_path, config)
        assert code == 1
        assert any(expected in message for message in findings(report, "auth-flows")), report


def test_custom_auth_without_triggers(
    world: World, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    _, report = doctor(
        monkeypatch, capsys, tmp_path, world.config(authentication_flow_type="CUSTOM_AUTH")
    )
    (message,) = findings(report, "custom-auth-triggers")
    assert "lacks the Lambda trigger(s) DefineAuthChallenge, CreateAuthChallenge" in message


def test_identity_pool_missing_and_not_listing_the_client(
    world: World, identity: Any, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    gone = IdentityPoolConfig(
        "us-east-1:00000000-0000-4000-8000-000000000000", REGION, endpoint=world.url
    )
    _, report = doctor(monkeypatch, capsys, tmp_path, world.config(identity_pool=gone))
    assert "does not exist in region us-east-1" in findings(report, "identity-pool")[0]
    other_client = make_identity_pool(
        identity, [(world.pool_id, "someotherclient0000000000")], guests=True
    )
    _, report = doctor(
        monkeypatch,
        capsys,
        tmp_path,
        world.config(identity_pool=IdentityPoolConfig(other_client, REGION, endpoint=world.url)),
    )
    (message,) = findings(report, "identity-pool-provider")
    assert f"does not list user pool {world.pool_id} with app client {world.client_id}" in message


def test_guest_access_expected_but_disabled_and_roles_missing(
    world: World, identity: Any, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    no_guests = make_identity_pool(identity, [(world.pool_id, world.client_id)], guests=False)
    _, report = doctor(
        monkeypatch,
        capsys,
        tmp_path,
        world.config(identity_pool=IdentityPoolConfig(no_guests, REGION, endpoint=world.url)),
    )
    (message,) = findings(report, "guest-access")
    assert "does not allow guest access" in message
    no_roles = make_identity_pool(
        identity, [(world.pool_id, world.client_id)], guests=True, roles={}
    )
    _, report = doctor(
        monkeypatch,
        capsys,
        tmp_path,
        world.config(identity_pool=IdentityPoolConfig(no_roles, REGION, endpoint=world.url)),
    )
    messages = findings(report, "identity-pool-roles")
    assert any("has no authenticated role" in m for m in messages)
    assert any("has no unauthenticated role" in m for m in messages)


def test_oauth_redirects_scopes_and_domain(
    world: World, idp: Any, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    good = world.config().oauth
    assert good is not None
    odd = dataclasses.replace(
        good,
        sign_in_redirect_uris=("myapp://elsewhere/",),
        sign_out_redirect_uris=("myapp://gone/",),
        scopes=("openid", "phone"),
    )
    _, report = doctor(monkeypatch, capsys, tmp_path, world.config(oauth=odd))
    messages = " ".join(findings(report, "oauth-client"))
    assert "myapp://elsewhere/ is not a callback URL" in messages
    assert "myapp://gone/ is not a sign-out URL" in messages
    assert "scope(s) phone are not allowed" in messages
    no_domain = make_pool(idp, {"app": OAUTH_CLIENT})
    config = AuthConfig(
        user_pool=UserPoolConfig(
            no_domain.pool_id, no_domain.client_id("app"), REGION, endpoint=world.url
        ),
        oauth=dataclasses.replace(good, app_client_id=no_domain.client_id("app")),
    )
    _, report = doctor(monkeypatch, capsys, tmp_path, config)
    (message,) = findings(report, "oauth-domain")
    assert f"({no_domain.pool_id}) has no domain" in message


def test_region_mismatches(
    world: World, identity: Any, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    good = world.config().oauth
    assert good is not None
    elsewhere = dataclasses.replace(good, web_domain="myapp.auth.us-west-2.amazoncognito.com")
    _, report = doctor(monkeypatch, capsys, tmp_path, world.config(oauth=elsewhere), "--offline")
    assert "is in region us-west-2, but user pool" in findings(report, "regions")[0]
    wrong_region = make_identity_pool(
        identity, [(world.pool_id, world.client_id)], guests=True, region="us-west-2"
    )
    _, report = doctor(
        monkeypatch,
        capsys,
        tmp_path,
        world.config(identity_pool=IdentityPoolConfig(wrong_region, REGION, endpoint=world.url)),
    )
    (message,) = findings(report, "regions")
    assert "cognito-idp.us-west-2.amazonaws.com/" in message and "in region us-west-2" in message


def test_offline_says_what_it_skipped_and_checks_the_file(
    world: World, monkeypatch: Any, capsys: Any, tmp_path: Path
) -> None:
    config = world.config(
        user_pool=UserPoolConfig(world.pool_id, world.client_id, REGION, "s" * 51, world.url)
    )
    path = tmp_path / "amplifyconfiguration.json"
    write_config(config, path, "gen1", include_secret=True)
    if os.name == "posix":
        path.chmod(0o644)
    code, out, _ = run(monkeypatch, capsys, "doctor", "--config", str(path), "--offline")
    assert "Skipped 13 checks:" in out and "user-pool: --offline: needs the Cognito API" in out
    if os.name == "posix":
        assert code == 1 and "✖ [secret-file]" in out and f"chmod 600 {path}" in out
