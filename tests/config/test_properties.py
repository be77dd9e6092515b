"""Property tests: whatever the input, loading either succeeds or raises ``ConfigError`` whose
every problem names a location; and whatever loads can be written out and read back equal.
The mutations run over every format read: Gen 1, Gen 2, the Amplify JS keys (as JSON and as
aws-exports.js) and awsconfiguration.json.

A refactor that lets a ``KeyError``, ``TypeError``, ``RecursionError`` or ``UnicodeError``
escape on some odd input fails here. Example counts are chosen so that the whole file runs in a
few seconds while still covering each mutation kind at every depth many times.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyamplify.config import (
    AuthConfig,
    ConfigError,
    IdentityPoolConfig,
    OAuthConfig,
    PasswordPolicy,
    UserPoolConfig,
    parse_config,
    parse_config_bytes,
)
from pyamplify.config.validate import is_placeholder

from .conftest import GEN1, GEN2, MOBILE, WEB, to_js

SOURCE = "fuzz.json"
JS_SOURCE = "fuzz.js"

many = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["[REGION]", "us-east-1", "us-east-1_AbC", "USER_AUTH", "openid", ""])
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


def outcome(load: Any, source: str = SOURCE) -> AuthConfig | None:
    """Run ``load``; a ConfigError is fine if every problem names a location."""
    line_or_path = re.compile(rf"^{re.escape(source)}(:\d+(:\d+)?)?: \$")
    try:
        config, warnings = load()
    except ConfigError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.file == source
            assert problem.path.startswith("$")
            assert line_or_path.match(problem.location()), problem.location()
            assert problem.message and problem.example
            assert problem.location() in str(error)
            assert problem.message.splitlines()[0] in str(error)
        return None
    for warning in warnings:
        assert warning.file == source and warning.path.startswith("$")
    return config


def assert_round_trips(config: AuthConfig) -> None:
    """Gen 1 always round-trips; Gen 2 does whenever it can express the configuration."""
    again, _ = parse_config(json.dumps(config.to_gen1_dict(include_secret=True)), SOURCE)
    assert again == _without_gen1_blind_spots(config)
    try:
        document = config.to_gen2_dict(include_secret=True)
    except ConfigError:
        return
    again, _ = parse_config(json.dumps(document), SOURCE)
    assert again == config or again == _without_gen2_blind_spots(config)


def _without_gen1_blind_spots(config: AuthConfig) -> AuthConfig:
    fields = {**config.__dict__, "unauthenticated_identities_enabled": None}
    return AuthConfig(**fields)


def _without_gen2_blind_spots(config: AuthConfig) -> AuthConfig:
    return AuthConfig(**{**config.__dict__, "social_providers": ()})


@many
@given(st.binary(max_size=300))
def test_random_bytes_never_raise_anything_but_config_error(data: bytes) -> None:
    outcome(lambda: parse_config_bytes(data, SOURCE))


@many
@given(st.text(alphabet=st.sampled_from('{}[]",:0123456789.eE+-tfnrulas \n\\u'), max_size=80))
def test_json_shaped_noise_never_raises_anything_but_config_error(text: str) -> None:
    outcome(lambda: parse_config(text, SOURCE))


@many
@given(json_values)
def test_random_json_never_raises_anything_but_config_error(value: Any) -> None:
    outcome(lambda: parse_config(json.dumps(value), SOURCE))
    outcome(lambda: parse_config(json.dumps({"auth": value}), SOURCE))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, child in node.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            found += _paths(child, (*prefix, index))
    return found


_BASES = [(base, _paths(base)) for base in (GEN1, GEN2, WEB, MOBILE)]


def _swap_type(value: Any, replacement: Any) -> Any:
    if type(replacement) is not type(value):
        return replacement
    return [replacement] if not isinstance(value, list) else {"x": replacement}


def _truncate(value: Any, keep: int) -> Any:
    if isinstance(value, (str, list)):
        return value[: keep % (len(value) + 1)]
    if isinstance(value, dict):
        return dict(list(value.items())[: keep % (len(value) + 1)])
    return value


@st.composite
def mutated_documents(draw: st.DrawFn) -> dict[str, Any]:
    """A valid document of any format read, with one to three mutations applied."""
    base, paths = draw(st.sampled_from(_BASES))
    document = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(paths))
        parent: Any = document
        try:
            for step in path[:-1]:
                parent = parent[step]
            if not isinstance(parent, (dict, list)):
                continue  # an earlier mutation turned a container into a scalar (a str indexes!)
            current = parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this part
        kind = draw(st.sampled_from(["drop", "swap", "truncate", "replace", "rename", "add"]))
        if kind == "drop":
            del parent[path[-1]]
        elif kind == "swap":
            parent[path[-1]] = _swap_type(current, draw(json_scalars))
        elif kind == "truncate":
            parent[path[-1]] = _truncate(current, draw(st.integers(0, 40)))
        elif kind == "replace":
            parent[path[-1]] = draw(json_values)
        elif kind == "rename" and isinstance(parent, dict):
            parent[draw(st.text(max_size=12))] = parent.pop(path[-1])
        elif kind == "add" and isinstance(current, dict):
            current[draw(st.text(max_size=12))] = draw(json_values)
    return document


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_documents(), st.sampled_from(["json", "json,", "cli", "prettier", "commonjs"]))
def test_mutated_configs_fail_cleanly_or_round_trip(document: dict[str, Any], syntax: str) -> None:
    if syntax.startswith("json"):
        source, text = SOURCE, json.dumps(document, indent=2)
        if syntax == "json,":  # with a trailing comma
            text = text.replace("\n  }\n}", ",\n  }\n}", 1)
    else:
        source, text = JS_SOURCE, to_js(document, style=syntax)
    config = outcome(lambda: parse_config(text, source), source)
    if config is not None:
        assert_round_trips(config)


@many
@given(
    st.text(
        alphabet=st.sampled_from("{}[](),:;.='\"`$\\/*\n -+09aexconstportdefault_"), max_size=80
    )
)
def test_javascript_shaped_noise_never_raises_anything_but_config_error(text: str) -> None:
    outcome(lambda: parse_config(text, JS_SOURCE), JS_SOURCE)
    outcome(lambda: parse_config(f"const a = {text}; export default a;", JS_SOURCE), JS_SOURCE)


_REGIONS = st.sampled_from(["us-east-1", "eu-central-2", "cn-north-1", "us-gov-west-1"])
_ID = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", min_size=1)


def _not_placeholder(value: str) -> bool:
    return not is_placeholder(value)  # "us-east-1_XXXX", "…your…" are placeholders


@st.composite
def configs(draw: st.DrawFn) -> AuthConfig:
    """Random valid configurations built in code."""
    region = draw(_REGIONS)
    secret = draw(
        st.none()
        | st.text(alphabet="abcdef0123456789+_", min_size=1, max_size=64).filter(_not_placeholder)
    )
    user_pool = draw(
        st.none()
        | st.builds(
            UserPoolConfig,
            pool_id=_ID.map(lambda tail: f"{region}_{tail[:40]}").filter(_not_placeholder),
            app_client_id=_ID.map(lambda text: text[:128]).filter(_not_placeholder),
            region=st.just(region),
            app_client_secret=st.just(secret),
            endpoint=st.sampled_from([None, "cognito.example.com", "http://127.0.0.1:9229"]),
        )
    )
    identity_pool = draw(
        st.none()
        | st.builds(
            IdentityPoolConfig,
            pool_id=st.uuids().map(lambda uuid: f"{region}:{uuid}"),
            region=st.just(region),
            endpoint=st.sampled_from([None, "http://localhost:4566"]),
        )
    )
    if user_pool is None and identity_pool is None:
        identity_pool = IdentityPoolConfig(f"{region}:0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9", region)
    oauth = None
    if user_pool is not None and draw(st.booleans()):
        oauth = OAuthConfig(
            web_domain=draw(st.sampled_from(["a.auth.eu-west-1.amazoncognito.com", "[::1]:8080"])),
            app_client_id=user_pool.app_client_id,
            sign_in_redirect_uris=tuple(
                draw(st.lists(st.sampled_from(["myapp://", "https://x.example/cb"]), min_size=1))
            ),
            sign_out_redirect_uris=("http://localhost:3000/",),
            scopes=tuple(draw(st.lists(st.sampled_from(["openid", "email", "srv/read"])))),
            app_client_secret=user_pool.app_client_secret,
            response_type=draw(st.sampled_from(["code", "token"])),
        )
    words = st.lists(st.sampled_from(["email", "phone_number"]), max_size=2).map(tuple)
    return AuthConfig(
        user_pool=user_pool,
        identity_pool=identity_pool,
        authentication_flow_type=draw(st.sampled_from(["USER_SRP_AUTH", "CUSTOM_AUTH"])),
        oauth=oauth,
        username_attributes=draw(words),
        signup_attributes=draw(words),
        password_policy=draw(
            st.none() | st.builds(PasswordPolicy, min_length=st.none() | st.integers(6, 99))
        ),
        mfa_configuration=draw(st.sampled_from([None, "OFF", "ON", "OPTIONAL"])),
        mfa_types=draw(st.lists(st.sampled_from(["SMS", "TOTP"]), max_size=2).map(tuple)),
        verification_mechanisms=draw(words),
        social_providers=draw(st.lists(st.sampled_from(["GOOGLE", "AMAZON"])).map(tuple))
        if oauth
        else (),
        unauthenticated_identities_enabled=draw(st.none() | st.booleans()),
    )


@settings(max_examples=300, deadline=None)
@given(configs())
def test_configs_built_in_code_round_trip_through_both_formats(config: AuthConfig) -> None:
    assert_round_trips(config)
