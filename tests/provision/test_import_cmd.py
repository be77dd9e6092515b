"""``pyamplify import auth`` against the local Cognito, with pools built through boto3."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from pyamplify.config import load_config

from .e2e import (
    OAUTH_CLIENT,
    PASSWORD,
    SRP_FLOWS,
    Runner,
    make_identity_pool,
    make_pool,
    make_user,
    run,
)

pytestmark = pytest.mark.e2e


def test_gen1_import_is_accepted_by_config_check_and_signs_in(idp: Any, cli: Runner) -> None:
    pool = make_pool(idp, {"web": {}})
    make_user(idp, pool.pool_id)
    code, out, err = cli("import", "auth", "--user-pool-id", pool.pool_id, "--yes")
    assert code == 0, err
    assert "successfully imported" in out and "Wrote amplifyconfiguration.json" in out
    assert cli("config", "check", "amplifyconfiguration.json")[0] == 0
    config = load_config("amplifyconfiguration.json")
    assert config.user_pool is not None and config.user_pool.app_client_id == pool.client_id("web")
    code, out, err = cli(
        "auth",
        "sign-in",
        "alice",
        "--password-stdin",
        "--config",
        "amplifyconfiguration.json",
        stdin=PASSWORD,
    )
    assert code == 0, err
    assert "Signed in as alice" in out


def test_gen2_import_with_identity_pool_signs_in(idp: Any, identity: Any, cli: Runner) -> None:
    pool = make_pool(idp, {"web": {}})
    make_user(idp, pool.pool_id, "bob")
    identity_pool = make_identity_pool(
        identity, [(pool.pool_id, pool.client_id("web"))], guests=True
    )
    code, out, err = cli(
        "import",
        "auth",
        "--format",
        "gen2",
        "--user-pool-id",
        pool.pool_id,
        "--identity-pool-id",
        identity_pool,
        "--yes",
    )
    assert code == 0, err
    assert "and Identity Pool" in out and "Wrote amplify_outputs.json" in out
    document = json.loads(Path("amplify_outputs.json").read_text())
    assert document["auth"]["identity_pool_id"] == identity_pool
    assert document["auth"]["unauthenticated_identities_enabled"] is True
    assert cli("config", "check", "amplify_outputs.json")[0] == 0
    code, out, err = cli(
        "auth",
        "sign-in",
        "bob",
        "--password-stdin",
        "--config",
        "amplify_outputs.json",
        stdin=PASSWORD,
    )
    assert code == 0, err
    assert "Signed in as bob" in out
    assert cli("doctor", "--config", "amplify_outputs.json")[0] == 0


def test_existing_file_needs_force_and_the_diff_is_shown(idp: Any, cli: Runner) -> None:
    first = make_pool(idp, {"web": {}})
    second = make_pool(idp, {"web": {}})
    assert cli("import", "auth", "--user-pool-id", first.pool_id, "--yes")[0] == 0
    before = Path("amplifyconfiguration.json").read_text()
    code, out, err = cli("import", "auth", "--user-pool-id", first.pool_id, "--yes")
    assert code == 0 and "already up to date" in out
    code, out, err = cli("import", "auth", "--user-pool-id", second.pool_id, "--yes")
    assert code == 1
    assert "not overwritten (pass --force to replace it)" in err
    assert f'"{first.pool_id}" -> "{second.pool_id}"' in err
    assert Path("amplifyconfiguration.json").read_text() == before
    code, out, err = cli("import", "auth", "--user-pool-id", second.pool_id, "--yes", "--force")
    assert code == 0, err
    assert "Changed:" in out
    assert second.pool_id in Path("amplifyconfiguration.json").read_text()


def test_secret_only_with_include_secret_and_a_warning(idp: Any, cli: Runner) -> None:
    pool = make_pool(idp, {"web": {}, "native": {"GenerateSecret": True}})
    make_user(idp, pool.pool_id, "carol")
    secret = pool.secret("native")
    assert secret
    base = ("import", "auth", "--user-pool-id", pool.pool_id, "--yes")
    native = (
        "--web-client-id",
        pool.client_id("web"),
        "--native-client-id",
        pool.client_id("native"),
    )
    code, out, err = cli(*base, *native, "--output", "plain.json")
    assert code == 0 and secret not in Path("plain.json").read_text()
    assert "has a client secret, which is not written (pass --include-secret" in err
    code, out, err = cli(*base, *native, "--output", "secret.json", "--include-secret")
    assert code == 0
    assert secret in Path("secret.json").read_text()
    assert secret not in out + err
    assert "is written into the file (readable by you only)" in err
    if os.name == "posix":
        assert stat.S_IMODE(Path("secret.json").stat().st_mode) == 0o600
    code, out, err = cli(
        "auth", "sign-in", "carol", "--password-stdin", "--config", "secret.json", stdin=PASSWORD
    )
    assert code == 0, err


def test_check_writes_nothing_and_json_has_the_document(idp: Any, cli: Runner) -> None:
    pool = make_pool(idp, {"web": {}})
    code, out, _ = cli("import", "auth", "--user-pool-id", pool.pool_id, "--yes", "--check")
    assert code == 0 and "The selection is valid" in out and pool.pool_id in out
    assert not Path("amplifyconfiguration.json").exists()
    code, out, _ = cli(
        "import", "auth", "--user-pool-id", pool.pool_id, "--check", "--json", "--format", "gen2"
    )
    document = json.loads(out)
    assert document["ok"] is True and document["outcome"] == "checked"
    assert document["config"]["auth"]["user_pool_id"] == pool.pool_id
    assert document["native_client"]["id"] == pool.client_id("web")


def test_custom_auth_and_oauth_from_the_pool(idp: Any, cli: Runner) -> None:
    lambdas = {
        name: f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        for name in ("DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse")
    }
    prefix = f"imp{os.getpid()}x{len(lambdas)}"
    pool = make_pool(
        idp,
        {
            "web": {
                **OAUTH_CLIENT,
                "ExplicitAuthFlows": [
                    "ALLOW_CUSTOM_AUTH",
                    "ALLOW_USER_SRP_AUTH",
                    "ALLOW_REFRESH_TOKEN_AUTH",
                ],
            }
        },
        LambdaConfig=lambdas,
        domain=prefix,
    )
    code, _, err = cli("import", "auth", "--user-pool-id", pool.pool_id, "--yes")
    assert code == 0, err
    config = load_config("amplifyconfiguration.json")
    assert config.authentication_flow_type == "CUSTOM_AUTH"
    assert config.oauth is not None
    assert config.oauth.web_domain.endswith(f"/_domain/{prefix}")  # the local Cognito's form
    assert config.oauth.sign_in_redirect_uris == tuple(OAUTH_CLIENT["CallbackURLs"])
    assert config.oauth.sign_out_redirect_uris == tuple(OAUTH_CLIENT["LogoutURLs"])
    assert set(config.oauth.scopes) == set(OAUTH_CLIENT["AllowedOAuthScopes"])


# ------------------------------------------------------------------ each rule, broken in AWS


def _refusal(cli: Runner, *argv: str) -> str:
    code, out, err = cli("import", "auth", "--yes", "--check", *argv)
    assert code == 1, out
    return err


def test_rule_web_client_needed(idp: Any, cli: Runner) -> None:
    pool = make_pool(idp, {"native": {"GenerateSecret": True}})
    err = _refusal(cli, "--user-pool-id", pool.pool_id)
    assert (
        "The selected Cognito User Pool does not have at least 1 Web app client configured." in err
    )
    assert "create-user-pool-client" in err


def test_rule_identity_pool_must_name_the_user_pool(idp: Any, identity: Any, cli: Runner) -> None:
    pool = make_pool(idp, {"web": {}})
    other = make_pool(idp, {"web": {}})
    elsewhere = make_identity_pool(identity, [(other.pool_id, other.client_id("web"))])
    err = _refusal(cli, "--user-pool-id", pool.pool_id, "--identity-pool-id", elsewhere)
    assert (
        "There are no Identity Pools found which has the selected Cognito User Pool configured "
        "as identity provider." in err
    )


def test_rule_identity_pool_needs_both_roles(idp: Any, identity: Any, cli: Runner) -> None:
    pool = make_pool(idp, {"web": {}})
    ids = make_identity_pool(
        identity,
        [(pool.pool_id, pool.client_id("web"))],
        roles={"authenticated": "arn:aws:iam::123456789012:role/Auth"},
    )
    err = _refusal(cli, "--user-pool-id", pool.pool_id, "--identity-pool-id", ids)
    assert "Cannot import Identity Pool without 'authenticated' and 'unauthenticated' roles." in err
    assert "has no 'unauthenticated' role" in err


def test_rule_identity_pool_must_accept_the_signing_in_client(
    idp: Any, identity: Any, cli: Runner
) -> None:
    pool = make_pool(idp, {"web": {}, "native": {}})
    ids = make_identity_pool(identity, [(pool.pool_id, pool.client_id("web"))])
    err = _refusal(
        cli,
        "--user-pool-id",
        pool.pool_id,
        "--web-client-id",
        pool.client_id("web"),
        "--native-client-id",
        pool.client_id("native"),
        "--identity-pool-id",
        ids,
    )
    assert f"does not accept sign-ins from app client native ({pool.client_id('native')})" in err


def test_rule_oauth_settings_must_match(idp: Any, cli: Runner) -> None:
    pool = make_pool(
        idp,
        {
            "web": OAUTH_CLIENT,
            "native": {**OAUTH_CLIENT, "AllowedOAuthScopes": ["openid"], "GenerateSecret": True},
        },
    )
    err = _refusal(
        cli,
        "--user-pool-id",
        pool.pool_id,
        "--web-client-id",
        pool.client_id("web"),
        "--native-client-id",
        pool.client_id("native"),
    )
    assert "OAuth properties for the app clients are not matching." in err
    assert "| Allowed OAuth Scopes" in err


def test_rule_web_client_flag_must_have_no_secret(idp: Any, cli: Runner) -> None:
    pool = make_pool(idp, {"web": {}, "native": {"GenerateSecret": True}})
    err = _refusal(cli, "--user-pool-id", pool.pool_id, "--web-client-id", pool.client_id("native"))
    assert "has a client secret, so it cannot be the Web app client" in err


def test_rule_choices_need_flags_in_scripts(idp: Any, cli: Runner) -> None:
    pool = make_pool(idp, {"web-a": {}, "web-b": {}})
    err = _refusal(cli, "--user-pool-id", pool.pool_id)
    assert "pass --web-client-id with one of" in err and pool.client_id("web-b") in err
    assert "no AWS region: pass --region" in _refusal(cli)
    # The module's local Cognito has many pools by now.
    assert "pass --user-pool-id with one of" in _refusal(cli, "--region", "us-east-1")


def test_unknown_pool_and_region_mismatch(cli: Runner) -> None:
    err = _refusal(cli, "--user-pool-id", "us-east-1_NoSuchPool")
    assert "User pool us-east-1_NoSuchPool was not found in region us-east-1" in err
    err = _refusal(cli, "--user-pool-id", "us-east-1_NoSuchPool", "--region", "eu-west-1")
    assert "is in region us-east-1, but --region is eu-west-1" in err


def test_json_errors_are_json(cli: Runner) -> None:
    code, out, _ = cli("import", "auth", "--json", "--user-pool-id", "us-east-1_NoSuchPool")
    error = json.loads(out)["error"]
    assert code == 1 and error["code"] == "ImportRuleError"
    assert error["rule"] == "user-pool-not-found"


def test_standard_aws_environment_variables_work(
    idp: Any, local_cognito: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any, tmp_path: Path
) -> None:
    pool = make_pool(idp, {"web": {}})
    make_user(idp, pool.pool_id, "dave")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL", local_cognito.url)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    code, _, err = run(monkeypatch, capsys, "import", "auth", "--user-pool-id", pool.pool_id)
    assert code == 0, err
    assert "Endpoint" not in Path("amplifyconfiguration.json").read_text()  # not a flag: not kept
    code, out, err = run(
        monkeypatch, capsys, "auth", "sign-in", "dave", "--password-stdin", stdin=PASSWORD
    )
    assert code == 0, err
    assert "Signed in as dave" in out


def test_oidc_provider_keeps_the_oauth_block(idp: Any, cli: Runner) -> None:
    prefix = f"oidc{os.getpid()}"
    pool = make_pool(idp, {}, domain=prefix)
    # Cognito refuses a client naming a provider the pool lacks, so the providers come first.
    idp.create_identity_provider(
        UserPoolId=pool.pool_id,
        ProviderName="CorpOIDC",
        ProviderType="OIDC",
        ProviderDetails={
            "client_id": "corp",
            "authorize_scopes": "openid",
            "oidc_issuer": "https://login.corp.example.com",
            "attributes_request_method": "GET",
        },
    )
    idp.create_identity_provider(
        UserPoolId=pool.pool_id,
        ProviderName="Google",
        ProviderType="Google",
        ProviderDetails={"client_id": "g", "client_secret": "g", "authorize_scopes": "openid"},
    )
    hosted = {**OAUTH_CLIENT, "SupportedIdentityProviders": ["CorpOIDC", "Google"]}
    idp.create_user_pool_client(
        UserPoolId=pool.pool_id, ClientName="web", ExplicitAuthFlows=SRP_FLOWS, **hosted
    )
    code, out, err = cli("import", "auth", "--user-pool-id", pool.pool_id, "--yes", "--json")
    assert code == 0, err
    document = json.loads(out)
    # The types come from ListIdentityProviders; the configuration can name only social ones.
    assert document["identity_providers"] == {"CorpOIDC": "OIDC", "Google": "social"}
    auth = document["config"]["auth"]["plugins"]["awsCognitoAuthPlugin"]["Auth"]["Default"]
    assert auth["OAuth"]["WebDomain"].endswith(f"/_domain/{prefix}")
    assert auth["socialProviders"] == ["GOOGLE"]
    assert any("CorpOIDC" in note for note in document["notes"])
    assert cli("config", "check")[0] == 0
