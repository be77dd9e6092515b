"""The Lambda triggers' room: a pool's ``LambdaConfig`` functions, called with Cognito's events.

Each trigger family is a module that plugs into the user-pool service's extension points
(:mod:`pyamplify.local.idp.hooks`) when this package is imported: :mod:`.lifecycle`
(PreSignUp, PostConfirmation, Pre/PostAuthentication), :mod:`.custom` (Define/Create/Verify for
CUSTOM_AUTH), :mod:`.tokens` (PreTokenGeneration V1_0/V2_0), :mod:`.migration` (UserMigration)
and :mod:`.messages` (CustomMessage). :mod:`.events` builds the envelope every event shares and
:mod:`.invoke` runs the function through the local Lambda runtime
(:mod:`pyamplify.local.lambdas`) and turns its failures into Cognito's errors. A pool without a
given trigger pays one dictionary lookup for it.
"""

from __future__ import annotations

from pyamplify.local.backend import Backend
from pyamplify.local.service.endpoints import ServiceRegistry
from pyamplify.local.triggers import custom, lifecycle, messages, migration, tokens

__all__ = ["custom", "install", "lifecycle", "messages", "migration", "tokens"]


def install(backend: Backend, registry: ServiceRegistry) -> None:
    """Nothing to serve: importing this package registered the triggers' contributors."""
