"""Shared fixtures for the configuration tests: valid documents and a helper to load them."""

from __future__ import annotations

import copy
import json
import re
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


#: The same pools and settings as GEN1, as the flat Amplify JS keys of aws-exports.js (the object
#: the Amplify CLI's JavaScript frontend writes) and of the web amplifyconfiguration.json.
WEB: dict[str, Any] = {
    "aws_project_region": "eu-west-1",
    "aws_cognito_identity_pool_id": "eu-west-1:0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9",
    "aws_cognito_region": "eu-west-1",
    "aws_user_pools_id": "eu-west-1_AbCdEfGhI",
    "aws_user_pools_web_client_id": "3n4b5urk1ft4fl3mg5e62d9ado",
    "oauth": {
        "domain": "demo.auth.eu-west-1.amazoncognito.com",
        "scope": ["openid", "email", "api.example.com/read"],
        "redirectSignIn": "myapp://,http://localhost:3000/",
        "redirectSignOut": "myapp://",
        "responseType": "code",
    },
    "federationTarget": "COGNITO_USER_AND_IDENTITY_POOLS",
    "aws_cognito_username_attributes": ["EMAIL"],
    "aws_cognito_social_providers": ["GOOGLE", "APPLE"],
    "aws_cognito_signup_attributes": ["EMAIL", "FAMILY_NAME"],
    "aws_cognito_mfa_configuration": "OPTIONAL",
    "aws_cognito_mfa_types": ["TOTP"],
    "aws_cognito_password_protection_settings": {
        "passwordPolicyMinLength": 10,
        "passwordPolicyCharacters": ["REQUIRES_NUMBERS", "REQUIRES_SYMBOLS"],
    },
    "aws_cognito_verification_mechanisms": ["EMAIL"],
    "aws_appsync_graphqlEndpoint": "https://abc.appsync-api.eu-west-1.amazonaws.com/graphql",
    "aws_appsync_region": "eu-west-1",
    "aws_appsync_authenticationType": "AMAZON_COGNITO_USER_POOLS",
}

#: The same pools and settings as GEN1, as the AWS Mobile SDK's awsconfiguration.json: the
#: plugin body at the top level, as the Amplify CLI's Android and iOS frontends write it.
MOBILE: dict[str, Any] = {
    "UserAgent": "aws-amplify/cli",
    "Version": "0.1.0",
    **{
        key: value
        for key, value in GEN1["auth"]["plugins"]["awsCognitoAuthPlugin"].items()
        if key not in ("UserAgent", "Version")
    },
}


def to_js(value: Any, *, style: str = "cli", name: str = "awsmobile") -> str:
    """``value`` as an aws-exports.js file.

    ``cli``: what the Amplify CLI writes (JSON inside ``const awsmobile = ...; export default``);
    ``prettier``: as a formatter leaves it (unquoted keys, single quotes, trailing commas,
    comments); ``commonjs``: ``exports.default = awsmobile`` at the end.
    """
    if style == "prettier":
        body = _prettier(value, 0)
        return (
            "// WARNING: DO NOT EDIT. This file is automatically generated by AWS Amplify.\n\n"
            f"const {name} = {body};\n\nexport default {name};\n"
        )
    body = json.dumps(value, indent=4)
    end = f"exports.default = {name};" if style == "commonjs" else f"export default {name};"
    return (
        "/* eslint-disable */\n"
        "// WARNING: DO NOT EDIT. This file is automatically generated by AWS Amplify. "
        "It will be overwritten.\n\n"
        f"const {name} = {body};\n\n\n{end}\n"
    )


def _prettier(value: Any, depth: int) -> str:
    pad = "  " * (depth + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        members = []
        for key, item in value.items():
            shown = key if _JS_NAME.fullmatch(key) else _single_quoted(key)
            members.append(f"{pad}{shown}: {_prettier(item, depth + 1)}, // a comment\n")
        return "{\n" + "".join(members) + "  " * depth + "}"
    if isinstance(value, list):
        items = ", ".join(_prettier(item, depth + 1) for item in value)
        return f"[{items},]" if value else "[]"
    if isinstance(value, str):
        return _single_quoted(value)
    return json.dumps(value)


_JS_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


def _single_quoted(text: str) -> str:
    inner = json.dumps(text)[1:-1].replace('\\"', '"').replace("'", "\\'")
    return f"'{inner}'"


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
def web() -> dict[str, Any]:
    """A fresh copy of the aws-exports.js object describing the same pools as ``gen1``."""
    return copy.deepcopy(WEB)


@pytest.fixture
def mobile() -> dict[str, Any]:
    """A fresh copy of the awsconfiguration.json describing the same pools as ``gen1``."""
    return copy.deepcopy(MOBILE)


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
