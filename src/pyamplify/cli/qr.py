"""A TOTP setup URI as a QR code in the terminal (segno, a pure-Python QR library).

The code is drawn with Unicode half blocks, two rows of modules per line, light modules as
blocks (segno's ``compact`` terminal output, made for dark terminals; phone authenticator apps
read it either way). It goes to the stream the caller gives, which the commands only do for a
terminal: the setup URI carries the shared secret, so it never lands in a pipe, a file or a log
unless asked for (``--print-secret``, ``--qr-file``). :func:`modules_from_text` reads a drawing
back into modules, which the tests decode with an independent QR reader.
"""

from __future__ import annotations

import os
from typing import TextIO

#: Quiet-zone modules around the code (the standard asks for 4; 2 reads fine on screen).
BORDER = 2
#: Half-block characters -> (upper module light, lower module light).
_HALVES = {"█": (True, True), "▀": (True, False), "▄": (False, True), " ": (False, False)}


def draw(uri: str, stream: TextIO) -> None:
    """Draw ``uri`` as a QR code on ``stream`` (error correction M, boosted where it fits)."""
    import segno

    code = segno.make(uri, error="m", micro=False)
    code.terminal(out=stream, compact=True, border=BORDER)
    stream.flush()


def save(uri: str, path: str) -> None:
    """Write ``uri`` as a QR image (``.png`` or ``.svg``, by the name), readable by the user
    only: the image holds the shared secret."""
    import segno

    if not path.lower().endswith((".png", ".svg")):
        raise ValueError("the QR file name must end in .png or .svg")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        segno.make(uri, error="m", micro=False).save(
            handle, kind=path.rsplit(".", 1)[1].lower(), scale=8, border=4
        )


def modules_from_text(text: str) -> list[list[bool]]:
    """The light (``True``) and dark modules of a drawing made by :func:`draw`, border included:
    each line holds two rows."""
    rows: list[list[bool]] = []
    for line in text.splitlines():
        if not line or any(char not in _HALVES for char in line):
            continue
        upper = [_HALVES[char][0] for char in line]
        lower = [_HALVES[char][1] for char in line]
        rows.extend((upper, lower))
    return rows
