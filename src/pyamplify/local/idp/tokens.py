"""Issuing, refreshing and revoking a pool's tokens.

Every sign-in starts a *token family* named by its ``origin_jti``: the refresh tokens of that
sign-in and every ID/access token issued from them carry it. RevokeToken revokes one family;
GlobalSignOut revokes all of a user's families; a deleted user's families disappear. That is
how Cognito scopes revocation (reference §4), and it needs no clock comparison.

With RefreshTokenRotation ENABLED, GetTokensFromRefreshToken replaces the refresh token: the
old one keeps working for ``RetryGracePeriodSeconds`` and is refused afterwards with
``RefreshTokenReuseException``, which also revokes the family (a reused token means a leak).
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Sequence
from typing import Any, Protocol

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp import hooks
from pyamplify.local.idp.caller import Caller
from pyamplify.local.idp.pools import token_lifetimes
from pyamplify.local.signing import new_refresh_token, sign_jwt, token_hash
from pyamplify.local.store.userpools import UserRecord

ADMIN_SCOPE = "aws.cognito.signin.user.admin"
_BOOLEAN_CLAIMS = ("email_verified", "phone_number_verified")
#: The attributes each OIDC scope releases (OIDC Core §5.4; Cognito has no ``address`` scope,
#: so ``profile`` carries it).
SCOPE_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "email": ("email", "email_verified"),
    "phone": ("phone_number", "phone_number_verified"),
    "profile": (
        "name",
        "family_name",
        "given_name",
        "middle_name",
        "nickname",
        "preferred_username",
        "profile",
        "picture",
        "website",
        "gender",
        "birthdate",
        "zoneinfo",
        "locale",
        "updated_at",
        "address",
    ),
}


def released_attributes(scopes: Sequence[str] | None) -> set[str] | None:
    """The attributes an OAuth sign-in's scopes release, ``None`` for all readable ones.

    Cognito's rule: ``openid`` alone (or with only custom scopes) releases every attribute the
    client can read; adding ``email``, ``phone`` or ``profile`` limits the ID token and userInfo
    to what those scopes name.
    """
    if scopes is None or not any(scope in SCOPE_ATTRIBUTES for scope in scopes):
        return None
    return {name for scope in scopes for name in SCOPE_ATTRIBUTES.get(scope, ())}


def user_claims(
    client: dict[str, Any], user: UserRecord, scopes: Sequence[str] | None = None
) -> dict[str, Any]:
    """The user's attributes as token claims: readable by the client, released by the scopes,
    verified flags as booleans, a federated user's ``identities`` as JSON (Cognito's shape)."""
    readable = client.get("ReadAttributes")
    released = released_attributes(scopes)
    claims: dict[str, Any] = {}
    for name, value in user.attributes.items():
        if name.startswith("dev:") or (readable and name not in readable):
            continue
        if released is not None and name not in released and name != "identities":
            continue
        if name == "identities":
            try:
                claims[name] = json.loads(value)
            except ValueError:
                continue
            continue
        claims[name] = value == "true" if name in _BOOLEAN_CLAIMS else value
    return claims


def at_hash(access_token: str) -> str:
    """OIDC's ``at_hash``: base64url of the left half of SHA-256 of the access token (RS256)."""
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")


def group_role_claims(groups: list[dict[str, Any]]) -> dict[str, Any]:
    """``cognito:roles`` and ``cognito:preferred_role`` for a user's groups, as Cognito sets them.

    ``cognito:roles`` lists every group role (by precedence). The preferred role is the role of
    the group with the lowest ``Precedence`` among those with a role, a number beating none.
    When groups with different roles tie there (equal numbers, or none has a number) the claim
    is left out, so an identity pool's Token role mapping falls back to its
    ``AmbiguousRoleResolution``; tied groups sharing one role still name it (CreateGroup's
    ``Precedence`` documentation).
    """

    def rank(group: dict[str, Any]) -> float:
        precedence = group.get("Precedence")
        return float("inf") if precedence is None else float(precedence)

    with_roles = sorted(
        (group for group in groups if group.get("RoleArn")),
        key=lambda group: (rank(group), str(group.get("GroupName", ""))),
    )
    if not with_roles:
        return {}
    roles = list(dict.fromkeys(str(group["RoleArn"]) for group in with_roles))
    claims: dict[str, Any] = {"cognito:roles": roles}
    best = rank(with_roles[0])
    tied = {str(group["RoleArn"]) for group in with_roles if rank(group) == best}
    if len(tied) == 1:
        claims["cognito:preferred_role"] = tied.pop()
    return claims


def issue_tokens(
    backend: Backend,
    pool: dict[str, Any],
    client: dict[str, Any],
    user: UserRecord,
    *,
    auth_time: float | None = None,
    origin_jti: str | None = None,
    with_refresh_token: bool = True,
    source: str = "Authentication",
    scopes: Sequence[str] | None = None,
    nonce: str | None = None,
) -> dict[str, Any]:
    """An ``AuthenticationResult``: ID and access tokens, plus a refresh token when asked.

    Without ``origin_jti`` this is a new sign-in (a new family, ``auth_time`` = now); with it,
    a refresh inside that family that keeps the original ``auth_time``. ``source`` names the
    occasion for the ``TOKEN_GENERATION`` contributors (``Authentication``, ``HostedAuth``,
    ``RefreshTokens``). ``scopes`` (an OAuth sign-in, remembered with a new family) go into the
    access token's ``scope``, decide whether there is an ID token (``openid``) and which
    attributes it carries, and add ``at_hash``; ``nonce`` is echoed in the ID token.
    """
    now = backend.now()
    pool_id, client_id = pool["Id"], client["ClientId"]
    id_life, access_life, refresh_life = token_lifetimes(client)
    if origin_jti is None:
        origin_jti = str(uuid.uuid4())
        auth_time = now if auth_time is None else auth_time
        backend.store.add_family(origin_jti, pool_id, client_id, user.username, user.sub, auth_time)
        if scopes is not None:
            backend.store.put_family_scopes(origin_jti, list(scopes))
    issued = int(now)
    auth_claim = int(auth_time if auth_time is not None else now)
    event_id = str(uuid.uuid4())
    groups = backend.store.groups_of(pool_id, user.username)
    group_claims: dict[str, Any] = {}
    if groups:
        group_claims["cognito:groups"] = [group["GroupName"] for group in groups]
    id_claims: dict[str, Any] = {"sub": user.sub, **group_claims}
    id_claims.update(group_role_claims(groups))
    id_claims.update(user_claims(client, user, scopes))
    id_claims.update(
        {
            "iss": backend.issuer(pool_id),
            "cognito:username": user.username,
            "origin_jti": origin_jti,
            "aud": client_id,
            "event_id": event_id,
            "token_use": "id",
            "auth_time": auth_claim,
            "exp": issued + int(id_life),
            "iat": issued,
            "jti": str(uuid.uuid4()),
        }
    )
    access_claims: dict[str, Any] = {
        "sub": user.sub,
        **group_claims,
        "iss": backend.issuer(pool_id),
        "client_id": client_id,
        "origin_jti": origin_jti,
        "event_id": event_id,
        "token_use": "access",
        "scope": ADMIN_SCOPE if scopes is None else " ".join(scopes),
        "auth_time": auth_claim,
        "exp": issued + int(access_life),
        "iat": issued,
        "jti": str(uuid.uuid4()),
        "username": user.username,
    }
    if nonce is not None:
        id_claims["nonce"] = nonce
    if scopes is not None:
        access_claims["version"] = 2
    if hooks.TOKEN_GENERATION:
        generation = hooks.TokenGeneration(
            pool, client, user, source, groups, id_claims, access_claims
        )
        for contributor in hooks.TOKEN_GENERATION:
            contributor(backend, generation)
    access_token = sign_jwt(backend.keys.key(pool_id, "access"), access_claims)
    result: dict[str, Any] = {
        "AccessToken": access_token,
        "ExpiresIn": int(access_life),
        "TokenType": "Bearer",
    }
    if scopes is None or "openid" in scopes:
        if scopes is not None:
            id_claims["at_hash"] = at_hash(access_token)
        result["IdToken"] = sign_jwt(backend.keys.key(pool_id, "id"), id_claims)
    if with_refresh_token:
        refresh = new_refresh_token()
        backend.store.add_refresh_token(token_hash(refresh), origin_jti, now, now + refresh_life)
        result["RefreshToken"] = refresh
    return result


class Finish(Protocol):
    """What a sign-in does once every factor passed. The API answers with tokens
    (:func:`sign_in_result`); the Hosted UI passes its own, which starts a browser session and
    issues a code instead."""

    def __call__(self, caller: Caller, user: UserRecord, *, source: str) -> dict[str, Any]:
        """Finish ``user``'s sign-in; ``source`` names the occasion (``Authentication``, ...)."""
        ...


def sign_in_result(
    caller: Caller,
    user: UserRecord,
    *,
    source: str = "Authentication",
) -> dict[str, Any]:
    """The answer of a sign-in that passed every factor: tokens and what features add to them.

    ``AUTHENTICATED`` contributors run first (Cognito's PostAuthentication comes before the
    tokens), then the tokens are issued, then ``SIGN_IN_RESULT`` contributors add their members.
    """
    sign_in = hooks.SignIn(caller.pool, caller.client, user)
    for contributor in hooks.AUTHENTICATED:
        contributor(caller.backend, sign_in)
    result = issue_tokens(caller.backend, caller.pool, caller.client, user, source=source)
    for add_to_result in hooks.SIGN_IN_RESULT:
        add_to_result(caller.backend, sign_in, result)
    return {"ChallengeParameters": {}, "AuthenticationResult": result}


def refresh_tokens(
    backend: Backend,
    pool: dict[str, Any],
    client: dict[str, Any],
    refresh_token: str,
    *,
    rotate: bool,
) -> dict[str, Any]:
    """Exchange a refresh token for new tokens (and a new refresh token when rotating)."""
    now = backend.now()
    hashed = token_hash(refresh_token)
    row = backend.store.get_refresh_token(hashed)
    family = backend.store.get_family(row[0]) if row else None
    if row is None or family is None or family[1] != client["ClientId"]:
        raise errors.NotAuthorizedException(errors.INVALID_REFRESH_TOKEN)
    origin_jti, _issued_at, expires_at, superseded_at = row
    _pool_id, _client_id, username, sub, auth_time, revoked_at = family
    if revoked_at is not None:
        raise errors.NotAuthorizedException(errors.REFRESH_TOKEN_REVOKED)
    if now >= expires_at:
        raise errors.NotAuthorizedException("Refresh Token has expired")
    if superseded_at is not None:
        grace = float((client.get("RefreshTokenRotation") or {}).get("RetryGracePeriodSeconds", 0))
        if now > superseded_at + grace:
            backend.store.revoke_family(origin_jti, now)
            raise errors.RefreshTokenReuseException(
                "The refresh token has already been used and was replaced; sign in again."
            )
    user = backend.store.get_user(pool["Id"], username)
    if user is None or user.sub != sub:
        raise errors.UserNotFoundException(errors.USER_DOES_NOT_EXIST)
    if not user.enabled:
        raise errors.NotAuthorizedException(errors.USER_DISABLED)
    result = issue_tokens(
        backend,
        pool,
        client,
        user,
        auth_time=auth_time,
        origin_jti=origin_jti,
        with_refresh_token=rotate,
        source="RefreshTokens",
        scopes=backend.store.family_scopes(origin_jti),
    )
    if rotate:
        backend.store.supersede_refresh_token(hashed, now)
    return result


def client_credentials_token(
    backend: Backend, pool: dict[str, Any], client: dict[str, Any], scopes: Sequence[str]
) -> dict[str, Any]:
    """A machine-to-machine access token (the client-credentials grant): ``sub`` is the client,
    ``scope`` the granted custom scopes; no ID or refresh token, no user."""
    now = int(backend.now())
    _id_life, access_life, _refresh_life = token_lifetimes(client)
    claims = {
        "sub": client["ClientId"],
        "token_use": "access",
        "scope": " ".join(scopes),
        "auth_time": now,
        "iss": backend.issuer(pool["Id"]),
        "exp": now + int(access_life),
        "iat": now,
        "version": 2,
        "jti": str(uuid.uuid4()),
        "client_id": client["ClientId"],
    }
    return {
        "access_token": sign_jwt(backend.keys.key(pool["Id"], "access"), claims),
        "expires_in": int(access_life),
        "token_type": "Bearer",
    }


def rotation_enabled(client: dict[str, Any]) -> bool:
    """Whether the client has RefreshTokenRotation ENABLED."""
    return (client.get("RefreshTokenRotation") or {}).get("Feature") == "ENABLED"


def family_of_refresh_token(backend: Backend, refresh_token: str) -> str | None:
    """The ``origin_jti`` of a refresh token we issued, or ``None``."""
    row = backend.store.get_refresh_token(token_hash(refresh_token))
    return row[0] if row else None
