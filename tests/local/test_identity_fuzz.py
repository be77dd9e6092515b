"""Robustness: random and bent bodies for every identity-pool operation, and junk for STS.

Bodies are built from botocore's cognito-identity model with real ids and tokens mixed in, then
bent (wrong types, missing members, odd strings). Every answer must be a success or a
Cognito error (HTTP 400 with ``__type``), never a 5xx; STS must answer XML 4xx. Seeded: set
``PYAMPLIFY_FUZZ_SEED`` to explore other seeds.
"""

from __future__ import annotations

import json
import os
import random
from typing import Any

import httpx
import pytest

from pyamplify.local import LocalCognito
from pyamplify.local.identity.service import OPERATIONS
from pyamplify.local.service.model import identity_model

from .identity_fixtures import identity_client, new_identity_pool, new_signed_in

pytestmark = pytest.mark.e2e

SEED = int(os.environ.get("PYAMPLIFY_FUZZ_SEED", "4242"))
ROUNDS = 25
SIGNED = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/cognito-identity/aws4_request"
JUNK: list[Any] = [
    *(None, "", "🙂" * 3, "x" * 3000, 0, -1, 1.5, True, [], {}, ["a"], {"a": 1}),
    # Lone surrogates (json.loads takes them; UTF-8 and SQLite refuse them), NUL, overlong.
    *("\ud800", "a\udfffb", "nul\x00inside", "x" * 300_000),
]


class BodyMaker:
    """Random request bodies for a shape, sometimes valid, sometimes not."""

    def __init__(
        self, rnd: random.Random, shapes: dict[str, Any], known: dict[str, list[Any]]
    ) -> None:
        self.rnd = rnd
        self.shapes = shapes
        self.known = known

    def value(self, shape_name: str, depth: int = 0) -> Any:
        """A value for ``shape_name``: usually plausible (real ids, tokens), sometimes junk."""
        if self.rnd.random() < 1 / 12 or depth > 4:
            return self.rnd.choice(JUNK)
        shape = self.shapes[shape_name]
        kind = shape["type"]
        if kind == "structure":
            return {
                name: self.value(member["shape"], depth + 1)
                for name, member in shape["members"].items()
                if name in shape.get("required", ()) or self.rnd.random() < 0.6
            }
        if kind == "list":
            return [
                self.value(shape["member"]["shape"], depth + 1)
                for _ in range(self.rnd.randint(0, 3))
            ]
        if kind == "map":
            return {
                str(self.value(shape["key"]["shape"], depth + 1)): self.value(
                    shape["value"]["shape"], depth + 1
                )
                for _ in range(self.rnd.randint(0, 3))
            }
        if kind == "boolean":
            return self.rnd.random() < 0.5
        if kind in ("integer", "long"):
            return self.rnd.randint(-2, 70)
        if kind == "timestamp":
            return self.rnd.randint(0, 2_000_000_000)
        if "enum" in shape:
            return self.rnd.choice(shape["enum"])
        if shape_name in self.known and self.rnd.random() < 0.9:
            return self.rnd.choice(self.known[shape_name])
        return self.rnd.choice([value for values in self.known.values() for value in values])


@pytest.fixture(scope="module")
def known_values(
    local_cognito: LocalCognito, cognito_idp: Any, new_user_pool: Any, new_user: Any
) -> dict[str, list[Any]]:
    """Real ids, provider names and tokens by model shape name, for the fuzzer to mix in."""
    client = identity_client(local_cognito)
    user = new_signed_in(cognito_idp, new_user_pool, new_user)
    pool_id = new_identity_pool(client, [user.pool])
    identity = client.get_id(IdentityPoolId=pool_id, Logins=user.logins)["IdentityId"]
    guest = client.get_id(IdentityPoolId=pool_id)["IdentityId"]
    return {
        "IdentityPoolId": [pool_id, "us-east-1:00000000-0000-0000-0000-000000000000"],
        "IdentityId": [identity, guest],
        "IdentityProviderName": [user.provider, f"{user.provider}:{user.pool.client_id}"],
        "CognitoIdentityProviderName": [user.provider, "cognito-idp.x/y"],
        "CognitoIdentityProviderClientId": [user.pool.client_id],
        "IdentityProviderToken": [user.id_token, user.access_token, "a.b.c"],
        "ARNString": ["arn:aws:iam::123456789012:role/Fuzz", "arn:aws:iam::1:user/x"],
        "RoleType": ["authenticated", "unauthenticated"],
        "IdentityPoolName": ["fuzz_pool"],
        "ClaimName": ["custom:dept", "cognito:groups", "sub"],
        "ClaimValue": ["sales", "x"],
        "TagKeysType": ["pyamplify:credentials-ttl", "team"],
        "TagValueType": ["60", "forever", ""],
    }


def _post(http: httpx.Client, operation: str, body: Any) -> httpx.Response:
    return http.post(
        "/",
        content=json.dumps(body),
        headers={
            "X-Amz-Target": f"AWSCognitoIdentityService.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": SIGNED,
        },
    )


def test_no_operation_answers_with_a_fault(
    local_cognito: LocalCognito, known_values: dict[str, list[Any]]
) -> None:
    model = identity_model()
    rnd = random.Random(SEED)
    maker = BodyMaker(rnd, model.shapes, known_values)
    operations = list(OPERATIONS)
    with httpx.Client(base_url=local_cognito.url, timeout=30) as http:
        # DeleteIdentityPool last, so that the other operations meet a living pool.
        order = sorted(operations, key=lambda name: (name == "DeleteIdentityPool", name))
        for operation in [*order, "MergeDeveloperIdentities", "NoSuchOperation"]:
            input_shape = model.inputs.get(operation)
            for _ in range(ROUNDS):
                body = maker.value(input_shape) if input_shape else {"x": 1}
                if rnd.random() < 0.1:
                    body = rnd.choice(JUNK)
                response = _post(http, operation, body)
                assert response.status_code in (200, 400), (operation, body, response.text)
                if response.status_code == 400:
                    assert response.json()["__type"], (operation, body)
        assert http.get("/").status_code == 200  # still serving


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        ("Action=GetCallerIdentity&Version=2011-06-15", {"Authorization": "AWS4-HMAC-SHA256 x"}),
        (
            "Action=GetCallerIdentity&Version=2011-06-15",
            {
                "Authorization": "AWS4-HMAC-SHA256 Credential=ASIAX/20260101/us-east-1/sts/"
                "aws4_request, SignedHeaders=host, Signature=" + "0" * 64
            },
        ),
        ("%ff%fe=\x00&Action=🙂", {}),
        ("Action=GetCallerIdentity&Version=2011-06-15&Action=Other", {}),
        ("", {}),
    ],
)
def test_sts_junk_answers_xml_errors(
    local_cognito: LocalCognito, body: str, headers: dict[str, str]
) -> None:
    response = httpx.post(
        local_cognito.url,
        content=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
    )
    assert response.status_code in (400, 403)
    assert response.text.startswith("<ErrorResponse")
