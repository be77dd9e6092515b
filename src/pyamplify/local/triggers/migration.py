"""UserMigration: a user this pool does not know is looked up in a legacy store and moved in.

Called (reference §3) for USER_PASSWORD_AUTH / ADMIN_USER_PASSWORD_AUTH sign-ins
(``UserMigration_Authentication``, with the typed ``password``; InitiateAuth's ClientMetadata as
``validationData``) and for ForgotPassword (``UserMigration_ForgotPassword``, no password; its
ClientMetadata as ``clientMetadata``). An answer with ``userAttributes`` creates the user with
``finalUserStatus`` (``CONFIRMED``, else ``RESET_REQUIRED``); an answer without them leaves the
user unknown; raising is ``UserLambdaValidationException``. SRP sign-ins never migrate: Cognito
would need the password, which SRP never shows it.
"""

from __future__ import annotations

from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp import hooks
from pyamplify.local.lambdas.errors import UNRECOGNIZABLE_OUTPUT
from pyamplify.local.triggers.invoke import Subject, flag, string_map

_STATUSES = ("CONFIRMED", "RESET_REQUIRED")


@hooks.USER_MIGRATION.register
def migrate_user(backend: Backend, migration: hooks.Migration) -> hooks.MigratedUser | None:
    """Ask the pool's UserMigration function about an unknown user name."""
    metadata = dict(hooks.current_request().client_metadata)

    def request() -> dict[str, Any]:
        if migration.password is None:  # ForgotPassword: ClientMetadata as clientMetadata
            return {"clientMetadata": metadata} if metadata else {}
        return {"password": migration.password, "validationData": metadata or None}

    subject = Subject(migration.pool, migration.username, migration.client["ClientId"])
    source = f"UserMigration_{migration.source}"
    response = subject.run(backend, "UserMigration", source, request)
    if response is None:
        return None
    attributes = string_map(response, "userAttributes")
    if not attributes:
        return None
    status = response.get("finalUserStatus") or "RESET_REQUIRED"
    action = response.get("messageAction")
    if status not in _STATUSES or action not in (None, "SUPPRESS", "RESEND"):
        raise errors.InvalidLambdaResponseException(UNRECOGNIZABLE_OUTPUT)
    if migration.password is None:
        status = "RESET_REQUIRED"  # no password came with ForgotPassword: the reset sets one
    return hooks.MigratedUser(
        attributes=attributes,
        final_status=str(status),
        message_action=action,
        force_alias_creation=flag(response, "forceAliasCreation"),
    )
