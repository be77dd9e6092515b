"""Writing configurations out: the seed's Gen 1 layout, Gen 2, round trips, atomic files."""

from __future__ import annotations

import dataclasses
import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from pyamplify.config import (
    AuthConfig,
    ConfigError,
    IdentityPoolConfig,
    UserPoolConfig,
    load_config,
    load_config_with_warnings,
    parse_config,
    write_config,
)
from pyamplify.config.json_reader import parse_json
from pyamplify.config.writer import replace_file

from .conftest import EXAMPLES, Loader

SECRET = "s3cr3tS3CR3Ts3cr3tS3CR3T0123456789"


def _keys(node: Any) -> Any:
    """The key structure of a document (values dropped), to compare layouts."""
    if isinstance(node, dict):
        return {key: _keys(value) for key, value in node.items()}
    return None


def test_gen1_output_has_the_seed_example_s_layout() -> None:
    seed_text = (EXAMPLES / "amplifyconfiguration.seed.json").read_text()
    seed_shape = _keys(parse_json(seed_text, "seed").value)  # our reader forgives its comma
    config = load_config(EXAMPLES / "amplifyconfiguration.json")
    written = config.to_gen1_dict()
    assert _keys(written) == seed_shape
    assert list(written["auth"]["plugins"]["awsCognitoAuthPlugin"]) == [
        "IdentityManager",
        "CredentialsProvider",
        "CognitoUserPool",
        "Auth",
    ]


def test_written_files_load_back_equal_in_both_formats(
    tmp_path: Path, gen1: dict[str, Any], load: Loader
) -> None:
    config, _ = load.ok(gen1)
    for config_format in ("gen1", "gen2"):
        path = tmp_path / f"out-{config_format}.json"
        write_config(config, path, format=config_format)  # type: ignore[arg-type]
        again, warnings = load_config_with_warnings(path)
        assert warnings == []
        assert again == config
        assert again.source_format == config_format


def test_the_secret_is_written_only_when_asked_and_then_privately(tmp_path: Path) -> None:
    pool = UserPoolConfig("eu-west-1_AbC", "abc", "eu-west-1", SECRET, "http://127.0.0.1:9229")
    config = AuthConfig(user_pool=pool)
    public, private = tmp_path / "public.json", tmp_path / "private.json"
    write_config(config, public)
    write_config(config, private, include_secret=True)
    assert SECRET not in public.read_text()
    assert load_config(public).user_pool == dataclasses.replace(pool, app_client_secret=None)
    assert load_config(private) == config
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    gen2 = config.to_gen2_dict(include_secret=True)["auth"]
    assert gen2["user_pool_client_secret"] == SECRET
    assert gen2["user_pool_endpoint"] == "http://127.0.0.1:9229"


def test_the_identity_pool_endpoint_extension_is_written_beside_pool_id() -> None:
    identity = IdentityPoolConfig(
        "eu-west-1:0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9", "eu-west-1", "http://localhost:9229"
    )
    gen1 = AuthConfig(identity_pool=identity).to_gen1_dict()
    default = gen1["auth"]["plugins"]["awsCognitoAuthPlugin"]["CredentialsProvider"]
    assert default["CognitoIdentity"]["Default"] == {
        "PoolId": identity.pool_id,
        "Region": "eu-west-1",
        "Endpoint": "http://localhost:9229",
    }
    gen2 = AuthConfig(identity_pool=identity).to_gen2_dict()
    assert gen2["auth"]["identity_pool_endpoint"] == "http://localhost:9229"


def test_redirect_uris_are_joined_with_commas_in_gen1(gen1: dict[str, Any], load: Loader) -> None:
    config, _ = load.ok(gen1)
    oauth = config.to_gen1_dict()["auth"]["plugins"]["awsCognitoAuthPlugin"]["Auth"]["Default"][
        "OAuth"
    ]
    assert oauth["SignInRedirectURI"] == "myapp://,http://localhost:3000/"


def test_gen2_cannot_hold_pools_in_two_regions() -> None:
    config = AuthConfig(
        user_pool=UserPoolConfig("eu-west-1_AbC", "abc", "eu-west-1"),
        identity_pool=IdentityPoolConfig(
            "us-east-1:0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9", "us-east-1"
        ),
    )
    with pytest.raises(ConfigError, match="different regions"):
        config.to_gen2_dict()
    assert parse_config(json.dumps(config.to_gen1_dict()))[0] == config


def test_writing_replaces_atomically_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "amplifyconfiguration.json"
    target.write_text("old")
    target.chmod(0o640)
    config = load_config(EXAMPLES / "amplify_outputs.json")
    write_config(config, target)
    assert os.listdir(tmp_path) == ["amplifyconfiguration.json"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the file keeps its permissions
    assert load_config(target) == config
    assert target.read_text().endswith("}\n")


def test_an_unwritable_place_is_a_config_error(tmp_path: Path) -> None:
    config = load_config(EXAMPLES / "amplify_outputs.json")
    with pytest.raises(ConfigError, match="cannot write the configuration"):
        write_config(config, tmp_path / "no" / "such" / "dir" / "a.json")


def test_a_failed_replacement_keeps_the_old_file_and_no_temporary_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "config"
    target.write_bytes(b"old")

    def refuse(source: str, destination: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="No space"):
        replace_file(target, b"new", mode=0o600)
    assert os.listdir(tmp_path) == ["config"] and target.read_bytes() == b"old"
    monkeypatch.undo()
    replace_file(target, b"new", mode=0o600)
    assert target.read_bytes() == b"new" and stat.S_IMODE(target.stat().st_mode) == 0o600
