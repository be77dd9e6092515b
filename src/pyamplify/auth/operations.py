"""Every multi-step Auth operation, written once for ``Auth`` and ``AsyncAuth``.

An operation is a sans-I/O generator one level above the flows: it runs flows with
``yield from`` and yields :mod:`pyamplify.auth.effects` for store work and locks, so every
decision (is the session fresh, did another process refresh it, may a guest have credentials)
is made here once and the two drivers only carry effects out. The refresh is a single flight at
two levels: the object's ``REFRESH`` lock, then the store's lock on the session key. See
docs/architecture.md ("Auth": operations, effects, drivers; single-flight refresh).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from pyamplify.auth import device_operations as devices
from pyamplify.auth._core import credentials_or_raise
from pyamplify.auth._identity_core import no_identity_pool
from pyamplify.auth.effects import IDENTITY, REFRESH, Blocking, Exclusive, Op, StoreLocked
from pyamplify.auth.errors import AlreadySignedInError, NoSignInInProgressError, SignedOutError
from pyamplify.auth.flows import (
    USER_AUTH,
    SignInOutcome,
    confirm_sign_in_flow,
    get_user_flow,
    global_sign_out_flow,
    refresh_flow,
    resend_sign_up_code_flow,
    revoke_token_flow,
    sign_in_flow,
    sign_up_flow,
)
from pyamplify.auth.identity_flows import credentials_flow
from pyamplify.auth.mfa_flows import (
    fetch_mfa_preference_flow,
    set_up_totp_flow,
    update_mfa_preference_flow,
    verify_totp_setup_flow,
)
from pyamplify.auth.passkey_sign_in import answer_passkey_op
from pyamplify.auth.results import (
    AuthUser,
    CodeDeliveryDetails,
    MFAPreference,
    SignInDetails,
    SignInResult,
    SignOutResult,
    SignUpResult,
    TOTPSetupDetails,
)
from pyamplify.auth.session import SIGNED_OUT, AuthSession, CachedSession, StoredSession
from pyamplify.errors import PyamplifyError
from pyamplify.storage.base import StorageError

if TYPE_CHECKING:
    from pyamplify.auth._core import AuthCore
    from pyamplify.auth._identity_core import IdentityCore, Memo
    from pyamplify.auth.credentials import AWSCredentials, IdentityRecord


def already_signed_in(cached: CachedSession, profile: str) -> AlreadySignedInError:
    """The error for ``sign_in`` while someone is signed in (Amplify refuses it too)."""
    return AlreadySignedInError(
        f"{cached.stored.login_id!r} is already signed in on profile {profile!r}; sign out "
        "first (sign_out() / `pyamplify auth sign-out`) or use another profile"
    )


def signed_out_error(profile: str) -> SignedOutError:
    """The error for operations that need a signed-in user."""
    return SignedOutError(
        f"no user is signed in on profile {profile!r}; sign in first "
        "(sign_in() / `pyamplify auth sign-in`)"
    )


def user_of(cached: CachedSession) -> AuthUser:
    """``get_current_user``'s answer for a session."""
    stored = cached.stored
    return AuthUser(
        username=stored.username,
        user_id=stored.user_sub or "",
        sign_in_details=SignInDetails(stored.login_id, stored.auth_flow_type),
    )


# ---------------------------------------------------------------------- sign-up
def sign_up_op(
    core: AuthCore,
    username: str,
    password: str | None,
    attributes: Mapping[str, str] | None,
    validation_data: Mapping[str, str] | None,
    client_metadata: Mapping[str, str] | None,
    auto_sign_in: bool | str = False,
) -> Op[SignUpResult]:
    """``sign_up``: the SignUp flow for this app client (``auto_sign_in``: remember the user for
    ``auto_sign_in()``, :mod:`.user_auth_operations`)."""
    from pyamplify.auth.user_auth_operations import start_auto_sign_in

    result = yield from sign_up_flow(
        core.context,
        username,
        password,
        attributes=attributes,
        validation_data=validation_data,
        client_metadata=client_metadata,
    )
    return start_auto_sign_in(core, username, password, auto_sign_in, result)


def resend_sign_up_code_op(
    core: AuthCore, username: str, client_metadata: Mapping[str, str] | None
) -> Op[CodeDeliveryDetails | None]:
    """``resend_sign_up_code``: the ResendConfirmationCode flow for this app client."""
    ctx = core.context
    return (yield from resend_sign_up_code_flow(ctx, username, client_metadata=client_metadata))


# ---------------------------------------------------------------------- sign-in
def sign_in_op(
    core: AuthCore,
    identity: IdentityCore | None,
    username: str,
    password: str | None,
    flow: str | None,
    client_metadata: Mapping[str, str] | None,
    preferred_challenge: str | None = None,
) -> Op[SignInResult]:
    """``sign_in``: refused over a signed-in profile, else the sign-in flow and its result (a
    passkey challenge answered by the authenticator; ``preferred_challenge`` implies
    USER_AUTH)."""
    cached = yield from current_op(core)
    if cached is not None:
        raise already_signed_in(cached, core.profile)
    if preferred_challenge is not None and flow is None:
        flow = USER_AUTH
    return (
        yield from flow_sign_in_op(
            core,
            identity,
            username,
            password,
            core.sign_in_flow_type(flow),
            client_metadata,
            preferred_challenge=preferred_challenge,
        )
    )


def flow_sign_in_op(
    core: AuthCore,
    identity: IdentityCore | None,
    username: str,
    password: str | None,
    flow_type: str,
    client_metadata: Mapping[str, str] | None,
    *,
    preferred_challenge: str | None = None,
    session: str | None = None,
) -> Op[SignInResult]:
    """The sign-in itself, once nobody is signed in (``sign_in`` and ``auto_sign_in``): the
    flow, naming the user's remembered device where a password flow can (the device book is
    read only then), a passkey challenge answered by the authenticator, and the result."""
    book = None
    if password and flow_type != USER_AUTH:
        book = yield from devices.device_book_op(core)
    outcome = yield from sign_in_flow(
        core.context,
        username,
        password,
        flow_type=flow_type,
        client_metadata=client_metadata,
        now=core.now,
        preferred_challenge=preferred_challenge,
        session=session,
        devices=book.find if book is not None else None,
    )
    outcome = yield from answer_passkey_op(core, outcome, client_metadata)
    return (yield from _finish_sign_in(core, identity, outcome))


def confirm_sign_in_op(
    core: AuthCore,
    identity: IdentityCore | None,
    challenge_response: str,
    attributes: Mapping[str, str] | None,
    client_metadata: Mapping[str, str] | None,
    friendly_device_name: str | None = None,
) -> Op[SignInResult]:
    """``confirm_sign_in``: answer the pending challenge and take the result."""
    pending = core.pending
    if pending is None:
        raise NoSignInInProgressError("no sign-in is waiting for a next step; call sign_in() first")
    outcome = yield from confirm_sign_in_flow(
        core.context,
        pending,
        challenge_response,
        attributes=attributes,
        client_metadata=client_metadata,
        friendly_device_name=friendly_device_name,
        now=core.now,
    )
    offered = pending.available_challenges
    outcome = yield from answer_passkey_op(core, outcome, client_metadata, offered)
    return (yield from _finish_sign_in(core, identity, outcome))


def _finish_sign_in(
    core: AuthCore, identity: IdentityCore | None, outcome: SignInOutcome
) -> Op[SignInResult]:
    """Keep a finished sign-in (store, memory, event; the previous principal's credentials
    cleared; a new device confirmed) or remember the pending next step."""
    yield from devices.after_sign_in_step_op(core, outcome)
    stored = core.signed_in_record(outcome)
    if stored is not None:
        try:
            yield StoreLocked(core.key, _save_session(core, stored))
        except StorageError as error:
            raise (yield from _undo_unsaved_sign_in(core, stored, error)) from None
        yield from _clear_credentials(identity)
        core.signed_in(stored)
        yield from devices.confirm_new_device_op(core, outcome, stored)
    return outcome.result


def _save_session(core: AuthCore, stored: StoredSession) -> Op[None]:
    """Holding the store lock on the session: write ``stored``."""
    yield Blocking(core.store.save, core.key, stored.to_dict())


def _erase_session(core: AuthCore) -> Op[None]:
    """Holding the store lock on the session: delete it."""
    yield Blocking(core.store.delete, core.key)


def _clear_credentials(identity: IdentityCore | None) -> Op[None]:
    """Sign-in and sign-out: forget the current credentials and the expiry marker, in memory
    and (holding the store lock on the identity record) in the store."""
    if identity is None:
        return
    identity.forget()
    yield StoreLocked(identity.key, _clear_credentials_locked(identity))


def _clear_credentials_locked(identity: IdentityCore) -> Op[None]:
    record: IdentityRecord = yield Blocking(identity.read)
    if record.current is not None or record.expired_login is not None:
        yield Blocking(identity.write, identity.cleared(record))


def _undo_unsaved_sign_in(
    core: AuthCore, stored: StoredSession, error: StorageError
) -> Op[StorageError]:
    """Cognito signed the user in but the store refused the session (e.g. a locked keyring):
    revoke its refresh token, which nobody holds, rather than leave it live. The error to raise
    says so, keeping the store error's type (``KeyringLockedError`` stays one)."""
    refresh = stored.tokens.refresh_token
    if refresh and "origin_jti" in stored.tokens.access_token.claims:
        try:
            yield from revoke_token_flow(core.context, refresh)
            undone = "so the sign-in was undone (its refresh token revoked)"
        except PyamplifyError as revoke_error:
            undone = f"and revoking its refresh token failed too ({revoke_error})"
    else:
        undone = "and its refresh token cannot be revoked (token revocation is off)"
    message = f"signed in at Cognito, but the session could not be saved, {undone}: {error}"
    return type(error)(message)


# ---------------------------------------------------------------------- the user
def current_user_op(core: AuthCore) -> Op[AuthUser]:
    """``get_current_user``: the signed-in user (refreshing the session first if it is due)."""
    yield from user_session_op(core)
    cached = core.cached
    if cached is None:
        raise signed_out_error(core.profile)
    return user_of(cached)


def access_token_op(core: AuthCore) -> Op[str]:
    """A fresh access token of the signed-in user (refreshed first when due), or the error
    that says nobody is signed in: what every call made as the user starts with."""
    session = yield from user_session_op(core)
    if session.tokens is None:
        raise signed_out_error(core.profile)
    return session.tokens.access_token.token


def user_attributes_op(core: AuthCore) -> Op[dict[str, str]]:
    """``fetch_user_attributes``: the attributes as Cognito holds them now (GetUser)."""
    access_token = yield from access_token_op(core)
    response = yield from get_user_flow(access_token)
    return {item["Name"]: item.get("Value", "") for item in response.get("UserAttributes", [])}


# ---------------------------------------------------------------------- MFA settings
def set_up_totp_op(core: AuthCore) -> Op[TOTPSetupDetails]:
    """``set_up_totp``: a new shared secret for the signed-in user."""
    access_token = yield from access_token_op(core)
    username = core.cached.stored.username if core.cached else ""
    return (yield from set_up_totp_flow(access_token, username))


def verify_totp_setup_op(core: AuthCore, code: str, friendly_device_name: str | None) -> Op[None]:
    """``verify_totp_setup``: VerifySoftwareToken with the app's first code."""
    access_token = yield from access_token_op(core)
    yield from verify_totp_setup_flow(access_token, code, friendly_device_name)


def update_mfa_preference_op(
    core: AuthCore, sms: str | None, totp: str | None, email: str | None
) -> Op[None]:
    """``update_mfa_preference``: SetUserMFAPreference for the signed-in user."""
    access_token = yield from access_token_op(core)
    yield from update_mfa_preference_flow(access_token, sms=sms, totp=totp, email=email)


def fetch_mfa_preference_op(core: AuthCore) -> Op[MFAPreference]:
    """``fetch_mfa_preference``: the enabled and preferred MFA types (GetUser)."""
    access_token = yield from access_token_op(core)
    return (yield from fetch_mfa_preference_flow(access_token))


# ---------------------------------------------------------------------- sign-out
def sign_out_op(
    core: AuthCore,
    identity: IdentityCore | None,
    global_sign_out: bool,
    open_browser: bool = True,
    open_url: Callable[[str], bool] | None = None,
    show_url: Callable[[str], None] | None = None,
) -> Op[SignOutResult]:
    """``sign_out``: revoke the refresh token (or GlobalSignOut with a fresh access token), then
    clear the local session whatever the server said; server failures go into the result.
    After a web sign-in the refresh token is revoked at ``/oauth2/revoke`` and the browser's
    Hosted UI session is ended at ``/logout`` (``open_browser``; else the URL is shown)."""
    cached = yield from current_op(core)
    core.pending = None
    if cached is None:
        yield from _clear_credentials(identity)
        return SignOutResult()
    revoke_error: PyamplifyError | None = None
    global_error: PyamplifyError | None = None
    if global_sign_out:
        access = cached.stored.tokens.access_token.token
        try:
            session = yield from user_session_op(core)
            if session.tokens is not None:
                access = session.tokens.access_token.token
        except PyamplifyError:
            pass  # a transient refresh failure: try with the token we have
        try:
            yield from global_sign_out_flow(access)
        except PyamplifyError as error:
            global_error = error
    web = "oauth" in cached.stored.extras
    tokens = (core.cached or cached).stored.tokens
    revocable = tokens.refresh_token and "origin_jti" in tokens.access_token.claims
    if not global_sign_out and not web and revocable:
        try:
            yield from revoke_token_flow(core.context, str(tokens.refresh_token))
        except PyamplifyError as error:
            revoke_error = error
    if web:
        from pyamplify.auth.web_operations import end_web_session_op

        failure = yield from end_web_session_op(
            core,
            None if global_sign_out else tokens.refresh_token,
            open_browser=open_browser,
            open_url=open_url,
            show_url=show_url,
        )
        if isinstance(failure, PyamplifyError):
            revoke_error = revoke_error or failure
    yield StoreLocked(core.key, _erase_session(core))
    yield from _clear_credentials(identity)
    core.signed_out(cached.stored.username)
    return SignOutResult(True, revoke_error, global_error)


# ---------------------------------------------------------------------- the session
def answer_from_memory(
    core: AuthCore, identity: IdentityCore | None, force: bool
) -> AuthSession | None:
    """``fetch_auth_session``'s answer when memory alone gives it (no generator, no I/O: the
    cache hit stays a clock read and a comparison), else ``None``: run :func:`session_op`."""
    if force or not core.loaded:
        return None
    cached = core.cached
    if identity is not None:
        return identity.hit(cached)
    if cached is None:
        return SIGNED_OUT
    return cached.session if core.clock() < cached.refresh_at else None


def current_op(core: AuthCore) -> Op[CachedSession | None]:
    """The in-memory session, reading the store first if this object has not yet."""
    if core.loaded:
        return core.cached
    cached: CachedSession | None = yield Blocking(core.load)
    return cached


def session_op(core: AuthCore, identity: IdentityCore | None, force: bool) -> Op[AuthSession]:
    """``fetch_auth_session``: the user-pool session (refreshed when due or forced) and, with an
    identity pool, the identity id and AWS credentials."""
    if identity is None:
        return (yield from user_session_op(core, force))
    if not force:
        remembered = identity.hit((yield from current_op(core)))
        if remembered is not None:
            return remembered
    user = yield from user_session_op(core, force)
    return (yield from credentials_op(core, identity, user, force))


def aws_credentials_op(
    core: AuthCore, identity: IdentityCore | None, force: bool
) -> Op[AWSCredentials]:
    """``fetch_aws_credentials``: the session's credentials, or the reason there are none."""
    if identity is None:
        raise no_identity_pool(core.config)
    return credentials_or_raise((yield from session_op(core, identity, force)))


def user_session_op(core: AuthCore, force: bool = False) -> Op[AuthSession]:
    """The user-pool part of the session alone (no identity-pool calls)."""
    cached = yield from current_op(core)
    if cached is None:
        return SIGNED_OUT
    if not force and core.clock() < cached.refresh_at:
        return cached.session
    session: AuthSession = yield Exclusive(REFRESH, _refresh_turn(core, cached, force))
    return session


def _refresh_turn(core: AuthCore, seen: CachedSession, force: bool) -> Op[AuthSession]:
    """Holding the object's refresh lock: use what a waited-for refresh left, else refresh."""
    cached = core.cached
    if cached is None:
        return SIGNED_OUT
    if core.settled_while_waiting(cached, seen, force):
        return cached.session
    session: AuthSession = yield StoreLocked(core.key, _refresh_locked(core, cached, force))
    return session


def _refresh_locked(core: AuthCore, cached: CachedSession, force: bool) -> Op[AuthSession]:
    """Holding the store lock: adopt another process's refresh or sign-out, else refresh."""
    stored = yield Blocking(core.read_store)
    if stored is None:  # signed out by another Auth object or process
        core.signed_out(cached.stored.username)
        return SIGNED_OUT
    if stored.tokens.access_token.token != cached.stored.tokens.access_token.token:
        cached = core.adopt(stored)  # refreshed by another process: use its tokens
        if force or core.is_fresh(cached):
            return cached.session
    refresh_token = cached.stored.tokens.refresh_token
    if not refresh_token:
        yield from _erase_session(core)
        return core.expired(cached.stored.username, None)
    try:
        result = yield from refresh_flow(
            core.context,
            refresh_token,
            device_key=cached.stored.device_key,
            client_metadata=core.refresh_client_metadata,
            username=cached.stored.username,
            fallback=core.refresh_fallback(),
        )
    except PyamplifyError as error:
        if not core.refresh_failed(error, cached.stored.username):
            raise
        yield from _erase_session(core)
        return core.expired(cached.stored.username, error)
    # The server may have rotated the refresh token (the old one dies after the client's grace
    # period, 0 s by default): the answer goes to the store before anything else happens, and
    # a rotated token is kept even when the rest of the answer cannot be read.
    fresh, unreadable = core.refreshed_record(result, cached.stored)
    if fresh is not cached.stored:
        yield from _save_session(core, fresh)
    if unreadable is not None:
        core.adopt(fresh)
        core.refresh_failed(unreadable, cached.stored.username)
        raise unreadable
    return core.refreshed(fresh)


# ---------------------------------------------------------------------- identity pool
def credentials_op(
    core: AuthCore, identity: IdentityCore, user: AuthSession, force: bool
) -> Op[AuthSession]:
    """``user`` with the identity id and AWS credentials (or ``credentials_error``), fetched in
    a single flight: the object's identity lock, then the store lock on the identity record."""
    expired = core.take_expired()
    seen = identity.memo
    body = _credentials_turn(core, identity, user, expired, force, seen)
    session: AuthSession = yield Exclusive(IDENTITY, body)
    return session


def _credentials_turn(
    core: AuthCore,
    identity: IdentityCore,
    user: AuthSession,
    expired: str | None,
    force: bool,
    seen: Memo | None,
) -> Op[AuthSession]:
    """Holding the object's identity lock: use what a waited-for fetch left, else fetch."""
    tokens = core.cached
    if not force:
        settled = identity.settled(tokens, seen)
        if settled is not None:
            return settled
    body = _credentials_locked(identity, user, tokens, expired, force, seen)
    session: AuthSession = yield StoreLocked(identity.key, body)
    return session


def _credentials_locked(
    identity: IdentityCore,
    user: AuthSession,
    tokens: CachedSession | None,
    expired: str | None,
    force: bool,
    seen: Memo | None,
) -> Op[AuthSession]:
    """Holding the store lock on the identity record: serve, refuse or fetch credentials."""
    user = identity.align(user, tokens)
    principal = identity.principal(user, tokens)
    record: IdentityRecord = yield Blocking(identity.read)
    if expired is not None and principal.login is None:
        record = identity.expired(record, expired)
        yield Blocking(identity.write, record)
    refusal = identity.refusal(record, principal)
    if refusal is not None:
        return identity.remember(tokens, user, None, refusal)
    if identity.usable(record.current, principal, force, seen):
        return identity.remember(tokens, user, record.current)
    flow = credentials_flow(
        identity.identity_pool_id, principal.logins, record.identity_of(principal.login)
    )
    try:
        answer = yield from flow
    except PyamplifyError as error:
        return identity.remember(tokens, user, None, error)
    record, current = identity.fetched(record, principal, answer)
    yield Blocking(identity.write, record)
    return identity.remember(tokens, user, current)
