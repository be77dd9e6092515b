"""CUSTOM_AUTH over real HTTP: Define/Create/VerifyAuthChallenge with and without SRP.

Two kinds of function answer here. A recording Python handler (:class:`~.trigger_support.
Recorder`) scripted per test shows the events field by field (the session list growing round by
round, ``userNotFound`` for a ghost, ClientMetadata only from RespondToAuthChallenge) and plays
every failure: raising, hanging past the time limit, answering the wrong shape. And the
``question`` example, the same logic in ``question.py`` and ``question.mjs``, passes the same
tests in both languages: several rounds, a wrong answer, exhausted retries, SRP first.

After every failure the server answers with Cognito's error, keeps the user as it was and goes on
serving.
"""

from __future__ import annotations

import secrets
import shutil
import threading
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from pyamplify import srp
from pyamplify.local import LocalCognito
from pyamplify.local.clock import ManualClock
from pyamplify.local.testing.plugin import serve_local_cognito

from . import srp_client
from .trigger_support import (
    ARN,
    CUSTOM_TRIGGERS,
    EXAMPLES,
    RECORD,
    UNMAPPED,
    Recorder,
    answer_custom,
    custom_auth_config,
    envelope,
    error_of,
    secret_hash,
    solve,
    start_custom,
)

if TYPE_CHECKING:
    from tests.conftest import PoolClient

pytestmark = pytest.mark.e2e

PASSWORD = "Custom-Passw0rd!"
RECORDER = Recorder()
QUESTION_PY = ARN.format("question")
QUESTION_NODE = ARN.format("question-node")
HAS_NODE = shutil.which("node") is not None
needs_node = pytest.mark.skipif(not HAS_NODE, reason="Node.js is not installed")
#: The question example in both languages: the same tests for each.
QUESTIONS = [
    pytest.param(QUESTION_PY, id="question.py"),
    pytest.param(QUESTION_NODE, id="question.mjs", marks=needs_node),
]
CUSTOM_FLOWS = ["ALLOW_CUSTOM_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
PHONE = "+15555550123"
SMS = {"SnsCallerArn": "arn:aws:iam::123456789012:role/CognitoSms"}


@pytest.fixture(scope="module")
def local_cognito(request: pytest.FixtureRequest) -> Iterator[LocalCognito]:
    """This module's local Cognito: the recorder, and the question example in both languages."""
    triggers: dict[str, Any] = {
        RECORD: RECORDER,
        QUESTION_PY: str(EXAMPLES / "question.py") + ":handler",
    }
    if HAS_NODE:
        triggers[QUESTION_NODE] = str(EXAMPLES / "question.mjs") + ":handler"
    yield from serve_local_cognito(request, triggers=triggers)


@pytest.fixture(autouse=True)
def recorder() -> Iterator[Recorder]:
    RECORDER.reset()
    yield RECORDER
    RECORDER.reset()


@pytest.fixture
def custom_pool(
    new_user_pool: Callable[..., PoolClient], new_user: Callable[..., str]
) -> Callable[..., tuple[PoolClient, str]]:
    """``custom_pool(arn=RECORD, secret=False, extra={LambdaConfig...}, client={...})``: a pool
    whose custom-auth triggers name ``arn``, and a confirmed user with an e-mail."""

    def make(
        arn: str = RECORD,
        *,
        secret: bool = False,
        extra: dict[str, str] | None = None,
        pool: dict[str, Any] | None = None,
        client: dict[str, Any] | None = None,
    ) -> tuple[PoolClient, str]:
        made = new_user_pool(
            pool={"LambdaConfig": {**custom_auth_config(arn), **(extra or {})}, **(pool or {})},
            client={"ExplicitAuthFlows": CUSTOM_FLOWS, "GenerateSecret": secret, **(client or {})},
        )
        username = new_user(
            made.pool_id,
            f"user-{secrets.token_hex(4)}",
            PASSWORD,
            {"email": "custom@example.com", "email_verified": "true"},
        )
        return made, username

    return make


# ---------------------------------------------------------------------- a scripted function

RIGHT = "open sesame"


def _define(event: dict[str, Any]) -> None:
    """Password after SRP, then challenges until one is answered right (3 tries)."""
    session = event["request"]["session"]
    response = event["response"]
    last = session[-1] if session else None
    if last and last["challengeName"] == "SRP_A":
        response["challengeName"] = "PASSWORD_VERIFIER"
    elif last and last["challengeName"] == "CUSTOM_CHALLENGE" and last["challengeResult"]:
        response["issueTokens"] = True
    elif sum(entry["challengeName"] == "CUSTOM_CHALLENGE" for entry in session) >= 3:
        response["failAuthentication"] = True
    else:
        response["challengeName"] = "CUSTOM_CHALLENGE"


def _create(event: dict[str, Any]) -> None:
    n = 1 + sum(e["challengeName"] == "CUSTOM_CHALLENGE" for e in event["request"]["session"])
    event["response"] = {
        "publicChallengeParameters": {"hint": f"round {n}"},
        "privateChallengeParameters": {"expected": RIGHT, "round": n},
        "challengeMetadata": f"meta-{n}",
    }


def _verify(event: dict[str, Any]) -> None:
    request = event["request"]
    event["response"]["answerCorrect"] = (
        request["challengeAnswer"] == request["privateChallengeParameters"]["expected"]
    )


@pytest.fixture
def scripted(recorder: Recorder) -> Recorder:
    recorder.answers.update(
        DefineAuthChallenge=_define,
        CreateAuthChallenge=_create,
        VerifyAuthChallengeResponse=_verify,
    )
    return recorder


def _entry(name: str, result: bool, metadata: str | None = None) -> dict[str, Any]:
    return {"challengeName": name, "challengeResult": result, "challengeMetadata": metadata}


def _user_attributes(idp: Any, pool: PoolClient, username: str) -> dict[str, str]:
    user = idp.admin_get_user(UserPoolId=pool.pool_id, Username=username)
    return {
        **{a["Name"]: a["Value"] for a in user["UserAttributes"]},
        "cognito:user_status": user["UserStatus"],
    }


# ---------------------------------------------------------------------- events, round by round


@pytest.mark.parametrize("variant", ["plain", "secret", "admin"])
def test_custom_auth_without_srp_events_round_by_round(
    cognito_idp: Any,
    custom_pool: Callable[..., tuple[PoolClient, str]],
    scripted: Recorder,
    variant: str,
) -> None:
    pool, username = custom_pool(
        secret=variant == "secret",
        extra={"PreAuthentication": RECORD, "PostAuthentication": RECORD},
    )
    secret = pool.client_secret
    if variant == "admin":
        started = cognito_idp.admin_initiate_auth(
            UserPoolId=pool.pool_id,
            ClientId=pool.client_id,
            AuthFlow="CUSTOM_AUTH",
            AuthParameters={"USERNAME": username},
            ClientMetadata={"from": "initiate"},
        )
    else:
        started = start_custom(
            cognito_idp, pool.client_id, username, secret, ClientMetadata={"from": "initiate"}
        )
    assert started["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert started["ChallengeParameters"] == {"hint": "round 1", "USERNAME": username}

    def respond(challenge: dict[str, Any], answer: str, metadata: dict[str, str]) -> Any:
        if variant == "admin":
            return cognito_idp.admin_respond_to_auth_challenge(
                UserPoolId=pool.pool_id,
                ClientId=pool.client_id,
                ChallengeName="CUSTOM_CHALLENGE",
                Session=challenge["Session"],
                ChallengeResponses={"USERNAME": username, "ANSWER": answer},
                ClientMetadata=metadata,
            )
        return answer_custom(
            cognito_idp, pool.client_id, challenge, answer, secret, ClientMetadata=metadata
        )

    second = respond(started, "wrong", {"round": "1"})
    assert second["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert second["ChallengeParameters"] == {"hint": "round 2", "USERNAME": username}
    assert second["Session"] != started["Session"]  # a new Session every round
    done = respond(second, RIGHT, {"round": "2"})
    assert set(done["AuthenticationResult"]) >= {"AccessToken", "IdToken", "RefreshToken"}

    attributes = _user_attributes(cognito_idp, pool, username)
    events = scripted.events
    assert [e["triggerSource"].partition("_")[0] for e in events] == [
        "PreAuthentication",
        "DefineAuthChallenge",
        "CreateAuthChallenge",
        "VerifyAuthChallengeResponse",
        "DefineAuthChallenge",
        "CreateAuthChallenge",
        "VerifyAuthChallengeResponse",
        "DefineAuthChallenge",
        "PostAuthentication",
    ]
    for event in events:
        envelope(event, event["triggerSource"], pool.pool_id, username, pool.client_id)
        assert event["request"]["userAttributes"] == attributes
        assert "userNotFound" not in event["request"]
    pre, define1, create1, verify1, define2, create2, verify2, define3, post = events
    assert pre["request"]["validationData"] == {"from": "initiate"}
    assert define1["triggerSource"] == "DefineAuthChallenge_Authentication"
    # InitiateAuth's ClientMetadata does not reach Define or Create.
    assert define1["request"] == {"userAttributes": attributes, "session": []}
    assert define1["response"] == {}
    assert create1["triggerSource"] == "CreateAuthChallenge_Authentication"
    assert create1["request"] == {
        "userAttributes": attributes,
        "challengeName": "CUSTOM_CHALLENGE",
        "session": [],
    }
    assert verify1["triggerSource"] == "VerifyAuthChallengeResponse_Authentication"
    assert verify1["request"] == {
        "userAttributes": attributes,
        "privateChallengeParameters": {"expected": RIGHT, "round": 1},
        "challengeAnswer": "wrong",
        "clientMetadata": {"round": "1"},
    }
    first_round = [_entry("CUSTOM_CHALLENGE", False, "meta-1")]
    assert define2["request"]["session"] == first_round
    assert define2["request"]["clientMetadata"] == {"round": "1"}
    assert create2["request"]["session"] == first_round
    assert create2["request"]["clientMetadata"] == {"round": "1"}
    assert verify2["request"]["challengeAnswer"] == RIGHT
    assert define3["request"]["session"] == [
        *first_round,
        _entry("CUSTOM_CHALLENGE", True, "meta-2"),
    ]
    assert define3["request"]["clientMetadata"] == {"round": "2"}
    # RespondToAuthChallenge's ClientMetadata reaches PostAuthentication.
    assert post["request"]["clientMetadata"] == {"round": "2"}


@pytest.mark.parametrize("secret", [False, True], ids=["no-secret", "secret"])
def test_custom_auth_with_srp_puts_the_password_in_the_session_list(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    custom_pool: Callable[..., tuple[PoolClient, str]],
    scripted: Recorder,
    secret: bool,
) -> None:
    pool, username = custom_pool(secret=secret)
    ephemeral = srp.new_client_ephemeral()
    started = start_custom(
        cognito_idp, pool.client_id, username, pool.client_secret, srp_a=ephemeral.srp_a
    )
    assert started["ChallengeName"] == "PASSWORD_VERIFIER"
    assert {"SALT", "SRP_B", "SECRET_BLOCK", "USER_ID_FOR_SRP"} <= set(
        started["ChallengeParameters"]
    )
    assert started["Session"]  # unlike USER_SRP_AUTH, the custom flow goes on with a Session
    responses = srp_client.answer(ephemeral, started["ChallengeParameters"], pool.pool_id, PASSWORD)
    responses.update(secret_hash(username, pool.client_id, pool.client_secret))
    custom = cognito_idp.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName="PASSWORD_VERIFIER",
        Session=started["Session"],
        ChallengeResponses=responses,
    )
    assert custom["ChallengeName"] == "CUSTOM_CHALLENGE"
    done = answer_custom(cognito_idp, pool.client_id, custom, RIGHT, pool.client_secret)
    assert "AccessToken" in done["AuthenticationResult"]
    defines = [e["request"]["session"] for e in scripted.of("DefineAuthChallenge")]
    srp_a = _entry("SRP_A", True)
    verified = _entry("PASSWORD_VERIFIER", True)
    assert defines == [
        [srp_a],
        [srp_a, verified],
        [srp_a, verified, _entry("CUSTOM_CHALLENGE", True, "meta-1")],
    ]
    (create,) = scripted.of("CreateAuthChallenge")
    assert create["request"]["session"] == [srp_a, verified]


def test_custom_auth_with_srp_and_a_wrong_password(
    cognito_idp: Any, custom_pool: Callable[..., tuple[PoolClient, str]], scripted: Recorder
) -> None:
    pool, username = custom_pool()
    ephemeral = srp.new_client_ephemeral()
    started = start_custom(cognito_idp, pool.client_id, username, srp_a=ephemeral.srp_a)
    responses = srp_client.answer(ephemeral, started["ChallengeParameters"], pool.pool_id, "nope")
    with pytest.raises(ClientError) as caught:
        cognito_idp.respond_to_auth_challenge(
            ClientId=pool.client_id,
            ChallengeName="PASSWORD_VERIFIER",
            Session=started["Session"],
            ChallengeResponses=responses,
        )
    assert error_of(caught) == ("NotAuthorizedException", "Incorrect username or password.")
    assert scripted.sources() == ["DefineAuthChallenge_Authentication"]


def test_respond_without_secret_hash_is_refused_for_a_client_with_a_secret(
    cognito_idp: Any, custom_pool: Callable[..., tuple[PoolClient, str]], scripted: Recorder
) -> None:
    pool, username = custom_pool(secret=True)
    challenge = start_custom(cognito_idp, pool.client_id, username, pool.client_secret)
    with pytest.raises(ClientError) as caught:
        answer_custom(cognito_idp, pool.client_id, challenge, RIGHT)  # no SECRET_HASH
    assert error_of(caught) == (
        "NotAuthorizedException",
        f"Client {pool.client_id} is configured with secret but SECRET_HASH was not received",
    )
    with pytest.raises(ClientError) as caught:
        answer_custom(cognito_idp, pool.client_id, challenge, RIGHT, "not-the-secret")
    assert error_of(caught) == (
        "NotAuthorizedException",
        f"Unable to verify secret hash for client {pool.client_id}",
    )
    assert scripted.of("VerifyAuthChallengeResponse") == []
    # The Session was not spent on refused calls.
    done = answer_custom(cognito_idp, pool.client_id, challenge, RIGHT, pool.client_secret)
    assert "AccessToken" in done["AuthenticationResult"]


# ---------------------------------------------------------------------- ghosts


def test_unknown_user_with_prevent_user_existence_errors_gets_the_conversation(
    cognito_idp: Any, custom_pool: Callable[..., tuple[PoolClient, str]], scripted: Recorder
) -> None:
    pool, _ = custom_pool(client={"PreventUserExistenceErrors": "ENABLED"})
    ghost = "nobody-here"
    challenge = start_custom(cognito_idp, pool.client_id, ghost)
    assert challenge["ChallengeParameters"] == {"hint": "round 1", "USERNAME": ghost}
    # Define would issue tokens for the right answer: a ghost never gets them.
    with pytest.raises(ClientError) as caught:
        answer_custom(cognito_idp, pool.client_id, challenge, RIGHT)
    assert error_of(caught) == ("NotAuthorizedException", "Incorrect username or password.")
    assert len(scripted.events) == 4
    for event in scripted.events:
        envelope(event, event["triggerSource"], pool.pool_id, ghost, pool.client_id)
        assert event["request"]["userNotFound"] is True
        assert event["request"]["userAttributes"] == {}


def test_unknown_user_with_srp_gets_a_password_step_too(
    cognito_idp: Any, custom_pool: Callable[..., tuple[PoolClient, str]], scripted: Recorder
) -> None:
    """Answering a ghost differently from a real user would tell who exists."""
    pool, username = custom_pool(client={"PreventUserExistenceErrors": "ENABLED"})
    answers = []
    for name in (username, "nobody-here"):
        ephemeral = srp.new_client_ephemeral()
        started = start_custom(cognito_idp, pool.client_id, name, srp_a=ephemeral.srp_a)
        assert started["ChallengeName"] == "PASSWORD_VERIFIER"
        assert set(started["ChallengeParameters"]) == {
            "SALT",
            "SRP_B",
            "SECRET_BLOCK",
            "USERNAME",
            "USER_ID_FOR_SRP",
        }
        responses = srp_client.answer(
            ephemeral, started["ChallengeParameters"], pool.pool_id, "Wrong-Passw0rd!"
        )
        with pytest.raises(ClientError) as caught:
            cognito_idp.respond_to_auth_challenge(
                ClientId=pool.client_id,
                ChallengeName="PASSWORD_VERIFIER",
                Session=started["Session"],
                ChallengeResponses=responses,
            )
        answers.append(error_of(caught))
    assert answers == [("NotAuthorizedException", "Incorrect username or password.")] * 2
    assert [e["request"].get("userNotFound", False) for e in scripted.events] == [False, True]


def test_unknown_user_with_a_legacy_client_is_not_found_before_any_function(
    cognito_idp: Any, custom_pool: Callable[..., tuple[PoolClient, str]], scripted: Recorder
) -> None:
    pool, _ = custom_pool()
    with pytest.raises(ClientError) as caught:
        start_custom(cognito_idp, pool.client_id, "nobody-here")
    assert error_of(caught) == ("UserNotFoundException", "User does not exist.")
    assert scripted.events == []


# ---------------------------------------------------------------------- the question example


@pytest.mark.parametrize("arn", QUESTIONS)
@pytest.mark.parametrize("secret", [False, True], ids=["no-secret", "secret"])
def test_question_several_rounds_then_tokens(
    cognito_idp: Any,
    custom_pool: Callable[..., tuple[PoolClient, str]],
    arn: str,
    secret: bool,
) -> None:
    pool, username = custom_pool(arn, secret=secret)
    challenge = start_custom(cognito_idp, pool.client_id, username, pool.client_secret)
    questions = []
    for _ in range(2):
        assert challenge["ChallengeName"] == "CUSTOM_CHALLENGE"
        questions.append(challenge["ChallengeParameters"]["question"])
        challenge = answer_custom(
            cognito_idp, pool.client_id, challenge, "-1", pool.client_secret
        )  # wrong: never a sum of two positive numbers
    assert challenge["ChallengeName"] == "CUSTOM_CHALLENGE"
    assert all(q.startswith("What is ") for q in questions)
    done = answer_custom(
        cognito_idp, pool.client_id, challenge, solve(challenge), pool.client_secret
    )
    tokens = done["AuthenticationResult"]
    assert cognito_idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == username


@pytest.mark.parametrize("arn", QUESTIONS)
def test_question_three_wrong_answers_fail_and_spend_the_session(
    cognito_idp: Any, custom_pool: Callable[..., tuple[PoolClient, str]], arn: str
) -> None:
    pool, username = custom_pool(arn)
    challenge = start_custom(cognito_idp, pool.client_id, username)
    for _ in range(2):
        challenge = answer_custom(cognito_idp, pool.client_id, challenge, "-1")
    with pytest.raises(ClientError) as caught:
        answer_custom(cognito_idp, pool.client_id, challenge, "-1")
    assert error_of(caught) == ("NotAuthorizedException", "Incorrect username or password.")
    with pytest.raises(ClientError) as caught:
        answer_custom(cognito_idp, pool.client_id, challenge, solve(challenge))
    assert error_of(caught) == ("NotAuthorizedException", "Invalid session for the user.")
    # Nothing about the user changed: a new sign-in starts from the first question.
    assert _user_attributes(cognito_idp, pool, username)["cognito:user_status"] == "CONFIRMED"
    again = start_custom(cognito_idp, pool.client_id, username)
    assert (
        "AccessToken"
        in answer_custom(cognito_idp, pool.client_id, again, solve(again))["AuthenticationResult"]
    )


@pytest.mark.parametrize("arn", QUESTIONS)
def test_question_after_srp(
    cognito_idp: Any, custom_pool: Callable[..., tuple[PoolClient, str]], arn: str
) -> None:
    pool, username = custom_pool(arn, secret=True)
    ephemeral = srp.new_client_ephemeral()
    started = start_custom(
        cognito_idp, pool.client_id, username, pool.client_secret, srp_a=ephemeral.srp_a
    )
    responses = srp_client.answer(ephemeral, started["ChallengeParameters"], pool.pool_id, PASSWORD)
    responses.update(secret_hash(username, pool.client_id, pool.client_secret))
    question = cognito_idp.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName="PASSWORD_VERIFIER",
        Session=started["Session"],
        ChallengeResponses=responses,
    )
    assert question["ChallengeParameters"]["question"].startswith("What is ")
    done = answer_custom(cognito_idp, pool.client_id, question, solve(question), pool.client_secret)
    assert "AccessToken" in done["AuthenticationResult"]


def test_a_spent_or_expired_session_is_invalid(
    cognito_idp: Any,
    custom_pool: Callable[..., tuple[PoolClient, str]],
    clock: ManualClock,
) -> None:
    pool, username = custom_pool(QUESTION_PY)
    first = start_custom(cognito_idp, pool.client_id, username)
    second = answer_custom(cognito_idp, pool.client_id, first, "-1")
    with pytest.raises(ClientError) as caught:  # the first round's Session was spent
        answer_custom(cognito_idp, pool.client_id, first, solve(first))
    assert error_of(caught) == ("NotAuthorizedException", "Invalid session for the user.")
    clock.advance(3 * 60 + 1)  # past the default AuthSessionValidity (3 minutes)
    with pytest.raises(ClientError) as caught:
        answer_custom(cognito_idp, pool.client_id, second, solve(second))
    assert error_of(caught) == ("NotAuthorizedException", "Invalid session for the user.")

    patient, patient_user = custom_pool(QUESTION_PY, client={"AuthSessionValidity": 15})
    challenge = start_custom(cognito_idp, patient.client_id, patient_user)
    clock.advance(14 * 60)
    done = answer_custom(cognito_idp, patient.client_id, challenge, solve(challenge))
    assert "AccessToken" in done["AuthenticationResult"]


def test_mfa_follows_the_custom_challenges_when_the_pool_requires_it(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    custom_pool: Callable[..., tuple[PoolClient, str]],
) -> None:
    pool, username = custom_pool(QUESTION_PY, pool={"SmsConfiguration": SMS})
    cognito_idp.set_user_pool_mfa_config(
        UserPoolId=pool.pool_id,
        MfaConfiguration="ON",
        SmsMfaConfiguration={"SmsConfiguration": SMS},
    )
    cognito_idp.admin_update_user_attributes(
        UserPoolId=pool.pool_id,
        Username=username,
        UserAttributes=[
            {"Name": "phone_number", "Value": PHONE},
            {"Name": "phone_number_verified", "Value": "true"},
        ],
    )
    cognito_idp.admin_set_user_mfa_preference(
        UserPoolId=pool.pool_id, Username=username, SMSMfaSettings={"Enabled": True}
    )
    question = start_custom(cognito_idp, pool.client_id, username)
    mfa = answer_custom(cognito_idp, pool.client_id, question, solve(question))
    assert mfa["ChallengeName"] == "SMS_MFA"
    code = [i for i in local_cognito.outbox(username) if i["user_pool_id"] == pool.pool_id][-1]
    done = cognito_idp.respond_to_auth_challenge(
        ClientId=pool.client_id,
        ChallengeName="SMS_MFA",
        Session=mfa["Session"],
        ChallengeResponses={"USERNAME": username, "SMS_MFA_CODE": code["code"]},
    )
    assert "AccessToken" in done["AuthenticationResult"]


# ---------------------------------------------------------------------- failures


def _still_serving(idp: Any, pool: PoolClient, username: str) -> None:
    """The user is as it was, and a full custom sign-in still works on this server."""
    assert _user_attributes(idp, pool, username)["cognito:user_status"] == "CONFIRMED"
    RECORDER.answers.update(
        DefineAuthChallenge=_define,
        CreateAuthChallenge=_create,
        VerifyAuthChallengeResponse=_verify,
    )
    challenge = start_custom(idp, pool.client_id, username)
    assert (
        "AccessToken"
        in answer_custom(idp, pool.client_id, challenge, RIGHT)["AuthenticationResult"]
    )


@pytest.mark.parametrize("trigger", CUSTOM_TRIGGERS)
def test_a_raising_function_is_user_lambda_validation_exception(
    cognito_idp: Any,
    custom_pool: Callable[..., tuple[PoolClient, str]],
    scripted: Recorder,
    trigger: str,
) -> None:
    pool, username = custom_pool()

    def boom(event: dict[str, Any]) -> None:
        raise RuntimeError(f"{trigger} says no")

    scripted.answers[trigger] = boom
    with pytest.raises(ClientError) as caught:
        challenge = start_custom(cognito_idp, pool.client_id, username)
        answer_custom(cognito_idp, pool.client_id, challenge, RIGHT)
    assert error_of(caught) == (
        "UserLambdaValidationException",
        f"{trigger} failed with error {trigger} says no.",
    )
    _still_serving(cognito_idp, pool, username)


def test_a_hanging_function_times_out_with_cognitos_error(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    custom_pool: Callable[..., tuple[PoolClient, str]],
    scripted: Recorder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pool, username = custom_pool()
    monkeypatch.setattr(local_cognito.backend, "trigger_timeout", 0.3)
    release = threading.Event()

    def hang(event: dict[str, Any]) -> None:
        release.wait(10)
        _create(event)

    scripted.answers["CreateAuthChallenge"] = hang
    try:
        with pytest.raises(ClientError) as caught:
            start_custom(cognito_idp, pool.client_id, username)
        assert error_of(caught) == (
            "UnexpectedLambdaException",
            "CreateAuthChallenge invocation failed due to error "
            "Socket timeout while invoking Lambda function.",
        )
        # While that handler still hangs, the server serves the next sign-in.
        _still_serving(cognito_idp, pool, username)
    finally:
        release.set()


@needs_node
def test_a_hanging_node_function_is_stopped_and_the_worker_restarts(
    cognito_idp: Any,
    local_cognito: LocalCognito,
    custom_pool: Callable[..., tuple[PoolClient, str]],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    hanging = tmp_path / "hang.mjs"
    hanging.write_text("export const handler = () => new Promise(() => {});\n")
    hang_arn = ARN.format("hang-node")
    local_cognito.functions.map(hang_arn, f"{hanging}:handler")
    pool, username = custom_pool(QUESTION_NODE, extra={"CreateAuthChallenge": hang_arn})
    good, good_user = custom_pool(QUESTION_NODE)
    monkeypatch.setattr(local_cognito.backend, "trigger_timeout", 0.3)
    worker = local_cognito.functions.node_pid
    with pytest.raises(ClientError) as caught:
        start_custom(cognito_idp, pool.client_id, username)
    assert error_of(caught)[0] == "UnexpectedLambdaException"
    assert "Socket timeout" in error_of(caught)[1]
    challenge = start_custom(cognito_idp, good.client_id, good_user)
    done = answer_custom(cognito_idp, good.client_id, challenge, solve(challenge))
    assert "AccessToken" in done["AuthenticationResult"]
    assert local_cognito.functions.node_pid not in (None, worker)


WRONG_SHAPES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "define-flag-not-boolean": lambda e: {**e, "response": {"issueTokens": "yes"}},
    "define-decides-nothing": lambda e: {**e, "response": {}},
    "define-not-an-object": lambda e: ["not", "an", "event"],
    "define-response-not-an-object": lambda e: {**e, "response": "CUSTOM_CHALLENGE"},
    "create-parameter-not-a-string": lambda e: {
        **e,
        "response": {"publicChallengeParameters": {"n": 1}},
    },
    "verify-answer-not-boolean": lambda e: {**e, "response": {"answerCorrect": "true"}},
}


@pytest.mark.parametrize("case", list(WRONG_SHAPES))
def test_an_answer_of_the_wrong_shape_is_invalid_lambda_response(
    cognito_idp: Any,
    custom_pool: Callable[..., tuple[PoolClient, str]],
    scripted: Recorder,
    case: str,
) -> None:
    pool, username = custom_pool()
    trigger = {
        "define": "DefineAuthChallenge",
        "create": "CreateAuthChallenge",
        "verify": "VerifyAuthChallengeResponse",
    }[case.partition("-")[0]]
    scripted.answers[trigger] = WRONG_SHAPES[case]
    with pytest.raises(ClientError) as caught:
        challenge = start_custom(cognito_idp, pool.client_id, username)
        answer_custom(cognito_idp, pool.client_id, challenge, RIGHT)
    assert error_of(caught) == ("InvalidLambdaResponseException", "Unrecognizable lambda output")
    _still_serving(cognito_idp, pool, username)


def test_an_unmapped_function_names_the_fix(
    cognito_idp: Any, custom_pool: Callable[..., tuple[PoolClient, str]], scripted: Recorder
) -> None:
    pool, username = custom_pool(UNMAPPED)
    with pytest.raises(ClientError) as caught:
        start_custom(cognito_idp, pool.client_id, username)
    code, message = error_of(caught)
    assert code == "UnexpectedLambdaException"
    assert message.startswith(
        "DefineAuthChallenge invocation failed due to error AccessDeniedException."
    )
    assert f"--trigger {UNMAPPED}=" in message
    mapped, mapped_user = custom_pool()
    _still_serving(cognito_idp, mapped, mapped_user)


def test_refusals_before_any_challenge(
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
    custom_pool: Callable[..., tuple[PoolClient, str]],
    scripted: Recorder,
) -> None:
    bare = new_user_pool(client={"ExplicitAuthFlows": CUSTOM_FLOWS})
    with pytest.raises(ClientError) as caught:
        start_custom(cognito_idp, bare.client_id, "anyone")
    assert error_of(caught) == (
        "InvalidParameterException",
        "Custom auth lambda trigger is not configured for the user pool.",
    )
    no_flow, username = custom_pool(client={"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"]})
    with pytest.raises(ClientError) as caught:
        start_custom(cognito_idp, no_flow.client_id, username)
    assert error_of(caught)[0] == "InvalidParameterException"

    pool, username = custom_pool(extra={"PreAuthentication": RECORD})

    def refuse(event: dict[str, Any]) -> None:
        raise PermissionError("Account under review")

    scripted.answers["PreAuthentication"] = refuse
    with pytest.raises(ClientError) as caught:
        start_custom(cognito_idp, pool.client_id, username)
    assert error_of(caught) == (
        "UserLambdaValidationException",
        "PreAuthentication failed with error Account under review.",
    )
    cognito_idp.admin_disable_user(UserPoolId=pool.pool_id, Username=username)
    scripted.answers.pop("PreAuthentication")
    with pytest.raises(ClientError) as caught:
        start_custom(cognito_idp, pool.client_id, username)
    assert error_of(caught) == ("NotAuthorizedException", "User is disabled.")
    assert scripted.of("DefineAuthChallenge") == []


def test_an_email_alias_signs_in_and_the_events_name_the_internal_user(
    cognito_idp: Any, new_user_pool: Callable[..., PoolClient], scripted: Recorder
) -> None:
    pool = new_user_pool(
        pool={"UsernameAttributes": ["email"], "LambdaConfig": custom_auth_config(RECORD)},
        client={"ExplicitAuthFlows": CUSTOM_FLOWS, "GenerateSecret": True},
    )
    sub = cognito_idp.admin_create_user(
        UserPoolId=pool.pool_id, Username="eve@example.com", MessageAction="SUPPRESS"
    )["User"]["Username"]
    cognito_idp.admin_set_user_password(
        UserPoolId=pool.pool_id, Username=sub, Password=PASSWORD, Permanent=True
    )
    assert sub != "eve@example.com"
    challenge = start_custom(cognito_idp, pool.client_id, "eve@example.com", pool.client_secret)
    # The challenge names the internal user name; SECRET_HASH of the answer is computed with it.
    assert challenge["ChallengeParameters"]["USERNAME"] == sub
    done = answer_custom(cognito_idp, pool.client_id, challenge, RIGHT, pool.client_secret)
    assert "AccessToken" in done["AuthenticationResult"]
    assert {event["userName"] for event in scripted.events} == {sub}


@pytest.mark.parametrize("prevent", ["LEGACY", "ENABLED"])
def test_a_disabled_or_unconfirmed_user_never_gets_tokens(
    cognito_idp: Any,
    custom_pool: Callable[..., tuple[PoolClient, str]],
    scripted: Recorder,
    prevent: str,
) -> None:
    """With PreventUserExistenceErrors the account is judged once the challenges are passed
    (as a password flow judges it once the password is right); either way, no tokens."""
    pool, username = custom_pool(client={"PreventUserExistenceErrors": prevent})
    cognito_idp.admin_disable_user(UserPoolId=pool.pool_id, Username=username)
    with pytest.raises(ClientError) as caught:
        challenge = start_custom(cognito_idp, pool.client_id, username)
        answer_custom(cognito_idp, pool.client_id, challenge, RIGHT)
    assert error_of(caught) == ("NotAuthorizedException", "User is disabled.")
    cognito_idp.admin_enable_user(UserPoolId=pool.pool_id, Username=username)

    newcomer = f"new-{secrets.token_hex(3)}"
    cognito_idp.sign_up(ClientId=pool.client_id, Username=newcomer, Password=PASSWORD)
    with pytest.raises(ClientError) as caught:
        challenge = start_custom(cognito_idp, pool.client_id, newcomer)
        answer_custom(cognito_idp, pool.client_id, challenge, RIGHT)
    assert error_of(caught) == ("UserNotConfirmedException", "User is not confirmed.")

    # Disabled between the rounds: the answer that passes the last challenge gets no tokens.
    challenge = start_custom(cognito_idp, pool.client_id, username)
    cognito_idp.admin_disable_user(UserPoolId=pool.pool_id, Username=username)
    with pytest.raises(ClientError) as caught:
        answer_custom(cognito_idp, pool.client_id, challenge, RIGHT)
    assert error_of(caught) == ("NotAuthorizedException", "User is disabled.")
