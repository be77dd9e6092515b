"""CustomMessage: the text of every code the pool sends, rewritten by the pool's function.

Sources (reference §3): ``CustomMessage_SignUp``, ``_ResendCode``, ``_ForgotPassword``,
``_UpdateUserAttribute``, ``_VerifyUserAttribute``, ``_AdminCreateUser``, ``_Authentication``.
The request carries ``userAttributes``, ``codeParameter`` (``{####}``), ``usernameParameter``
(``{username}``, AdminCreateUser only; null otherwise) and ``clientMetadata``; the response's
``smsMessage``, ``emailMessage`` and ``emailSubject`` replace the pool's texts when given (null
keeps the pool's). The outbox then records the message with the placeholders filled in.
"""

from __future__ import annotations

from typing import Any

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp import hooks
from pyamplify.local.lambdas.errors import UNRECOGNIZABLE_OUTPUT
from pyamplify.local.triggers import events
from pyamplify.local.triggers.invoke import call, function_of, response_of

_FIELDS = (
    ("smsMessage", "sms_message"),
    ("emailMessage", "email_message"),
    ("emailSubject", "email_subject"),
)


@hooks.MESSAGE.register
def custom_message(backend: Backend, message: hooks.Message) -> None:
    """Run the pool's CustomMessage function on a message about to be recorded."""
    arn = function_of(message.pool, "CustomMessage")
    if arn is None:
        return
    request: dict[str, Any] = {
        "userAttributes": events.user_attributes(message.user),
        "codeParameter": "{####}",
        "usernameParameter": "{username}" if message.source == "AdminCreateUser" else None,
    }
    if message.client_metadata:
        request["clientMetadata"] = dict(message.client_metadata)
    event = events.event(
        backend,
        message.pool,
        f"CustomMessage_{message.source}",
        username=message.user.username,
        client_id=message.client_id,
        request=request,
        response={"smsMessage": None, "emailMessage": None, "emailSubject": None},
    )
    response = response_of(call(backend, arn, "CustomMessage", event))
    for wire_name, attribute in _FIELDS:
        value = response.get(wire_name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise errors.InvalidLambdaResponseException(UNRECOGNIZABLE_OUTPUT)
        setattr(message, attribute, value)
