"""The next-step values every result carries: Amplify JS v6's strings, read-only extras."""

from __future__ import annotations

import pytest

from pyamplify.auth import (
    ResetPasswordNextStep,
    ResetPasswordStep,
    SignInStep,
    SignUpStep,
    UpdateAttributeStep,
)
from pyamplify.auth.results import StepEnum


@pytest.mark.parametrize("enum", [SignInStep, SignUpStep, ResetPasswordStep, UpdateAttributeStep])
def test_every_step_equals_and_prints_as_amplifys_string(enum: type[StepEnum]) -> None:
    for member in enum:
        assert isinstance(member, StepEnum)
        assert member == member.value and str(member) == f"{member}" == member.value
        assert enum(member.value) is member
    assert enum("DONE") is enum.DONE


def test_additional_info_defaults_to_an_empty_read_only_mapping() -> None:
    first = ResetPasswordNextStep(ResetPasswordStep.DONE)
    assert dict(first.additional_info) == {}
    with pytest.raises(TypeError):
        first.additional_info["x"] = "y"  # type: ignore[index]
