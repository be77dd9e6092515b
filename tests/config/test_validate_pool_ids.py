"""Pool ids: ``<region>_<id>`` and ``<region>:<uuid>``, each refusal saying which part is wrong."""

from __future__ import annotations

import pytest

from pyamplify.config import validate as v

UUID = "0f1e2d3c-4b5a-6978-8695-a4b3c2d1e0f9"


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("us-east-1_AbCdEfGhI", None),
        ("AbCdEfGhI", '"AbCdEfGhI" is not a user pool id (expected <region>_<id>)'),
        (
            "mars-1_AbC",
            "\"mars-1_AbC\" is not a user pool id: it must start with its region and '_', "
            'and "mars-1" is not a region',
        ),
        (
            "us-east-1_Ab-C",
            "\"us-east-1_Ab-C\" is not a user pool id: after '_' come only letters and digits "
            "(at most 55 characters in all)",
        ),
        (f"us-east-1_{'a' * 45}", None),
        (f"us-east-1_{'a' * 46}", "too long"),
    ],
)
def test_user_pool_ids(value: str, problem: str | None) -> None:
    found = v.user_pool_id_problem(value)
    if problem == "too long":
        assert found is not None and found.endswith("(at most 55 characters in all)")
    else:
        assert found == problem
    expected_region = None if value == "AbCdEfGhI" else value.split("_")[0]
    assert v.region_of_user_pool_id(value) == expected_region


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (f"eu-west-1:{UUID}", None),
        (UUID, f'"{UUID}" is not an identity pool id (expected <region>:<uuid>)'),
        (
            f"Europe:{UUID}",
            f'"Europe:{UUID}" is not an identity pool id: it must start with its region and '
            "':', and \"Europe\" is not a region",
        ),
        (
            "eu-west-1:not-a-uuid",
            "\"eu-west-1:not-a-uuid\" is not an identity pool id: after ':' comes a UUID",
        ),
    ],
)
def test_identity_pool_ids(value: str, problem: str | None) -> None:
    assert v.identity_pool_id_problem(value) == problem
    expected_region = value.split(":")[0] if ":" in value else None
    assert v.region_of_identity_pool_id(value) == expected_region
