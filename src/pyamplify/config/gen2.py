"""Reading Gen 2 ``amplify_outputs.json``: the ``auth`` section.

The schema is amplify-backend's ``client_config_v1.x`` (``shared/reference/amplify-anchors.md``
§2d). Differences from the Amplify libraries, on purpose:

* ``authentication_flow_type`` is honoured (Amplify declares it and then always uses SRP);
* extensions for what Gen 2 cannot say: ``user_pool_client_secret``, ``user_pool_endpoint`` and
  ``identity_pool_endpoint`` (same rules as Gen 1's ``AppClientSecret`` and ``Endpoint``);
* an identity pool without a user pool is accepted as a guest-only configuration, as in Gen 1.

Gen 2 spellings are mapped to the model's: ``mfa_configuration`` NONE/REQUIRED become OFF/ON,
``LOGIN_WITH_AMAZON``/``SIGN_IN_WITH_APPLE`` become AMAZON/APPLE, and the OAuth client is the user
pool's client (Gen 2 has only one).
"""

from __future__ import annotations

from typing import Any

from pyamplify.config import validate as v
from pyamplify.config.errors import JsonPath
from pyamplify.config.hosted_ui import HostedUiKeys, read_hosted_ui
from pyamplify.config.model import (
    AuthConfig,
    IdentityPoolConfig,
    OAuthConfig,
    PasswordPolicy,
    UserPoolConfig,
)
from pyamplify.config.reading import DocumentReader, JsonObject

AUTH_PATH: JsonPath = ("auth",)
_AUTH_KEYS = (
    "aws_region",
    "user_pool_id",
    "user_pool_client_id",
    "identity_pool_id",
    "password_policy",
    "oauth",
    "standard_required_attributes",
    "username_attributes",
    "user_verification_types",
    "unauthenticated_identities_enabled",
    "mfa_configuration",
    "mfa_methods",
    "authentication_flow_type",
    "user_pool_client_secret",
    "user_pool_endpoint",
    "identity_pool_endpoint",
)
#: Known keys that pyamplify does not use (groups are in the tokens; passwordless is per call).
_AUTH_IGNORED = ("groups", "passwordless")
_HOSTED_UI_KEYS = HostedUiKeys(
    "domain", "scopes", "redirect_sign_in_uri", "redirect_sign_out_uri", "response_type"
)
_OAUTH_KEYS = ("identity_providers", *_HOSTED_UI_KEYS)
_MFA_FROM_GEN2 = {"NONE": "OFF", "OPTIONAL": "OPTIONAL", "REQUIRED": "ON"}
PROVIDERS_FROM_GEN2 = {
    "GOOGLE": "GOOGLE",
    "FACEBOOK": "FACEBOOK",
    "LOGIN_WITH_AMAZON": "AMAZON",
    "SIGN_IN_WITH_APPLE": "APPLE",
}


def looks_like_gen2(root: JsonObject, auth: JsonObject) -> bool:
    """True when the document has Gen 2's markers (``version`` or snake_case auth keys)."""
    return "version" in root or any(key in auth for key in _AUTH_KEYS)


def read_gen2(reader: DocumentReader, root: JsonObject) -> AuthConfig | None:
    """Read a Gen 2 document; None when ``reader`` recorded problems."""
    _check_version(reader, root)
    auth = root["auth"]
    path = AUTH_PATH
    reader.warn_unknown_keys(auth, path, _AUTH_KEYS, _AUTH_IGNORED)
    region = reader.region(auth, path, "aws_region", required=True)
    user_pool = _user_pool(reader, auth, region)
    identity_pool = _identity_pool(reader, auth, region)
    if not any(key in auth for key in ("user_pool_id", "user_pool_client_id", "identity_pool_id")):
        reader.problem(
            path,
            "neither a user pool (user_pool_id, user_pool_client_id) nor an identity pool "
            "(identity_pool_id) is configured; add at least one",
            '"user_pool_id": "us-east-1_AbCdEfGhI", "user_pool_client_id": '
            '"3n4b5urk1ft4fl3mg5e62d9ado"',
        )
    settings: dict[str, Any] = {}
    flow = reader.string(auth, path, "authentication_flow_type", v.FLOW_TYPE, required=False)
    if flow is not None:
        settings["authentication_flow_type"] = flow
    if auth.get("oauth") is not None:
        if "user_pool_id" not in auth:
            reader.problem(
                (*path, "oauth"),
                "oauth (the Hosted UI) belongs to a user pool, and user_pool_id is missing",
                '"user_pool_id": "us-east-1_AbCdEfGhI"',
            )
        oauth, providers = _oauth(reader, auth, user_pool)
        settings["oauth"] = oauth
        settings["social_providers"] = providers
    settings.update(_extras(reader, auth))
    return reader.auth_config(user_pool=user_pool, identity_pool=identity_pool, **settings)


def _check_version(reader: DocumentReader, root: JsonObject) -> None:
    version = root.get("version")
    if version is None:
        reader.warn((), 'no "version" key; amplify_outputs.json files start with "version": "1"')
    elif not isinstance(version, str) or not version.startswith("1"):
        reader.warn(("version",), "pyamplify knows amplify_outputs.json version 1.x only")


def _user_pool(
    reader: DocumentReader, auth: JsonObject, region: str | None
) -> UserPoolConfig | None:
    if "user_pool_id" not in auth and "user_pool_client_id" not in auth:
        return None
    path = AUTH_PATH
    pool_id = reader.string(auth, path, "user_pool_id", v.USER_POOL_ID, required=True)
    client_id, secret, secret_ok = reader.app_client(
        auth, path, "user_pool_client_id", "user_pool_client_secret", required=True
    )
    endpoint = reader.string(auth, path, "user_pool_endpoint", v.ENDPOINT, required=False)
    if pool_id is None or client_id is None or region is None:
        return None
    in_id = v.region_of_user_pool_id(pool_id)
    at = (*path, "user_pool_id")
    if not reader.region_agrees(
        at, pool_id, in_id, region, f'"{region}_…"', region_key="aws_region"
    ):
        return None
    if not secret_ok:
        return None
    return UserPoolConfig(pool_id, client_id, region, secret, endpoint)


def _identity_pool(
    reader: DocumentReader, auth: JsonObject, region: str | None
) -> IdentityPoolConfig | None:
    if "identity_pool_id" not in auth:
        return None
    path = AUTH_PATH
    pool_id = reader.string(auth, path, "identity_pool_id", v.IDENTITY_POOL_ID, required=True)
    endpoint = reader.string(auth, path, "identity_pool_endpoint", v.ENDPOINT, required=False)
    if pool_id is None or region is None:
        return None
    in_id = v.region_of_identity_pool_id(pool_id)
    example = f'"{region}:0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9" (an identity pool in {region})'
    at = (*path, "identity_pool_id")
    if not reader.region_agrees(at, pool_id, in_id, region, example, region_key="aws_region"):
        return None
    return IdentityPoolConfig(pool_id, region, endpoint)


def _oauth(
    reader: DocumentReader, auth: JsonObject, user_pool: UserPoolConfig | None
) -> tuple[OAuthConfig | None, tuple[str, ...]]:
    oauth = reader.object(auth, AUTH_PATH, "oauth", '{"domain": ..., ...}', required=True)
    if oauth is None:
        return None, ()
    path = (*AUTH_PATH, "oauth")
    reader.warn_unknown_keys(oauth, path, _OAUTH_KEYS)
    providers = reader.word_list(
        oauth,
        path,
        "identity_providers",
        PROVIDERS_FROM_GEN2.values(),
        lambda word: PROVIDERS_FROM_GEN2.get(word, word),
        '["GOOGLE", "SIGN_IN_WITH_APPLE"]',
    )
    settings = read_hosted_ui(reader, oauth, path, _HOSTED_UI_KEYS, _uri_list)
    if user_pool is None:
        return None, providers
    return settings.config(user_pool.app_client_id, user_pool.app_client_secret), providers


#: Gen 2 writes redirect URIs as an array, so its example is one.
_URI_ARRAY = v.REDIRECT_URI._replace(example=f"[{v.REDIRECT_URI_EXAMPLE}]")


def _uri_list(
    reader: DocumentReader, oauth: JsonObject, path: JsonPath, key: str
) -> tuple[str, ...] | None:
    uris = reader.string_list(oauth, path, key, _URI_ARRAY, required=True)
    if uris is not None and not uris:
        reader.problem((*path, key), "needs at least one URI", '["myapp://callback/"]')
        return None
    return uris


def _extras(reader: DocumentReader, auth: JsonObject) -> dict[str, Any]:
    path = AUTH_PATH
    extras: dict[str, Any] = {
        "username_attributes": reader.word_list(
            auth, path, "username_attributes", v.USERNAME_ATTRIBUTES, str.lower, '["email"]'
        ),
        "signup_attributes": reader.word_list(
            auth,
            path,
            "standard_required_attributes",
            v.STANDARD_ATTRIBUTES,
            str.lower,
            '["email"]',
        ),
        "verification_mechanisms": reader.word_list(
            auth,
            path,
            "user_verification_types",
            v.VERIFICATION_MECHANISMS,
            str.lower,
            '["email"]',
        ),
        "mfa_types": reader.word_list(
            auth, path, "mfa_methods", v.MFA_TYPES, str.upper, '["TOTP"]'
        ),
    }
    mfa = reader.choice(auth, path, "mfa_configuration", tuple(_MFA_FROM_GEN2), '"OPTIONAL"')
    if mfa is not None:
        extras["mfa_configuration"] = _MFA_FROM_GEN2[mfa]
    guests = reader.boolean(auth, path, "unauthenticated_identities_enabled", "true")
    if guests is not None:
        extras["unauthenticated_identities_enabled"] = guests
    policy = _password_policy(reader, auth)
    if policy is not None:
        extras["password_policy"] = policy
    return extras


def _password_policy(reader: DocumentReader, auth: JsonObject) -> PasswordPolicy | None:
    policy = reader.object(
        auth,
        AUTH_PATH,
        "password_policy",
        '{"min_length": 8, "require_numbers": true}',
        required=False,
    )
    if policy is None:
        return None
    path = (*AUTH_PATH, "password_policy")
    flags = ("require_lowercase", "require_uppercase", "require_numbers", "require_symbols")
    reader.warn_unknown_keys(policy, path, ("min_length", *flags))
    low, high = v.PASSWORD_MIN_LENGTH_RANGE
    length = reader.integer(policy, path, "min_length", low, high, "8")
    values = {flag: reader.boolean(policy, path, flag, "true") or False for flag in flags}
    return PasswordPolicy(min_length=length, **values)
