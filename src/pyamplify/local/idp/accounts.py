"""Creating users and changing their attributes: rules shared by SignUp and the Admin calls.

The internal username is what SRP hashes (``USER_ID_FOR_SRP``) and what tokens carry as
``cognito:username``. In pools whose UsernameAttributes make the email or phone number the
sign-in name, Cognito stores the ``sub`` (a UUID) as the internal username and keeps the typed
value as the ``email`` / ``phone_number`` attribute; the local Cognito does the same.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp.common import (
    check_attributes_exist,
    find_user,
    normalise_username,
    username_attributes,
)
from pyamplify.local.store.userpools import UserRecord

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_PHONE = re.compile(r"\+[0-9]{4,15}")
_VERIFIED = {"email": "email_verified", "phone_number": "phone_number_verified"}


def _looks_like(attribute: str, value: str) -> bool:
    pattern = _EMAIL if attribute == "email" else _PHONE
    return pattern.fullmatch(value) is not None


def internal_username(pool: dict[str, Any], typed: str, attributes: dict[str, str]) -> str:
    """Work out the stored username for a new user, filling the username attribute."""
    names = username_attributes(pool)
    if not names:
        return normalise_username(pool, typed)
    for attribute in names:
        if _looks_like(attribute, typed):
            attributes[attribute] = typed.lower() if attribute == "email" else typed
            return str(uuid.uuid4())
    if names == ["email"]:
        raise errors.InvalidParameterException("Username should be an email.")
    if names == ["phone_number"]:
        raise errors.InvalidParameterException("Username should be a phone number.")
    raise errors.InvalidParameterException("Username should be either an email or a phone number.")


def check_attribute_values(attributes: dict[str, str]) -> None:
    """Refuse malformed email and phone values, as Cognito does."""
    email = attributes.get("email")
    if email is not None and email != "" and not _looks_like("email", email):
        raise errors.InvalidParameterException("Invalid email address format.")
    phone = attributes.get("phone_number")
    if phone is not None and phone != "" and not _looks_like("phone_number", phone):
        raise errors.InvalidParameterException("Invalid phone number format.")
    for flag in _VERIFIED.values():
        if flag in attributes and attributes[flag] not in ("true", "false"):
            raise errors.InvalidParameterException(f"{flag} must be 'true' or 'false'.")


def create_user(
    backend: Backend,
    pool: dict[str, Any],
    typed_username: str,
    attributes: dict[str, str],
    *,
    status: str,
    existing_message: str,
) -> UserRecord:
    """Make a new user record (not yet saved) after Cognito's uniqueness checks."""
    attributes = dict(attributes)
    attributes.pop("sub", None)
    check_attributes_exist(pool, attributes)
    username = internal_username(pool, typed_username, attributes)
    check_attribute_values(attributes)
    pool_id = pool["Id"]
    if backend.store.get_user(pool_id, username) is not None:
        raise errors.UsernameExistsException(existing_message)
    for attribute in username_attributes(pool):
        value = attributes.get(attribute)
        if value and find_user(backend, pool, value) is not None:
            raise errors.UsernameExistsException(
                f"An account with the given {attribute} already exists."
            )
    now = backend.now()
    return UserRecord(
        pool_id=pool_id,
        username=username,
        sub=str(uuid.uuid4()) if not username_attributes(pool) else username,
        status=status,
        enabled=True,
        attributes=attributes,
        created=now,
        modified=now,
    )


def missing_required(pool: dict[str, Any], attributes: dict[str, str]) -> list[str]:
    """Required schema attributes without a value."""
    return [
        entry["Name"]
        for entry in pool.get("SchemaAttributes", [])
        if entry.get("Required") and entry["Name"] != "sub" and not attributes.get(entry["Name"])
    ]


def check_required(pool: dict[str, Any], attributes: dict[str, str]) -> None:
    """Refuse a new user that lacks a required attribute."""
    missing = missing_required(pool, attributes)
    if missing:
        raise errors.InvalidParameterException(
            f"Attributes did not conform to the schema: {missing[0]}: The attribute is required"
        )


def apply_attribute_update(
    user: UserRecord, changes: dict[str, str], now: float, *, admin: bool
) -> list[str]:
    """Apply attribute changes; return the email/phone attributes whose value changed.

    A changed email or phone number becomes unverified unless an admin sets the matching
    ``*_verified`` flag in the same call. An empty value deletes the attribute.
    """
    changed_contact: list[str] = []
    for name, value in changes.items():
        if name == "sub":
            continue
        if value == "":
            user.attributes.pop(name, None)
            continue
        if name in _VERIFIED and user.attributes.get(name) != value:
            changed_contact.append(name)
            if not (admin and changes.get(_VERIFIED[name]) == "true"):
                user.attributes[_VERIFIED[name]] = "false"
        user.attributes[name] = value
    user.modified = now
    return changed_contact
