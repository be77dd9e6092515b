"""Credentials as text for other programs: ``credential_process`` JSON, ``export`` lines, JSON.

The AWS CLI and SDKs run a profile's ``credential_process`` command whenever they need
credentials and read one JSON object from its stdout: ``Version`` 1, ``AccessKeyId``,
``SecretAccessKey``, ``SessionToken`` and ``Expiration`` (ISO 8601). This module imports only
``json`` so that the CLI's fast path (:mod:`pyamplify.cli.credentials_fast`) can share it.
"""

from __future__ import annotations

import json

#: The output formats of ``pyamplify auth credentials --format``.
FORMATS = ("process", "env", "json")
_SHELL_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_.:@%,")


class CredentialFields:
    """Plain credential values, as stored or as fetched (a plain class: ``typing`` and
    ``dataclasses`` cost milliseconds the fast path does not have)."""

    __slots__ = (
        "access_key_id",
        "expiration",
        "guest",
        "identity_id",
        "secret_access_key",
        "session_token",
    )

    def __init__(
        self,
        access_key_id: str,
        secret_access_key: str,
        session_token: str,
        expiration: str,
        identity_id: str | None = None,
        guest: bool = False,
    ) -> None:
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.session_token = session_token
        #: ISO 8601 in UTC, e.g. ``2026-11-26T17:00:00Z``.
        self.expiration = expiration
        self.identity_id = identity_id
        #: Whether these are a guest's (unauthenticated) credentials.
        self.guest = guest

    def __repr__(self) -> str:
        return f"CredentialFields(access_key_id={self.access_key_id[:4]!r}…, <secret>)"


def _shell_word(value: str) -> str:
    if value and all(char in _SHELL_SAFE for char in value):
        return value
    return "'" + value.replace("'", "'\"'\"'") + "'"


def render(fields: CredentialFields, output_format: str) -> str:
    """``fields`` in ``output_format`` (one of :data:`FORMATS`), without a final newline."""
    if output_format == "process":
        return json.dumps(
            {
                "Version": 1,
                "AccessKeyId": fields.access_key_id,
                "SecretAccessKey": fields.secret_access_key,
                "SessionToken": fields.session_token,
                "Expiration": fields.expiration,
            },
            indent=2,
        )
    if output_format == "env":
        pairs = (
            ("AWS_ACCESS_KEY_ID", fields.access_key_id),
            ("AWS_SECRET_ACCESS_KEY", fields.secret_access_key),
            ("AWS_SESSION_TOKEN", fields.session_token),
            ("AWS_CREDENTIAL_EXPIRATION", fields.expiration),
        )
        return "\n".join(f"export {name}={_shell_word(value)}" for name, value in pairs)
    if output_format == "json":
        return json.dumps(
            {
                "identity_id": fields.identity_id,
                "guest": fields.guest,
                "access_key_id": fields.access_key_id,
                "secret_access_key": fields.secret_access_key,
                "session_token": fields.session_token,
                "expiration": fields.expiration,
            },
            indent=2,
            sort_keys=True,
        )
    raise ValueError(f"unknown format {output_format!r}; use one of: {', '.join(FORMATS)}")
