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

import uuid
from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp import hooks
from pyamplify.local.idp.pools import token_lifetimes
from pyamplify.local.signing import new_refresh_token, sign_jwt, token_hash
from pyamplify.local.store.userpools import UserRecord

ADMIN_SCOPE = "aws.cognito.signin.user.admin"
_BOOLEAN_CLAIMS = ("email_verified", "phone_number_verified")


def _id_token_attributes(client: dict[str, Any], user: UserRecord) -> dict[str, Any]:
    readable = client.get("ReadAttributes")
    claims: dict[str, Any] = {}
    for name, value in user.attributes.items():
        if name.startswith("dev:") or (readable and name not in readable):
            continue
        claims[name] = value == "true" if name in _BOOLEAN_CLAIMS else value
    return claims


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
) -> dict[str, Any]:
    """An ``AuthenticationResult``: ID and access tokens, plus a refresh token when asked.

    Without ``origin_jti`` this is a new sign-in (a new family, ``auth_time`` = now); with it,
    a refresh inside that family that keeps the original ``auth_time``. ``source`` names the
    occasion for the ``TOKEN_GENERATION`` contributors (``Authentication``, ``RefreshTokens``).
    """
    now = backend.now()
    pool_id, client_id = pool["Id"], client["ClientId"]
    id_life, access_life, refresh_life = token_lifetimes(client)
    if origin_jti is None:
        origin_jti = str(uuid.uuid4())
        auth_time = now if auth_time is None else auth_time
        backend.store.add_family(origin_jti, pool_id, client_id, user.username, user.sub, auth_time)
    issued = int(now)
    auth_claim = int(auth_time if auth_time is not None else now)
    event_id = str(uuid.uuid4())
    groups = backend.store.groups_of(pool_id, user.username)
    group_claims: dict[str, Any] = {}
    if groups:
        group_claims["cognito:groups"] = [group["GroupName"] for group in groups]
    id_claims: dict[str, Any] = {"sub": user.sub, **group_claims}
    id_claims.update(group_role_claims(groups))
    id_claims.update(_id_token_attributes(client, user))
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
        "scope": ADMIN_SCOPE,
        "auth_time": auth_claim,
        "exp": issued + int(access_life),
        "iat": issued,
        "jti": str(uuid.uuid4()),
        "username": user.username,
    }
    if hooks.TOKEN_GENERATION:
        generation = hooks.TokenGeneration(
            pool, client, user, source, groups, id_claims, access_claims
        )
        for contributor in hooks.TOKEN_GENERATION:
            contributor(backend, generation)
    result: dict[str, Any] = {
        "AccessToken": sign_jwt(backend.keys.key(pool_id, "access"), access_claims),
        "ExpiresIn": int(access_life),
        "TokenType": "Bearer",
        "IdToken": sign_jwt(backend.keys.key(pool_id, "id"), id_claims),
    }
    if with_refresh_token:
        refresh = new_refresh_token()
        backend.store.add_refresh_token(token_hash(refresh), origin_jti, now, now + refresh_life)
        result["RefreshToken"] = refresh
    return result


def sign_in_result(
    backend: Backend,
    pool: dict[str, Any],
    client: dict[str, Any],
    user: UserRecord,
    *,
    source: str = "Authentication",
) -> dict[str, Any]:
    """The answer of a sign-in that passed every factor: tokens and what features add to them.

    ``AUTHENTICATED`` contributors run first (Cognito's PostAuthentication comes before the
    tokens), then the tokens are issued, then ``SIGN_IN_RESULT`` contributors add their members.
    """
    sign_in = hooks.SignIn(pool, client, user)
    for contributor in hooks.AUTHENTICATED:
        contributor(backend, sign_in)
    result = issue_tokens(backend, pool, client, user, source=source)
    for add_to_result in hooks.SIGN_IN_RESULT:
        add_to_result(backend, sign_in, result)
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
    )
    if rotate:
        backend.store.supersede_refresh_token(hashed, now)
    return result


def rotation_enabled(client: dict[str, Any]) -> bool:
    """Whether the client has RefreshTokenRotation ENABLED."""
    return (client.get("RefreshTokenRotation") or {}).get("Feature") == "ENABLED"


def family_of_refresh_token(backend: Backend, refresh_token: str) -> str | None:
    """The ``origin_jti`` of a refresh token we issued, or ``None``."""
    row = backend.store.get_refresh_token(token_hash(refresh_token))
    return row[0] if row else None
