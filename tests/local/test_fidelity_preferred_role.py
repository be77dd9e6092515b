"""``cognito:preferred_role`` / ``cognito:roles`` as Cognito sets them, and what a tie means.

The rule (CreateGroup's ``Precedence`` documentation): the role of the group with the lowest
precedence among the user's groups that have a role; a number beats none; groups tied there
with different roles give no preferred role, so an identity pool's Token mapping falls back to
its AmbiguousRoleResolution. Checked on the pure function and end to end: ID tokens issued over
HTTP, then the role an identity pool hands out, read back through STS GetCallerIdentity.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jwt
import pytest

from pyamplify.local import LocalCognito
from pyamplify.local.identity.roles import role_name
from pyamplify.local.idp.tokens import group_role_claims

from .identity_fixtures import (
    AUTH_ROLE,
    new_identity_pool,
    new_signed_in,
    sts_client,
)

ADMIN = "arn:aws:iam::123456789012:role/Admins"
EDITOR = "arn:aws:iam::123456789012:role/Editors"
READER = "arn:aws:iam::123456789012:role/Readers"
AMBIGUOUS = "The ambiguous role mapping rules denied this request."


def _group(name: str, role: str | None, precedence: int | None) -> dict[str, Any]:
    group: dict[str, Any] = {"GroupName": name}
    if role:
        group["RoleArn"] = role
    if precedence is not None:
        group["Precedence"] = precedence
    return group


@pytest.mark.parametrize(
    ("groups", "preferred"),
    [
        ([("a", ADMIN, 1), ("e", EDITOR, 5)], ADMIN),
        ([("e", EDITOR, 5), ("a", ADMIN, 1)], ADMIN),  # order of membership does not matter
        ([("a", ADMIN, 3), ("e", EDITOR, 3)], None),  # tie, different roles
        ([("a", ADMIN, 3), ("b", ADMIN, 3), ("e", EDITOR, 7)], ADMIN),  # tie, same role
        ([("a", ADMIN, None), ("e", EDITOR, 9)], EDITOR),  # a number beats none
        ([("a", ADMIN, None), ("e", EDITOR, None)], None),  # no precedence anywhere: a tie
        ([("a", ADMIN, None)], ADMIN),  # one candidate, nothing to tie with
        ([("r", None, 0), ("a", ADMIN, 4), ("e", EDITOR, 4)], None),  # roleless groups ignored
        ([("r", None, 0), ("e", EDITOR, 4)], EDITOR),
        ([("r", None, 0)], None),
    ],
)
def test_preferred_role_rule(
    groups: list[tuple[str, str | None, int | None]], preferred: str | None
) -> None:
    claims = group_role_claims([_group(*spec) for spec in groups])
    assert claims.get("cognito:preferred_role") == preferred
    roles = {role for _, role, _ in groups if role}
    if roles:
        assert set(claims["cognito:roles"]) == roles
        assert len(claims["cognito:roles"]) == len(roles)
    else:
        assert claims == {}


def test_roles_are_listed_by_precedence() -> None:
    claims = group_role_claims(
        [_group("e", EDITOR, 5), _group("r", READER, None), _group("a", ADMIN, 1)]
    )
    assert claims["cognito:roles"] == [ADMIN, EDITOR, READER]


# ---------------------------------------------------------------------- over loopback


@pytest.fixture
def signed_in(
    cognito_idp: Any, new_user_pool: Any, new_user: Any, user_pool: Any, clock: Any
) -> Callable[..., Any]:
    def make(**kwargs: Any) -> Any:
        return new_signed_in(cognito_idp, new_user_pool, new_user, pool=user_pool, **kwargs)

    return make


def _claims(id_token: str) -> dict[str, Any]:
    """The ID token's claims (the signature is verified by the identity pool below)."""
    return dict(jwt.decode(id_token, options={"verify_signature": False}))


def _token_pool(cognito_identity: Any, user: Any, ambiguous: str) -> str:
    mapping = {"Type": "Token", "AmbiguousRoleResolution": ambiguous}
    key = f"{user.provider}:{user.pool.client_id}"
    return new_identity_pool(cognito_identity, [user.pool], role_mappings={key: mapping})


def _credentials(cognito_identity: Any, pool_id: str, logins: dict[str, str]) -> dict[str, Any]:
    identity = cognito_identity.get_id(IdentityPoolId=pool_id, Logins=logins)["IdentityId"]
    answer = cognito_identity.get_credentials_for_identity(IdentityId=identity, Logins=logins)
    return dict(answer["Credentials"])


def _assumed_role(local_cognito: LocalCognito, credentials: dict[str, Any]) -> str:
    arn = sts_client(local_cognito.url, credentials).get_caller_identity()["Arn"]
    return str(arn).rsplit("/", 2)[1]


def test_id_token_of_a_tie_has_roles_but_no_preferred_role(signed_in: Any) -> None:
    user = signed_in(groups=[("tie-admins", ADMIN, 2), ("tie-editors", EDITOR, 2)])
    claims = _claims(user.id_token)
    assert "cognito:preferred_role" not in claims
    assert set(claims["cognito:roles"]) == {ADMIN, EDITOR}
    assert set(claims["cognito:groups"]) == {"tie-admins", "tie-editors"}


def test_id_token_prefers_the_lowest_precedence(signed_in: Any) -> None:
    user = signed_in(groups=[("low-editors", EDITOR, 8), ("low-admins", ADMIN, 0)])
    claims = _claims(user.id_token)
    assert claims["cognito:preferred_role"] == ADMIN
    assert claims["cognito:roles"] == [ADMIN, EDITOR]


def test_a_tie_falls_back_to_the_authenticated_role(
    local_cognito: LocalCognito, cognito_identity: Any, signed_in: Any
) -> None:
    user = signed_in(groups=[("amb-admins", ADMIN, 4), ("amb-editors", EDITOR, 4)])
    pool_id = _token_pool(cognito_identity, user, "AuthenticatedRole")
    credentials = _credentials(cognito_identity, pool_id, user.logins)
    assert _assumed_role(local_cognito, credentials) == role_name(AUTH_ROLE)


def test_a_tie_is_denied_when_ambiguity_denies(cognito_identity: Any, signed_in: Any) -> None:
    user = signed_in(groups=[("deny-admins", ADMIN, None), ("deny-editors", EDITOR, None)])
    pool_id = _token_pool(cognito_identity, user, "Deny")
    with pytest.raises(cognito_identity.exceptions.NotAuthorizedException) as caught:
        _credentials(cognito_identity, pool_id, user.logins)
    assert caught.value.response["Error"]["Message"] == AMBIGUOUS


def test_without_a_tie_the_token_mapping_uses_the_preferred_role(
    local_cognito: LocalCognito, cognito_identity: Any, signed_in: Any
) -> None:
    user = signed_in(groups=[("win-editors", EDITOR, None), ("win-admins", ADMIN, 3)])
    pool_id = _token_pool(cognito_identity, user, "Deny")
    credentials = _credentials(cognito_identity, pool_id, user.logins)
    assert _assumed_role(local_cognito, credentials) == role_name(ADMIN)
