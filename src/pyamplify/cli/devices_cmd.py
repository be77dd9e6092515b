"""``pyamplify auth devices list | remember | forget``: the signed-in user's remembered devices.

In a user pool that tracks devices, every sign-in from a new computer registers it (the library
does ConfirmDevice and keeps the device's key and password in the profile's store); a remembered
device may then sign in without an MFA code. ``list`` shows the user's devices (this computer's
marked), ``remember`` has Cognito remember this computer (pools that remember devices only when
the user says so), ``forget`` has it forget one (by id) or this computer. Only the standard
library is imported at import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pyamplify.cli.auth_common import open_auth
from pyamplify.cli.parsing import add_command, add_group
from pyamplify.cli.report import emit

if TYPE_CHECKING:
    import argparse
    from datetime import datetime

    from pyamplify.auth import AuthDevice
    from pyamplify.cli.parsing import Subparsers


def register(commands: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``auth devices`` and its subcommands."""
    which = add_group(
        commands,
        "devices",
        help="the signed-in user's remembered devices: list, remember this one, forget one",
        description=(
            "The devices Cognito remembers for the signed-in user (user pools that track "
            "devices). A remembered device can sign in without an MFA code."
        ),
    )
    add_command(which, "list", run_list, parents=[common], help="the user's devices")
    add_command(
        which,
        "remember",
        run_remember,
        parents=[common],
        help="have Cognito remember this computer (it may then skip MFA)",
    )
    forget = add_command(
        which,
        "forget",
        run_forget,
        parents=[common],
        help="have Cognito forget a device (default: this computer)",
        description=(
            "Forget DEVICE_ID (from `auth devices list`), or this computer: its next sign-in is "
            "a new device (asked for MFA again), and a session on a forgotten device stops "
            "refreshing."
        ),
    )
    forget.add_argument("device_id", nargs="?", metavar="DEVICE_ID", help="the device to forget")


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _device_document(device: AuthDevice, current: str | None) -> dict[str, Any]:
    return {
        "id": device.id,
        "name": device.name,
        "remembered": device.remembered,
        "this_device": device.id == current,
        "created": _when(device.create_date),
        "last_authenticated": _when(device.last_authenticated_date),
        "last_modified": _when(device.last_modified_date),
        "attributes": dict(device.attributes),
    }


def run_list(args: argparse.Namespace) -> int:
    """``pyamplify auth devices list``."""
    with open_auth(args) as auth:
        devices = auth.fetch_devices()
        current = auth.current_device_key()
    documents = [_device_document(device, current) for device in devices]
    lines = []
    for item in documents:
        marks = ["remembered" if item["remembered"] else "not remembered"]
        if item["this_device"]:
            marks.append("this computer")
        seen = item["last_authenticated"] or item["created"] or "?"
        lines.append(
            f"{item['id']}  {item['name'] or '(no name)'}  ({', '.join(marks)}; "
            f"last sign-in {seen})"
        )
    emit(args, {"devices": documents}, "\n".join(lines) or "no devices")
    return 0


def run_remember(args: argparse.Namespace) -> int:
    """``pyamplify auth devices remember``."""
    with open_auth(args) as auth:
        auth.remember_device()
        current = auth.current_device_key()
    emit(
        args,
        {"remembered": True, "device_id": current},
        f"this computer's device {current} is remembered",
    )
    return 0


def run_forget(args: argparse.Namespace) -> int:
    """``pyamplify auth devices forget [DEVICE_ID]``."""
    with open_auth(args) as auth:
        current = auth.current_device_key()
        auth.forget_device(args.device_id)
    forgotten = args.device_id or current
    this_one = forgotten == current
    text = f"forgot {'this computer' if this_one else 'device'} {forgotten}"
    if this_one:
        text += "; its next sign-in is a new device (asked for MFA again)"
    emit(args, {"forgotten": forgotten, "this_device": this_one}, text)
    return 0
