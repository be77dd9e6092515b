"""Email and phone changes that wait for their code (``AttributesRequireVerificationBeforeUpdate``).

A pool whose ``UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate`` names
``email`` or ``phone_number`` (the CDK's ``keepOriginal``, set by Amplify Gen 2 for email
sign-in) keeps a user's verified value in force when UpdateUserAttributes or
AdminUpdateUserAttributes changes it: the code goes to the *new* value, which is held aside
(the ``pending_attributes`` table) while GetUser, sign-in and messages go on using the old one;
VerifyUserAttribute with that code puts the new value in place, verified. An admin who sets
``email_verified`` / ``phone_number_verified`` to ``true`` in the same request changes the value
at once and no message is sent, as AWS documents.

Choices where AWS's documentation is silent: the rule applies only to an attribute the pool also
verifies automatically (no code could be sent otherwise) and only when the current value is
verified (an unverified value is nothing to keep: the change applies at once, unverified, as
without the setting); setting the attribute back to its current value, or deleting it, drops
the held value; a new change replaces it.
"""

from __future__ import annotations

from typing import Any

from pyamplify.local.backend import Backend
from pyamplify.local.idp import outbox
from pyamplify.local.store.userpools import UserRecord

_CONTACTS = ("email", "phone_number")


def kept_attributes(pool: dict[str, Any]) -> set[str]:
    """The contact attributes whose verified value stays until a new one is verified."""
    settings = pool.get("UserAttributeUpdateSettings") or {}
    wanted = set(settings.get("AttributesRequireVerificationBeforeUpdate") or ())
    automatic = set(pool.get("AutoVerifiedAttributes") or ())
    return {name for name in _CONTACTS if name in wanted and name in automatic}


def hold_changes(
    backend: Backend,
    pool: dict[str, Any],
    user: UserRecord,
    changes: dict[str, str],
    *,
    admin: bool,
) -> dict[str, str]:
    """Take the changes that must wait out of ``changes`` (in place) and hold them; returns
    them as ``{attribute: new value}``."""
    held: dict[str, str] = {}
    for name in sorted(kept_attributes(pool)):
        if name not in changes:
            continue
        value, current = changes[name], user.attributes.get(name)
        verified = f"{name}_verified"
        if admin and changes.get(verified) == "true":  # verified by the admin: at once
            backend.store.drop_pending_attribute(pool["Id"], user.username, name)
            continue
        if value in ("", current):  # deleted, or back to the value in force: nothing waits
            backend.store.drop_pending_attribute(pool["Id"], user.username, name)
            continue
        if not current or user.attributes.get(verified) != "true":
            continue  # no verified value to keep: the change applies at once
        del changes[name]
        held[name] = value
        backend.store.put_pending_attribute(pool["Id"], user.username, name, value, backend.now())
    return held


def send_codes(
    backend: Backend,
    pool: dict[str, Any],
    user: UserRecord,
    held: dict[str, str],
    client_id: str | None,
) -> list[dict[str, str]]:
    """A verification code to each held value (its CodeDeliveryDetails name the new value)."""
    return [
        outbox.deliver_code(
            backend,
            pool,
            user,
            code_key=f"verify:{name}",
            purpose="UpdateUserAttribute",
            attribute=name,
            client_id=client_id,
            destination=value,
        )
        for name, value in held.items()
    ]


def held_value(backend: Backend, pool: dict[str, Any], user: UserRecord, name: str) -> str | None:
    """The value waiting for ``name``'s code, if any (a new code goes there)."""
    return backend.store.pending_attribute(pool["Id"], user.username, name)


def apply_verified(backend: Backend, pool: dict[str, Any], user: UserRecord, name: str) -> None:
    """VerifyUserAttribute accepted the code: a held value replaces the one in force."""
    value = held_value(backend, pool, user, name)
    if value is not None:
        user.attributes[name] = value
        backend.store.drop_pending_attribute(pool["Id"], user.username, name)
