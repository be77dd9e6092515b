"""Reading Gen 1 ``amplifyconfiguration.json`` (``auth.plugins.awsCognitoAuthPlugin``) and the
AWS Mobile SDK's ``awsconfiguration.json``, which is the same plugin body without the wrapper.

The schema is the Amplify docs' and the Amplify CLI's (``shared/reference/amplify-anchors.md``
§2a, §2c): the CLI writes ``awsconfiguration.json`` for the mobile SDKs and copies that whole
object into ``awsCognitoAuthPlugin`` (amplify-cli, ``amplify-frontend-android`` and
``amplify-frontend-ios``, ``amplify-config-helper.js`` ``constructAuth``), which is why the
plugin holds keys of other services (``AppSync``, ``S3TransferUtility``…). Where Amplify Swift and
Android silently drop a half-written section or fall back to SRP, this reader reports the mistake
instead. Our one extension is an ``Endpoint`` key beside the identity pool's ``PoolId`` (the user
pool already has one in Amplify), so that both pools can be pointed at the local Cognito; and
``ResponseType`` in ``OAuth`` (Gen 1 has none; Gen 2 does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from pyamplify.config import validate as v
from pyamplify.config.errors import JsonPath, show_value
from pyamplify.config.model import (
    AuthConfig,
    IdentityPoolConfig,
    OAuthConfig,
    PasswordPolicy,
    UserPoolConfig,
    split_redirect_uris,
)
from pyamplify.config.reading import DocumentReader, JsonObject

PLUGIN_PATH: JsonPath = ("auth", "plugins", "awsCognitoAuthPlugin")
_PLUGIN_KEYS = ("IdentityManager", "CredentialsProvider", "CognitoUserPool", "Auth")
#: Keys the Amplify CLI writes beside the auth sections that pyamplify knowingly does not use.
#: They are the top-level keys of the CLI's ``awsconfiguration.json`` (amplify-cli,
#: ``packages/amplify-frontend-android/lib/frontend-config-creator.js`` and the iOS twin:
#: ``getAWSConfigObject`` / ``createAWSConfig`` and their ``AMPLIFY_RESERVED_EXPORT_KEYS``),
#: which ``constructAuth`` copies whole into ``awsCognitoAuthPlugin``.
_PLUGIN_IGNORED = (
    # getAWSConfigObject: every file starts with these two.
    "UserAgent",
    "Version",
    # getCognitoConfig: federated sign-in with the providers' own SDKs.
    "GoogleSignIn",
    "FacebookSignIn",
    # getS3Config (Flutter's CognitoPluginConfig declares it too).
    "S3TransferUtility",
    # getPinpointConfig (Flutter's CognitoPluginConfig declares both).
    "PinpointAnalytics",
    "PinpointTargeting",
    # getDynamoDBConfig.
    "DynamoDBObjectMapper",
    # getAppSyncConfig (Flutter's CognitoPluginConfig declares it).
    "AppSync",
    # getLexConfig, getSumerianConfig.
    "Lex",
    "Sumerian",
    # getAWSConfigObject of older Android frontends, with `amplify mock` (testMode).
    "DangerouslyConnectToHTTPEndpointForTesting",
)
_USER_POOL_KEYS = ("PoolId", "AppClientId", "AppClientSecret", "Region", "Endpoint")
_IDENTITY_POOL_KEYS = ("PoolId", "Region", "Endpoint")


class CliSettingKeys(NamedTuple):
    """Where a Gen 1 file keeps the Amplify CLI's copies of the pool's settings: ``Auth.Default``
    of ``amplifyconfiguration.json`` and the ``aws_cognito_*`` keys of ``aws-exports.js``."""

    username_attributes: str
    signup_attributes: str
    mfa_types: str
    verification_mechanisms: str
    social_providers: str
    mfa_configuration: str
    password_policy: str


#: The CLI's word lists: model field -> (the words known, how a word is normalised, example).
_CLI_WORD_LISTS: dict[str, tuple[tuple[str, ...], Callable[[str], str], str]] = {
    "username_attributes": (v.USERNAME_ATTRIBUTES, str.lower, '["EMAIL"]'),
    "signup_attributes": (v.STANDARD_ATTRIBUTES, str.lower, '["EMAIL"]'),
    "mfa_types": (v.MFA_TYPES, str.upper, '["TOTP"]'),
    "verification_mechanisms": (v.VERIFICATION_MECHANISMS, str.lower, '["EMAIL"]'),
    "social_providers": (v.SOCIAL_PROVIDERS, str.upper, '["GOOGLE"]'),
}
_PLUGIN_CLI_KEYS = CliSettingKeys(
    "usernameAttributes",
    "signupAttributes",
    "mfaTypes",
    "verificationMechanisms",
    "socialProviders",
    "mfaConfiguration",
    "passwordProtectionSettings",
)
_AUTH_KEYS = ("authenticationFlowType", "OAuth", *_PLUGIN_CLI_KEYS)
_OAUTH_REQUIRED = ("WebDomain", "AppClientId", "SignInRedirectURI", "SignOutRedirectURI", "Scopes")
#: Legacy AWSMobileClient OAuth keys (Flutter still parses them); pyamplify does not need them.
_OAUTH_IGNORED = (
    "SignInURI",
    "SignOutURI",
    "TokenURI",
    "SignInURIQueryParameters",
    "SignOutURIQueryParameters",
    "TokenURIQueryParameters",
)
_DEFAULT_EXAMPLE = '{"Default": {...}}'


def read_gen1(reader: DocumentReader, root: JsonObject) -> AuthConfig | None:
    """Read a Gen 1 document; None when ``reader`` recorded problems."""
    auth = root["auth"]
    reader.warn_unknown_keys(auth, ("auth",), ("plugins",))
    plugins = reader.object(
        auth, ("auth",), "plugins", '{"awsCognitoAuthPlugin": {...}}', required=True
    )
    if plugins is None:
        return None
    reader.warn_unknown_keys(plugins, ("auth", "plugins"), ("awsCognitoAuthPlugin",))
    plugin = reader.object(
        plugins,
        ("auth", "plugins"),
        "awsCognitoAuthPlugin",
        '{"CognitoUserPool": {"Default": {...}}}',
        required=True,
    )
    if plugin is None:
        return None
    return _read_plugin_body(reader, plugin, PLUGIN_PATH)


def read_awsconfiguration(reader: DocumentReader, root: JsonObject) -> AuthConfig | None:
    """Read an AWS Mobile SDK ``awsconfiguration.json``: the plugin body at the top level."""
    return _read_plugin_body(reader, root, ())


def looks_like_awsconfiguration(root: JsonObject) -> bool:
    """True when the top level has the plugin body's sections (``CognitoUserPool``…)."""
    auth = root.get("Auth")
    sections = ("IdentityManager", "CredentialsProvider", "CognitoUserPool")
    return any(key in root for key in sections) or (isinstance(auth, dict) and "Default" in auth)


def _read_plugin_body(
    reader: DocumentReader, plugin: JsonObject, base: JsonPath
) -> AuthConfig | None:
    reader.warn_unknown_keys(plugin, base, _PLUGIN_KEYS, _PLUGIN_IGNORED)
    if plugin.get("CognitoUserPool") is None and plugin.get("CredentialsProvider") is None:
        reader.problem(
            base,
            "neither a user pool (CognitoUserPool) nor an identity pool (CredentialsProvider) "
            "is configured; add at least one",
            '"CognitoUserPool": {"Default": {"PoolId": "us-east-1_AbCdEfGhI", '
            '"AppClientId": "3n4b5urk1ft4fl3mg5e62d9ado", "Region": "us-east-1"}}',
        )
    user_pool = _user_pool(reader, plugin, base)
    identity_pool = _identity_pool(reader, plugin, base)
    settings = _auth_settings(
        reader, plugin, base, has_user_pool=plugin.get("CognitoUserPool") is not None
    )
    return reader.auth_config(user_pool=user_pool, identity_pool=identity_pool, **settings)


def _default(
    reader: DocumentReader, plugin: JsonObject, base: JsonPath, section: str
) -> JsonObject | None:
    container = reader.object(plugin, base, section, _DEFAULT_EXAMPLE, required=False)
    if container is None:
        return None
    path = (*base, section)
    reader.warn_unknown_keys(container, path, ("Default",))
    return reader.object(container, path, "Default", "{...}", required=True)


def _user_pool(reader: DocumentReader, plugin: JsonObject, base: JsonPath) -> UserPoolConfig | None:
    default = _default(reader, plugin, base, "CognitoUserPool")
    if default is None:
        return None
    path = (*base, "CognitoUserPool", "Default")
    reader.warn_unknown_keys(default, path, _USER_POOL_KEYS, ("PinpointAppId", "MigrationEnabled"))
    if default.get("MigrationEnabled") is True:
        reader.warn(
            (*path, "MigrationEnabled"),
            "pyamplify does not switch flows on MigrationEnabled (Amplify Swift does); set "
            'Auth.Default.authenticationFlowType to "USER_PASSWORD_AUTH" to migrate users',
        )
    pool_id = reader.string(default, path, "PoolId", v.USER_POOL_ID, required=True)
    client_id, secret, secret_ok = reader.app_client(
        default, path, "AppClientId", "AppClientSecret", required=True
    )
    region = reader.region(default, path, "Region", required=True)
    endpoint = reader.string(default, path, "Endpoint", v.ENDPOINT, required=False)
    if pool_id is None or client_id is None or region is None:
        return None
    in_id = v.region_of_user_pool_id(pool_id)
    if not reader.region_agrees((*path, "Region"), pool_id, in_id, region, f'"{in_id}"'):
        return None
    if not secret_ok:
        return None
    return UserPoolConfig(pool_id, client_id, region, secret, endpoint)


def _identity_pool(
    reader: DocumentReader, plugin: JsonObject, base: JsonPath
) -> IdentityPoolConfig | None:
    provider = reader.object(
        plugin,
        base,
        "CredentialsProvider",
        '{"CognitoIdentity": {"Default": {...}}}',
        required=False,
    )
    if provider is None:
        return None
    provider_path = (*base, "CredentialsProvider")
    reader.warn_unknown_keys(provider, provider_path, ("CognitoIdentity",))
    identity = reader.object(
        provider, provider_path, "CognitoIdentity", _DEFAULT_EXAMPLE, required=True
    )
    if identity is None:
        return None
    identity_path = (*provider_path, "CognitoIdentity")
    reader.warn_unknown_keys(identity, identity_path, ("Default",))
    default = reader.object(identity, identity_path, "Default", "{...}", required=True)
    if default is None:
        return None
    path = (*identity_path, "Default")
    reader.warn_unknown_keys(default, path, _IDENTITY_POOL_KEYS)
    pool_id = reader.string(default, path, "PoolId", v.IDENTITY_POOL_ID, required=True)
    region = reader.region(default, path, "Region", required=True)
    endpoint = reader.string(default, path, "Endpoint", v.ENDPOINT, required=False)
    if pool_id is None or region is None:
        return None
    in_id = v.region_of_identity_pool_id(pool_id)
    if not reader.region_agrees((*path, "Region"), pool_id, in_id, region, f'"{in_id}"'):
        return None
    return IdentityPoolConfig(pool_id, region, endpoint)


def _auth_settings(
    reader: DocumentReader, plugin: JsonObject, base: JsonPath, *, has_user_pool: bool
) -> dict[str, Any]:
    default = _default(reader, plugin, base, "Auth")
    if default is None:
        return {}
    path = (*base, "Auth", "Default")
    reader.warn_unknown_keys(default, path, _AUTH_KEYS, ("loginMechanisms", "loginMechanism"))
    settings: dict[str, Any] = {}
    flow = reader.string(default, path, "authenticationFlowType", v.FLOW_TYPE, required=False)
    if flow is not None:
        settings["authentication_flow_type"] = flow
    if default.get("OAuth") is not None:
        if not has_user_pool:
            reader.problem(
                (*path, "OAuth"),
                "OAuth (the Hosted UI) belongs to a user pool, and CognitoUserPool is missing",
                '"CognitoUserPool": {"Default": {...}}',
            )
        settings["oauth"] = _oauth(reader, default, path)
    settings.update(cli_settings(reader, default, path, _PLUGIN_CLI_KEYS))
    return settings


def _oauth(reader: DocumentReader, auth: JsonObject, auth_path: JsonPath) -> OAuthConfig | None:
    oauth = reader.object(auth, auth_path, "OAuth", '{"WebDomain": ..., ...}', required=True)
    if oauth is None:
        return None
    path = (*auth_path, "OAuth")
    reader.warn_unknown_keys(
        oauth, path, (*_OAUTH_REQUIRED, "AppClientSecret", "ResponseType"), _OAUTH_IGNORED
    )
    missing = [key for key in _OAUTH_REQUIRED if key not in oauth]
    if missing:
        reader.problem(
            path,
            f"OAuth is missing {', '.join(missing)}; the Hosted UI needs all of "
            f"{', '.join(_OAUTH_REQUIRED)}",
            '{"WebDomain": "myapp.auth.us-east-1.amazoncognito.com", "AppClientId": '
            '"3n4b5urk1ft4fl3mg5e62d9ado", "SignInRedirectURI": "myapp://", '
            '"SignOutRedirectURI": "myapp://", "Scopes": ["openid", "email"]}',
        )
    domain = reader.string(oauth, path, "WebDomain", v.WEB_DOMAIN, required=False)
    client_id, secret, secret_ok = reader.app_client(
        oauth, path, "AppClientId", "AppClientSecret", required=False
    )
    sign_in = redirect_uris(reader, oauth, path, "SignInRedirectURI")
    sign_out = redirect_uris(reader, oauth, path, "SignOutRedirectURI")
    scopes = reader.string_list(oauth, path, "Scopes", v.SCOPE, required=False)
    response_type = reader.choice(oauth, path, "ResponseType", v.RESPONSE_TYPES, '"code"')
    if (
        missing
        or domain is None
        or client_id is None
        or sign_in is None
        or sign_out is None
        or scopes is None
        or not secret_ok
    ):
        return None
    return OAuthConfig(
        domain, client_id, sign_in, sign_out, scopes, secret, response_type or "code"
    )


def redirect_uris(
    reader: DocumentReader, oauth: JsonObject, path: JsonPath, key: str
) -> tuple[str, ...] | None:
    """A comma-joined string of redirect URIs (as the CLI writes it), or an array of them."""
    value = reader.member(
        oauth,
        path,
        key,
        (str, list),
        "a string (URIs joined by commas)",
        v.REDIRECT_URI_EXAMPLE,
        required=False,
    )
    if isinstance(value, list):
        return reader.string_list(oauth, path, key, v.REDIRECT_URI, required=False)
    if not isinstance(value, str):
        return None
    if v.is_placeholder(value):
        reader.problem((*path, key), v.placeholder_message(value), v.REDIRECT_URI_EXAMPLE)
        return None
    uris = split_redirect_uris(value)
    ok = True
    for uri in uris:
        message = v.redirect_uri_problem(uri)
        if message is not None:
            reader.problem((*path, key), message, v.REDIRECT_URI_EXAMPLE)
            ok = False
    return uris if ok else None


def cli_settings(
    reader: DocumentReader, auth: JsonObject, path: JsonPath, keys: CliSettingKeys
) -> dict[str, Any]:
    """The keys the Amplify CLI copies from the pool: informational, but checked and kept."""
    extras: dict[str, Any] = {
        field: reader.word_list(auth, path, getattr(keys, field), words, normalise, example)
        for field, (words, normalise, example) in _CLI_WORD_LISTS.items()
    }
    mfa = reader.choice(auth, path, keys.mfa_configuration, v.MFA_CONFIGURATIONS, '"OPTIONAL"')
    if mfa is not None:
        extras["mfa_configuration"] = mfa
    policy = password_policy(reader, auth, path, keys.password_policy)
    if policy is not None:
        extras["password_policy"] = policy
    return extras


def password_policy(
    reader: DocumentReader, auth: JsonObject, auth_path: JsonPath, key: str
) -> PasswordPolicy | None:
    """The CLI's ``passwordProtectionSettings`` (also the value of Amplify JS's
    ``aws_cognito_password_protection_settings``).

    ``passwordPolicyMinLength`` may be a numeric string, with a warning: some Amplify CLI
    versions wrote ``"8"`` (amplify-cli #9655, amplify-flutter #1320 and #1358), Amplify Flutter
    parses it (``_PasswordPolicyMinLengthConverter``: ``int.tryParse``), Amplify Android's
    ``optInt`` converts it, and Amplify JS passes it through.
    """
    settings = reader.object(
        auth,
        auth_path,
        key,
        '{"passwordPolicyMinLength": 8, "passwordPolicyCharacters": ["REQUIRES_NUMBERS"]}',
        required=False,
    )
    if settings is None:
        return None
    path = (*auth_path, key)
    reader.warn_unknown_keys(
        settings, path, ("passwordPolicyMinLength", "passwordPolicyCharacters")
    )
    low, high = v.PASSWORD_MIN_LENGTH_RANGE
    length = reader.integer(
        settings,
        path,
        "passwordPolicyMinLength",
        low,
        high,
        "8",
        numeric_string_because=(
            "some Amplify CLI versions write it so, and Amplify Android and Flutter read it "
            "the same way"
        ),
    )
    rules = reader.string_list(
        settings, path, "passwordPolicyCharacters", _CHARACTER_RULE, required=False
    )
    wanted = {_character_rule(rule) for rule in rules or ()}
    return PasswordPolicy(
        min_length=length,
        require_lowercase="REQUIRES_LOWERCASE" in wanted,
        require_uppercase="REQUIRES_UPPERCASE" in wanted,
        require_numbers="REQUIRES_NUMBERS" in wanted,
        require_symbols="REQUIRES_SYMBOLS" in wanted,
    )


def _character_rule(value: str) -> str:
    """``"Requires Lowercase"`` (older CLIs) and ``REQUIRES_LOWERCASE`` are the same rule."""
    return value.strip().upper().replace(" ", "_")


def _character_rule_problem(value: str) -> str | None:
    if _character_rule(value) in v.PASSWORD_CHARACTER_RULES:
        return None
    return f"{show_value(value)} is not one of {', '.join(v.PASSWORD_CHARACTER_RULES)}"


_CHARACTER_RULE = v.Rule(_character_rule_problem, '["REQUIRES_LOWERCASE", "REQUIRES_NUMBERS"]')
