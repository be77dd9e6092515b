"""What a code's message says: the pool's templates, then the CustomMessage trigger.

Cognito fills a template per occasion and medium, with ``{####}`` for the code and
``{username}`` for the user name, from the pool's settings or its defaults:

* verification (SignUp, ResendCode, ForgotPassword, UpdateUserAttribute, VerifyUserAttribute):
  ``VerificationMessageTemplate`` (``SmsMessage``, ``EmailMessage``, ``EmailSubject``), else the
  older ``SmsVerificationMessage`` / ``EmailVerificationMessage`` / ``EmailVerificationSubject``,
  else "Your verification code is {####}." / "Your verification code";
* AdminCreateUser's invitation: ``AdminCreateUserConfig.InviteMessageTemplate``, else "Your
  username is {username} and temporary password is {####}." / "Your temporary password";
* sign-in codes (Authentication): ``SmsAuthenticationMessage`` for SMS,
  ``EmailMfaConfiguration`` for e-mail, else "Your authentication code is {####}.".

Then ``MESSAGE`` contributors (the CustomMessage trigger) may rewrite the texts, and the outbox
records the result with the placeholders filled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pyamplify.local.backend import Backend
from pyamplify.local.idp import hooks
from pyamplify.local.store.userpools import UserRecord

CODE = "{####}"
USERNAME = "{username}"
_VERIFY = ("Your verification code is {####}.", "Your verification code")
_INVITE = (
    "Your username is {username} and temporary password is {####}.",
    "Your temporary password",
)
_AUTH = ("Your authentication code is {####}.", "Your authentication code")


@dataclass(frozen=True)
class Rendered:
    """A message as it would go out (placeholders filled in)."""

    subject: str | None
    text: str


def _defaults(pool: dict[str, Any], source: str) -> tuple[str, str, str]:
    """``(sms, email, email subject)`` for ``source`` from the pool's settings."""
    if source == "AdminCreateUser":
        invite = (pool.get("AdminCreateUserConfig") or {}).get("InviteMessageTemplate") or {}
        return (
            invite.get("SMSMessage") or _INVITE[0],
            invite.get("EmailMessage") or _INVITE[0],
            invite.get("EmailSubject") or _INVITE[1],
        )
    if source == "Authentication":
        email = pool.get("EmailMfaConfiguration") or {}
        return (
            pool.get("SmsAuthenticationMessage") or _AUTH[0],
            email.get("Message") or _AUTH[0],
            email.get("Subject") or _AUTH[1],
        )
    template = pool.get("VerificationMessageTemplate") or {}
    return (
        template.get("SmsMessage") or pool.get("SmsVerificationMessage") or _VERIFY[0],
        template.get("EmailMessage") or pool.get("EmailVerificationMessage") or _VERIFY[0],
        template.get("EmailSubject") or pool.get("EmailVerificationSubject") or _VERIFY[1],
    )


def render(
    backend: Backend,
    pool: dict[str, Any],
    user: UserRecord,
    *,
    source: str,
    medium: str | None,
    code: str,
    client_metadata: dict[str, str] | None = None,
    client_id: str | None = None,
) -> Rendered:
    """The message ``user`` would get for ``source`` by ``medium`` (``EMAIL`` or ``SMS``),
    sent by a call of app client ``client_id`` (``None``: an admin call)."""
    sms, email, subject = _defaults(pool, source)
    message = hooks.Message(
        pool, user, source, sms, email, subject, client_metadata or {}, client_id
    )
    for contributor in hooks.MESSAGE:
        contributor(backend, message)
    if medium == "SMS":
        return Rendered(None, _fill(message.sms_message, code, user))
    return Rendered(
        _fill(message.email_subject, code, user), _fill(message.email_message, code, user)
    )


def _fill(text: str, code: str, user: UserRecord) -> str:
    return text.replace(CODE, code).replace(USERNAME, user.username)
