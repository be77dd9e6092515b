"""The corpus (``tests/config/corpus/``, see its README): small files reproducing the shapes real
projects ship, each loading into what the Amplify library that reads it would configure, or
refused with a message that says what the file is and what to do.

Expectations follow the libraries: for Amplify JS keys, ``parseAWSExports`` (the web client is
the Hosted UI's client, redirect URIs split on commas, the region is the one in the pool id,
``aws_mandatory_sign_in: 'enable'`` turns guests off); for Gen 1 and ``awsconfiguration.json``,
the ``Default`` entries of Amplify Android/Swift/Flutter (``passwordPolicyMinLength`` through
``optInt`` / ``int.tryParse``); for Gen 2, ``amplify_outputs.json`` version 1.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pyamplify.config import AuthConfig, ConfigError, load_config_with_warnings

CORPUS = Path(__file__).resolve().parent / "corpus"


@dataclass(frozen=True)
class Loads:
    """What a valid corpus file configures, and the warnings (path suffix, message part)."""

    format: str
    syntax: str
    user_pool: tuple[str, str, str] | None  # pool id, client id, region
    identity_pool: tuple[str, str] | None  # pool id, region
    oauth: dict[str, Any] | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[tuple[str, str], ...] = ()


STRING_MIN_LENGTH = ("passwordPolicyMinLength", 'is the string "8"; read as the number 8')

VALID: dict[str, Loads] = {
    "gen1-flutter-string-min-length.json": Loads(
        "gen1",
        "json",
        ("us-east-2_Qm7Tz4Kp9", "5k2n8q1v3c7d9f0g4h6j8l2m1p", "us-east-2"),
        None,
        settings={"username_attributes": ("email",), "mfa_configuration": "OFF"},
        warnings=(STRING_MIN_LENGTH,),
    ),
    "gen1-android-cli-siblings.json": Loads(
        "gen1",
        "json",
        ("eu-central-1_N4v8Lx2Rw", "2j9h4g6f8d1s3a5p7o9i2u4y6t", "eu-central-1"),
        ("eu-central-1:7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "eu-central-1"),
    ),
    "gen1-ios-social-hosted-ui.json": Loads(
        "gen1",
        "json",
        ("ap-southeast-2_Hw3Ky7Ub1", "6q8w2e4r6t8y1u3i5o7p9a2s4d", "ap-southeast-2"),
        None,
        oauth={
            "web_domain": "tripshare-dev.auth.ap-southeast-2.amazoncognito.com",
            "sign_in_redirect_uris": ("tripshare://",),
            "scopes": ("phone", "email", "openid", "profile", "aws.cognito.signin.user.admin"),
        },
        settings={
            "authentication_flow_type": "CUSTOM_AUTH",
            "social_providers": ("FACEBOOK", "GOOGLE", "APPLE"),
            "mfa_types": ("SMS", "TOTP"),
        },
    ),
    "aws-exports-cli.js": Loads(
        "aws-exports",
        "javascript",
        ("us-west-2_Vb5Nc9Xz3", "7s1d3f5g7h9j2k4l6z8x1c3v5b", "us-west-2"),
        ("us-west-2:3b2a1c0d-9e8f-4a7b-b6c5-d4e3f2a1b0c9", "us-west-2"),
        settings={"username_attributes": ("email",), "mfa_types": ("SMS",)},
    ),
    "aws-exports-hosted-ui.js": Loads(
        "aws-exports",
        "javascript",
        ("eu-west-2_Jp6Rt2Wq8", "3m5n7b9v1c2x4z6a8s0d2f4g6h", "eu-west-2"),
        ("eu-west-2:9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a", "eu-west-2"),
        oauth={
            "web_domain": "shopfront-dev.auth.eu-west-2.amazoncognito.com",
            "app_client_id": "3m5n7b9v1c2x4z6a8s0d2f4g6h",  # the web client
            "sign_in_redirect_uris": ("http://localhost:3000/", "https://dev.shopfront.example/"),
            "response_type": "code",
        },
        settings={"social_providers": ("GOOGLE", "AMAZON")},
    ),
    "aws-exports-prettier.js": Loads(
        "aws-exports",
        "javascript",
        ("ca-central-1_Ye4Ui8Op2", "1q3w5e7r9t2y4u6i8o0p1a3s5d", "ca-central-1"),
        None,
        settings={
            "username_attributes": ("phone_number",),
            "verification_mechanisms": ("phone_number",),
        },
        warnings=(STRING_MIN_LENGTH,),
    ),
    "aws-exports-commonjs.js": Loads(
        "aws-exports",
        "javascript",
        ("us-east-1_Kd2Fg6Hj0", "9z8x7c6v5b4n3m2l1k0j9h8g7f", "us-east-1"),
        None,
    ),
    "aws-exports-mobile-hub.js": Loads(
        "aws-exports",
        "javascript",
        ("us-east-1_Lm3Nb5Vc7", "4r6t8y0u2i4o6p8a1s3d5f7g9h", "us-east-1"),
        ("us-east-1:5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d", "us-east-1"),
        settings={"unauthenticated_identities_enabled": False},
    ),
    "aws-exports-guest-only.js": Loads(
        "aws-exports",
        "javascript",
        None,
        ("ap-northeast-1:0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", "ap-northeast-1"),
    ),
    "amplifyconfiguration-web.json": Loads(
        "aws-exports",
        "json",
        ("sa-east-1_Tg7Hy3Ju5", "8i6u4y2t0r8e6w4q2a1s3d5f7g", "sa-east-1"),
        ("sa-east-1:6e5d4c3b-2a19-4807-b6a5-f4e3d2c1b0a9", "sa-east-1"),
        settings={"mfa_configuration": "OPTIONAL", "mfa_types": ("TOTP",)},
    ),
    "awsconfiguration.json": Loads(
        "awsconfiguration",
        "json",
        ("us-west-1_Zx9Cv8Bn7", "0o9i8u7y6t5r4e3w2q1a2s3d4f", "us-west-1"),
        ("us-west-1:2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f", "us-west-1"),
    ),
    "awsconfiguration-hosted-ui.json": Loads(
        "awsconfiguration",
        "json",
        ("eu-north-1_Wq2Er4Ty6", "5t4r3e2w1q0p9o8i7u6y5t4r3e", "eu-north-1"),
        None,
        oauth={
            "web_domain": "fieldnotes.auth.eu-north-1.amazoncognito.com",
            "sign_out_redirect_uris": ("fieldnotes://signout/",),
        },
    ),
    "gen2-with-data-storage.json": Loads(
        "gen2",
        "json",
        ("us-east-1_Pq8Wo2Ei4", "6y7u8i9o0p1a2s3d4f5g6h7j8k", "us-east-1"),
        ("us-east-1:8a9b0c1d-2e3f-4a5b-9c6d-7e8f9a0b1c2d", "us-east-1"),
        settings={"mfa_configuration": "OFF", "unauthenticated_identities_enabled": True},
    ),
}


@dataclass(frozen=True)
class Refused:
    """A corpus file that must be refused: its format (when recognised) and its problems
    as (line, JSON path, part of the message)."""

    format: str | None
    problems: tuple[tuple[int, str, str], ...]


NOT_GENERATED = "pyamplify reads aws-exports.js without running it"
REFUSED: dict[str, Refused] = {
    "refused-aws-exports-process-env.js": Refused(
        None,
        (
            (
                4,
                "$.aws_user_pools_id",
                "process.env.REACT_APP_USER_POOL_ID is a variable or an expression",
            ),
        ),
    ),
    "refused-aws-exports-amplify-configure.js": Refused(
        None, ((1, "$", "an import statement; " + NOT_GENERATED),)
    ),
    "refused-aws-exports-template-literal.js": Refused(
        None, ((6, "$.oauth.domain", "a template literal with ${...} is computed"),)
    ),
    "refused-gen1-no-auth.json": Refused(
        None, ((1, "$", 'this amplifyconfiguration.json (Gen 1) has no "auth" category'),)
    ),
    "refused-gen2-no-auth.json": Refused(
        None, ((1, "$", 'this amplify_outputs.json (Gen 2) has no "auth" section'),)
    ),
    "refused-gen1-angle-placeholders.json": Refused(
        "gen1",
        (
            (7, "$.auth.plugins.awsCognitoAuthPlugin.CognitoUserPool.Default.PoolId", "<your-user"),
            (8, "$.auth.plugins.awsCognitoAuthPlugin.CognitoUserPool.Default.AppClientId", "<your"),
            (9, "$.auth.plugins.awsCognitoAuthPlugin.CognitoUserPool.Default.Region", "<your-re"),
        ),
    ),
    "refused-gen1-oauth-domain.json": Refused(
        "gen1",
        (
            (
                15,
                "$.auth.plugins.awsCognitoAuthPlugin.Auth.Default.OAuth.WebDomain",
                '"oauth_domain" is not a host name (a host name has no "_")',
            ),
        ),
    ),
}


def test_every_corpus_file_has_an_expectation() -> None:
    on_disk = {path.name for path in CORPUS.iterdir() if path.name != "README.md"}
    assert on_disk == set(VALID) | set(REFUSED)
    readme = (CORPUS / "README.md").read_text()
    for name in on_disk:
        assert f"`{name}`" in readme, f"{name} is not described in corpus/README.md"


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_shapes_load_as_the_amplify_libraries_load_them(name: str) -> None:
    expected = VALID[name]
    config, warnings = load_config_with_warnings(CORPUS / name)
    assert (config.source_format, config.source_syntax) == (expected.format, expected.syntax)
    assert _user_pool(config) == expected.user_pool
    assert _identity_pool(config) == expected.identity_pool
    if expected.oauth is None:
        assert config.oauth is None
    else:
        assert config.oauth is not None
        for attribute, value in expected.oauth.items():
            assert getattr(config.oauth, attribute) == value, attribute
    for attribute, value in expected.settings.items():
        assert getattr(config, attribute) == value, attribute
    assert len(warnings) == len(expected.warnings), [str(w) for w in warnings]
    for warning, (path_end, message_part) in zip(warnings, expected.warnings, strict=True):
        assert warning.path.endswith(path_end) and message_part in warning.message
        assert warning.line is not None


def _user_pool(config: AuthConfig) -> tuple[str, str, str] | None:
    pool = config.user_pool
    return None if pool is None else (pool.pool_id, pool.app_client_id, pool.region)


def _identity_pool(config: AuthConfig) -> tuple[str, str] | None:
    pool = config.identity_pool
    return None if pool is None else (pool.pool_id, pool.region)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_shapes_say_where_and_what_to_do(name: str) -> None:
    expected = REFUSED[name]
    with pytest.raises(ConfigError) as caught:
        load_config_with_warnings(CORPUS / name)
    error = caught.value
    assert error.source_format == expected.format
    found = [(problem.line, problem.path, problem.message) for problem in error.problems]
    assert len(found) == len(expected.problems), found
    for (line, path, message), (want_line, want_path, part) in zip(
        found, expected.problems, strict=True
    ):
        assert (line, path) == (want_line, want_path)
        assert part in message


def test_config_check_names_the_format_of_every_corpus_file() -> None:
    """One process over the whole corpus: exit 0 and the format for valid files, exit 1 with
    valid JSON for refused ones, never a traceback."""
    code = (
        "import sys\n"
        "from pyamplify.cli.main import main\n"
        "for path in sys.argv[1:]:\n"
        "    print('<<< exit', main(['config', 'check', path, '--json']), flush=True)\n"
    )
    names = sorted(VALID) + sorted(REFUSED)
    done = subprocess.run(
        [sys.executable, "-c", code, *(str(CORPUS / name) for name in names)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Traceback" not in done.stderr
    outputs = done.stdout.split("<<< exit ")
    assert len(outputs) == len(names) + 1
    for index, name in enumerate(names):
        document = json.loads(outputs[index].split("\n", 1)[1] if index else outputs[0])
        exit_code = outputs[index + 1].split("\n", 1)[0]
        if name in VALID:
            assert (exit_code, document["ok"]) == ("0", True)
            assert document["format"] == VALID[name].format
        else:
            error = document["error"]
            assert (exit_code, error["code"]) == ("1", "ConfigError")
            assert error["format"] == REFUSED[name].format and error["problems"]
