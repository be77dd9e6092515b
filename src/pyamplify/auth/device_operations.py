"""Remembered devices, written once for ``Auth`` and ``AsyncAuth``: kept across sign-ins in the
store, confirmed after the sign-in that hands one out, and the signed-in user's device calls.

* Before a sign-in, the profile's device record (:mod:`pyamplify.auth.device_store`) is read so
  that the sign-in can name the user's device; a device Cognito no longer knows is dropped from
  it (the sign-in went on without it, as Amplify's do).
* A sign-in whose tokens come with ``NewDeviceMetadata`` is followed by ConfirmDevice at once,
  as Amplify JS does; the device is kept only when Cognito accepted it, and a failure there is
  not the sign-in's (it is logged at debug level and the sign-in succeeds, as in Amplify).
* ``remember_device`` (UpdateDeviceStatus remembered), ``forget_device`` (ForgetDevice, and the
  local copy when it is this computer's device) and ``fetch_devices`` (ListDevices) take a
  fresh access token of the signed-in user.

The record is written holding the store's lock on its key, so two processes signing in on one
profile do not lose each other's devices. The record is best effort: a store that cannot be read
(a locked keyring) means no device (the sign-in is a new device, asked for MFA), one that cannot
be written means the device is not kept; either is logged as a warning and never fails a
sign-in or a device call that Cognito accepted.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from pyamplify.auth.device_flows import (
    confirm_device_flow,
    fetch_devices_flow,
    forget_device_flow,
    update_device_status_flow,
)
from pyamplify.auth.device_results import AuthDevice
from pyamplify.auth.device_store import DeviceBook, RememberedDevice, device_book_key
from pyamplify.auth.effects import Blocking, Op, StoreLocked
from pyamplify.auth.errors import DeviceNotTrackedError
from pyamplify.errors import PyamplifyError
from pyamplify.storage.base import StorageError

if TYPE_CHECKING:
    from pyamplify.auth._core import AuthCore
    from pyamplify.auth.flows import SignInOutcome
    from pyamplify.auth.session import StoredSession

logger = logging.getLogger("pyamplify.auth")

NOT_TRACKED = (
    "this device has no device key: it was never tracked (the user pool does not remember "
    "devices, or its ConfirmDevice failed) or it was forgotten; sign in again to get one"
)


def book_key(core: AuthCore) -> str:
    """The store key of ``core``'s device record."""
    ctx = core.context
    return device_book_key(ctx.user_pool_id, ctx.client_id, core.profile)


def read_device_book(core: AuthCore) -> DeviceBook:
    """The record, or an empty one when the store cannot be read (logged)."""
    try:
        return DeviceBook.from_dict(core.store.load(book_key(core)))
    except StorageError as error:
        logger.warning("remembered devices not read (signing in as a new device): %s", error)
        return DeviceBook()


def device_book_op(core: AuthCore) -> Op[DeviceBook]:
    """The profile's remembered devices (empty when none, or unreadable)."""
    book: DeviceBook = yield Blocking(read_device_book, core)
    return book


def _change(
    core: AuthCore, username: str, login_id: str, device: RememberedDevice | None
) -> Op[None]:
    """Holding the store lock on the record: read it, set or drop ``username``'s device, write
    (nothing is written over a record that could not be read)."""
    yield Blocking(_update, core, username, login_id, device)


def _update(core: AuthCore, username: str, login_id: str, device: RememberedDevice | None) -> None:
    try:
        book = DeviceBook.from_dict(core.store.load(book_key(core)))
        changed = book.with_device(username, login_id, device) if device else book.without(username)
        if changed != book:
            core.store.save(book_key(core), changed.to_dict())
    except StorageError as error:
        logger.warning("remembered devices not updated: %s", error)


def keep_device_op(
    core: AuthCore, username: str, login_id: str, device: RememberedDevice
) -> Op[None]:
    """Remember ``device`` as ``username``'s (found under ``login_id`` too)."""
    yield from _locked_change(core, _change(core, username, login_id, device))


def drop_device_op(core: AuthCore, name: str) -> Op[None]:
    """Forget the local copy of the device of the user called ``name``."""
    yield from _locked_change(core, _change(core, name, name, None))


def _locked_change(core: AuthCore, change: Op[None]) -> Op[None]:
    """``change`` holding the store's lock on the record (a lock that cannot be had: logged)."""
    try:
        yield StoreLocked(book_key(core), change)
    except StorageError as error:
        logger.warning("remembered devices not updated: %s", error)


# ---------------------------------------------------------------------- around sign-in


def after_sign_in_step_op(core: AuthCore, outcome: SignInOutcome) -> Op[None]:
    """A device Cognito said it does not know is dropped from the record."""
    if outcome.forgotten_device is not None:
        yield from drop_device_op(core, outcome.forgotten_device)


def confirm_new_device_op(
    core: AuthCore, outcome: SignInOutcome, stored: StoredSession
) -> Op[None]:
    """ConfirmDevice for a sign-in that handed out ``NewDeviceMetadata``, and keep the device.
    A refusal is logged, not raised: the sign-in itself succeeded."""
    metadata = (outcome.authentication or {}).get("NewDeviceMetadata")
    if not isinstance(metadata, dict):
        return
    try:
        device, _prompt = yield from confirm_device_flow(stored.tokens.access_token.token, metadata)
    except PyamplifyError as error:
        logger.debug("ConfirmDevice failed; this device is not remembered: %s", error)
        return
    yield from keep_device_op(core, stored.username, outcome.login_id, device)


# ---------------------------------------------------------------------- the user's devices


def _signed_in_op(core: AuthCore) -> Op[tuple[str, StoredSession]]:
    """A fresh access token and the session it belongs to (refreshed first when due)."""
    from pyamplify.auth.operations import access_token_op

    access_token = yield from access_token_op(core)
    cached = core.cached
    assert cached is not None  # access_token_op raised otherwise
    return access_token, cached.stored


def _current_device_key(core: AuthCore, stored: StoredSession) -> Op[str | None]:
    """This computer's device for the signed-in user: the session's, else the record's."""
    if stored.device_key:
        return stored.device_key
    book = yield from device_book_op(core)
    device = book.find(stored.username)
    return device.device_key if device is not None else None


def this_device_op(core: AuthCore) -> Op[str | None]:
    """``current_device_key``: this computer's device key for the signed-in user, or ``None``
    (nobody signed in, or no device); no network call."""
    from pyamplify.auth.operations import current_op

    cached = yield from current_op(core)
    if cached is None:
        return None
    return (yield from _current_device_key(core, cached.stored))


def remember_device_op(core: AuthCore) -> Op[None]:
    """``remember_device``: UpdateDeviceStatus(remembered) for this computer's device."""
    access_token, stored = yield from _signed_in_op(core)
    device_key = yield from _current_device_key(core, stored)
    if device_key is None:
        raise DeviceNotTrackedError(NOT_TRACKED)
    yield from update_device_status_flow(access_token, device_key, remembered=True)


def forget_device_op(core: AuthCore, device: AuthDevice | str | None) -> Op[None]:
    """``forget_device``: ForgetDevice for ``device`` (an ``AuthDevice`` or its id), else this
    computer's device; this computer's copy goes too when it is that device."""
    access_token, stored = yield from _signed_in_op(core)
    book = yield from device_book_op(core)
    mine = book.find(stored.username)
    current = stored.device_key or (mine.device_key if mine is not None else None)
    if device is None:
        if current is None:
            raise DeviceNotTrackedError(NOT_TRACKED)
        device_key = current
    else:
        device_key = device.id if isinstance(device, AuthDevice) else device
    yield from forget_device_flow(access_token, device_key)
    if device_key == current or (mine is not None and mine.device_key == device_key):
        yield from drop_device_op(core, stored.username)


def fetch_devices_op(core: AuthCore) -> Op[list[AuthDevice]]:
    """``fetch_devices``: the signed-in user's devices (every page of ListDevices)."""
    access_token, _stored = yield from _signed_in_op(core)
    return (yield from fetch_devices_flow(access_token))
