"""A captcha-like question before the tokens: Define/Create/VerifyAuthChallenge in Python.

Each round asks a small sum ("What is 3 + 4?"); the right answer signs the user in, three wrong
answers end the sign-in, and every retry gets a new question. With SRP (``CHALLENGE_NAME:
SRP_A``) the password is checked first and the question comes after it. ``question.mjs`` is the
same function in Node.js: the two pass the same tests.

Deploy it as one Lambda function with handler ``question.handler`` named for the three triggers
(or map each trigger to ``define``/``create``/``verify``). Standard library only.
"""

from __future__ import annotations

import secrets
from typing import Any

#: Wrong answers allowed before the sign-in fails.
MAX_ATTEMPTS = 3


def define(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """DefineAuthChallenge: password after SRP, then questions until one is right or 3 fail."""
    session = event["request"]["session"]
    response = event["response"]
    response.update(issueTokens=False, failAuthentication=False)
    last = session[-1] if session else None
    if last is not None and last["challengeName"] == "SRP_A":
        response["challengeName"] = "PASSWORD_VERIFIER"
        return event
    if last is not None and last["challengeName"] == "PASSWORD_VERIFIER":
        if last["challengeResult"]:
            response["challengeName"] = "CUSTOM_CHALLENGE"
        else:
            response["failAuthentication"] = True
        return event
    answers = [entry for entry in session if entry["challengeName"] == "CUSTOM_CHALLENGE"]
    if answers and answers[-1]["challengeResult"]:
        response["issueTokens"] = True
    elif len(answers) >= MAX_ATTEMPTS:
        response["failAuthentication"] = True
    else:
        response["challengeName"] = "CUSTOM_CHALLENGE"
    return event


def create(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """CreateAuthChallenge: a new sum every round; only Verify sees the result."""
    left, right = 1 + secrets.randbelow(9), 1 + secrets.randbelow(9)
    round_number = 1 + sum(
        1 for entry in event["request"]["session"] if entry["challengeName"] == "CUSTOM_CHALLENGE"
    )
    event["response"] = {
        "publicChallengeParameters": {"question": f"What is {left} + {right}?"},
        "privateChallengeParameters": {"answer": str(left + right)},
        "challengeMetadata": f"QUESTION-{round_number}",
    }
    return event


def verify(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """VerifyAuthChallengeResponse: the answer is right when it is the sum."""
    expected = event["request"]["privateChallengeParameters"]["answer"]
    answer = str(event["request"].get("challengeAnswer", "")).strip()
    event["response"]["answerCorrect"] = answer == expected
    return event


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """One function for the three triggers: picks by ``triggerSource``."""
    source = event["triggerSource"]
    if source.startswith("DefineAuthChallenge"):
        return define(event, context)
    if source.startswith("CreateAuthChallenge"):
        return create(event, context)
    if source.startswith("VerifyAuthChallengeResponse"):
        return verify(event, context)
    raise ValueError(f"question cannot handle {source}")
