"""Reading the flat Amplify JS keys of Gen 1 web projects: ``aws-exports.js`` and the web
``amplifyconfiguration.json`` (the same object, written as JSON by Amplify CLI 12 and later).

The mapping is Amplify JS v6's ``parseAWSExports`` (aws-amplify/amplify-js,
``packages/core/src/parseAWSExports.ts``), which ``Amplify.configure`` uses for any object with
a key starting with ``aws_``:

* the file must have ``aws_project_region`` (Amplify JS refuses it otherwise);
* Auth exists when ``aws_user_pools_id`` or ``aws_cognito_identity_pool_id`` is set; the app
  client is ``aws_user_pools_web_client_id``, which is also the Hosted UI's client;
* each pool's region is the one inside its id (as Amplify JS derives it); ``aws_cognito_region``
  is checked and a different value is only a warning, because Amplify JS does not use it;
* ``oauth`` is ``{domain, scope, redirectSignIn, redirectSignOut, responseType}`` with the
  redirect URIs joined by commas; an empty ``oauth: {}`` (what the CLI writes without a Hosted
  UI) means none;
* ``aws_mandatory_sign_in: "enable"`` turns guest access off (``allowGuestAccess``);
* ``aws_cognito_*`` lists and ``aws_cognito_password_protection_settings`` are the CLI's copies
  of the pool's settings, read like Gen 1's ``Auth.Default`` keys.

The file also holds the other categories (``aws_appsync_*``, ``aws_user_files_*``, ``geo``…):
they are not ours to judge and get no warning. Unknown keys that look like Auth keys
(``aws_cognito_*``, ``aws_user_pools_*`` or a near miss of a known key) do. The format has no
place for an app client secret or an endpoint: point it at the local Cognito with
``AWS_ENDPOINT_URL``.
"""

from __future__ import annotations

import difflib
from typing import Any

from pyamplify.config import validate as v
from pyamplify.config.errors import JsonPath, show_value
from pyamplify.config.gen1 import CliSettingKeys, cli_settings, redirect_uris
from pyamplify.config.hosted_ui import HostedUiKeys, read_hosted_ui
from pyamplify.config.model import AuthConfig, IdentityPoolConfig, OAuthConfig, UserPoolConfig
from pyamplify.config.reading import DocumentReader, JsonObject

ROOT: JsonPath = ()
#: The CLI's copies of the pool's settings (read like Gen 1's ``Auth.Default`` keys).
_CLI_KEYS = CliSettingKeys(
    "aws_cognito_username_attributes",
    "aws_cognito_signup_attributes",
    "aws_cognito_mfa_types",
    "aws_cognito_verification_mechanisms",
    "aws_cognito_social_providers",
    "aws_cognito_mfa_configuration",
    "aws_cognito_password_protection_settings",
)
#: The keys ``parseAWSExports`` reads for Auth (and the CLI writes: ``AMPLIFY_RESERVED_EXPORT_KEYS``
#: of amplify-cli ``packages/amplify-frontend-javascript/lib/frontend-config-creator.js``).
_AUTH_KEYS = (
    "aws_project_region",
    "aws_cognito_region",
    "aws_user_pools_id",
    "aws_user_pools_web_client_id",
    "aws_cognito_identity_pool_id",
    "aws_mandatory_sign_in",
    "oauth",
    *_CLI_KEYS,
)
#: Auth keys pyamplify knowingly does not use: ``federationTarget`` (the CLI writes it; Amplify
#: JS v6 ignores it), ``aws_cognito_sign_up_verification_method`` (a sign-up UI setting), and
#: the keys of Mobile Hub era files (``awsmobile-cli``: ``aws_user_pools: 'enable'``…).
_AUTH_IGNORED = (
    "federationTarget",
    "aws_cognito_sign_up_verification_method",
    "aws_user_pools",
    "aws_user_pools_mfa_type",
    "aws_sign_in_enabled",
    "aws_facebook_app_id",
    "aws_facebook_app_permissions",
    "aws_google_app_permissions",
    "aws_google_web_app_id",
)
#: Ids that Amplify JS treats as absent when empty (``if (aws_user_pools_id) ...``).
_IDS = ("aws_user_pools_id", "aws_user_pools_web_client_id", "aws_cognito_identity_pool_id")
_AUTH_PREFIXES = ("aws_cognito_", "aws_user_pools_")
_OAUTH_KEYS = HostedUiKeys("domain", "scope", "redirectSignIn", "redirectSignOut", "responseType")
_OAUTH_REQUIRED = (
    _OAUTH_KEYS.domain,
    _OAUTH_KEYS.scopes,
    _OAUTH_KEYS.sign_in,
    _OAUTH_KEYS.sign_out,
)
#: ``options`` (``AdvancedSecurityDataCollectionFlag``) is Amplify JS v5's; v6 ignores it.
_OAUTH_IGNORED = ("options",)
_PROJECT_REGION_EXAMPLE = '"aws_project_region": "us-east-1"'
_POOLS_EXAMPLE = (
    '"aws_user_pools_id": "us-east-1_AbCdEfGhI", '
    '"aws_user_pools_web_client_id": "3n4b5urk1ft4fl3mg5e62d9ado"'
)
_OAUTH_EXAMPLE = (
    '{"domain": "myapp.auth.us-east-1.amazoncognito.com", "scope": ["openid", "email"], '
    '"redirectSignIn": "http://localhost:3000/", "redirectSignOut": "http://localhost:3000/", '
    '"responseType": "code"}'
)


def looks_like_aws_exports(root: JsonObject) -> bool:
    """True for the object Amplify JS reads with ``parseAWSExports``: a key starts with aws_."""
    return any(isinstance(key, str) and key.startswith("aws_") for key in root)


def read_aws_exports(reader: DocumentReader, root: JsonObject) -> AuthConfig | None:
    """Read the flat Amplify JS keys; None when ``reader`` recorded problems."""
    _warn_unknown_auth_keys(reader, root)
    root = _without_empty_ids(reader, root)
    if "aws_project_region" not in root:
        reader.problem(
            ("aws_project_region",),
            'required key "aws_project_region" is missing; Amplify JS refuses a file with aws_* '
            'keys without it ("Invalid config parameter"), and the Amplify CLI always writes it',
            _PROJECT_REGION_EXAMPLE,
        )
    else:
        reader.region(root, ROOT, "aws_project_region", required=True)
    cognito_region = reader.region(root, ROOT, "aws_cognito_region", required=False)
    if root.get("aws_user_pools_id") is None and root.get("aws_cognito_identity_pool_id") is None:
        reader.problem(
            ROOT,
            "neither a user pool (aws_user_pools_id) nor an identity pool "
            "(aws_cognito_identity_pool_id) is configured, so Amplify JS configures no Auth "
            "from this file; add at least one",
            _POOLS_EXAMPLE,
        )
    user_pool = _user_pool(reader, root, cognito_region)
    identity_pool = _identity_pool(reader, root, cognito_region)
    settings: dict[str, Any] = {}
    oauth = _oauth(reader, root, user_pool)
    if oauth is not None:
        settings["oauth"] = oauth
    settings.update(_extras(reader, root))
    return reader.auth_config(user_pool=user_pool, identity_pool=identity_pool, **settings)


def _without_empty_ids(reader: DocumentReader, root: JsonObject) -> JsonObject:
    """``root`` without the ids written as ``""``, which Amplify JS takes for absent ones."""
    empty = [key for key in _IDS if root.get(key) == ""]
    for key in empty:
        reader.warn((key,), f"{key} is empty; read as absent, as Amplify JS does")
    return {key: value for key, value in root.items() if key not in empty}


def _warn_unknown_auth_keys(reader: DocumentReader, root: JsonObject) -> None:
    known = set(_AUTH_KEYS) | set(_AUTH_IGNORED)
    for key in root:
        if key in known:
            continue
        if key == "Auth":
            reader.warn(
                (key,),
                "Amplify JS v6 ignores an Auth section in a file with aws_* keys, and so does "
                "pyamplify; the aws_* keys configure Auth",
            )
            continue
        close = difflib.get_close_matches(key, _AUTH_KEYS, n=1, cutoff=0.85)
        if key.startswith(_AUTH_PREFIXES) or close:
            hint = f"; did you mean {show_value(close[0])}?" if close else ""
            reader.warn((key,), f"unknown key {show_value(key)} is ignored{hint}")


def _user_pool(
    reader: DocumentReader, root: JsonObject, cognito_region: str | None
) -> UserPoolConfig | None:
    if root.get("aws_user_pools_id") is None and root.get("aws_user_pools_web_client_id") is None:
        return None
    pool_id = reader.string(root, ROOT, "aws_user_pools_id", v.USER_POOL_ID, required=True)
    client_id = reader.string(
        root, ROOT, "aws_user_pools_web_client_id", v.APP_CLIENT_ID, required=True
    )
    if pool_id is None or client_id is None:
        return None
    region = v.region_of_user_pool_id(pool_id)
    assert region is not None  # a valid user pool id starts with its region
    _warn_region_mismatch(reader, "aws_user_pools_id", pool_id, region, cognito_region)
    return UserPoolConfig(pool_id, client_id, region)


def _identity_pool(
    reader: DocumentReader, root: JsonObject, cognito_region: str | None
) -> IdentityPoolConfig | None:
    if root.get("aws_cognito_identity_pool_id") is None:
        return None
    pool_id = reader.string(
        root, ROOT, "aws_cognito_identity_pool_id", v.IDENTITY_POOL_ID, required=True
    )
    if pool_id is None:
        return None
    region = v.region_of_identity_pool_id(pool_id)
    assert region is not None  # a valid identity pool id starts with its region
    _warn_region_mismatch(reader, "aws_cognito_identity_pool_id", pool_id, region, cognito_region)
    return IdentityPoolConfig(pool_id, region)


def _warn_region_mismatch(
    reader: DocumentReader, key: str, pool_id: str, region: str, cognito_region: str | None
) -> None:
    if cognito_region is None or cognito_region == region:
        return
    reader.warn(
        ("aws_cognito_region",),
        f"aws_cognito_region is {show_value(cognito_region)} but {key} {show_value(pool_id)} "
        f"is in {show_value(region)}; Amplify JS and pyamplify use the region inside the id",
    )


def _oauth(
    reader: DocumentReader, root: JsonObject, user_pool: UserPoolConfig | None
) -> OAuthConfig | None:
    oauth = reader.object(root, ROOT, "oauth", _OAUTH_EXAMPLE, required=False)
    if not oauth:  # absent, null, or the CLI's {} for "no Hosted UI"
        return None
    path: JsonPath = ("oauth",)
    reader.warn_unknown_keys(oauth, path, _OAUTH_KEYS, _OAUTH_IGNORED)
    missing = [key for key in _OAUTH_REQUIRED if oauth.get(key) is None]
    if missing == list(_OAUTH_REQUIRED[1:]):
        # The CLI writes only the domain when a pool has one but no OAuth settings; Amplify JS
        # then fails only when the Hosted UI is used.
        reader.warn(
            path,
            "oauth has a domain but no scope, redirectSignIn or redirectSignOut, so the Hosted "
            "UI cannot be used; it is ignored",
        )
        return None
    if root.get("aws_user_pools_id") is None:
        reader.problem(
            path,
            "oauth (the Hosted UI) belongs to a user pool, and aws_user_pools_id is missing",
            '"aws_user_pools_id": "us-east-1_AbCdEfGhI"',
        )
    if missing:
        reader.problem(
            path,
            f"oauth is missing {', '.join(missing)}; the Hosted UI needs all of "
            f"{', '.join(_OAUTH_REQUIRED)}",
            _OAUTH_EXAMPLE,
        )
        return None
    settings = read_hosted_ui(reader, oauth, path, _OAUTH_KEYS, redirect_uris)
    return None if user_pool is None else settings.config(user_pool.app_client_id, None)


def _extras(reader: DocumentReader, root: JsonObject) -> dict[str, Any]:
    """The CLI's copies of the pool's settings, named ``aws_cognito_*``."""
    extras = cli_settings(reader, root, ROOT, _CLI_KEYS)
    mandatory = reader.choice(
        root, ROOT, "aws_mandatory_sign_in", ("enable", "disable"), '"enable"'
    )
    if mandatory is not None:
        extras["unauthenticated_identities_enabled"] = mandatory != "enable"
    return extras
