"""A database written before the schema was versioned opens, migrates and signs its users in.

``tests/data/local_cognito_v0.sql`` is a dump of a data dir written by the unversioned store
(commit 5573e43, by ``tests/data/make_v0_fixture.py``); ``local_cognito_v0.json`` says what is
in it. The dump is loaded into a file in a temp data dir, today's local Cognito starts on it,
and everything is checked over loopback HTTP with boto3, at the real time (the fixture's
refresh token lives ten years): SRP and USER_PASSWORD_AUTH sign-ins on the pool's old signing
keys (tokens verified with PyJWT against the served JWKS), the MFA user's TOTP challenge, the
old refresh token, the identity pool's identity and credentials, and the groups, provider,
domain, MFA configuration and outbox written back then.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import pytest

from conftest import boto3_client
from pyamplify.local import LocalCognito
from pyamplify.local.idp import totp
from pyamplify.local.store import DB_FILENAME
from pyamplify.local.store.schema import LATEST_VERSION

from . import srp_client
from .identity_fixtures import sts_client

pytestmark = pytest.mark.e2e

DATA = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class Upgraded:
    """The local Cognito running on the migrated fixture, with what the fixture holds."""

    cognito: LocalCognito
    facts: dict[str, Any]
    v0_kids: dict[tuple[str, str], str]
    version_before: int

    @property
    def main(self) -> dict[str, Any]:
        return dict(self.facts["main_pool"])

    @property
    def mfa(self) -> dict[str, Any]:
        return dict(self.facts["mfa_pool"])


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Upgraded]:
    data_dir = tmp_path_factory.mktemp("v0-data-dir")
    db = sqlite3.connect(data_dir / DB_FILENAME)
    try:
        db.executescript((DATA / "local_cognito_v0.sql").read_text())
        version_before = int(db.execute("PRAGMA user_version").fetchone()[0])
        rows = db.execute("SELECT pool_id, purpose, kid FROM signing_keys").fetchall()
    finally:
        db.close()
    facts = json.loads((DATA / "local_cognito_v0.json").read_text())
    kids = {(str(pool), str(purpose)): str(kid) for pool, purpose, kid in rows}
    with LocalCognito(data_dir) as cognito:
        yield Upgraded(cognito, facts, kids, version_before)


@pytest.fixture(scope="module")
def idp(upgraded: Upgraded) -> Any:
    return boto3_client("cognito-idp", upgraded.cognito.url)


def _verified_id_token(upgraded: Upgraded, pool_id: str, token: str, audience: str) -> Any:
    """Claims of an ID token checked with PyJWT against the pool's served JWKS."""
    jwks = jwt.PyJWKClient(f"{upgraded.cognito.url}/{pool_id}/.well-known/jwks.json")
    key = jwks.get_signing_key_from_jwt(token).key
    return jwt.decode(token, key, ["RS256"], audience=audience)


def _secret_hash(username: str, client_id: str, client_secret: str) -> str:
    digest = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def test_the_unversioned_database_is_migrated_to_the_latest_version(upgraded: Upgraded) -> None:
    assert upgraded.version_before == 0
    assert upgraded.cognito.backend.store.schema_version == LATEST_VERSION
    assert upgraded.facts["written_by_commit"] == "5573e43"


def test_the_password_user_signs_in_with_srp_on_the_pools_old_keys(
    upgraded: Upgraded, idp: Any
) -> None:
    main, user = upgraded.main, upgraded.main["user"]
    result = srp_client.sign_in(
        idp, main["pool_id"], main["public_client_id"], user["username"], user["password"]
    )["AuthenticationResult"]
    token = result["IdToken"]
    claims = _verified_id_token(upgraded, main["pool_id"], token, main["public_client_id"])
    assert claims["cognito:username"] == user["username"]
    assert claims["email"] == "alice@example.com" and claims["email_verified"] is True
    assert claims["cognito:groups"] == [main["group"]]
    assert jwt.get_unverified_header(token)["kid"] == upgraded.v0_kids[(main["pool_id"], "id")]
    access = jwt.get_unverified_header(result["AccessToken"])["kid"]
    assert access == upgraded.v0_kids[(main["pool_id"], "access")]


def test_the_password_user_signs_in_with_user_password_auth_and_the_client_secret(
    upgraded: Upgraded, idp: Any
) -> None:
    main, user = upgraded.main, upgraded.main["user"]
    client_id = main["confidential_client_id"]
    result = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": user["username"],
            "PASSWORD": user["password"],
            "SECRET_HASH": _secret_hash(
                user["username"], client_id, main["confidential_client_secret"]
            ),
        },
    )["AuthenticationResult"]
    claims = _verified_id_token(upgraded, main["pool_id"], result["IdToken"], client_id)
    assert claims["cognito:username"] == user["username"]
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.initiate_auth(
            ClientId=main["public_client_id"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": user["username"], "PASSWORD": "Not-the-passw0rd"},
        )


def test_the_refresh_token_issued_before_the_upgrade_still_refreshes(
    upgraded: Upgraded, idp: Any
) -> None:
    main = upgraded.main
    result = idp.initiate_auth(
        ClientId=main["public_client_id"],
        AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": main["refresh_token"]},
    )["AuthenticationResult"]
    claims = _verified_id_token(
        upgraded, main["pool_id"], result["IdToken"], main["public_client_id"]
    )
    assert claims["cognito:username"] == main["user"]["username"]
    assert claims["auth_time"] <= upgraded.facts["written_at"] + 1  # the old sign-in's session
    assert idp.get_user(AccessToken=result["AccessToken"])["Username"] == "alice"


def test_the_mfa_user_gets_the_totp_challenge_and_passes_it(upgraded: Upgraded, idp: Any) -> None:
    mfa, user = upgraded.mfa, upgraded.mfa["user"]
    challenge = srp_client.sign_in(
        idp, mfa["pool_id"], mfa["client_id"], user["username"], user["password"]
    )
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    assert challenge["ChallengeParameters"]["FRIENDLY_DEVICE_NAME"] == mfa["device_name"]
    with pytest.raises(idp.exceptions.CodeMismatchException):
        idp.respond_to_auth_challenge(
            ClientId=mfa["client_id"],
            ChallengeName="SOFTWARE_TOKEN_MFA",
            Session=challenge["Session"],
            ChallengeResponses={
                "USERNAME": user["username"],
                "SOFTWARE_TOKEN_MFA_CODE": _wrong(totp.code_at(mfa["totp_secret"], time.time())),
            },
        )
    done = idp.respond_to_auth_challenge(
        ClientId=mfa["client_id"],
        ChallengeName="SOFTWARE_TOKEN_MFA",
        Session=challenge["Session"],
        ChallengeResponses={
            "USERNAME": user["username"],
            "SOFTWARE_TOKEN_MFA_CODE": totp.code_at(mfa["totp_secret"], time.time()),
        },
    )["AuthenticationResult"]
    claims = _verified_id_token(upgraded, mfa["pool_id"], done["IdToken"], mfa["client_id"])
    assert claims["cognito:username"] == user["username"]
    settings = idp.get_user(AccessToken=done["AccessToken"])
    assert settings["UserMFASettingList"] == ["SOFTWARE_TOKEN_MFA"]
    assert settings["PreferredMfaSetting"] == "SOFTWARE_TOKEN_MFA"


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_the_identity_pool_still_gives_the_same_identity_credentials(
    upgraded: Upgraded, idp: Any
) -> None:
    main, user = upgraded.main, upgraded.main["user"]
    pool = upgraded.facts["identity_pool"]
    id_token = idp.initiate_auth(
        ClientId=main["public_client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": user["username"], "PASSWORD": user["password"]},
    )["AuthenticationResult"]["IdToken"]
    identity = boto3_client("cognito-identity", upgraded.cognito.url)
    logins = {f"cognito-idp.us-east-1.amazonaws.com/{main['pool_id']}": id_token}
    found = identity.get_id(IdentityPoolId=pool["identity_pool_id"], Logins=logins)
    assert found["IdentityId"] == pool["identity_id"]
    minted = identity.get_credentials_for_identity(IdentityId=pool["identity_id"], Logins=logins)
    assert minted["IdentityId"] == pool["identity_id"]
    caller = sts_client(upgraded.cognito.url, minted["Credentials"]).get_caller_identity()
    assert caller["Arn"].startswith("arn:aws:sts::")
    assert "FixtureAuthenticated" in caller["Arn"]


def test_groups_provider_domain_mfa_config_and_outbox_are_still_described(
    upgraded: Upgraded, idp: Any
) -> None:
    main, mfa = upgraded.main, upgraded.mfa
    group = idp.get_group(UserPoolId=main["pool_id"], GroupName=main["group"])["Group"]
    assert (group["Precedence"], group["Description"]) == (1, "Admins")
    members = idp.list_users_in_group(UserPoolId=main["pool_id"], GroupName=main["group"])
    assert [u["Username"] for u in members["Users"]] == [main["user"]["username"]]

    provider = idp.describe_identity_provider(
        UserPoolId=main["pool_id"], ProviderName=main["identity_provider"]
    )["IdentityProvider"]
    assert provider["ProviderType"] == "OIDC"
    assert provider["ProviderDetails"]["oidc_issuer"] == "https://issuer.example.com"

    domain = idp.describe_user_pool_domain(Domain=main["domain"])["DomainDescription"]
    assert domain["UserPoolId"] == main["pool_id"]
    pool = idp.describe_user_pool(UserPoolId=main["pool_id"])["UserPool"]
    assert pool["Domain"] == main["domain"]

    config = idp.get_user_pool_mfa_config(UserPoolId=mfa["pool_id"])
    assert config["MfaConfiguration"] == "OPTIONAL"
    assert config["SoftwareTokenMfaConfiguration"] == {"Enabled": True}

    carol = main["unconfirmed_user"]["username"]
    users = idp.list_users(UserPoolId=main["pool_id"])["Users"]
    assert {u["Username"]: u["UserStatus"] for u in users} == {
        "alice": "CONFIRMED",
        carol: "UNCONFIRMED",
    }
    sent = upgraded.cognito.outbox(carol)
    assert [(item["purpose"], item["destination"]) for item in sent] == [
        ("SignUp", "carol@example.com")
    ]
