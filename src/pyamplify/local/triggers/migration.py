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
from pyamplify.local.triggers import events
from pyamplify.local.triggers.invoke import call, flag, function_of, response_of, string_map

_STATUSES = ("CONFIRMED", "RESET_REQUIRED")


@hooks.USER_MIGRATION.register
def migrate_user(backend: Backend, migration: hooks.Migration) -> hooks.MigratedUser | None:
    """Ask the pool's UserMigration function about an unknown user name."""
    arn = function_of(migration.pool, "UserMigration")
    if arn is None:
        return None
    request: dict[str, Any] = {}
    metadata = dict(hooks.current_request().client_metadata)
    if migration.password is not None:
        request["password"] = migration.password
        request["validationData"] = metadata or None
    elif metadata:
        request["clientMetadata"] = metadata
    event = events.event(
        backend,
        migration.pool,
        f"UserMigration_{migration.source}",
        username=migration.username,
        client_id=migration.client["ClientId"],
        request=request,
    )
    response = response_of(call(backend, arn, "UserMigration", event))
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
