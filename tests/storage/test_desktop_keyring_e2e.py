"""The OS keyring as a Linux desktop runs it, end to end: the local Cognito over loopback HTTP,
``Auth`` and the ``pyamplify`` command in new processes, and a real Secret Service (Debian's
gnome-keyring on a private D-Bus session bus, ``secret_service`` in conftest).

A "desktop shell" is a process with the private bus in ``DBUS_SESSION_BUS_ADDRESS`` and no
``PYAMPLIFY_STORE`` (the store is chosen automatically, as for a user); an "SSH shell" is the
same without the bus. Each test is one defect of issue 16 (part 1) and failed before its fix.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from keyring.backends import SecretService as SecretServiceBackend

from desktop_keyring import SecretService
from pyamplify.auth import Auth
from pyamplify.config import write_config
from pyamplify.local.testing import provision_identity_pool, provision_pool
from pyamplify.storage import KeyringLockedError, KeyringStore, MemoryStore

pytestmark = pytest.mark.e2e

PASSWORD = "Corr3ct-Horse-Battery"
HEAVY_IMPORTS = ("keyring", "secretstorage", "jeepney", "httpx", "pyamplify.auth")


@pytest.fixture
def desktop(on_the_bus: SecretService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Desk:
    monkeypatch.setenv("PYAMPLIFY_DATA_DIR", str(tmp_path / "data"))
    for name in ("PYAMPLIFY_STORE", "PYAMPLIFY_CONFIG", "PYTHON_KEYRING_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("PYAMPLIFY_KEYRING_UNLOCK_TIMEOUT", raising=False)
    return Desk(on_the_bus, tmp_path)


class Desk:
    """One user's machine: a desktop session with the keyring, and SSH shells without it."""

    def __init__(self, keyring: SecretService, tmp_path: Path) -> None:
        self.keyring = keyring
        self.data = tmp_path / "data"
        self.config = tmp_path / "amplifyconfiguration.json"

    def env(self, *, ssh: bool = False, **extra: str) -> dict[str, str]:
        env = {**os.environ, **extra}
        if ssh:
            env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        return env

    def run(
        self,
        *argv: str,
        ssh: bool = False,
        stdin: str = "",
        flags: tuple[str, ...] = (),
        **extra: str,
    ) -> subprocess.CompletedProcess[str]:
        """``pyamplify ARGV --config <the config>`` in a new process (60 s at most: a hang
        on an unlock prompt fails the test instead of stalling it)."""
        return subprocess.run(
            [sys.executable, *flags, "-m", "pyamplify", *argv, "--config", str(self.config)],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            env=self.env(ssh=ssh, **extra),
            check=False,
        )

    def sign_in(self, name: str, **env: Any) -> None:
        done = self.run("auth", "sign-in", name, "--password-stdin", stdin=PASSWORD + "\n", **env)
        assert done.returncode == 0, done.stderr

    def store(self, *, unlock_timeout: float = 0) -> KeyringStore:
        """The store a desktop process uses (Secret Service, default service and directory)."""
        return KeyringStore(
            lock_directory=self.data / "locks",
            backend=SecretServiceBackend.Keyring(),
            unlock_timeout=unlock_timeout,
        )


def setup_pool(cognito: Any, desk: Desk, *users: str) -> None:
    pool = provision_pool(cognito.url, name=f"desk-{desk.data.parent.name}")
    _, config = provision_identity_pool(cognito.url, pool)
    write_config(config, desk.config)
    with Auth(desk.config, store=MemoryStore()) as auth:
        for name in users:
            auth.sign_up(name, PASSWORD, attributes={"email": f"{name}@example.com"})
            mail = [m for m in cognito.outbox(name) if m["user_pool_id"] == pool.pool_id]
            auth.confirm_sign_up(name, str(mail[-1]["code"]))


def test_sign_out_with_the_keyring_locked_says_so(local_cognito: Any, desktop: Desk) -> None:
    """Defect 1: sign_out() said signed_out_locally=True with the keyring locked, and after
    unlocking a new process was still signed in."""
    setup_pool(local_cognito, desktop, "ada")
    with Auth(desktop.config, store=desktop.store()) as auth:
        auth.sign_in("ada", PASSWORD)
        with desktop.keyring.locked(), pytest.raises(KeyringLockedError) as raised:
            auth.sign_out()
        assert "could not be removed" in str(raised.value)
    still = desktop.run("auth", "whoami")  # unlocked again: the session is there, as reported
    assert still.returncode == 0, still.stderr
    again = desktop.run("auth", "sign-out")
    assert again.returncode == 0 and "Signed out ada." in again.stdout, again.stderr
    gone = desktop.run("auth", "whoami")
    assert gone.returncode == 1 and "not signed in" in gone.stderr


def test_cli_with_the_keyring_locked_says_locked(local_cognito: Any, desktop: Desk) -> None:
    """Defect 2: `sign-out` said "Nobody was signed in" (exit 0) and `whoami` "not signed in"
    while the session sat behind a locked keyring."""
    setup_pool(local_cognito, desktop, "grace")
    desktop.sign_in("grace")
    with desktop.keyring.locked():
        out = desktop.run("auth", "sign-out")
        assert out.returncode == 1 and "Nobody was signed in" not in out.stdout
        assert out.stderr.startswith("error: not signed out: the keyring is locked")
        assert "unlock it" in out.stderr
        who = desktop.run("auth", "whoami")
        assert who.returncode == 1 and "not signed in" not in who.stderr
        assert who.stderr.startswith("error: the keyring is locked")
        as_json = desktop.run("auth", "whoami", "--json")
        document = json.loads(as_json.stdout)["error"]  # one --json rule: a failure's object
        assert as_json.returncode == 1 and document["code"] == "KeyringLockedError"
        assert document["is_signed_in"] is None and document["store"]["locked"] is True
        assert document["store"]["kind"] == "keyring"
    who = desktop.run("auth", "whoami", "--json")
    assert who.returncode == 0 and json.loads(who.stdout)["username"] == "grace"
    store = json.loads(who.stdout)["store"]
    assert store["backend"] == "keyring.backends.SecretService.Keyring"
    assert store["chosen_by"] == "automatic" and store["fallback_reason"] is None
    assert desktop.run("auth", "sign-out").stdout.strip() == "Signed out grace."


def live_families(cognito: Any, username: str) -> int:
    row = cognito.backend.store.query_one(
        "SELECT COUNT(*) FROM token_families WHERE username = ? AND revoked_at IS NULL",
        (username,),
    )
    return int(row[0])


def test_a_sign_in_the_keyring_refuses_is_undone(local_cognito: Any, desktop: Desk) -> None:
    """Defect 3: Cognito signed the user in, the keyring refused the write, and the refresh
    token stayed valid with nobody holding it."""
    setup_pool(local_cognito, desktop, "hopper")
    with Auth(desktop.config, store=desktop.store()) as auth:
        assert not auth.fetch_auth_session().is_signed_in  # read while unlocked
        with desktop.keyring.locked(), pytest.raises(KeyringLockedError) as raised:
            auth.sign_in("hopper", PASSWORD)
    message = str(raised.value)
    assert message.startswith("signed in at Cognito, but the session could not be saved")
    assert "the sign-in was undone (its refresh token revoked)" in message
    assert "the keyring is locked" in message and PASSWORD not in message
    assert local_cognito.calls["RevokeToken"] >= 1
    assert live_families(local_cognito, "hopper") == 0
    assert desktop.run("auth", "whoami").returncode == 1  # and nothing was stored


def test_no_session_bus_is_said_once(local_cognito: Any, desktop: Desk) -> None:
    """Defect 4: in an SSH shell the store fell back to files silently, so the same user had
    two sets of sessions; and PYAMPLIFY_STORE=keyring blamed a missing keyrings.alt."""
    setup_pool(local_cognito, desktop, "lovelace")
    desktop.sign_in("lovelace")  # on the desktop: in the keyring
    ssh = desktop.run("auth", "whoami", ssh=True)
    assert ssh.returncode == 1
    assert ssh.stderr.count("note: sessions are kept in files under") == 1
    assert "there is no D-Bus session bus" in ssh.stderr
    assert f"not signed in (profile 'default'; files in {desktop.data / 'sessions'})" in ssh.stderr
    described = json.loads(desktop.run("auth", "whoami", "--json", ssh=True).stdout)["error"][
        "store"
    ]
    assert described["kind"] == "file" and described["chosen_by"] == "automatic"
    assert "no D-Bus session bus" in described["fallback_reason"]
    chosen = desktop.run("auth", "whoami", ssh=True, PYAMPLIFY_STORE="file")
    assert "note:" not in chosen.stderr  # an explicit choice is not a surprise
    for backend in ("keyring.backends.fail.Keyring", "keyring.backends.SecretService.Keyring"):
        forced = desktop.run(
            "auth", "whoami", ssh=True, PYAMPLIFY_STORE="keyring", PYTHON_KEYRING_BACKEND=backend
        )
        assert forced.returncode == 1
        assert "there is no D-Bus session bus" in forced.stderr, forced.stderr
        assert "keyrings.alt" not in forced.stderr


def test_credential_process_never_waits_for_the_unlock_prompt(
    local_cognito: Any, desktop: Desk
) -> None:
    """Defect 5: with the keyring locked on a desktop, every command (credential_process too:
    the AWS CLI hung) waited on the unlock prompt with no time limit; without a display,
    sign-in failed suggesting only PYAMPLIFY_STORE=file."""
    setup_pool(local_cognito, desktop, "turing", "noether")
    with Auth(desktop.config, store=desktop.store(), profile="work") as auth:
        auth.sign_in("turing", PASSWORD)  # no AWS credentials cached yet: a full run
    with desktop.keyring.locked():
        with desktop.keyring.unanswered_prompter() as prompter:
            aws = desktop.run("auth", "credentials", "--profile", "work")
        assert aws.returncode == 1 and aws.stdout == ""
        assert "the keyring is locked (this command never waits for an unlock prompt)" in (
            aws.stderr
        )
        assert prompter.calls == []
        with desktop.keyring.unanswered_prompter() as prompter:
            who = desktop.run(
                "auth", "whoami", "--profile", "work", PYAMPLIFY_KEYRING_UNLOCK_TIMEOUT="1"
            )
        assert who.returncode == 1
        assert "nobody answered the unlock prompt within 1 s" in who.stderr
        assert prompter.calls[:1] == ["BeginPrompting"]
        headless = desktop.run("auth", "sign-in", "noether", "--password-stdin", stdin=PASSWORD)
        assert headless.returncode == 1
        assert "the keyring is locked (the unlock prompt was dismissed, or could not be " in (
            headless.stderr
        )
        assert "unlock it and try again" in headless.stderr
    aws = desktop.run("auth", "credentials", "--profile", "work")
    assert aws.returncode == 0 and json.loads(aws.stdout)["Version"] == 1


def imported(stderr: str) -> set[str]:
    """Module names in ``-X importtime`` output."""
    return {line.rsplit("|", 1)[-1].strip() for line in stderr.splitlines() if "|" in line}


def test_cached_credentials_come_from_the_store_in_use_without_keyring(
    local_cognito: Any, desktop: Desk
) -> None:
    """Defect 6: a cached `auth credentials` on the keyring store loaded keyring and D-Bus
    (~750 ms) because the fast path read only the file store, and with a file-store session
    also present it answered from that one: not the session `whoami` shows."""
    setup_pool(local_cognito, desktop, "curie", "meitner")
    desktop.sign_in("curie")  # the desktop: keyring; sign-in also fetches AWS credentials
    desktop.sign_in("meitner", ssh=True, PYAMPLIFY_STORE="file")  # an SSH shell, files
    desk_id = json.loads(desktop.run("auth", "whoami", "--json").stdout)["identity_id"]
    ssh_id = json.loads(desktop.run("auth", "whoami", "--json", ssh=True).stdout)["identity_id"]
    assert desk_id != ssh_id
    calls = sum(local_cognito.calls.values())
    hit = desktop.run("auth", "credentials", "--json", flags=("-X", "importtime"))
    assert hit.returncode == 0, hit.stderr
    assert json.loads(hit.stdout)["identity_id"] == desk_id
    assert not set(HEAVY_IMPORTS) & imported(hit.stderr)
    assert sum(local_cognito.calls.values()) == calls  # no network either
    from_ssh = desktop.run("auth", "credentials", "--json", ssh=True)
    assert json.loads(from_ssh.stdout)["identity_id"] == ssh_id
    fast_ssh = desktop.run("auth", "credentials", "--json", ssh=True, flags=("-X", "importtime"))
    assert json.loads(fast_ssh.stdout)["identity_id"] == ssh_id
    assert not set(HEAVY_IMPORTS) & imported(fast_ssh.stderr)
    # Signing out on the desktop drops the cached credentials with the session.
    assert desktop.run("auth", "sign-out").returncode == 0
    refused = desktop.run("auth", "credentials", "--json")  # no guest credentials unasked
    assert refused.returncode == 1 and json.loads(refused.stdout)["error"]["code"] == (
        "SignedOutError"
    )
    guest = json.loads(desktop.run("auth", "credentials", "--json", "--guest").stdout)
    assert guest["guest"] is True and guest["identity_id"] != desk_id
