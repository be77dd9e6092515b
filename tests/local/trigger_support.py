"""What the trigger test modules share: a recording Lambda handler, pools that name functions,
the custom-auth calls, and token verification with PyJWT.

The :class:`Recorder` is a plain Python Lambda handler (``handler(event, context)``) mapped to
:data:`RECORD` in each module's local Cognito: it keeps a copy of every event it receives and
answers as the running test tells it (per trigger), so a test can assert an event field by
field and then see what its answer changes in Cognito's behaviour.
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from botocore.exceptions import ClientError

from pyamplify import srp

ARN = "arn:aws:lambda:us-east-1:000000000000:function:{}"
#: The function every recording pool names (mapped to a :class:`Recorder`).
RECORD = ARN.format("record")
#: A function no local Cognito here maps.
UNMAPPED = ARN.format("not-mapped")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "triggers"
SDK_VERSION = "aws-sdk-unknown-unknown"
NO_CLIENT = "CLIENT_ID_NOT_APPLICABLE"
CUSTOM_TRIGGERS = ("DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse")

#: An answer: given the event, return what the function returns (``None``: the event itself).
Answer = Callable[[dict[str, Any]], Any]


def trigger_of(source: str) -> str:
    """The LambdaConfig key of a trigger source (``TokenGeneration_X`` -> PreTokenGeneration)."""
    prefix = source.partition("_")[0]
    return "PreTokenGeneration" if prefix == "TokenGeneration" else prefix


class Recorder:
    """A Lambda handler that keeps every event and answers as the test says."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.events: list[dict[str, Any]] = []
        self.answers: dict[str, Answer] = {}

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        with self._lock:
            self.events.append(copy.deepcopy(event))
        answer = self.answers.get(trigger_of(event["triggerSource"]))
        if answer is None:
            return event
        result = answer(event)
        return event if result is None else result

    def of(self, trigger: str) -> list[dict[str, Any]]:
        """The events of one trigger (``"PreSignUp"``) or source (``"PreSignUp_SignUp"``)."""
        with self._lock:
            return [
                event
                for event in self.events
                if event["triggerSource"] == trigger
                or trigger_of(event["triggerSource"]) == trigger
            ]

    def sources(self) -> list[str]:
        """Every event's triggerSource, in order."""
        with self._lock:
            return [event["triggerSource"] for event in self.events]

    def reset(self) -> None:
        with self._lock:
            self.events.clear()
        self.answers.clear()


def lambda_config(arn: str, triggers: Iterable[str]) -> dict[str, str]:
    """A ``LambdaConfig`` naming ``arn`` for each trigger."""
    return {trigger: arn for trigger in triggers}


def custom_auth_config(arn: str) -> dict[str, str]:
    """Define/Create/VerifyAuthChallenge all naming ``arn``."""
    return lambda_config(arn, CUSTOM_TRIGGERS)


def envelope(
    event: dict[str, Any], source: str, pool_id: str, username: str, client_id: str
) -> None:
    """Assert the fields every Cognito trigger event shares (reference §3)."""
    expected = {
        "version": "1",
        "triggerSource": source,
        "region": "us-east-1",
        "userPoolId": pool_id,
        "userName": username,
        "callerContext": {"awsSdkVersion": SDK_VERSION, "clientId": client_id},
    }
    actual = {name: event.get(name) for name in expected}
    assert actual == expected, f"envelope {actual} != {expected}"
    assert isinstance(event.get("request"), dict) and isinstance(event.get("response"), dict)


def error_of(caught: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    """``(code, message)`` of a boto3 error."""
    error = caught.value.response["Error"]
    return str(error["Code"]), str(error["Message"])


def secret_hash(username: str, client_id: str, secret: str | None) -> dict[str, str]:
    """``{"SECRET_HASH": ...}`` when the client has a secret, else ``{}``."""
    return {"SECRET_HASH": srp.compute_secret_hash(username, client_id, secret)} if secret else {}


def start_custom(
    idp: Any,
    client_id: str,
    username: str,
    secret: str | None = None,
    *,
    srp_a: str | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """InitiateAuth(CUSTOM_AUTH), with SRP when ``srp_a`` is given."""
    parameters = {"USERNAME": username, **secret_hash(username, client_id, secret)}
    if srp_a is not None:
        parameters.update(CHALLENGE_NAME="SRP_A", SRP_A=srp_a)
    result: dict[str, Any] = idp.initiate_auth(
        ClientId=client_id, AuthFlow="CUSTOM_AUTH", AuthParameters=parameters, **kwargs
    )
    return result


def answer_custom(
    idp: Any,
    client_id: str,
    challenge: dict[str, Any],
    answer: str,
    secret: str | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """RespondToAuthChallenge(CUSTOM_CHALLENGE) with ``answer`` (USERNAME from the challenge)."""
    username = challenge["ChallengeParameters"]["USERNAME"]
    result: dict[str, Any] = idp.respond_to_auth_challenge(
        ClientId=client_id,
        ChallengeName="CUSTOM_CHALLENGE",
        Session=challenge["Session"],
        ChallengeResponses={
            "USERNAME": username,
            "ANSWER": answer,
            **secret_hash(username, client_id, secret),
        },
        **kwargs,
    )
    return result


def solve(challenge: dict[str, Any]) -> str:
    """The answer to the question examples' ``"What is a + b?"``."""
    left, right = map(int, re.findall(r"\d+", challenge["ChallengeParameters"]["question"]))
    return str(left + right)


def verify_token(
    server_url: str, pool_id: str, token: str, audience: str | None = None
) -> dict[str, Any]:
    """Verify ``token`` with PyJWT against the pool's served JWKS; its claims."""
    keys = httpx.get(f"{server_url}/{pool_id}/.well-known/jwks.json").json()["keys"]
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(next(k for k in keys if k["kid"] == kid)).key
    claims: dict[str, Any] = jwt.decode(
        token,
        key,
        algorithms=["RS256"],
        audience=audience,
        issuer=f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}",
        options={"verify_aud": audience is not None, "verify_exp": False, "verify_iat": False},
    )
    return claims
