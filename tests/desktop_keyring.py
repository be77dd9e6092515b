"""A real Freedesktop Secret Service for tests and benchmarks: Debian's ``gnome-keyring-daemon``
on a private D-Bus session bus, never the user's own session.

``scripts/setup.sh`` installs the packages (``dbus``, ``gnome-keyring``). :class:`SecretService`
starts ``dbus-daemon`` with a configuration of its own (a socket in a temporary directory, no
service activation, so nothing else starts on it) and ``gnome-keyring-daemon --unlock``, which
creates a login keyring with a known password and makes it the default collection, as a desktop
login does. Processes use it through :attr:`SecretService.env`. The keyring can be locked and
unlocked at will (``Service.Lock``, and gnome-keyring's ``UnlockWithMasterPassword``, which needs
no prompt), and :meth:`SecretService.unanswered_prompter` plays a desktop whose unlock prompt
nobody answers: a process that owns gcr's prompter name, accepts ``BeginPrompting`` and never
calls back, so gnome-keyring waits for it exactly as it waits for a person. Without it there is
no prompter on the bus, and gnome-keyring dismisses every prompt at once (a session without a
display).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

PASSWORD = b"login-keyring-password"
BUS_NAME = "org.freedesktop.secrets"
PROMPTER_NAME = "org.gnome.keyring.SystemPrompter"
_SERVICE_PATH = "/org/freedesktop/secrets"

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={directory}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

#: Owns the prompter name, answers every call with an empty reply and never calls back; prints
#: the member of each call it gets, one per line.
_PROMPTER = r"""
import sys
from jeepney import MessageType, HeaderFields, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection
connection = open_dbus_connection(bus=sys.argv[1])
connection.send_and_get_reply(message_bus.RequestName(sys.argv[2]))
print("ready", flush=True)
while True:
    message = connection.receive()
    if message.header.message_type == MessageType.method_call:
        print(message.header.fields.get(HeaderFields.member), flush=True)
        connection.send(new_method_return(message))
"""


def unavailable() -> str | None:
    """Why a private Secret Service cannot run here, or ``None``."""
    missing = [name for name in ("dbus-daemon", "gnome-keyring-daemon") if not shutil.which(name)]
    if missing:
        return (
            f"{' and '.join(missing)} not installed: run scripts/setup.sh as root (it installs "
            "Debian's dbus and gnome-keyring) or apt-get install dbus gnome-keyring"
        )
    try:
        import jeepney  # noqa: F401
        import secretstorage  # noqa: F401
    except ImportError as error:
        return f"{error.name} is not installed (keyring's Secret Service backend needs it)"
    return None


class SecretService:
    """A private session bus with an unlocked gnome-keyring on it (see the module docstring)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.address = ""
        self._processes: list[subprocess.Popen[bytes]] = []

    # ------------------------------------------------------------------ life cycle
    def __enter__(self) -> SecretService:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def start(self) -> None:
        """Start the bus, then the keyring daemon; wait until the service answers."""
        self.directory.mkdir(parents=True, exist_ok=True)
        for name in ("runtime", "data", "config"):
            (self.directory / name).mkdir(mode=0o700, exist_ok=True)
        config = self.directory / "bus.conf"
        config.write_text(_BUS_CONFIG.format(directory=self.directory))
        bus = self._spawn(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
        )
        assert bus.stdout is not None
        self.address = bus.stdout.readline().decode().strip()
        if not self.address:
            raise RuntimeError("dbus-daemon did not start")
        keyring = self._spawn(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            env=self.daemon_env(),
        )
        assert keyring.stdin is not None
        keyring.stdin.write(PASSWORD)
        keyring.stdin.close()
        deadline = time.monotonic() + 15
        while not self._service_ready():
            if time.monotonic() > deadline or keyring.poll() is not None:
                raise RuntimeError("gnome-keyring-daemon did not come up on the private bus")
            time.sleep(0.02)

    def stop(self) -> None:
        """Stop every process started here (the keyring first, then the bus)."""
        for process in reversed(self._processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in reversed(self._processes):
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()
        self._processes.clear()

    def _spawn(self, argv: list[str], **options: Any) -> subprocess.Popen[bytes]:
        options.setdefault("stderr", subprocess.DEVNULL)
        options.setdefault("stdout", subprocess.DEVNULL)
        process = subprocess.Popen(argv, **options)
        self._processes.append(process)
        return process

    def daemon_env(self) -> dict[str, str]:
        """The environment of the keyring daemon: its files in this directory, no display."""
        env = {**self.env(), "HOME": str(self.directory)}
        env["XDG_RUNTIME_DIR"] = str(self.directory / "runtime")
        env["XDG_DATA_HOME"] = str(self.directory / "data")
        env["XDG_CONFIG_HOME"] = str(self.directory / "config")
        return env

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """``base`` (default: this process's environment) pointed at the private bus, with no
        display (gnome-keyring must not find a real prompter)."""
        env = dict(os.environ if base is None else base)
        for name in ("DISPLAY", "WAYLAND_DISPLAY"):
            env.pop(name, None)
        env["DBUS_SESSION_BUS_ADDRESS"] = self.address
        return env

    # ------------------------------------------------------------------ D-Bus
    @contextlib.contextmanager
    def connection(self) -> Iterator[Any]:
        """A jeepney blocking connection to the private bus."""
        from jeepney.io.blocking import open_dbus_connection

        connection = open_dbus_connection(bus=self.address)
        try:
            yield connection
        finally:
            connection.close()

    def _call(
        self, interface: str, member: str, signature: str = "", body: tuple = (), on: Any = None
    ) -> Any:
        """Call the Secret Service (on connection ``on``, else on a new one)."""
        from jeepney import DBusAddress, new_method_call
        from jeepney.wrappers import unwrap_msg

        if on is None:
            with self.connection() as connection:
                return self._call(interface, member, signature, body, connection)
        address = DBusAddress(_SERVICE_PATH, bus_name=BUS_NAME, interface=interface)
        message = new_method_call(address, member, signature, body)
        return unwrap_msg(on.send_and_get_reply(message, timeout=10))

    def _service_ready(self) -> bool:
        from jeepney.bus_messages import message_bus

        with contextlib.suppress(OSError, ConnectionError), self.connection() as connection:
            reply = connection.send_and_get_reply(message_bus.NameHasOwner(BUS_NAME), timeout=5)
            return bool(reply.body[0])
        return False

    def _default_collection(self) -> str:
        (path,) = self._call("org.freedesktop.Secret.Service", "ReadAlias", "s", ("default",))
        assert path != "/", "no default collection"
        return str(path)

    def is_locked(self) -> bool:
        """Whether the default (login) collection is locked."""
        from jeepney import DBusAddress, Properties
        from jeepney.wrappers import unwrap_msg

        collection = DBusAddress(
            self._default_collection(),
            bus_name=BUS_NAME,
            interface="org.freedesktop.Secret.Collection",
        )
        with self.connection() as connection:
            reply = connection.send_and_get_reply(Properties(collection).get("Locked"))
            return bool(unwrap_msg(reply)[0][1])

    def lock(self) -> None:
        """Lock the login keyring (as a screen lock or ``seahorse`` would)."""
        self._call("org.freedesktop.Secret.Service", "Lock", "ao", ([self._default_collection()],))
        assert self.is_locked()

    def unlock(self) -> None:
        """Unlock the login keyring with its password, without any prompt."""
        path = self._default_collection()
        service = "org.freedesktop.Secret.Service"
        with self.connection() as connection:  # a session lives as long as its connection
            _, session = self._call(service, "OpenSession", "sv", ("plain", ("s", "")), connection)
            self._call(
                "org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
                "UnlockWithMasterPassword",
                "o(oayays)",
                (path, (session, b"", PASSWORD, "text/plain")),
                connection,
            )
        assert not self.is_locked()

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Locked inside, unlocked again after."""
        self.lock()
        try:
            yield
        finally:
            self.unlock()

    @contextlib.contextmanager
    def unanswered_prompter(self) -> Iterator[Prompter]:
        """A desktop unlock prompt that nobody answers (see the module docstring)."""
        process = subprocess.Popen(
            [sys.executable, "-c", _PROMPTER, self.address, PROMPTER_NAME],
            stdout=subprocess.PIPE,
            text=True,
        )
        prompter = Prompter(process)
        try:
            assert process.stdout is not None and process.stdout.readline().strip() == "ready"
            yield prompter
        finally:
            process.kill()
            prompter.calls = prompter.calls + (process.communicate(timeout=10)[0] or "").split()


class Prompter:
    """The unanswered prompter; ``calls`` lists the D-Bus members it was called with (after
    the ``with`` block ends)."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.calls: list[str] = []
