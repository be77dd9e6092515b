"""The handlers in ``examples/triggers/``, run from their own ``triggers.toml`` as
``pyamplify local start --triggers examples/triggers/triggers.toml`` runs them: a one-time code
by e-mail, a PreTokenGeneration V2, a Node.js PreSignUp and a UserMigration from a dict, each
doing what its README section promises. (The question example has its own tests in both
languages in ``test_triggers_custom_auth``.)
"""

from __future__ import annotations

import logging
import re
import secrets
import shutil
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from pyamplify import srp
from pyamplify.local import LocalCognito
from pyamplify.local.lambdas import FunctionRunner
from pyamplify.local.lambdas.triggers_file import map_entries, read_triggers_file
from pyamplify.local.testing.plugin import serve_local_cognito

from . import srp_client
from .trigger_support import (
    ARN,
    EXAMPLES,
    answer_custom,
    custom_auth_config,
    error_of,
    secret_hash,
    start_custom,
    verify_token,
)

if TYPE_CHECKING:
    from tests.conftest import PoolClient

pytestmark = pytest.mark.e2e

HAS_NODE = shutil.which("node") is not None
needs_node = pytest.mark.skipif(not HAS_NODE, reason="Node.js is not installed")
OTP = ARN.format("otp-email")
PRE_TOKEN = ARN.format("pre-token-v2")
PRE_SIGN_UP = ARN.format("pre-sign-up")
MIGRATION = ARN.format("user-migration")
LOG_NAME = "pyamplify.local.lambdas"
PASSWORD = "Example-Passw0rd!"
CODE_LINE = re.compile(r"One-time sign-in code for (?P<email>\S+): (?P<code>\d{6})$")


@pytest.fixture(scope="module")
def local_cognito(request: pytest.FixtureRequest) -> Iterator[LocalCognito]:
    """A local Cognito running every example the examples' triggers.toml maps."""
    entries = read_triggers_file(EXAMPLES / "triggers.toml")
    if not HAS_NODE:
        entries = [e for e in entries if not e.spec.partition(":")[0].endswith(".mjs")]
    runner = FunctionRunner()
    map_entries(runner, entries)
    yield from serve_local_cognito(request, triggers=runner)


def test_the_triggers_file_maps_every_example() -> None:
    entries = read_triggers_file(EXAMPLES / "triggers.toml")
    assert {entry.arn.rpartition(":")[2]: entry.spec for entry in entries} == {
        "otp-email": "otp_email.py:handler",
        "question": "question.py:handler",
        "question-node": "question.mjs:handler",
        "pre-token-v2": "pre_token_v2.py:handler",
        "pre-sign-up": "pre_sign_up.mjs:handler",
        "user-migration": "user_migration.py:handler",
    }
    assert all(entry.base_dir == EXAMPLES for entry in entries)


def test_the_examples_import_nothing_of_pyamplify() -> None:
    """They are plain Lambda handlers: deployable to AWS unchanged."""
    for path in EXAMPLES.iterdir():
        if path.suffix in (".py", ".mjs"):
            assert "pyamplify" not in path.read_text(), path.name


# ---------------------------------------------------------------------- otp_email.py


@pytest.fixture
def otp_pool(
    new_user_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> tuple[PoolClient, str]:
    pool = new_user_pool(
        pool={"LambdaConfig": custom_auth_config(OTP)},
        client={"ExplicitAuthFlows": ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]},
    )
    username = new_user(
        pool.pool_id,
        f"otp-{secrets.token_hex(3)}",
        PASSWORD,
        {"email": "otp.user@example.com", "email_verified": "true"},
    )
    return pool, username


def _sent_codes(caplog: pytest.LogCaptureFixture) -> list[tuple[str, logging.LogRecord]]:
    """The codes the otp example "e-mailed", with the log record that carries each."""
    found = []
    for record in caplog.records:
        match = CODE_LINE.search(record.getMessage())
        if record.name == LOG_NAME and match:
            assert match["email"] == "otp.user@example.com"
            found.append((match["code"], record))
    return found


def test_otp_email_code_from_the_log_signs_in_after_a_wrong_answer(
    cognito_idp: Any, otp_pool: tuple[PoolClient, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOG_NAME)
    pool, username = otp_pool
    challenge = start_custom(cognito_idp, pool.client_id, username)
    assert challenge["ChallengeParameters"] == {
        "delivery": "EMAIL",
        "destination": "o***@example.com",
        "attemptsLeft": "3",
        "USERNAME": username,
    }
    ((code, record),) = _sent_codes(caplog)
    # The printed line is the function's log line, tagged as CloudWatch would show it.
    assert record.lambda_function == "otp-email"  # type: ignore[attr-defined]
    assert record.lambda_stream == "stdout"  # type: ignore[attr-defined]
    request_id = record.aws_request_id  # type: ignore[attr-defined]
    assert record.getMessage().startswith(f"[otp-email {request_id}] ")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    retry = answer_custom(cognito_idp, pool.client_id, challenge, wrong)
    assert retry["ChallengeParameters"]["attemptsLeft"] == "2"
    assert len(_sent_codes(caplog)) == 1  # a retry keeps the same code: nothing new sent
    done = answer_custom(cognito_idp, pool.client_id, retry, code)
    assert "AccessToken" in done["AuthenticationResult"]


def test_otp_email_three_wrong_codes_fail(
    cognito_idp: Any, otp_pool: tuple[PoolClient, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOG_NAME)
    pool, username = otp_pool
    challenge = start_custom(cognito_idp, pool.client_id, username)
    ((code, _),) = _sent_codes(caplog)
    wrong = "x" + code
    for _ in range(2):
        challenge = answer_custom(cognito_idp, pool.client_id, challenge, wrong)
    with pytest.raises(ClientError) as caught:
        answer_custom(cognito_idp, pool.client_id, challenge, wrong)
    assert error_of(caught) == ("NotAuthorizedException", "Incorrect username or password.")


def test_otp_email_as_a_second_factor_after_srp(
    cognito_idp: Any, otp_pool: tuple[PoolClient, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOG_NAME)
    pool, username = otp_pool
    ephemeral = srp.new_client_ephemeral()
    started = start_custom(cognito_idp, pool.client_id, username, srp_a=ephemeral.srp_a)
    assert _sent_codes(caplog) == []  # no code before the password
    responses = srp_client.answer(ephemeral, started["ChallengeParameters"], pool.pool_id, PASSWORD)
    challenge = cognito_idp.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName="PASSWORD_VERIFIER",
        Session=started["Session"],
        ChallengeResponses=responses,
    )
    ((code, _),) = _sent_codes(caplog)
    done = answer_custom(cognito_idp, pool.client_id, challenge, code)
    assert "AccessToken" in done["AuthenticationResult"]


# ---------------------------------------------------------------------- pre_token_v2.py


def test_pre_token_v2_adds_a_tenant_claim_and_scope(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> None:
    pool = new_user_pool(
        pool={
            "LambdaConfig": {
                "PreTokenGenerationConfig": {"LambdaVersion": "V2_0", "LambdaArn": PRE_TOKEN}
            }
        },
        client={"GenerateSecret": True},
    )
    username = new_user(pool.pool_id, "tenant-user", PASSWORD, {"email": "ann@Acme.example"})
    tokens = cognito_idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": username,
            "PASSWORD": PASSWORD,
            **secret_hash(username, pool.client_id, pool.client_secret),
        },
    )["AuthenticationResult"]
    id_claims = verify_token(local_cognito.url, pool.pool_id, tokens["IdToken"], pool.client_id)
    access = verify_token(local_cognito.url, pool.pool_id, tokens["AccessToken"])
    assert id_claims["tenant"] == access["tenant"] == "acme.example"
    assert access["scope"].split() == ["aws.cognito.signin.user.admin", "tenant/acme.example"]
    assert "scope" not in id_claims


# ---------------------------------------------------------------------- pre_sign_up.mjs


@needs_node
def test_pre_sign_up_node_confirms_one_domain_and_refuses_another(
    cognito_idp: Any, local_cognito: LocalCognito, new_user_pool: Callable[..., PoolClient]
) -> None:
    pool = new_user_pool(
        pool={"AutoVerifiedAttributes": ["email"], "LambdaConfig": {"PreSignUp": PRE_SIGN_UP}}
    )

    def sign_up(username: str, email: str) -> dict[str, Any]:
        result: dict[str, Any] = cognito_idp.sign_up(
            ClientId=pool.client_id,
            Username=username,
            Password=PASSWORD,
            UserAttributes=[{"Name": "email", "Value": email}],
        )
        return result

    trusted = sign_up("trusted", "Tess@Example.com")
    assert trusted["UserConfirmed"] is True
    assert "CodeDeliveryDetails" not in trusted
    user = cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="trusted")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]

    with pytest.raises(ClientError) as caught:
        sign_up("spammer", "bot@spam.example")
    assert error_of(caught) == (
        "UserLambdaValidationException",
        "PreSignUp failed with error Sign-ups from spam.example are not accepted.",
    )
    with pytest.raises(cognito_idp.exceptions.UserNotFoundException):
        cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="spammer")

    usual = sign_up("someone", "someone@elsewhere.example")
    assert usual["UserConfirmed"] is False
    assert usual["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"


# ---------------------------------------------------------------------- user_migration.py


@pytest.fixture
def migration_pool(new_user_pool: Callable[..., PoolClient]) -> PoolClient:
    return new_user_pool(pool={"LambdaConfig": {"UserMigration": MIGRATION}})


def _password_sign_in(idp: Any, pool: PoolClient, username: str, password: str) -> Any:
    return idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )


def test_user_migration_moves_legacy_users_in_at_sign_in(
    cognito_idp: Any, migration_pool: PoolClient
) -> None:
    pool = migration_pool
    tokens = _password_sign_in(cognito_idp, pool, "alice", "hunter2")["AuthenticationResult"]
    assert cognito_idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
    user = cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="alice")
    assert user["UserStatus"] == "CONFIRMED"
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["email"] == "alice@legacy.example"
    assert attributes["name"] == "Alice Legacy"

    with pytest.raises(cognito_idp.exceptions.PasswordResetRequiredException):
        _password_sign_in(cognito_idp, pool, "bob", "Legacy-Passw0rd!")
    assert cognito_idp.admin_get_user(UserPoolId=pool.pool_id, Username="bob")["UserStatus"] == (
        "RESET_REQUIRED"
    )
    with pytest.raises(ClientError) as caught:
        _password_sign_in(cognito_idp, pool, "carol", "hunter2")
    assert error_of(caught) == (
        "UserLambdaValidationException",
        "UserMigration failed with error User does not exist.",
    )


def test_user_migration_refuses_a_wrong_legacy_password(
    cognito_idp: Any, migration_pool: PoolClient
) -> None:
    with pytest.raises(ClientError) as caught:
        _password_sign_in(cognito_idp, migration_pool, "alice", "hunter3")
    assert error_of(caught) == (
        "UserLambdaValidationException",
        "UserMigration failed with error Bad password.",
    )
    with pytest.raises(cognito_idp.exceptions.UserNotFoundException):
        cognito_idp.admin_get_user(UserPoolId=migration_pool.pool_id, Username="alice")


def test_user_migration_at_forgot_password_then_a_new_password(
    cognito_idp: Any, local_cognito: LocalCognito, migration_pool: PoolClient
) -> None:
    pool = migration_pool
    delivery = cognito_idp.forgot_password(ClientId=pool.client_id, Username="bob")
    assert delivery["CodeDeliveryDetails"]["Destination"] == "b****@l****"
    (item,) = [i for i in local_cognito.outbox("bob") if i["user_pool_id"] == pool.pool_id]
    assert item["purpose"] == "ForgotPassword"
    assert item["destination"] == "bob@legacy.example"
    cognito_idp.confirm_forgot_password(
        ClientId=pool.client_id,
        Username="bob",
        ConfirmationCode=item["code"],
        Password="Bobs-New-Passw0rd!",
    )
    tokens = _password_sign_in(cognito_idp, pool, "bob", "Bobs-New-Passw0rd!")
    assert "AccessToken" in tokens["AuthenticationResult"]


# ---------------------------------------------------------------------- the README stays true

README = EXAMPLES / "README.md"


def _python_block(after_heading: str) -> str:
    section = README.read_text(encoding="utf-8").split(after_heading, 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None, f"README lost its example after {after_heading!r}"
    return match.group(1)


def test_readme_boto3_example_runs_against_the_server(
    local_cognito: LocalCognito, capsys: pytest.CaptureFixture[str]
) -> None:
    """The snippet for ``pyamplify local start``, pointed at this module's server (which runs
    the same triggers.toml) instead of port 9229."""
    example = _python_block("## Against `pyamplify local start`")
    assert '"http://127.0.0.1:9229"' in example
    runnable = example.replace('"http://127.0.0.1:9229"', repr(local_cognito.url))
    exec(compile(runnable, "examples/triggers/README.md", "exec"), {})
    assert re.fullmatch(r"What is \d \+ \d\?\n", capsys.readouterr().out)


def test_readme_in_process_example_runs_as_written(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PYAMPLIFY_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PYAMPLIFY_STORE", "file")
    monkeypatch.chdir(EXAMPLES.parents[1])  # "Run from the repository root"
    example = _python_block("## In-process, from Python")
    exec(compile(example, "examples/triggers/README.md", "exec"), {})
    assert capsys.readouterr().out == "signed in as ada\n"
