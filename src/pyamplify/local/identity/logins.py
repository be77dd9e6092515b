"""Validation of a ``Logins`` map, the way an identity pool checks the tokens it is given.

Each entry maps a provider name to a token. For a user pool the key is
``cognito-idp.<region>.amazonaws.com/<userPoolId>`` and the value must be an **ID token** of
that pool, unexpired, signed with the pool's key, whose ``aud`` is one of the app clients the
identity pool lists for that provider. Every failure is a ``NotAuthorizedException`` with the
text real Cognito sends (reference §6); the checks run in an order that gives each of the
commonly seen mistakes its own message:

1. the key is not a provider of the identity pool -> ``Token is not from a supported provider``;
2. the value is not a JWT -> ``Not a valid OpenId Connect identity token``;
3. no ``aud`` (an access token) -> ``Missing a required claim: aud``;
4. ``iss`` is another pool (or another region) -> ``Issuer doesn't match providerName``;
5. the signature does not verify with the pool's key -> ``Couldn't verify signed token``;
6. ``exp`` has passed on the local Cognito's clock -> ``Token expired: <now> >= <exp>``;
7. ``aud`` is a client the identity pool does not list -> ``Token is not from a supported
   provider``;
8. with ``ServerSideTokenCheck``, the session was ended by global sign-out, token revocation or
   deletion of the user -> not authorized.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend, TokenVerificationError
from pyamplify.local.identity import errors as identity_errors
from pyamplify.local.signing import JwtError, unverified_parts


@dataclass(frozen=True)
class Login:
    """One validated login: the provider, the user it names and the client it was issued to."""

    provider: str
    subject: str
    client_id: str
    claims: dict[str, Any] = field(repr=False, compare=False)

    @property
    def role_mapping_key(self) -> str:
        """The RoleMappings key of this login: ``<provider>:<client id>``."""
        return f"{self.provider}:{self.client_id}"


def _not_authorized(message: str) -> errors.NotAuthorizedException:
    return errors.NotAuthorizedException(message)


def _providers(pool: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    return [
        provider
        for provider in pool.get("CognitoIdentityProviders") or []
        if provider.get("ProviderName") == name
    ]


def validate_login(backend: Backend, pool: Mapping[str, Any], name: str, token: str) -> Login:
    """Check one ``Logins`` entry against the identity pool (see the module docstring)."""
    attached = _providers(pool, name)
    if not attached:
        if name in (pool.get("SupportedLoginProviders") or {}):
            raise _not_authorized(
                f"Invalid login token. The local Cognito verifies tokens of its own user pools "
                f"only, not of {name[:128]}."
            )
        raise _not_authorized(identity_errors.NOT_SUPPORTED_PROVIDER)
    try:
        _header, claims = unverified_parts(token)
    except JwtError:
        raise _not_authorized(identity_errors.NOT_A_JWT) from None
    if "aud" not in claims:
        raise _not_authorized(identity_errors.MISSING_AUD)
    user_pool_id = name.rsplit("/", 1)[-1]
    expected_name = backend.provider_name(user_pool_id)
    if name != expected_name or claims.get("iss") != backend.issuer(user_pool_id):
        raise _not_authorized(identity_errors.ISSUER_MISMATCH)
    try:
        backend.verify_token(token, token_use="id", pool_id=user_pool_id, check_revoked=False)
    except TokenVerificationError as failure:
        if failure.reason == "expired":
            expires = claims.get("exp")
            expires = expires if isinstance(expires, (int, float)) else 0
            raise _not_authorized(identity_errors.token_expired(backend.now(), expires)) from None
        raise _not_authorized(identity_errors.BAD_SIGNATURE) from None
    audience = claims.get("aud")
    provider = next((p for p in attached if p.get("ClientId") == audience), None)
    if provider is None or not isinstance(audience, str):
        raise _not_authorized(identity_errors.NOT_SUPPORTED_PROVIDER)
    if provider.get("ServerSideTokenCheck") and backend.is_revoked(claims):
        raise _not_authorized(identity_errors.TOKEN_REVOKED)
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise _not_authorized(identity_errors.BAD_SIGNATURE)
    return Login(provider=name, subject=subject, client_id=audience, claims=claims)


def validate_logins(
    backend: Backend, pool: Mapping[str, Any], logins: Mapping[str, Any] | None
) -> list[Login]:
    """Check every ``Logins`` entry; an empty or missing map gives an empty list."""
    return [
        validate_login(backend, pool, name, str(token)) for name, token in (logins or {}).items()
    ]
