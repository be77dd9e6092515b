"""Shared fixtures for the configuration tests: valid documents and a helper to load them."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pyamplify.config import AuthConfig, ConfigError, ConfigProblem, ConfigWarning, parse_config
from pyamplify.config.endpoints import GLOBAL_ENV, IDENTITY_POOL_ENV, IGNORE_ENV, USER_POOL_ENV

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PLUGIN = ("auth", "plugins", "awsCognitoAuthPlugin")
USER_POOL = (*PLUGIN, "CognitoUserPool", "Default")
IDENTITY_POOL = (*PLUGIN, "CredentialsProvider", "CognitoIdentity", "Default")
AUTH = (*PLUGIN, "Auth", "Default")
OAUTH = (*AUTH, "OAuth")

GEN1: dict[str, Any] = {
    "UserAgent": "aws-amplify-cli/2.0",
    "Version": "1.0",
    "auth": {
        "plugins": {
            "awsCognitoAuthPlugin": {
                "IdentityManager": {"Default": {}},
                "CredentialsProvider": {
                    "CognitoIdentity": {
                        "Default": {
                            "PoolId": "eu-west-1:0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9",
                            "Region": "eu-west-1",
                        }
                    }
                },
                "CognitoUserPool": {
                    "Default": {
                        "PoolId": "eu-west-1_AbCdEfGhI",
                        "AppClientId": "3n4b5urk1ft4fl3mg5e62d9ado",
                        "Region": "eu-west-1",
                    }
                },
                "Auth": {
                    "Default": {
                        "authenticationFlowType": "USER_SRP_AUTH",
                        "OAuth": {
                            "WebDomain": "demo.auth.eu-west-1.amazoncognito.com",
                            "AppClientId": "3n4b5urk1ft4fl3mg5e62d9ado",
                            "SignInRedirectURI": "myapp://,http://localhost:3000/",
                            "SignOutRedirectURI": "myapp://",
                            "Scopes": ["openid", "email", "api.example.com/read"],
                        },
                        "socialProviders": ["GOOGLE", "APPLE"],
                        "usernameAttributes": ["EMAIL"],
                        "signupAttributes": ["EMAIL", "FAMILY_NAME"],
                        "passwordProtectionSettings": {
                            "passwordPolicyMinLength": 10,
                            "passwordPolicyCharacters": ["REQUIRES_NUMBERS", "REQUIRES_SYMBOLS"],
                        },
                        "mfaConfiguration": "OPTIONAL",
                        "mfaTypes": ["TOTP"],
                        "verificationMechanisms": ["EMAIL"],
                    }
                },
            }
        }
    },
}

#: The same pools and settings as GEN1, in amplify_outputs.json form.
GEN2: dict[str, Any] = {
    "version": "1.4",
    "auth": {
        "aws_region": "eu-west-1",
        "user_pool_id": "eu-west-1_AbCdEfGhI",
        "user_pool_client_id": "3n4b5urk1ft4fl3mg5e62d9ado",
        "identity_pool_id": "eu-west-1:0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9",
        "authentication_flow_type": "USER_SRP_AUTH",
        "oauth": {
            "identity_providers": ["GOOGLE", "SIGN_IN_WITH_APPLE"],
            "domain": "demo.auth.eu-west-1.amazoncognito.com",
            "scopes": ["openid", "email", "api.example.com/read"],
            "redirect_sign_in_uri": ["myapp://", "http://localhost:3000/"],
            "redirect_sign_out_uri": ["myapp://"],
            "response_type": "code",
        },
        "username_attributes": ["email"],
        "standard_required_attributes": ["email", "family_name"],
        "password_policy": {
            "min_length": 10,
            "require_lowercase": False,
            "require_uppercase": False,
            "require_numbers": True,
            "require_symbols": True,
        },
        "mfa_configuration": "OPTIONAL",
        "mfa_methods": ["TOTP"],
        "user_verification_types": ["email"],
        "groups": [],
    },
}


def put(document: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    """Set ``value`` at ``path`` (creating objects on the way); returns the document."""
    node = document
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    return document


def drop(document: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """Remove the key at ``path``; returns the document."""
    node = document
    for key in path[:-1]:
        node = node[key]
    del node[path[-1]]
    return document


class Loader:
    """Loads documents (dicts or text) and returns the config or the problems, for asserts."""

    source = "test.json"

    def ok(self, document: dict[str, Any] | str) -> tuple[AuthConfig, list[ConfigWarning]]:
        text = document if isinstance(document, str) else json.dumps(document, indent=2)
        return parse_config(text, self.source)

    def problems(self, document: dict[str, Any] | str) -> list[ConfigProblem]:
        text = document if isinstance(document, str) else json.dumps(document, indent=2)
        with pytest.raises(ConfigError) as caught:
            parse_config(text, self.source)
        for problem in caught.value.problems:
            assert problem.file == self.source
            assert problem.message.splitlines()[0] in str(caught.value)
        return caught.value.problems

    def one_problem(self, document: dict[str, Any] | str) -> ConfigProblem:
        found = self.problems(document)
        assert len(found) == 1, "\n".join(map(str, found))
        return found[0]


@pytest.fixture
def gen1() -> dict[str, Any]:
    """A fresh copy of a valid Gen 1 document with every section filled in."""
    return copy.deepcopy(GEN1)


@pytest.fixture
def gen2() -> dict[str, Any]:
    """A fresh copy of the Gen 2 document describing the same pools as ``gen1``."""
    return copy.deepcopy(GEN2)


@pytest.fixture
def load() -> Loader:
    """Load documents and get the config, its warnings, or its problems."""
    return Loader()


@pytest.fixture(autouse=True)
def no_endpoint_overrides(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Endpoint environment variables of the developer's shell must not leak into tests."""
    for name in (USER_POOL_ENV, IDENTITY_POOL_ENV, GLOBAL_ENV, IGNORE_ENV, "PYAMPLIFY_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    yield
