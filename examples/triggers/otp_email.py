"""Sign in with a one-time code sent by e-mail: Define/Create/VerifyAuthChallenge.

A passwordless CUSTOM_AUTH flow (or, after SRP, a second factor): Cognito asks this function
what to do next (DefineAuthChallenge), to make a challenge (CreateAuthChallenge) and whether the
answer is right (VerifyAuthChallengeResponse). The code is made on the first challenge and kept
in the challenge metadata, so a wrong answer can be retried with the same code; three wrong
answers end the sign-in.

"Sending" the e-mail is a ``print``: on AWS it lands in CloudWatch, on the local Cognito in its
log, tagged with the function name and the request id. Replace ``send_code`` with your mailer
(Amazon SES, ...) for real use. Deploy it as one Lambda function whose handler is
``otp_email.handler`` and name it for the three triggers (or map each to ``define``/``create``/
``verify``). No dependency beyond the standard library.
"""

from __future__ import annotations

import secrets
from typing import Any

#: Wrong answers allowed before the sign-in fails.
MAX_ATTEMPTS = 3
CODE_DIGITS = 6
_METADATA_PREFIX = "CODE-"


def define(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """DefineAuthChallenge: after SRP the password, then the code; tokens once it is right."""
    session = event["request"]["session"]
    response = event["response"]
    response.update(issueTokens=False, failAuthentication=False)
    if session and session[-1]["challengeName"] == "SRP_A":
        response["challengeName"] = "PASSWORD_VERIFIER"
        return event
    if session and session[-1]["challengeName"] == "PASSWORD_VERIFIER":
        if session[-1]["challengeResult"]:
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
    """CreateAuthChallenge: a new code on the first round, the same one on a retry."""
    request = event["request"]
    previous = [
        entry.get("challengeMetadata") or ""
        for entry in request["session"]
        if entry["challengeName"] == "CUSTOM_CHALLENGE"
    ]
    if previous and previous[-1].startswith(_METADATA_PREFIX):
        code = previous[-1][len(_METADATA_PREFIX) :]
    else:
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        email = request["userAttributes"].get("email")
        if email and not request.get("userNotFound"):
            send_code(email, code, context)
    tries_left = MAX_ATTEMPTS - len(previous)
    event["response"] = {
        "publicChallengeParameters": {
            "delivery": "EMAIL",
            "destination": _mask(request["userAttributes"].get("email", "")),
            "attemptsLeft": str(tries_left),
        },
        "privateChallengeParameters": {"code": code},
        "challengeMetadata": _METADATA_PREFIX + code,
    }
    return event


def verify(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """VerifyAuthChallengeResponse: the answer is right when it is the code."""
    expected = event["request"]["privateChallengeParameters"].get("code", "")
    answer = str(event["request"].get("challengeAnswer", "")).strip()
    event["response"]["answerCorrect"] = bool(expected) and secrets.compare_digest(
        answer.encode(), expected.encode()
    )
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
    raise ValueError(f"otp_email cannot handle {source}")


def send_code(email: str, code: str, context: Any) -> None:
    """Stand-in for a mailer: the code goes to the function's log."""
    print(f"One-time sign-in code for {email}: {code}")


def _mask(email: str) -> str:
    local, at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if at else ""
