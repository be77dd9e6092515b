"""Administration of users and groups (the SigV4 ``Admin*`` calls, ListUsers, groups).

``Username`` in these calls may be the internal username or, as on AWS, an alias the pool
accepts for sign-in (the email in an email-as-username pool).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp import hooks, outbox, passwords, pending
from pyamplify.local.idp.accounts import (
    apply_attribute_update,
    check_attribute_values,
    create_user,
)
from pyamplify.local.idp.common import (
    attributes_from_list,
    attributes_to_delete,
    attributes_to_list,
    check_attributes_exist,
    int_param,
    list_page,
    pool_or_error,
    str_map,
    str_param,
    user_or_error,
    user_type,
)
from pyamplify.local.idp.pool_items import PoolItems, Shelf
from pyamplify.local.idp.registry import OPERATIONS
from pyamplify.local.store.userpools import Store, UserRecord

_FILTER = re.compile(r'\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*')
_SEARCHABLE = {
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
}


def _pool_and_user(backend: Backend, body: dict[str, Any]) -> tuple[dict[str, Any], UserRecord]:
    pool = pool_or_error(backend, str_param(body, "UserPoolId"))
    return pool, user_or_error(backend, pool, str_param(body, "Username"))


def send_verification_codes(
    backend: Backend,
    pool: dict[str, Any],
    user: UserRecord,
    changed: list[str],
    client_id: str | None,
) -> list[dict[str, str]]:
    """Send codes for changed contact attributes that the pool verifies automatically."""
    auto = set(pool.get("AutoVerifiedAttributes") or [])
    details = []
    for attribute in changed:
        verified_flag = f"{attribute}_verified"
        if attribute in auto and user.attributes.get(verified_flag) != "true":
            details.append(
                outbox.deliver_code(
                    backend,
                    pool,
                    user,
                    code_key=f"verify:{attribute}",
                    purpose="UpdateUserAttribute",
                    attribute=attribute,
                    client_id=client_id,
                )
            )
    return details


# ---------------------------------------------------------------------- users


@OPERATIONS.operation("AdminCreateUser")
def admin_create_user(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminCreateUser: a FORCE_CHANGE_PASSWORD user with a temporary password."""
    pool = pool_or_error(backend, str_param(body, "UserPoolId"))
    typed = str_param(body, "Username")
    temporary = body.get("TemporaryPassword")
    if isinstance(temporary, str):
        passwords.check_policy(pool, temporary)
    else:
        temporary = passwords.generate_password(pool)
    action = body.get("MessageAction")
    now = backend.now()
    if action == "RESEND":
        user = user_or_error(backend, pool, typed)
        if user.status != "FORCE_CHANGE_PASSWORD":
            raise errors.UnsupportedOperationException(
                "Resend is not allowed for a user that is not in FORCE_CHANGE_PASSWORD state."
            )
    else:
        user = create_user(
            backend,
            pool,
            typed,
            attributes_from_list(body.get("UserAttributes")),
            status="FORCE_CHANGE_PASSWORD",
            existing_message="User account already exists",
        )
        hooks.run_sign_up(
            backend,
            hooks.SignUp(
                pool,
                user,
                "AdminCreateUser",
                validation_data=attributes_from_list(body.get("ValidationData")),
                client_metadata=str_map(body, "ClientMetadata"),
            ),
        )
    passwords.set_password(pool["Id"], user, temporary, now)
    if action == "RESEND":
        backend.store.save_user(user)
    else:
        backend.store.insert_user(user)
    if action != "SUPPRESS":
        mediums = body.get("DesiredDeliveryMediums") or ["SMS"]
        for medium, attribute in (("EMAIL", "email"), ("SMS", "phone_number")):
            if medium in mediums and user.attributes.get(attribute):
                outbox.record(backend, pool, user, attribute, temporary, "AdminCreateUser", None)
    return {"User": user_type(user)}


@OPERATIONS.operation("AdminGetUser")
def admin_get_user(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminGetUser."""
    _, user = _pool_and_user(backend, body)
    return hooks.describe_user(backend, user, user_type(user, attributes_key="UserAttributes"))


@OPERATIONS.operation("AdminSetUserPassword")
def admin_set_user_password(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminSetUserPassword: permanent (CONFIRMED) or temporary (FORCE_CHANGE_PASSWORD)."""
    pool, user = _pool_and_user(backend, body)
    password = str_param(body, "Password")
    passwords.check_policy(pool, password)
    passwords.set_password(pool["Id"], user, password, backend.now())
    passwords.record_success(user)
    user.status = "CONFIRMED" if body.get("Permanent") else "FORCE_CHANGE_PASSWORD"
    backend.store.save_user(user)
    return {}


@OPERATIONS.operation("AdminDeleteUser")
def admin_delete_user(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminDeleteUser (its tokens stop working: their sessions are gone)."""
    pool, user = _pool_and_user(backend, body)
    backend.store.delete_user(pool["Id"], user.username)
    return {}


@OPERATIONS.operation("AdminConfirmSignUp")
def admin_confirm_sign_up(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminConfirmSignUp."""
    pool, user = _pool_and_user(backend, body)
    if user.status != "UNCONFIRMED":
        raise errors.NotAuthorizedException(
            f"User cannot be confirmed. Current status is {user.status}"
        )
    user.status = "CONFIRMED"
    user.modified = backend.now()
    backend.store.save_user(user)
    metadata = str_map(body, "ClientMetadata")
    hooks.run_confirmation(backend, hooks.Confirmation(pool, user, "ConfirmSignUp", None, metadata))
    return {}


@OPERATIONS.operation("AdminUpdateUserAttributes")
def admin_update_user_attributes(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminUpdateUserAttributes (may set *_verified; unverified new contacts get a code)."""
    pool, user = _pool_and_user(backend, body)
    changes = attributes_from_list(body.get("UserAttributes"))
    check_attributes_exist(pool, changes)
    check_attribute_values(changes)
    held = pending.hold_changes(backend, pool, user, changes, admin=True)
    changed = apply_attribute_update(user, changes, backend.now(), admin=True)
    backend.store.save_user(user)
    send_verification_codes(backend, pool, user, changed, None)
    pending.send_codes(backend, pool, user, held, None)
    return {}


@OPERATIONS.operation("AdminDeleteUserAttributes")
def admin_delete_user_attributes(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminDeleteUserAttributes."""
    pool, user = _pool_and_user(backend, body)
    apply_attribute_update(user, attributes_to_delete(pool, body), backend.now(), admin=True)
    backend.store.save_user(user)
    return {}


@OPERATIONS.operation("AdminDisableUser")
def admin_disable_user(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminDisableUser (also revokes the user's sessions, as AWS documents)."""
    pool, user = _pool_and_user(backend, body)
    now = backend.now()
    user.enabled = False
    user.modified = now
    backend.store.save_user(user)
    backend.store.revoke_user_families(pool["Id"], user.username, now)
    return {}


@OPERATIONS.operation("AdminEnableUser")
def admin_enable_user(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminEnableUser."""
    _, user = _pool_and_user(backend, body)
    user.enabled = True
    user.modified = backend.now()
    backend.store.save_user(user)
    return {}


@OPERATIONS.operation("AdminUserGlobalSignOut")
def admin_user_global_sign_out(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminUserGlobalSignOut: every refresh token and the tokens issued from them die."""
    pool, user = _pool_and_user(backend, body)
    backend.store.revoke_user_families(pool["Id"], user.username, backend.now())
    return {}


@OPERATIONS.operation("AdminResetUserPassword")
def admin_reset_user_password(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminResetUserPassword: RESET_REQUIRED plus a code for ConfirmForgotPassword."""
    pool, user = _pool_and_user(backend, body)
    user.status = "RESET_REQUIRED"
    user.modified = backend.now()
    backend.store.save_user(user)
    for attribute in ("email", "phone_number"):
        if user.attributes.get(f"{attribute}_verified") == "true":
            outbox.deliver_code(
                backend,
                pool,
                user,
                code_key="forgot_password",
                purpose="ForgotPassword",
                attribute=attribute,
                client_id=None,
                lifetime=outbox.RESET_CODE_LIFETIME,
            )
            break
    return {}


def _filter_predicate(text: str) -> Any:
    if not text.strip():
        return lambda user: True
    match = _FILTER.fullmatch(text)
    if match is None:
        raise errors.InvalidParameterException("Error while parsing filter.")
    name, operator, raw = match.groups()
    if name not in _SEARCHABLE:
        raise errors.InvalidParameterException(f"Invalid search attribute: {name}")
    wanted = re.sub(r"\\(.)", r"\1", raw)

    def value_of(user: UserRecord) -> str | None:
        if name == "username":
            return user.username
        if name == "sub":
            return user.sub
        if name == "cognito:user_status":
            return user.status.lower()
        if name == "status":
            return "Enabled" if user.enabled else "Disabled"
        return user.attributes.get(name)

    target = wanted.lower() if name == "cognito:user_status" else wanted

    def predicate(user: UserRecord) -> bool:
        value = value_of(user)
        if value is None:
            return False
        return value == target if operator == "=" else value.startswith(target)

    return predicate


@OPERATIONS.operation("ListUsers")
def list_users(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """ListUsers with ``Filter`` (``name = "v"`` or ``name ^= "v"``) and pagination."""
    pool = pool_or_error(backend, str_param(body, "UserPoolId"))
    filter_text = body.get("Filter") if isinstance(body.get("Filter"), str) else ""
    predicate = _filter_predicate(str(filter_text))
    wanted = body.get("AttributesToGet")
    users = []
    for user in backend.store.list_users(pool["Id"]):
        if not predicate(user):
            continue
        entry = user_type(user)
        if isinstance(wanted, list):
            attributes = user.all_attributes()
            entry["Attributes"] = attributes_to_list(
                {k: v for k, v in attributes.items() if k in wanted}
            )
        users.append(entry)
    return list_page(body, users, "Users", int_param(body, "Limit", 60), token="PaginationToken")


# ---------------------------------------------------------------------- groups


_GROUPS = PoolItems(
    "GroupName",
    "Group not found.",
    Shelf(Store.get_group, Store.list_groups, Store.put_group, Store.delete_group),
)


@OPERATIONS.operation("CreateGroup")
def create_group(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """CreateGroup."""
    pool, name, existing = _GROUPS.look_up(backend, body)
    if existing is not None:
        raise errors.GroupExistsException(f"A group with the name {name} already exists.")
    group = _changed_group(backend, {"GroupName": name, "UserPoolId": pool["Id"]}, body)
    group["CreationDate"] = group["LastModifiedDate"]
    backend.store.put_group(pool["Id"], name, group)
    return {"Group": group}


def _changed_group(backend: Backend, group: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """The members CreateGroup or UpdateGroup gives (only those change), and the time."""
    for key in ("Description", "RoleArn", "Precedence"):
        if body.get(key) is not None:
            group[key] = body[key]
    group["LastModifiedDate"] = backend.now()
    return group


OPERATIONS.add("GetGroup", _GROUPS.describer("Group"))
OPERATIONS.add("UpdateGroup", _GROUPS.updater("Group", _changed_group))
OPERATIONS.add("DeleteGroup", _GROUPS.delete)
OPERATIONS.add("ListGroups", _GROUPS.lister("Groups", page_param="Limit"))


def _change_membership(
    backend: Backend, body: dict[str, Any], change: Callable[[str, str, str], None]
) -> dict[str, Any]:
    """Add or remove (``change``) a user's membership, once the user and then the group are
    found (Cognito's order of checks)."""
    pool, user = _pool_and_user(backend, body)
    group = _GROUPS.named(backend, pool["Id"], str_param(body, "GroupName"))
    change(pool["Id"], group["GroupName"], user.username)
    return {}


@OPERATIONS.operation("AdminAddUserToGroup")
def admin_add_user_to_group(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminAddUserToGroup."""
    return _change_membership(backend, body, backend.store.add_member)


@OPERATIONS.operation("AdminRemoveUserFromGroup")
def admin_remove_user_from_group(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminRemoveUserFromGroup."""
    return _change_membership(backend, body, backend.store.remove_member)


@OPERATIONS.operation("AdminListGroupsForUser")
def admin_list_groups_for_user(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """AdminListGroupsForUser."""
    pool, user = _pool_and_user(backend, body)
    groups = backend.store.groups_of(pool["Id"], user.username)
    return list_page(body, groups, "Groups", int_param(body, "Limit", 60))


@OPERATIONS.operation("ListUsersInGroup")
def list_users_in_group(backend: Backend, body: dict[str, Any]) -> dict[str, Any]:
    """ListUsersInGroup."""
    group = _GROUPS.get(backend, body)
    pool_id = group["UserPoolId"]
    users = []
    for username in backend.store.members_of(pool_id, group["GroupName"]):
        user = backend.store.get_user(pool_id, username)
        if user is not None:
            users.append(user_type(user))
    return list_page(body, users, "Users", int_param(body, "Limit", 60))
