"""The text forms of credentials: credential_process JSON, export lines, JSON."""

from __future__ import annotations

import json
import subprocess

import pytest

from pyamplify.aws.process import CredentialFields, render

FIELDS = CredentialFields(
    access_key_id="ASIAEXAMPLE",
    secret_access_key="abc/def+ghi",
    session_token="to'ken==",
    expiration="2030-01-01T00:00:00Z",
    identity_id="us-east-1:x",
    guest=True,
)


def test_process_output_is_what_the_aws_cli_reads() -> None:
    assert json.loads(render(FIELDS, "process")) == {
        "Version": 1,
        "AccessKeyId": "ASIAEXAMPLE",
        "SecretAccessKey": "abc/def+ghi",
        "SessionToken": "to'ken==",
        "Expiration": "2030-01-01T00:00:00Z",
    }


def test_json_output_names_the_identity() -> None:
    document = json.loads(render(FIELDS, "json"))
    assert document["identity_id"] == "us-east-1:x" and document["guest"] is True
    assert document["secret_access_key"] == "abc/def+ghi"


def test_env_output_survives_a_real_shell() -> None:
    text = render(FIELDS, "env")
    assert text.splitlines()[0] == "export AWS_ACCESS_KEY_ID=ASIAEXAMPLE"
    script = text + '\nprintf "%s|%s|%s" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" '
    script += '"$AWS_CREDENTIAL_EXPIRATION"'
    out = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout == "abc/def+ghi|to'ken==|2030-01-01T00:00:00Z"


def test_unknown_format_and_repr() -> None:
    with pytest.raises(ValueError, match="process, env, json"):
        render(FIELDS, "yaml")
    assert "abc/def" not in repr(FIELDS) and "ASIAEXAMPLE" not in repr(FIELDS)
