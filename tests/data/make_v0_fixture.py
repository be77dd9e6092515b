"""Write ``local_cognito_v0.sql`` and ``.json``: a database of the unversioned store.

The local Cognito's data dir outlives upgrades, so the schema migrations are tested against a
database written by the code that came *before* them: the store as of commit 5573e43 (tables
made lazily with ``CREATE TABLE IF NOT EXISTS``, ``PRAGMA user_version`` 0). This script must run
at that commit (``git worktree add /tmp/v0 5573e43`` and run it there with a pyamplify[dev]
environment); running it on later code would write the new schema and prove nothing.

It starts a persistent ``LocalCognito``, builds through boto3 (the public API, as a developer
would) a little of everything the store keeps, signs users in so that signing keys, token
families and refresh tokens exist, stops, and writes the database as a text SQL dump
(``sqlite3``'s ``iterdump()``), plus a JSON of what is inside for the test to use.

Everything here is local and fake (dummy AWS credentials, generated keys, passwords made up for
the fixture); nothing in the two files is a secret of anything real.

Run: ``python tests/data/make_v0_fixture.py [output dir, default: this file's dir]``
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from pyamplify.local import LocalCognito
from pyamplify.local.idp import totp

CREDENTIALS = {"aws_access_key_id": "AKIDLOCALTEST", "aws_secret_access_key": "local-secret"}
REGION = "us-east-1"
FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
#: The longest refresh token Cognito allows (10 years), so the fixture's token stays valid.
TEN_YEARS = {"RefreshTokenValidity": 3650, "TokenValidityUnits": {"RefreshToken": "days"}}
DB_FILENAME = "local-cognito.sqlite3"


def client(service: str, url: str) -> Any:
    """A boto3 client with dummy credentials and no retries."""
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=REGION,
        config=Config(retries={"max_attempts": 1, "mode": "standard"}),
        **CREDENTIALS,
    )


def secret_hash(username: str, client_id: str, client_secret: str) -> str:
    """Cognito's SECRET_HASH: base64(HMAC-SHA256(client secret, username + client id))."""
    digest = hmac.new(client_secret.encode(), (username + client_id).encode(), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode()


def password_sign_in(idp: Any, client_id: str, username: str, password: str, **extra: str) -> Any:
    """InitiateAuth(USER_PASSWORD_AUTH)."""
    return idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password, **extra},
    )


def confirmed_user(idp: Any, pool_id: str, username: str, password: str, **attributes: str) -> None:
    """AdminCreateUser + AdminSetUserPassword(Permanent): a CONFIRMED user."""
    idp.admin_create_user(
        UserPoolId=pool_id,
        Username=username,
        UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
        MessageAction="SUPPRESS",
    )
    idp.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=password, Permanent=True
    )


def build(url: str) -> dict[str, Any]:
    """Fill the local Cognito at ``url``; return what the test needs to know about it."""
    idp = client("cognito-idp", url)
    identity = client("cognito-identity", url)

    # Pool "main": a public client, a client with a secret, a password user in a group,
    # an OIDC provider, a domain, and an unconfirmed sign-up (a code in the outbox).
    main = idp.create_user_pool(PoolName="fixture-main", AutoVerifiedAttributes=["email"])
    main_id = main["UserPool"]["Id"]
    public = idp.create_user_pool_client(
        UserPoolId=main_id, ClientName="public", ExplicitAuthFlows=FLOWS, **TEN_YEARS
    )["UserPoolClient"]
    confidential = idp.create_user_pool_client(
        UserPoolId=main_id, ClientName="confidential", ExplicitAuthFlows=FLOWS, GenerateSecret=True
    )["UserPoolClient"]
    alice, alice_password = "alice", "Fixture-Passw0rd-alice"
    confirmed_user(idp, main_id, alice, alice_password, email="alice@example.com")
    idp.admin_update_user_attributes(
        UserPoolId=main_id,
        Username=alice,
        UserAttributes=[{"Name": "email_verified", "Value": "true"}],
    )
    idp.create_group(UserPoolId=main_id, GroupName="admins", Precedence=1, Description="Admins")
    idp.admin_add_user_to_group(UserPoolId=main_id, Username=alice, GroupName="admins")
    idp.create_identity_provider(
        UserPoolId=main_id,
        ProviderName="ExampleOIDC",
        ProviderType="OIDC",
        ProviderDetails={
            "client_id": "fixture-oidc-client",
            "authorize_scopes": "openid email",
            "attributes_request_method": "GET",
            "oidc_issuer": "https://issuer.example.com",
        },
        AttributeMapping={"email": "email"},
    )
    domain = "pyamplify-fixture-v0"
    idp.create_user_pool_domain(Domain=domain, UserPoolId=main_id)
    carol, carol_password = "carol", "Fixture-Passw0rd-carol"
    idp.sign_up(
        ClientId=public["ClientId"],
        Username=carol,
        Password=carol_password,
        UserAttributes=[{"Name": "email", "Value": "carol@example.com"}],
    )
    tokens = password_sign_in(idp, public["ClientId"], alice, alice_password)
    alice_tokens = tokens["AuthenticationResult"]
    password_sign_in(
        idp,
        confidential["ClientId"],
        alice,
        alice_password,
        SECRET_HASH=secret_hash(alice, confidential["ClientId"], confidential["ClientSecret"]),
    )

    # Pool "mfa": optional TOTP MFA, a user with a verified software token.
    mfa = idp.create_user_pool(PoolName="fixture-mfa")
    mfa_id = mfa["UserPool"]["Id"]
    idp.set_user_pool_mfa_config(
        UserPoolId=mfa_id,
        MfaConfiguration="OPTIONAL",
        SoftwareTokenMfaConfiguration={"Enabled": True},
    )
    mfa_client = idp.create_user_pool_client(
        UserPoolId=mfa_id, ClientName="mfa-app", ExplicitAuthFlows=FLOWS
    )["UserPoolClient"]
    bob, bob_password = "bob", "Fixture-Passw0rd-bob"
    confirmed_user(idp, mfa_id, bob, bob_password)
    access = password_sign_in(idp, mfa_client["ClientId"], bob, bob_password)
    access_token = access["AuthenticationResult"]["AccessToken"]
    totp_secret = idp.associate_software_token(AccessToken=access_token)["SecretCode"]
    verified = idp.verify_software_token(
        AccessToken=access_token,
        UserCode=totp.code_at(totp_secret, time.time()),
        FriendlyDeviceName="fixture-phone",
    )
    assert verified["Status"] == "SUCCESS", verified
    idp.set_user_mfa_preference(
        AccessToken=access_token,
        SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
    )

    # An identity pool trusting the main pool's public client; alice's identity with credentials.
    provider = f"cognito-idp.{REGION}.amazonaws.com/{main_id}"
    identity_pool = identity.create_identity_pool(
        IdentityPoolName="fixture_identities",
        AllowUnauthenticatedIdentities=False,
        CognitoIdentityProviders=[{"ProviderName": provider, "ClientId": public["ClientId"]}],
    )
    identity_pool_id = identity_pool["IdentityPoolId"]
    auth_role = "arn:aws:iam::123456789012:role/FixtureAuthenticated"
    identity.set_identity_pool_roles(
        IdentityPoolId=identity_pool_id, Roles={"authenticated": auth_role}
    )
    logins = {provider: alice_tokens["IdToken"]}
    identity_id = identity.get_id(IdentityPoolId=identity_pool_id, Logins=logins)["IdentityId"]
    identity.get_credentials_for_identity(IdentityId=identity_id, Logins=logins)

    return {
        "written_by_commit": "5573e43",
        "written_at": time.time(),
        "region": REGION,
        "main_pool": {
            "pool_id": main_id,
            "public_client_id": public["ClientId"],
            "confidential_client_id": confidential["ClientId"],
            "confidential_client_secret": confidential["ClientSecret"],
            "group": "admins",
            "identity_provider": "ExampleOIDC",
            "domain": domain,
            "user": {"username": alice, "password": alice_password},
            "refresh_token": alice_tokens["RefreshToken"],
            "unconfirmed_user": {"username": carol, "password": carol_password},
        },
        "mfa_pool": {
            "pool_id": mfa_id,
            "client_id": mfa_client["ClientId"],
            "user": {"username": bob, "password": bob_password},
            "totp_secret": totp_secret,
            "device_name": "fixture-phone",
        },
        "identity_pool": {
            "identity_pool_id": identity_pool_id,
            "identity_id": identity_id,
            "authenticated_role": auth_role,
        },
    }


def main() -> None:
    """Write the dump and its description next to this script (or into ``sys.argv[1]``)."""
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent
    with tempfile.TemporaryDirectory() as data_dir:
        with LocalCognito(data_dir) as cognito:
            facts = build(cognito.url)
        db = sqlite3.connect(Path(data_dir) / DB_FILENAME)
        try:
            user_version = db.execute("PRAGMA user_version").fetchone()[0]
            assert user_version == 0, (
                f"run this at commit 5573e43, not on versioned code ({user_version})"
            )
            dump = "\n".join(db.iterdump()) + "\n"
        finally:
            db.close()
    (out / "local_cognito_v0.sql").write_text(dump)
    (out / "local_cognito_v0.json").write_text(json.dumps(facts, indent=2) + "\n")
    print(f"wrote {out / 'local_cognito_v0.sql'} ({len(dump)} bytes) and its JSON")


if __name__ == "__main__":
    main()
