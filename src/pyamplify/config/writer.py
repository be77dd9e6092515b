"""Writing an ``AuthConfig`` back out as Gen 1 or Gen 2 JSON, atomically.

Gen 1 output is the layout of the Amplify docs' "use existing resources" example
(``IdentityManager``, ``CredentialsProvider``, ``CognitoUserPool``, ``Auth``), with the CLI's
extra keys when they are set and our identity pool ``Endpoint`` extension when it is set.
Gen 2 output is an ``amplify_outputs.json`` with ``version`` and ``auth``, plus our extensions
(``user_pool_client_secret``, ``user_pool_endpoint``, ``identity_pool_endpoint``) when set.
The app client secret is written only when asked for (``include_secret=True``), and then the
file is created readable by its owner only.

Files are replaced atomically (a temporary file in the same directory, fsync, rename, fsync of
the directory) so a crash never leaves a half-written configuration behind.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pyamplify.config.errors import ConfigError, ConfigProblem
from pyamplify.config.model import AuthConfig, ConfigFormat

GEN2_VERSION = "1.4"
_GEN2_PROVIDERS = {
    "GOOGLE": "GOOGLE",
    "FACEBOOK": "FACEBOOK",
    "AMAZON": "LOGIN_WITH_AMAZON",
    "APPLE": "SIGN_IN_WITH_APPLE",
}
_MFA_TO_GEN2 = {"OFF": "NONE", "OPTIONAL": "OPTIONAL", "ON": "REQUIRED"}


def gen1_document(config: AuthConfig, *, include_secret: bool = False) -> dict[str, Any]:
    """The Gen 1 ``amplifyconfiguration.json`` document for ``config``."""
    plugin: dict[str, Any] = {"IdentityManager": {"Default": {}}}
    if config.identity_pool is not None:
        identity: dict[str, Any] = {
            "PoolId": config.identity_pool.pool_id,
            "Region": config.identity_pool.region,
        }
        if config.identity_pool.endpoint is not None:
            identity["Endpoint"] = config.identity_pool.endpoint
        plugin["CredentialsProvider"] = {"CognitoIdentity": {"Default": identity}}
    if config.user_pool is not None:
        pool = config.user_pool
        user_pool: dict[str, Any] = {"PoolId": pool.pool_id, "AppClientId": pool.app_client_id}
        if include_secret and pool.app_client_secret is not None:
            user_pool["AppClientSecret"] = pool.app_client_secret
        user_pool["Region"] = pool.region
        if pool.endpoint is not None:
            user_pool["Endpoint"] = pool.endpoint
        plugin["CognitoUserPool"] = {"Default": user_pool}
    plugin["Auth"] = {"Default": _gen1_auth(config, include_secret)}
    return {"auth": {"plugins": {"awsCognitoAuthPlugin": plugin}}}


def _gen1_auth(config: AuthConfig, include_secret: bool) -> dict[str, Any]:
    auth: dict[str, Any] = {"authenticationFlowType": config.authentication_flow_type}
    if config.oauth is not None:
        oauth = config.oauth
        entry: dict[str, Any] = {"WebDomain": oauth.web_domain, "AppClientId": oauth.app_client_id}
        if include_secret and oauth.app_client_secret is not None:
            entry["AppClientSecret"] = oauth.app_client_secret
        entry["SignInRedirectURI"] = ",".join(oauth.sign_in_redirect_uris)
        entry["SignOutRedirectURI"] = ",".join(oauth.sign_out_redirect_uris)
        entry["Scopes"] = list(oauth.scopes)
        if oauth.response_type != "code":
            entry["ResponseType"] = oauth.response_type
        auth["OAuth"] = entry
    lists = (
        ("socialProviders", config.social_providers),
        ("usernameAttributes", tuple(word.upper() for word in config.username_attributes)),
        ("signupAttributes", tuple(word.upper() for word in config.signup_attributes)),
        ("mfaTypes", config.mfa_types),
        ("verificationMechanisms", tuple(w.upper() for w in config.verification_mechanisms)),
    )
    for key, words in lists:
        if words:
            auth[key] = list(words)
    if config.password_policy is not None:
        policy: dict[str, Any] = {}
        if config.password_policy.min_length is not None:
            policy["passwordPolicyMinLength"] = config.password_policy.min_length
        policy["passwordPolicyCharacters"] = list(config.password_policy.characters())
        auth["passwordProtectionSettings"] = policy
    if config.mfa_configuration is not None:
        auth["mfaConfiguration"] = config.mfa_configuration
    return auth


def _not_gen2(config: AuthConfig, message: str) -> ConfigError:
    return ConfigError(
        [
            ConfigProblem(
                config.source or "<code>",
                "$.auth",
                f"cannot be written as Gen 2 amplify_outputs.json: {message}",
                'format="gen1"',
            )
        ]
    )


def gen2_document(config: AuthConfig, *, include_secret: bool = False) -> dict[str, Any]:
    """The Gen 2 ``amplify_outputs.json`` document for ``config``.

    Gen 2 has one region and one app client; a configuration that needs more raises
    ``ConfigError``. ``social_providers`` are written inside ``oauth``, so they are dropped when
    there is no OAuth section (Gen 2 has nowhere else for them).
    """
    user_pool, identity_pool = config.user_pool, config.identity_pool
    pool = user_pool or identity_pool
    region = pool.region if pool is not None else ""
    if user_pool and identity_pool and user_pool.region != identity_pool.region:
        raise _not_gen2(config, "the user pool and the identity pool are in different regions")
    auth: dict[str, Any] = {"aws_region": region}
    if user_pool is not None:
        auth["user_pool_id"] = user_pool.pool_id
        auth["user_pool_client_id"] = user_pool.app_client_id
        if include_secret and user_pool.app_client_secret is not None:
            auth["user_pool_client_secret"] = user_pool.app_client_secret
        if user_pool.endpoint is not None:
            auth["user_pool_endpoint"] = user_pool.endpoint
    if identity_pool is not None:
        auth["identity_pool_id"] = identity_pool.pool_id
        if identity_pool.endpoint is not None:
            auth["identity_pool_endpoint"] = identity_pool.endpoint
    auth["authentication_flow_type"] = config.authentication_flow_type
    if config.oauth is not None:
        auth["oauth"] = _gen2_oauth(config)
    if config.password_policy is not None:
        policy = config.password_policy
        rules: dict[str, Any] = (
            {} if policy.min_length is None else {"min_length": policy.min_length}
        )
        rules.update(
            require_lowercase=policy.require_lowercase,
            require_uppercase=policy.require_uppercase,
            require_numbers=policy.require_numbers,
            require_symbols=policy.require_symbols,
        )
        auth["password_policy"] = rules
    lists = (
        ("standard_required_attributes", config.signup_attributes),
        ("username_attributes", config.username_attributes),
        ("user_verification_types", config.verification_mechanisms),
        ("mfa_methods", config.mfa_types),
    )
    for key, words in lists:
        if words:
            auth[key] = list(words)
    if config.unauthenticated_identities_enabled is not None:
        auth["unauthenticated_identities_enabled"] = config.unauthenticated_identities_enabled
    if config.mfa_configuration is not None:
        auth["mfa_configuration"] = _MFA_TO_GEN2[config.mfa_configuration]
    return {"version": GEN2_VERSION, "auth": auth}


def _gen2_oauth(config: AuthConfig) -> dict[str, Any]:
    oauth, user_pool = config.oauth, config.user_pool
    assert oauth is not None and user_pool is not None  # AuthConfig guarantees the pool
    if oauth.app_client_id != user_pool.app_client_id:
        raise _not_gen2(config, "OAuth uses a different app client than the user pool")
    if oauth.app_client_secret not in (None, user_pool.app_client_secret):
        raise _not_gen2(config, "OAuth's app client secret differs from the user pool's")
    return {
        "identity_providers": [_GEN2_PROVIDERS.get(p, p) for p in config.social_providers],
        "domain": oauth.web_domain,
        "scopes": list(oauth.scopes),
        "redirect_sign_in_uri": list(oauth.sign_in_redirect_uris),
        "redirect_sign_out_uri": list(oauth.sign_out_redirect_uris),
        "response_type": oauth.response_type,
    }


def render_config(
    config: AuthConfig, format: ConfigFormat = "gen1", include_secret: bool = False
) -> str:
    """The JSON text of ``config`` in ``format`` (2-space indent, final newline)."""
    if format == "gen1":
        document = gen1_document(config, include_secret=include_secret)
    elif format == "gen2":
        document = gen2_document(config, include_secret=include_secret)
    else:
        raise ValueError(f"format must be 'gen1' or 'gen2', not {format!r}")
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_config(
    config: AuthConfig,
    path: str | os.PathLike[str],
    format: ConfigFormat = "gen1",
    include_secret: bool = False,
) -> None:
    """Write ``config`` to ``path`` atomically (temp file in the same directory, fsync, rename)."""
    text = render_config(config, format, include_secret)
    target = Path(path)
    has_secret = include_secret and any(
        part is not None and part.app_client_secret is not None
        for part in (config.user_pool, config.oauth)
    )
    if has_secret:
        mode = 0o600
    elif target.exists():
        mode = target.stat().st_mode & 0o777
    else:
        mode = 0o644  # what editors create; reading os.umask would race with other threads
    try:
        replace_file(target, text.encode("utf-8"), mode=mode)
    except OSError as error:
        raise ConfigError(
            [
                ConfigProblem(
                    str(target),
                    "$",
                    f"cannot write the configuration: {error.strerror or error}",
                    "a path in a directory you can write to, e.g. ./"
                    + ("amplify_outputs.json" if format == "gen2" else "amplifyconfiguration.json"),
                )
            ]
        ) from error


def replace_file(target: Path, data: bytes, *, mode: int) -> None:
    """Replace ``target`` with ``data`` (file mode ``mode``) atomically: a temporary file in the
    same directory, fsync, rename, fsync of the directory; the temporary file is removed if
    anything fails. Readers see the old file or the new one, never half of it."""
    import tempfile  # only writers pay for it (it pulls in random and shutil)

    directory = target.parent
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=directory
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable; not every platform can open a directory, which is fine."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
