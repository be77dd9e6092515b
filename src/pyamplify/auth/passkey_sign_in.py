"""The WEB_AUTHN sign-in challenge, answered by the passkey authenticator (one operation step).

Amplify JS v6 answers Cognito's WEB_AUTHN challenge inside ``signIn`` / ``confirmSignIn``
(``handleWebAuthnSignInResult.ts``): the request options go to the platform's authenticator and
its AuthenticationResponseJSON goes back as ``CREDENTIAL``. Here the authenticator is the
``Auth`` object's (``passkey_authenticator=``) or the machine's (:mod:`.passkeys`), asked
through a :class:`~pyamplify.auth.effects.Blocking` effect, so ``AsyncAuth`` waits for the
security key's touch off the event loop. A second WEB_AUTHN in a row is refused, as Amplify does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from pyamplify.auth.effects import Blocking, Op
from pyamplify.auth.errors import PasskeyError
from pyamplify.auth.flows import SignInOutcome, confirm_sign_in_flow
from pyamplify.auth.passkeys import OTHER_FACTORS, default_authenticator, origin_for

if TYPE_CHECKING:
    from pyamplify.auth._core import AuthCore
    from pyamplify.auth.passkeys import PasskeyAuthenticator

WEB_AUTHN = "WEB_AUTHN"


def other_factors(available: Iterable[str]) -> tuple[str, ...]:
    """The first factors to name when passkeys cannot be used: those Cognito offered, else all."""
    offered = tuple(factor for factor in available if factor != WEB_AUTHN)
    return offered or OTHER_FACTORS


def answer_passkey_op(
    core: AuthCore,
    outcome: SignInOutcome,
    client_metadata: Mapping[str, str] | None,
    offered: Iterable[str] = (),
) -> Op[SignInOutcome]:
    """If ``outcome`` waits for WEB_AUTHN, answer it with the authenticator; else pass it on.
    ``offered``: the first factors Cognito offered before (named if no authenticator exists)."""
    pending = outcome.pending
    if pending is None or pending.name != WEB_AUTHN:
        return outcome
    core.pending = pending  # answerable by hand if the authenticator fails
    unreadable = PasskeyError("Cognito's WEB_AUTHN challenge has no readable request options")
    try:
        options = json.loads(pending.parameters.get("CREDENTIAL_REQUEST_OPTIONS", ""))
    except ValueError:
        raise unreadable from None
    if not isinstance(options, dict):
        raise unreadable
    credential = yield from authenticator_op(core, "get", options, other_factors(offered))
    answered = yield from confirm_sign_in_flow(
        core.context,
        pending,
        json.dumps(credential, separators=(",", ":")),
        client_metadata=client_metadata,
        now=core.now,
    )
    if answered.pending is not None and answered.pending.name == WEB_AUTHN:
        raise PasskeyError("Cognito asked for a second passkey in a row, which cannot be handled")
    return answered


def authenticator_op(
    core: AuthCore,
    method: Literal["create", "get"],
    options: Mapping[str, Any],
    others: Iterable[str] = OTHER_FACTORS,
) -> Op[dict[str, Any]]:
    """The passkey authenticator's answer to WebAuthn ``options``: ``create`` (registration) or
    ``get`` (sign-in), by ``Auth(passkey_authenticator=...)`` or else this machine's (whose
    absence names ``others``), for the origin the options' relying party calls for. Both run
    off the event loop (a security key waits for a touch)."""
    authenticator: PasskeyAuthenticator = core.passkey_authenticator or (
        yield Blocking(default_authenticator, others)
    )
    origin = origin_for(options, core.passkey_origin)
    answer: dict[str, Any] = yield Blocking(getattr(authenticator, method), options, origin)
    return answer
