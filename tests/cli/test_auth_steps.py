"""``step_document``: a result's next step as the ``--json`` commands print it."""

from __future__ import annotations

import json
from types import MappingProxyType

from pyamplify.auth.results import (
    CodeDeliveryDetails,
    SignInNextStep,
    SignInStep,
    TOTPSetupDetails,
)
from pyamplify.cli.auth_cmd import _SIGN_IN_STEP_FIELDS
from pyamplify.cli.auth_steps import step_document

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_named_fields_in_order_with_json_shapes() -> None:
    step = SignInNextStep(
        SignInStep.CONFIRM_SIGN_IN_WITH_EMAIL_CODE,
        missing_attributes=("email", "name"),
        code_delivery_details=CodeDeliveryDetails("a***@e***", "EMAIL", "email"),
        additional_info=MappingProxyType({"round": "2"}),
        available_challenges=("EMAIL_OTP", "PASSWORD"),
    )
    document = step_document(step, *_SIGN_IN_STEP_FIELDS)
    assert list(document) == list(_SIGN_IN_STEP_FIELDS)
    assert document == {
        "sign_in_step": "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
        "missing_attributes": ["email", "name"],
        "code_delivery_details": {
            "destination": "a***@e***",
            "delivery_medium": "EMAIL",
            "attribute_name": "email",
        },
        "additional_info": {"round": "2"},
        "allowed_mfa_types": [],
        "available_challenges": ["EMAIL_OTP", "PASSWORD"],
    }
    json.dumps(document)  # every value is JSON as it stands


def test_no_delivery_is_null() -> None:
    step = SignInNextStep(SignInStep.DONE)
    assert step_document(step, "sign_in_step", "code_delivery_details") == {
        "sign_in_step": "DONE",
        "code_delivery_details": None,
    }


def test_a_new_authenticators_key_is_never_printed() -> None:
    step = SignInNextStep(
        SignInStep.CONTINUE_SIGN_IN_WITH_TOTP_SETUP,
        totp_setup_details=TOTPSetupDetails(shared_secret=SECRET, username="ada"),
    )
    assert SECRET not in json.dumps(step_document(step, *_SIGN_IN_STEP_FIELDS))
