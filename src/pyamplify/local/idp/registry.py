"""The user-pool service's one registry of operations (see :mod:`pyamplify.local.service.registry`).

Every operation module of this room registers its handlers here with
``@OPERATIONS.operation("<Name>")``; :mod:`.service` imports them all and serves the registry.
"""

from __future__ import annotations

from pyamplify.local.service.registry import OperationRegistry

OPERATIONS = OperationRegistry("cognito-idp")
