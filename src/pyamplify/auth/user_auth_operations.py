"""Sign-up's automatic sign-in, written once for ``Auth`` and ``AsyncAuth``.

As Amplify JS v6: ``sign_up(..., auto_sign_in=True)`` remembers the user (and the password, in
memory only) for this object; ``confirm_sign_up`` of the same user keeps the Session Cognito
answers with and says COMPLETE_AUTO_SIGN_IN; ``auto_sign_in()`` then signs the user in once:
with USER_AUTH and that Session (no code or password again; the way for a user who signed up
without a password), or with the sign-up's password in the configured flow (Amplify's
``autoSignIn: true`` does so). ``auto_sign_in`` may also name the flow (``"USER_AUTH"``, …).
Every ``confirm_sign_up`` runs :func:`confirm_sign_up_op` here, so that there is one ConfirmSignUp
operation; its Session is simply not kept when nobody waits to sign in.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from pyamplify.auth.effects import Op
from pyamplify.auth.errors import AutoSignInError
from pyamplify.auth.flows import USER_AUTH, confirm_sign_up_with_session_flow
from pyamplify.auth.operations import already_signed_in, current_op, flow_sign_in_op
from pyamplify.auth.results import SignInResult, SignUpNextStep, SignUpResult, SignUpStep

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pyamplify.auth._core import AuthCore
    from pyamplify.auth._identity_core import IdentityCore

#: Amplify JS's message for an autoSignIn() with nothing to sign in.
NOT_STARTED = (
    "The autoSignIn flow has not started, or has been cancelled/completed; call sign_up(..., "
    "auto_sign_in=True) and confirm_sign_up() first, or sign_in()"
)


@dataclass(frozen=True, repr=False)
class AutoSignIn:
    """A sign-up waiting to sign in by itself."""

    username: str
    password: str | None = field(repr=False)
    flow: str
    #: ConfirmSignUp's Session (USER_AUTH signs in with it once).
    session: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        return f"AutoSignIn({self.username!r}, flow={self.flow!r})"


def start_auto_sign_in(
    core: AuthCore,
    username: str,
    password: str | None,
    auto_sign_in: bool | str,
    result: SignUpResult,
) -> SignUpResult:
    """After SignUp: remember the user to sign in (``auto_sign_in`` true or a flow name)."""
    if not auto_sign_in:
        core.auto_sign_in = None
        return result
    if isinstance(auto_sign_in, str):
        flow = auto_sign_in
    else:
        flow = USER_AUTH if password is None else core.default_flow
    core.auto_sign_in = AutoSignIn(username, password, flow)
    if result.is_sign_up_complete:
        return replace(result, next_step=SignUpNextStep(SignUpStep.COMPLETE_AUTO_SIGN_IN))
    return result


def confirm_sign_up_op(
    core: AuthCore,
    username: str,
    code: str,
    force_alias_creation: bool,
    client_metadata: Mapping[str, str] | None,
) -> Op[SignUpResult]:
    """``confirm_sign_up``: the ConfirmSignUp flow for this app client; for a user waiting for
    auto sign-in, Cognito's Session is kept and the next step is COMPLETE_AUTO_SIGN_IN."""
    waiting = core.auto_sign_in
    result, session = yield from confirm_sign_up_with_session_flow(
        core.context,
        username,
        code,
        force_alias_creation=force_alias_creation,
        client_metadata=client_metadata,
    )
    if waiting is None or waiting.username != username:
        return result
    core.auto_sign_in = replace(waiting, session=session)
    return replace(result, next_step=SignUpNextStep(SignUpStep.COMPLETE_AUTO_SIGN_IN))


def auto_sign_in_op(
    core: AuthCore, identity: IdentityCore | None, client_metadata: Mapping[str, str] | None
) -> Op[SignInResult]:
    """``auto_sign_in``: sign the confirmed user in once (see the module docstring)."""
    waiting = core.auto_sign_in
    if waiting is None:
        raise AutoSignInError(NOT_STARTED)
    cached = yield from current_op(core)
    if cached is not None:
        raise already_signed_in(cached, core.profile)
    core.auto_sign_in = None  # one try, as Amplify's
    with_session = waiting.flow == USER_AUTH and waiting.session is not None
    # USER_AUTH without the Session (a sign-up confirmed elsewhere): the password, with SRP.
    by_password = waiting.flow == USER_AUTH and not with_session and waiting.password
    preferred = "PASSWORD_SRP" if by_password else None
    return (
        yield from flow_sign_in_op(
            core,
            identity,
            waiting.username,
            waiting.password,
            waiting.flow,
            client_metadata,
            preferred_challenge=preferred,
            session=waiting.session if with_session else None,
        )
    )
