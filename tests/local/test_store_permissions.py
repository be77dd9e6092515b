"""The data dir holds every pool's private keys, the server secret, SRP verifiers, codes and
minted credentials' secret keys: it is private (0700) and its files are 0600, whatever the
umask; a data dir someone else can enter is reported."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from pyamplify.local import LocalCognito
from pyamplify.local.store.database import DB_FILENAME
from pyamplify.local.store.userpools import Store

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual desktop umask (022): without care, new dirs are 0755 and files 0644."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("open_umask")
def test_a_new_data_dir_is_0700_and_its_database_files_0600(tmp_path: Path) -> None:
    data_dir = tmp_path / "state" / "local-cognito"
    with LocalCognito(data_dir) as cognito:
        cognito.backend.store.meta("probe", lambda: "x")  # a write: the WAL and its index exist
        files = sorted(data_dir.iterdir())
        assert [path.name for path in files] == [
            DB_FILENAME,
            f"{DB_FILENAME}-shm",
            f"{DB_FILENAME}-wal",
        ]
        assert mode(data_dir) == 0o700
        assert {path.name: mode(path) for path in files} == {path.name: 0o600 for path in files}


@pytest.mark.usefixtures("open_umask")
def test_an_existing_database_readable_by_others_is_made_private(tmp_path: Path) -> None:
    Store(tmp_path).close()
    (tmp_path / DB_FILENAME).chmod(0o644)
    tmp_path.chmod(0o700)
    Store(tmp_path).close()
    assert mode(tmp_path / DB_FILENAME) == 0o600


@pytest.mark.usefixtures("open_umask")
def test_an_existing_data_dir_others_can_enter_is_warned_about_and_left_alone(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    tmp_path.chmod(0o755)
    with caplog.at_level(logging.WARNING, logger="pyamplify.local"):
        Store(tmp_path).close()
    assert mode(tmp_path) == 0o755  # maybe shared on purpose: not ours to change
    warnings = [record.getMessage() for record in caplog.records]
    assert any(str(tmp_path) in text and "chmod 700" in text for text in warnings), warnings
    assert mode(tmp_path / DB_FILENAME) == 0o600
