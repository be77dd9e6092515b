"""A separate process for the cross-process tests: one Auth over a shared file store.

Usage: python session_worker.py CONFIG STORE_DIR CLOCK_OFFSET GO_FILE ACTION [ARGS...]
It imports everything, prints ``ready``, waits until GO_FILE exists (so several workers start
their action at the same moment), runs ACTION and prints one JSON line with the outcome.
Actions: ``sign-in USER PASSWORD``, ``fetch``, ``force-refresh``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time

from pyamplify.auth import Auth
from pyamplify.storage import FileStore


def main(argv: list[str]) -> int:
    config, store_dir, offset, go_file, action, *rest = argv
    shift = float(offset)
    auth = Auth(config, store=FileStore(store_dir), clock=lambda: time.time() + shift)
    events: list[str] = []
    auth.events.subscribe(lambda event: events.append(event.name))
    print("ready", flush=True)
    deadline = time.monotonic() + 30
    while not os.path.exists(go_file):
        if time.monotonic() > deadline:
            return 3
        time.sleep(0.002)
    if action == "sign-in":
        signed_in = auth.sign_in(rest[0], rest[1]).is_signed_in
        session = auth.fetch_auth_session()
    else:
        session = auth.fetch_auth_session(force_refresh=action == "force-refresh")
        signed_in = session.is_signed_in
    token = session.tokens.access_token.token if session.tokens else ""
    digest = hashlib.sha256(token.encode()).hexdigest()[:16] if token else None
    print(json.dumps({"is_signed_in": signed_in, "access": digest, "events": events}), flush=True)
    auth.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
