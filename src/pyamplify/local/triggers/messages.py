"""CustomMessage: the text of every code the pool sends, rewritten by the pool's function.

Sources (reference §3): ``CustomMessage_SignUp``, ``_ResendCode``, ``_ForgotPassword``,
``_UpdateUserAttribute``, ``_VerifyUserAttribute``, ``_AdminCreateUser``, ``_Authentication``.
The request carries ``userAttributes``, ``codeParameter`` (``{####}``), ``usernameParameter``
(``{username}``, AdminCreateUser only; null otherwise) and ``clientMetadata``; the response's
``smsMessage``, ``emailMessage`` and ``emailSubject`` replace the pool's texts when given (null
keeps the pool's). The outbox then records the message with the placeholders filled in.
"""

from __future__ import annotations

from pyamplify.local import errors
from pyamplify.local.backend import Backend
from pyamplify.local.idp import hooks
from pyamplify.local.lambdas.errors import UNRECOGNIZABLE_OUTPUT
from pyamplify.local.triggers import events
from pyamplify.local.triggers.invoke import Subject

_FIELDS = (
    ("smsMessage", "sms_message"),
    ("emailMessage", "email_message"),
    ("emailSubject", "email_subject"),
)


@hooks.MESSAGE.register
def custom_message(backend: Backend, message: hooks.Message) -> None:
    """Run the pool's CustomMessage function on a message about to be recorded."""
    response = Subject(message.pool, message.user.username, message.client_id).run(
        backend,
        "CustomMessage",
        f"CustomMessage_{message.source}",
        lambda: {
            "userAttributes": events.user_attributes(message.user),
            "codeParameter": "{####}",
            "usernameParameter": "{username}" if message.source == "AdminCreateUser" else None,
        },
        metadata=message.client_metadata,
        response={"smsMessage": None, "emailMessage": None, "emailSubject": None},
    )
    if response is None:
        return
    for wire_name, attribute in _FIELDS:
        value = response.get(wire_name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise errors.InvalidLambdaResponseException(UNRECOGNIZABLE_OUTPUT)
        setattr(message, attribute, value)
