"""Request fuzzing: every cognito-idp operation, random and malformed bodies and headers.

Bodies are generated from botocore's model of each operation (so many pass validation and
reach the operation's own code) and then bent: wrong types, missing members, odd strings,
real pool / client / user / token values mixed with junk. The rule under test: the answer is
a Cognito error (HTTP 400 with ``__type``, ``message`` and a matching ``x-amzn-ErrorType``) or
a success, never a 5xx, and the server keeps serving. Seeded, so a failure reproduces; set
``PYAMPLIFY_FUZZ_SEED`` to explore other seeds.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from pyamplify import srp
from pyamplify.local import LocalCognito
from pyamplify.local.idp.service import OPERATIONS
from pyamplify.local.service.model import idp_model

if TYPE_CHECKING:
    from tests.conftest import PoolClient

pytestmark = pytest.mark.e2e

SEED = int(os.environ.get("PYAMPLIFY_FUZZ_SEED", "20261126"))
ROUNDS_PER_OPERATION = 7
PASSWORD = "Sup3r-secret!"
TARGET = "AWSCognitoIdentityProviderService"
SIGNED = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/cognito-idp/aws4_request"

ODD_STRINGS = [
    "",
    " ",
    "a",
    "\x00",
    "🙂",
    "é" * 3,
    "x" * 5000,
    "x" * 300_000,  # overlong: far past every model maximum
    "\ud800",  # lone surrogates: json.loads accepts them, UTF-8 and SQLite do not
    "a\udfffb",
    "\udc00\ud800",
    "nul\x00inside",
    "' OR 1=1 --",
    '"quoted"',
    "../../etc/passwd",
    "us-east-1_",
    "_",
    "=",
    'username ^= "',
    "a.b.c",
    "eyJhbGciOiJub25lIn0.e30.",
    "0",
    "-1",
    "null",
]
PLAIN_STRINGS = ["alpha", "Test-Name_1", "x@example.com", "+15555550100", "Passw0rd!x", "7"]
AUTH_KEYS = [
    "USERNAME",
    "SRP_A",
    "PASSWORD",
    "SECRET_HASH",
    "REFRESH_TOKEN",
    "DEVICE_KEY",
    "NEW_PASSWORD",
    "PASSWORD_CLAIM_SECRET_BLOCK",
    "PASSWORD_CLAIM_SIGNATURE",
    "TIMESTAMP",
    "userAttributes.name",
    "ANSWER",
]


class Fuzzer:
    def __init__(self, rnd: random.Random, shapes: dict[str, Any], known: dict[str, list[Any]]):
        self.rnd = rnd
        self.shapes = shapes
        self.known = known

    def odd(self) -> Any:
        return self.rnd.choice(
            [None, 0, -7, 2**63, 1.5, True, [], {}, [1, "a"], {"k": "v"}, *ODD_STRINGS]
        )

    def string(self, member: str, shape: dict[str, Any]) -> Any:
        roll = self.rnd.random()
        if member in self.known and roll < 0.8:
            return self.rnd.choice(self.known[member])
        if "enum" in shape and roll < 0.9:
            return self.rnd.choice(shape["enum"])
        if roll < 0.7:
            return self.rnd.choice(PLAIN_STRINGS)
        if roll < 0.97:
            return self.rnd.choice(ODD_STRINGS)
        return self.odd()

    def value(self, shape_name: str, member: str, depth: int) -> Any:
        if self.rnd.random() < 0.02:
            return self.odd()
        shape = self.shapes[shape_name]
        kind = shape["type"]
        if kind == "structure":
            if depth > 4:
                return {}
            required = set(shape.get("required", ()))
            result = {}
            for name, ref in shape.get("members", {}).items():
                if self.rnd.random() < (0.95 if name in required else 0.5):
                    result[name] = self.value(ref["shape"], name, depth + 1)
            return result
        if kind == "string":
            return self.string(member, shape)
        if kind in ("integer", "long"):
            return self.rnd.choice([0, 1, 5, 60, 61, -1, 10**12])
        if kind == "boolean":
            return self.rnd.random() < 0.5
        if kind == "timestamp":
            return self.rnd.choice([0, 1_700_000_000, -5])
        if kind == "blob":
            return self.rnd.choice(["", "AAAA", "!!"])
        if kind == "list":
            if depth > 4:
                return []
            return [
                self.value(shape["member"]["shape"], member, depth + 1)
                for _ in range(self.rnd.randint(0, 3))
            ]
        if kind == "map":
            keys = AUTH_KEYS if member in ("AuthParameters", "ChallengeResponses") else ODD_STRINGS
            result = {}
            for _ in range(self.rnd.randint(0, 5)):
                key = self.rnd.choice(keys)
                result[key] = self.rnd.choice(self.known.get(key, ODD_STRINGS))
            return result
        return self.odd()


def assert_cognito_answer(response: httpx.Response, context: str) -> None:
    assert response.status_code in (200, 400), f"{context}: HTTP {response.status_code}"
    if response.status_code == 400:
        body = response.json()
        assert isinstance(body.get("__type"), str) and body["__type"], context
        assert isinstance(body.get("message"), str), context
        assert response.headers["x-amzn-errortype"] == body["__type"] + ":", context


@pytest.fixture(scope="module")
def known_values(
    local_cognito: LocalCognito,
    cognito_idp: Any,
    new_user_pool: Callable[..., PoolClient],
    new_user: Callable[..., str],
) -> dict[str, list[Any]]:
    """Real identifiers and tokens, so fuzzed calls reach deep into the operations."""
    pool = new_user_pool(pool={"AutoVerifiedAttributes": ["email"]})
    hidden = new_user_pool(client={"GenerateSecret": True, "PreventUserExistenceErrors": "ENABLED"})
    new_user(pool.pool_id, "alice", PASSWORD, {"email": "alice@example.com"})
    cognito_idp.create_group(UserPoolId=pool.pool_id, GroupName="admins")
    tokens = cognito_idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    started = cognito_idp.initiate_auth(
        ClientId=pool.client_id,
        AuthFlow="USER_SRP_AUTH",
        AuthParameters={"USERNAME": "alice", "SRP_A": srp.new_client_ephemeral().srp_a},
    )["ChallengeParameters"]
    return {
        "UserPoolId": [pool.pool_id, hidden.pool_id],
        "ClientId": [pool.client_id, hidden.client_id],
        "Username": ["alice", "alice@example.com", "nobody"],
        "USERNAME": ["alice", "nobody"],
        "PASSWORD": [PASSWORD, "wrong"],
        "NEW_PASSWORD": [PASSWORD],
        "SRP_A": [srp.new_client_ephemeral().srp_a, "0", format(srp.N, "x"), "zz"],
        "REFRESH_TOKEN": [tokens["RefreshToken"]],
        "PASSWORD_CLAIM_SECRET_BLOCK": [started["SECRET_BLOCK"], "AAAA"],
        "TIMESTAMP": [srp.format_timestamp(__import__("datetime").datetime.now())],
        "AccessToken": [tokens["AccessToken"], tokens["IdToken"]],
        "RefreshToken": [tokens["RefreshToken"]],
        "Token": [tokens["RefreshToken"], tokens["AccessToken"]],
        "GroupName": ["admins", "nope"],
        "Domain": ["fuzz-domain"],
        "Password": [PASSWORD, "short"],
        "ProposedPassword": [PASSWORD],
        "PreviousPassword": [PASSWORD],
        "Filter": ['username = "alice"', 'email ^= "a"', "bad filter"],
        "AttributeName": ["email", "phone_number", "custom:x"],
    }


def test_every_operation_answers_with_cognito_errors_never_5xx(
    local_cognito: LocalCognito, known_values: dict[str, list[Any]], cognito_idp: Any
) -> None:
    model = idp_model()
    rnd = random.Random(SEED)
    fuzzer = Fuzzer(rnd, model.shapes, known_values)
    # Every model operation, then the implemented ones again: they have code to break.
    operations = [*sorted(model.operations), "NoSuchOperation", "", *OPERATIONS]
    with httpx.Client(base_url=local_cognito.url, timeout=30) as http:
        for operation in operations:
            input_shape = model.inputs.get(operation)
            for round_number in range(ROUNDS_PER_OPERATION):
                if input_shape is not None and round_number < ROUNDS_PER_OPERATION - 1:
                    body = json.dumps(fuzzer.value(input_shape, "", 0)).encode()
                else:
                    body = rnd.choice([b"", b"{}", b"[]", b"null", b"{", b"\xff\xfe", b"7"])
                headers = {
                    "X-Amz-Target": f"{TARGET}.{operation}",
                    "Content-Type": rnd.choice(
                        ["application/x-amz-json-1.1", "application/json", "text/plain", ""]
                    ),
                }
                if rnd.random() < 0.9:
                    headers["Authorization"] = SIGNED
                response = http.post("/", content=body, headers=headers)
                assert_cognito_answer(response, f"{operation} round {round_number} seed {SEED}")
    served = cognito_idp.list_user_pools(MaxResults=1)  # still serving
    assert "UserPools" in served


@pytest.mark.parametrize(
    "headers, body",
    [
        ({}, b"{}"),
        ({"X-Amz-Target": ""}, b"{}"),
        ({"X-Amz-Target": "."}, b"{}"),
        ({"X-Amz-Target": f"{TARGET}."}, b"{}"),
        ({"X-Amz-Target": "Nope.CreateUserPool"}, b"{}"),
        ({"X-Amz-Target": f"{TARGET}.{'A' * 10000}"}, b"{}"),
        ({"X-Amz-Target": f"{TARGET}.CreateUserPool"}, b"[" * 100_000 + b"]" * 100_000),
        ({"X-Amz-Target": f"{TARGET}.CreateUserPool"}, b'{"PoolName": "' + b"x" * 100 + b'"'),
    ],
)
def test_malformed_requests_are_4xx(
    local_cognito: LocalCognito, headers: dict[str, str], body: bytes
) -> None:
    response = httpx.post(local_cognito.url + "/", content=body, headers=headers, timeout=30)
    assert_cognito_answer(response, repr(headers))
    assert response.status_code == 400


def test_random_bytes_bodies(local_cognito: LocalCognito) -> None:
    rnd = random.Random(SEED + 1)
    with httpx.Client(base_url=local_cognito.url, timeout=30) as http:
        for _ in range(150):
            operation = rnd.choice(["InitiateAuth", "SignUp", "CreateUserPool", "ListUsers"])
            body = bytes(rnd.getrandbits(8) for _ in range(rnd.randint(0, 200)))
            response = http.post(
                "/",
                content=body,
                headers={"X-Amz-Target": f"{TARGET}.{operation}", "Authorization": SIGNED},
            )
            assert_cognito_answer(response, repr(body[:40]))


def test_random_headers(local_cognito: LocalCognito) -> None:
    rnd = random.Random(SEED + 2)
    alphabet = "AWSCognitoIdentityProviderService.InitiateAuth_-:/ \t%#\x7f\xe9"
    with httpx.Client(base_url=local_cognito.url, timeout=30) as http:
        for _ in range(200):
            target = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 60))).strip()
            headers = {
                "X-Amz-Target": rnd.choice([target, f"{TARGET}.{target}", f"{TARGET}.SignUp"]),
                "Content-Type": rnd.choice(["", "application/x-amz-json-1.0", target or "x/y"]),
                "Authorization": rnd.choice(["", "AWS4-HMAC-SHA256", "Bearer x", SIGNED]),
                "X-Amz-Security-Token": rnd.choice(["", "token"]),
                rnd.choice(["X-Junk", "Origin", "Cache-Control"]): target or "v",
            }
            raw = {k: v.encode("latin-1") for k, v in headers.items() if v or k == "X-Amz-Target"}
            body = rnd.choice([b"{}", b'{"ClientId": "x", "Username": "u", "Password": "p"}'])
            response = http.post("/", content=body, headers=raw)
            assert_cognito_answer(response, repr(raw))
