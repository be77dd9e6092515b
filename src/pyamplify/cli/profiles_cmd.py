"""``pyamplify auth profiles``: every stored session, read from the store with no network call.

One line per session: the profile (``--profile`` of the other commands), the user, the user pool
and app client, whether it is signed in (tokens valid), its tokens expired (the next command
refreshes them, if the refresh token still works) or ended (no refresh token), and when the
tokens expire; the header names the store in use (``storage.choose_store``, as ``whoami``
says it: the keyring and its backend, or the files' folder, and how it was chosen). Only the
standard library is imported at import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pyamplify.cli.auth_common import store_choice, store_text
from pyamplify.cli.parsing import add_command, add_json_option
from pyamplify.cli.report import print_json

if TYPE_CHECKING:
    import argparse

    from pyamplify.cli.parsing import Subparsers


def register(commands: Subparsers) -> None:
    """Add ``auth profiles``."""
    profiles = add_command(
        commands,
        "profiles",
        run_profiles,
        help="list every stored session (profile, user, pool, state, token expiry)",
        description="List the sessions in the credential store (no network call).",
    )
    profiles.add_argument(
        "--config", metavar="PATH", help="only the sessions of this configuration's app client"
    )
    add_json_option(profiles)


def run_profiles(args: argparse.Namespace) -> int:
    """``pyamplify auth profiles [--json]``."""
    import time
    from datetime import datetime, timezone

    from pyamplify.auth.stored import stored_profiles

    choice = store_choice()
    store = choice.store
    described = choice.describe()
    now = time.time()
    found = stored_profiles(store)
    if args.config:
        from pyamplify.config import load_config

        pool = load_config(args.config).user_pool
        found = [
            item
            for item in found
            if pool is not None
            and (item.user_pool_id, item.client_id) == (pool.pool_id, pool.app_client_id)
        ]
    rows: list[dict[str, object]] = [
        {
            "profile": item.profile,
            "username": item.username,
            "login_id": item.login_id,
            "user_pool_id": item.user_pool_id,
            "client_id": item.client_id,
            "status": item.status(now),
            "expires_at": int(item.expires_at),
            "auth_flow_type": item.auth_flow_type,
        }
        for item in found
    ]
    if args.json:
        print_json({"store": described, "profiles": rows})
        return 0
    print(f"Sessions in {store_text(described)}:")
    if not rows:
        print("  none (sign in with: pyamplify auth sign-in)")
        return 0
    header = ("PROFILE", "USER", "USER POOL", "APP CLIENT", "STATE", "TOKENS EXPIRE")
    table: list[tuple[str, ...]] = [header]
    for item in found:
        expiry = datetime.fromtimestamp(item.expires_at, timezone.utc)
        table.append(
            (
                item.profile,
                item.login_id,
                item.user_pool_id,
                item.client_id,
                item.status(now),
                expiry.strftime("%Y-%m-%d %H:%M UTC"),
            )
        )
    widths = [max(len(line[column]) for line in table) for column in range(len(header))]
    for line in table:
        cells = (cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        print(("  " + "  ".join(cells)).rstrip())
    return 0
