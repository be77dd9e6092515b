"""The local Cognito's database schema: one ordered list of migrations, keyed by ``user_version``.

``pyamplify local start`` keeps its database in a data dir that outlives upgrades, so the schema
is versioned the way long-lived SQLite applications do it: ``PRAGMA user_version`` holds the
number of the last migration applied, and opening a database applies the newer ones in order,
each in one transaction together with its ``user_version`` bump (a failed migration leaves the
database at the previous version, never half-way). A database from a newer pyamplify, whose
version this list does not reach, is refused (:class:`~.database.NewerDatabaseError`).

Rules for a new migration: append it with the next number; never edit or reorder one that has
shipped (databases out there ran it); write plain statements (``ALTER TABLE ... ADD COLUMN``,
``CREATE TABLE``, ``UPDATE`` to backfill), since the runner splits the script into statements
itself. Add a test that opens the v0 fixture (``tests/data/local_cognito_v0.sql``) and checks
what the migration changed.

Migration 1 is the schema as it was before versioning (commit 5573e43), when six modules made
their own tables with ``CREATE TABLE IF NOT EXISTS`` on first use. It keeps those ``IF NOT
EXISTS`` clauses because a database written then has ``user_version`` 0 and only the tables its
user happened to need (no ``user_mfa`` until someone set up MFA): migration 1 adds the missing
ones and leaves the others, whose definitions never changed, as they are.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    """One step of the schema: ``script`` takes a database from ``version - 1`` to ``version``."""

    version: int
    summary: str
    script: str


_V1_UNVERSIONED_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

-- user pools, app clients, domains, signing keys
CREATE TABLE IF NOT EXISTS pools (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, config TEXT NOT NULL,
    created REAL NOT NULL, modified REAL NOT NULL);
CREATE TABLE IF NOT EXISTS clients (
    id TEXT PRIMARY KEY, pool_id TEXT NOT NULL, config TEXT NOT NULL,
    created REAL NOT NULL, modified REAL NOT NULL);
CREATE INDEX IF NOT EXISTS clients_by_pool ON clients (pool_id);
CREATE TABLE IF NOT EXISTS domains (
    domain TEXT PRIMARY KEY, pool_id TEXT NOT NULL, config TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS signing_keys (
    pool_id TEXT NOT NULL, purpose TEXT NOT NULL, kid TEXT NOT NULL, private_pem BLOB NOT NULL,
    PRIMARY KEY (pool_id, purpose));

-- users and groups
CREATE TABLE IF NOT EXISTS users (
    pool_id TEXT NOT NULL, username TEXT NOT NULL, sub TEXT NOT NULL, status TEXT NOT NULL,
    enabled INTEGER NOT NULL, attributes TEXT NOT NULL, salt TEXT, verifier TEXT,
    created REAL NOT NULL, modified REAL NOT NULL, password_set_at REAL,
    failed_attempts INTEGER NOT NULL DEFAULT 0, last_failure REAL, locked_until REAL,
    PRIMARY KEY (pool_id, username));
CREATE INDEX IF NOT EXISTS users_by_sub ON users (pool_id, sub);
CREATE TABLE IF NOT EXISTS groups (
    pool_id TEXT NOT NULL, name TEXT NOT NULL, config TEXT NOT NULL,
    PRIMARY KEY (pool_id, name));
CREATE TABLE IF NOT EXISTS group_members (
    pool_id TEXT NOT NULL, group_name TEXT NOT NULL, username TEXT NOT NULL,
    PRIMARY KEY (pool_id, group_name, username));

-- codes and the outbox
CREATE TABLE IF NOT EXISTS codes (
    pool_id TEXT NOT NULL, username TEXT NOT NULL, purpose TEXT NOT NULL, code TEXT NOT NULL,
    expires_at REAL NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (pool_id, username, purpose));
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT, pool_id TEXT NOT NULL, username TEXT NOT NULL,
    destination TEXT, delivery_medium TEXT, code TEXT NOT NULL, purpose TEXT NOT NULL,
    attribute_name TEXT, client_id TEXT, created_at REAL NOT NULL);

-- sign-in sessions, token families, refresh tokens
CREATE TABLE IF NOT EXISTS auth_sessions (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, pool_id TEXT NOT NULL, client_id TEXT NOT NULL,
    username TEXT NOT NULL, state TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS token_families (
    origin_jti TEXT PRIMARY KEY, pool_id TEXT NOT NULL, client_id TEXT NOT NULL,
    username TEXT NOT NULL, sub TEXT NOT NULL, auth_time REAL NOT NULL, revoked_at REAL);
CREATE INDEX IF NOT EXISTS families_by_user ON token_families (pool_id, username);
CREATE TABLE IF NOT EXISTS refresh_tokens (
    token_hash TEXT PRIMARY KEY, origin_jti TEXT NOT NULL, issued_at REAL NOT NULL,
    expires_at REAL NOT NULL, superseded_at REAL);

-- MFA: users' methods and software tokens, pools' factors
CREATE TABLE IF NOT EXISTS user_mfa (
    pool_id TEXT NOT NULL, sub TEXT NOT NULL, secret TEXT, pending_secret TEXT, device_name TEXT,
    sms INTEGER NOT NULL DEFAULT 0, totp INTEGER NOT NULL DEFAULT 0,
    email INTEGER NOT NULL DEFAULT 0, preferred TEXT,
    PRIMARY KEY (pool_id, sub));
CREATE TABLE IF NOT EXISTS pool_mfa_config (pool_id TEXT PRIMARY KEY, config TEXT NOT NULL);

-- federated identity providers of user pools
CREATE TABLE IF NOT EXISTS identity_providers (
    pool_id TEXT NOT NULL, name TEXT NOT NULL, config TEXT NOT NULL,
    PRIMARY KEY (pool_id, name));

-- identity pools
CREATE TABLE IF NOT EXISTS identity_pools (
    id TEXT PRIMARY KEY, config TEXT NOT NULL, roles TEXT NOT NULL,
    created REAL NOT NULL, modified REAL NOT NULL);
CREATE TABLE IF NOT EXISTS identities (
    id TEXT PRIMARY KEY, pool_id TEXT NOT NULL, created REAL NOT NULL, modified REAL NOT NULL);
CREATE INDEX IF NOT EXISTS identities_by_pool ON identities (pool_id, created, id);
CREATE TABLE IF NOT EXISTS identity_logins (
    pool_id TEXT NOT NULL, provider TEXT NOT NULL, subject TEXT NOT NULL,
    identity_id TEXT NOT NULL, linked REAL NOT NULL,
    PRIMARY KEY (pool_id, provider, subject));
CREATE INDEX IF NOT EXISTS logins_by_identity ON identity_logins (identity_id);
CREATE TABLE IF NOT EXISTS identity_credentials (
    access_key_id TEXT PRIMARY KEY, secret_key TEXT NOT NULL, session_token_hash TEXT NOT NULL,
    identity_id TEXT NOT NULL, pool_id TEXT NOT NULL, role_arn TEXT NOT NULL,
    issued_at REAL NOT NULL, expires_at REAL NOT NULL);
"""

_V2_HOSTED_UI = """
-- resource servers (custom OAuth scopes) of user pools
CREATE TABLE resource_servers (
    pool_id TEXT NOT NULL, identifier TEXT NOT NULL, config TEXT NOT NULL,
    PRIMARY KEY (pool_id, identifier));

-- the Hosted UI: authorization codes and browser sessions (kept as SHA-256), OAuth families
CREATE TABLE oauth_codes (
    code_hash TEXT PRIMARY KEY, pool_id TEXT NOT NULL, client_id TEXT NOT NULL,
    username TEXT NOT NULL, sub TEXT NOT NULL, state TEXT NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE hosted_sessions (
    id_hash TEXT PRIMARY KEY, pool_id TEXT NOT NULL, username TEXT NOT NULL, sub TEXT NOT NULL,
    auth_time REAL NOT NULL, expires_at REAL NOT NULL);
CREATE TABLE oauth_families (origin_jti TEXT PRIMARY KEY, scopes TEXT NOT NULL);

-- short-lived state of the Hosted UI and of the built-in test OIDC provider (federation)
CREATE TABLE oauth_state (
    id_hash TEXT PRIMARY KEY, kind TEXT NOT NULL, state TEXT NOT NULL, expires_at REAL NOT NULL);
"""

_V3_MESSAGE_TEXTS = """
-- what each outbox message would have said (after the pool's templates and CustomMessage)
ALTER TABLE outbox ADD COLUMN subject TEXT;
ALTER TABLE outbox ADD COLUMN message TEXT;
"""

_V4_PENDING_ATTRIBUTES = """
-- new email / phone values waiting for their verification code (the pool's
-- UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate)
CREATE TABLE pending_attributes (
    pool_id TEXT NOT NULL, username TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
    created REAL NOT NULL, PRIMARY KEY (pool_id, username, name));
"""

_V5_DEVICES_AND_TOTP_STEPS = """
-- remembered devices (device tracking): the SRP salt and verifier ConfirmDevice registered,
-- keyed by the owner's sub so that a user deleted and created again does not inherit them
CREATE TABLE devices (
    pool_id TEXT NOT NULL, device_key TEXT NOT NULL, sub TEXT NOT NULL, group_key TEXT NOT NULL,
    salt TEXT, verifier TEXT, name TEXT, remembered INTEGER,
    confirmed INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL, modified REAL NOT NULL,
    last_authenticated REAL, PRIMARY KEY (pool_id, device_key));
CREATE INDEX devices_by_owner ON devices (pool_id, sub, created);

-- the device a token family (a sign-in and its refreshes) belongs to
ALTER TABLE token_families ADD COLUMN device_key TEXT;

-- the newest TOTP time step each user's software token was accepted for: a code is good once
CREATE TABLE totp_steps (
    pool_id TEXT NOT NULL, sub TEXT NOT NULL, step INTEGER NOT NULL,
    PRIMARY KEY (pool_id, sub));
"""

_V6_PASSKEYS = """
-- passkeys (WebAuthn credentials) of users, keyed by sub so a re-created user inherits none;
-- public keys are COSE keys (base64url), never private material
CREATE TABLE webauthn_credentials (
    pool_id TEXT NOT NULL, credential_id TEXT NOT NULL, sub TEXT NOT NULL,
    public_key TEXT NOT NULL, sign_count INTEGER NOT NULL DEFAULT 0, rp_id TEXT NOT NULL,
    friendly_name TEXT NOT NULL, attachment TEXT, transports TEXT NOT NULL,
    created REAL NOT NULL, last_used REAL,
    PRIMARY KEY (pool_id, credential_id));
CREATE INDEX webauthn_credentials_by_user ON webauthn_credentials (pool_id, sub, created);

-- the one registration ceremony a user has open (StartWebAuthnRegistration), until completed
CREATE TABLE webauthn_registrations (
    pool_id TEXT NOT NULL, sub TEXT NOT NULL, client_id TEXT NOT NULL, challenge TEXT NOT NULL,
    rp_id TEXT NOT NULL, user_verification TEXT NOT NULL, expires_at REAL NOT NULL,
    PRIMARY KEY (pool_id, sub));
"""

#: Every migration, oldest first; ``MIGRATIONS[i].version == i + 1``.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "the unversioned schema, all tables in one place", _V1_UNVERSIONED_SCHEMA),
    Migration(2, "Hosted UI: resource servers, codes, browser sessions", _V2_HOSTED_UI),
    Migration(3, "outbox messages keep their subject and text", _V3_MESSAGE_TEXTS),
    Migration(4, "email / phone values pending verification", _V4_PENDING_ATTRIBUTES),
    Migration(5, "remembered devices; single-use TOTP codes", _V5_DEVICES_AND_TOTP_STEPS),
    Migration(6, "passkeys: WebAuthn credentials and open registrations", _V6_PASSKEYS),
)


def check_order(migrations: tuple[Migration, ...]) -> None:
    """Refuse a list whose versions are not 1, 2, 3, ... (a gap or a repeat is a bug)."""
    for position, migration in enumerate(migrations, start=1):
        if migration.version != position:
            raise ValueError(
                f"migration {migration.version} ({migration.summary}) is at position {position}"
            )


check_order(MIGRATIONS)

#: The version a database has after every migration this pyamplify knows.
LATEST_VERSION = MIGRATIONS[-1].version
