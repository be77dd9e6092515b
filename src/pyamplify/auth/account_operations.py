"""The account operations, written once for ``Auth`` and ``AsyncAuth``.

Each runs a flow of :mod:`pyamplify.auth.account_flows`: the password-reset pair with the app
client (no session needed: the user cannot sign in), the rest with a fresh access token of the
signed-in user (refreshed first when due, through the same single-flight refresh as
``fetch_auth_session``). ``delete_user`` then forgets the session as a sign-out does (store,
memory, the identity-pool credentials) and announces ``user_deleted``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from pyamplify.auth.account_flows import (
    change_password_flow,
    confirm_reset_password_flow,
    delete_user_attributes_flow,
    delete_user_flow,
    reset_password_flow,
    send_user_attribute_verification_code_flow,
    update_user_attributes_flow,
    verify_user_attribute_flow,
)
from pyamplify.auth.effects import Op, StoreLocked
from pyamplify.auth.events import USER_DELETED
from pyamplify.auth.operations import _clear_credentials, _erase_session, access_token_op

if TYPE_CHECKING:
    from pyamplify.auth._core import AuthCore
    from pyamplify.auth._identity_core import IdentityCore
    from pyamplify.auth.account_results import ResetPasswordResult, UpdateUserAttributeResult
    from pyamplify.auth.results import CodeDeliveryDetails


# ---------------------------------------------------------------------- passwords
def reset_password_op(
    core: AuthCore, username: str, client_metadata: Mapping[str, str] | None
) -> Op[ResetPasswordResult]:
    """``reset_password``: ForgotPassword for this app client."""
    return (yield from reset_password_flow(core.context, username, client_metadata=client_metadata))


def confirm_reset_password_op(
    core: AuthCore,
    username: str,
    confirmation_code: str,
    new_password: str,
    client_metadata: Mapping[str, str] | None,
) -> Op[None]:
    """``confirm_reset_password``: ConfirmForgotPassword for this app client."""
    yield from confirm_reset_password_flow(
        core.context, username, confirmation_code, new_password, client_metadata=client_metadata
    )


def update_password_op(core: AuthCore, old_password: str, new_password: str) -> Op[None]:
    """``update_password``: ChangePassword for the signed-in user."""
    access_token = yield from access_token_op(core)
    yield from change_password_flow(access_token, old_password, new_password)


# ---------------------------------------------------------------------- attributes
def update_user_attributes_op(
    core: AuthCore, attributes: Mapping[str, str], client_metadata: Mapping[str, str] | None
) -> Op[dict[str, UpdateUserAttributeResult]]:
    """``update_user_attributes``: one result per attribute."""
    access_token = yield from access_token_op(core)
    flow = update_user_attributes_flow(access_token, attributes, client_metadata=client_metadata)
    return (yield from flow)


def update_user_attribute_op(
    core: AuthCore, key: str, value: str, client_metadata: Mapping[str, str] | None
) -> Op[UpdateUserAttributeResult]:
    """``update_user_attribute``: ``update_user_attributes`` for one attribute."""
    results = yield from update_user_attributes_op(core, {key: value}, client_metadata)
    return results[key]


def send_user_attribute_verification_code_op(
    core: AuthCore, key: str, client_metadata: Mapping[str, str] | None
) -> Op[CodeDeliveryDetails | None]:
    """``send_user_attribute_verification_code``: GetUserAttributeVerificationCode."""
    access_token = yield from access_token_op(core)
    flow = send_user_attribute_verification_code_flow(
        access_token, key, client_metadata=client_metadata
    )
    return (yield from flow)


def confirm_user_attribute_op(core: AuthCore, key: str, confirmation_code: str) -> Op[None]:
    """``confirm_user_attribute``: VerifyUserAttribute."""
    access_token = yield from access_token_op(core)
    yield from verify_user_attribute_flow(access_token, key, confirmation_code)


def delete_user_attributes_op(core: AuthCore, keys: Iterable[str]) -> Op[None]:
    """``delete_user_attributes``: DeleteUserAttributes."""
    access_token = yield from access_token_op(core)
    yield from delete_user_attributes_flow(access_token, keys)


# ---------------------------------------------------------------------- the account
def delete_user_op(core: AuthCore, identity: IdentityCore | None) -> Op[None]:
    """``delete_user``: DeleteUser, then the session is forgotten everywhere a sign-out would
    forget it (store, memory, identity-pool credentials) and ``user_deleted`` is announced.
    If DeleteUser fails, nothing changes."""
    access_token = yield from access_token_op(core)
    username = core.cached.stored.username if core.cached is not None else None
    yield from delete_user_flow(access_token)
    yield StoreLocked(core.key, _erase_session(core))
    yield from _clear_credentials(identity)
    core.adopt(None)
    core.pending = None
    core.emit(USER_DELETED, username)
