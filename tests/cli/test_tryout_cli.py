"""The new-user tryout's reproductions around ``local start`` and ``config check`` (issue 13,
items 1 and 5): each message points at the right fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .helpers import run


@pytest.mark.parametrize("port", ["99999", "-5", "http"])
def test_local_start_checks_the_port_range(port: str, monkeypatch: Any, capsys: Any) -> None:
    """Item 1: ``--port 99999`` ended in "unexpected OverflowError … this is a bug"."""
    code, _, err = run(monkeypatch, capsys, "local", "start", "--port", port, "--ephemeral")
    assert code == 2
    assert "is not a port number" in err and "0-65535" in err
    assert "OverflowError" not in err and "a bug in pyamplify" not in err


def test_a_host_that_does_not_resolve_is_blamed_on_the_host() -> None:
    """Item 5: ``--host nosuchhost.invalid`` suggested another --port."""
    local = pytest.importorskip("pyamplify.local")
    server = local.LocalCognito(host="nosuchhost.invalid", port=0)
    with pytest.raises(local.LocalCognitoError) as raised:
        server.start()
    assert "choose another --host" in str(raised.value) and "--port" not in str(raised.value)


def test_a_port_in_use_is_blamed_on_the_port() -> None:
    import socket

    local = pytest.importorskip("pyamplify.local")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = local.LocalCognito(port=taken.getsockname()[1])
        with pytest.raises(local.LocalCognitoError) as raised:
            server.start()
    assert "choose another --port" in str(raised.value)


def test_a_file_that_is_not_json_is_not_told_to_add_a_region(
    tmp_path: Path, monkeypatch: Any, capsys: Any
) -> None:
    """Item 5: a non-JSON file got the example ``"Region": "us-east-1"``."""
    path = tmp_path / "amplifyconfiguration.json"
    path.write_text("hello\n")
    code, _, err = run(monkeypatch, capsys, "config", "check", str(path))
    assert code == 1
    assert "this file is not JSON" in err and '"Region"' not in err
    assert '{"auth": {"plugins": {"awsCognitoAuthPlugin"' in err
