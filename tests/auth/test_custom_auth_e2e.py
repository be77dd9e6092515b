"""Custom authentication end to end: ``Auth`` and ``AsyncAuth`` (the ``make_auth`` fixture runs
each test with both), with and without a client secret, against a local Cognito running the
``question`` example of ``examples/triggers/`` as the pool's Define/Create/VerifyAuthChallenge
functions. The wire details of the flows are in ``test_custom_flows.py``; the server side of
the conversation in ``tests/local/test_triggers_custom_auth.py``.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pyamplify.auth import SignInStep
from pyamplify.local import LocalCognito
from pyamplify.local.testing import LocalPool, provision_user
from pyamplify.local.testing.plugin import serve_local_cognito
from pyamplify.wire.errors import NotAuthorizedException

from .conftest import AuthFactory

pytestmark = pytest.mark.e2e

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "triggers" / "question.py"
QUESTION = "arn:aws:lambda:us-east-1:000000000000:function:question"
PASSWORD = "Custom-Flow-Passw0rd!"
CUSTOM_FLOWS = ["ALLOW_CUSTOM_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def _load_example() -> Any:
    spec = importlib.util.spec_from_file_location("question_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.handler


class RecordingQuestion:
    """The question example's handler, keeping each event it answers (to see ClientMetadata)."""

    def __init__(self) -> None:
        self.handler = _load_example()
        self.events: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.events.append(event)
        return self.handler(event, context)


FUNCTION = RecordingQuestion()


@pytest.fixture(scope="module")
def local_cognito(request: pytest.FixtureRequest) -> Iterator[LocalCognito]:
    """This module's local Cognito, running the question example."""
    yield from serve_local_cognito(request, triggers={QUESTION: FUNCTION})


@pytest.fixture
def custom_pool(make_pool: Callable[..., LocalPool]) -> Callable[..., tuple[LocalPool, str]]:
    """``custom_pool(client_secret=False)``: a pool running the question example, and a user."""

    def make(client_secret: bool = False) -> tuple[LocalPool, str]:
        pool = make_pool(
            client_secret=client_secret,
            extra_pool={
                "LambdaConfig": {
                    "DefineAuthChallenge": QUESTION,
                    "CreateAuthChallenge": QUESTION,
                    "VerifyAuthChallengeResponse": QUESTION,
                }
            },
            extra_client={"ExplicitAuthFlows": CUSTOM_FLOWS},
        )
        assert pool.config.user_pool is not None and pool.config.user_pool.endpoint
        user = provision_user(
            pool.config.user_pool.endpoint, pool, "ada", PASSWORD, {"email": "ada@example.com"}
        )
        return pool, user.username

    return make


def _answer(result: Any) -> str:
    """The sum the question example asks for."""
    question = result.next_step.additional_info["question"]
    return str(sum(int(n) for n in re.findall(r"\d+", question)))


def _asks_a_question(result: Any) -> None:
    assert not result.is_signed_in
    assert result.next_step.sign_in_step is SignInStep.CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE
    assert re.fullmatch(r"What is \d \+ \d\?", result.next_step.additional_info["question"])


SECRETS = pytest.mark.parametrize("client_secret", [False, True], ids=["no-secret", "secret"])


@SECRETS
def test_custom_without_srp_several_rounds(
    make_auth: AuthFactory,
    custom_pool: Callable[..., tuple[LocalPool, str]],
    client_secret: bool,
) -> None:
    pool, username = custom_pool(client_secret)
    auth = make_auth(pool)
    result = auth.sign_in(username, flow="CUSTOM_WITHOUT_SRP")
    _asks_a_question(result)
    result = auth.confirm_sign_in("-1")  # wrong: a new question comes
    _asks_a_question(result)
    result = auth.confirm_sign_in("0")
    _asks_a_question(result)
    done = auth.confirm_sign_in(_answer(result))
    assert done.is_signed_in
    assert done.next_step.sign_in_step is SignInStep.DONE
    assert auth.get_current_user().username == username
    assert auth.fetch_auth_session().tokens is not None


@SECRETS
def test_custom_with_srp_checks_the_password_first(
    make_auth: AuthFactory,
    custom_pool: Callable[..., tuple[LocalPool, str]],
    client_secret: bool,
) -> None:
    pool, username = custom_pool(client_secret)
    auth = make_auth(pool)
    with pytest.raises(NotAuthorizedException, match=r"Incorrect username or password\."):
        auth.sign_in(username, "Not-The-Passw0rd!", flow="CUSTOM_WITH_SRP")
    result = auth.sign_in(username, PASSWORD, flow="CUSTOM_WITH_SRP")
    _asks_a_question(result)
    done = auth.confirm_sign_in(_answer(result))
    assert done.is_signed_in
    assert auth.get_current_user().username == username


@SECRETS
def test_a_configuration_with_custom_auth_picks_by_the_password(
    make_auth: AuthFactory,
    custom_pool: Callable[..., tuple[LocalPool, str]],
    client_secret: bool,
) -> None:
    pool, username = custom_pool(client_secret)
    custom = pool._replace(config=replace(pool.config, authentication_flow_type="CUSTOM_AUTH"))
    auth = make_auth(custom)
    # With a password: SRP first, so a wrong one fails before any question.
    with pytest.raises(NotAuthorizedException):
        auth.sign_in(username, "Not-The-Passw0rd!")
    result = auth.sign_in(username, PASSWORD)
    _asks_a_question(result)
    assert auth.confirm_sign_in(_answer(result)).is_signed_in
    auth.sign_out()
    # Without one: straight to the questions.
    FUNCTION.events.clear()
    result = auth.sign_in(username)
    _asks_a_question(result)
    assert [e["request"]["session"] for e in FUNCTION.events[:1]] == [[]]
    assert auth.confirm_sign_in(_answer(result)).is_signed_in


def test_exhausted_retries_end_the_sign_in(
    make_auth: AuthFactory, custom_pool: Callable[..., tuple[LocalPool, str]]
) -> None:
    pool, username = custom_pool()
    auth = make_auth(pool)
    auth.sign_in(username, flow="CUSTOM_WITHOUT_SRP")
    auth.confirm_sign_in("-1")
    auth.confirm_sign_in("-1")
    with pytest.raises(NotAuthorizedException, match=r"Incorrect username or password\."):
        auth.confirm_sign_in("-1")
    result = auth.sign_in(username, flow="CUSTOM_WITHOUT_SRP")  # a new sign-in starts over
    assert auth.confirm_sign_in(_answer(result)).is_signed_in


def test_client_metadata_reaches_the_functions_where_cognito_passes_it(
    make_auth: AuthFactory, custom_pool: Callable[..., tuple[LocalPool, str]]
) -> None:
    pool, username = custom_pool()
    auth = make_auth(pool)
    FUNCTION.events.clear()
    result = auth.sign_in(
        username, flow="CUSTOM_WITHOUT_SRP", client_metadata={"sent_with": "sign_in"}
    )
    # InitiateAuth's ClientMetadata is not passed to Define or Create.
    assert [("clientMetadata" in e["request"]) for e in FUNCTION.events] == [False, False]
    FUNCTION.events.clear()
    auth.confirm_sign_in(_answer(result), client_metadata={"sent_with": "confirm"})
    assert [e["triggerSource"] for e in FUNCTION.events] == [
        "VerifyAuthChallengeResponse_Authentication",
        "DefineAuthChallenge_Authentication",
    ]
    assert all(e["request"]["clientMetadata"] == {"sent_with": "confirm"} for e in FUNCTION.events)
