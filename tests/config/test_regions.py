"""Region names: every partition's regions are accepted, a malformed name is an error, and a
well-formed name AWS did not have (a likely typo such as ``us-east-99``) is a warning."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pyamplify.config import ConfigError
from pyamplify.config import validate as v
from pyamplify.config.loader import parse_config as parse_config_with_warnings

POOL = "{region}_abcDEF123"


def _gen1(region: str) -> str:
    return json.dumps(
        {
            "auth": {
                "plugins": {
                    "awsCognitoAuthPlugin": {
                        "CognitoUserPool": {
                            "Default": {
                                "PoolId": POOL.format(region=region),
                                "AppClientId": "abcdef1234567890abcdef1234",
                                "Region": region,
                            }
                        }
                    }
                }
            }
        }
    )


@pytest.mark.parametrize("region", sorted(v.KNOWN_REGIONS))
def test_every_known_region_is_accepted_without_a_warning(region: str) -> None:
    assert v.region_problem(region) is None and v.region_caution(region) is None


def test_the_sovereign_cloud_region_outside_the_old_pattern_is_accepted() -> None:
    config, warnings = parse_config_with_warnings(_gen1("eusc-de-east-1"), source="c.json")
    assert config.user_pool is not None and config.user_pool.region == "eusc-de-east-1"
    assert warnings == []


def test_an_unknown_well_formed_region_loads_with_a_warning_naming_the_key() -> None:
    config, warnings = parse_config_with_warnings(_gen1("us-east-99"), source="c.json")
    assert config.user_pool is not None
    [warning] = warnings
    assert "us-east-99" in str(warning) and "typo" in str(warning)
    assert "CognitoUserPool.Default.Region" in str(warning)


def test_gen2_and_aws_exports_warn_the_same_way() -> None:
    gen2 = json.dumps(
        {
            "version": "1.4",
            "auth": {
                "aws_region": "eu-west-9",
                "user_pool_id": "eu-west-9_abcDEF123",
                "user_pool_client_id": "abcdef1234567890abcdef1234",
            },
        }
    )
    _config, warnings = parse_config_with_warnings(gen2, source="amplify_outputs.json")
    assert any("eu-west-9" in str(w) for w in warnings)
    exports = json.dumps(
        {
            "aws_project_region": "ap-south-7",
            "aws_user_pools_id": "ap-south-7_abcDEF123",
            "aws_user_pools_web_client_id": "abcdef1234567890abcdef1234",
        }
    )
    _config, warnings = parse_config_with_warnings(exports, source="aws-exports.json")
    assert any("ap-south-7" in str(w) for w in warnings)


def test_a_malformed_region_is_an_error() -> None:
    with pytest.raises(ConfigError, match='"mars-1" is not an AWS region name'):
        parse_config_with_warnings(_gen1("mars-1"), source="c.json")


def test_local_start_refuses_a_malformed_region_and_warns_about_an_unknown_one() -> None:
    bad = subprocess.run(
        [sys.executable, "-m", "pyamplify", "local", "start", "--region", "mars-1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2 and '"mars-1" is not an AWS region name' in bad.stderr
    unknown = subprocess.run(
        [
            *(sys.executable, "-m", "pyamplify", "local", "start"),
            *("--region", "us-east-99", "--port", "99999"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "warning: --region" in unknown.stderr and "us-east-99" in unknown.stderr
