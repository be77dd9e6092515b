"""One registry of operations per service, and the service type both Cognito services are.

Each operation module declares its handlers where they are written::

    IDP = OperationRegistry("cognito-idp")

    @IDP.operation("GetUser")
    def get_user(backend: Backend, body: dict[str, Any]) -> dict[str, Any]: ...

A second handler for the same name is refused at import time (:class:`DuplicateOperationError`),
so which module answers an operation never depends on import or merge order. Where one feature
adds to another's answer (MFA fields in GetUser, device data in sign-in results, trigger calls),
it uses an explicit extension point (:mod:`pyamplify.local.idp.hooks`), not a second handler.

:class:`ModelService` is the one service type: a target prefix and a botocore model
(:mod:`.model`) plus a registry. Before a handler runs, the request is checked as AWS checks it:
the operation must exist in the model (else ``UnknownOperationException``), operations the model
signs must carry SigV4 (any credentials are accepted: dev mode; none gives
``MissingAuthenticationTokenException``), and the body must fit the model's input shape
(``InvalidParameterException`` in Coral's wording). A real operation without a handler answers
``UnsupportedOperationException`` naming it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import KW_ONLY, dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pyamplify.local import errors
from pyamplify.local.service.endpoints import RequestInfo
from pyamplify.local.service.validation import validate_input

if TYPE_CHECKING:
    from pyamplify.local.backend import Backend
    from pyamplify.local.service.model import ServiceModel

#: An operation: the backend and the parsed JSON body in, the JSON answer out.
Handler = Callable[["Backend", dict[str, Any]], dict[str, Any]]
_H = TypeVar("_H", bound=Handler)


class DuplicateOperationError(RuntimeError):
    """Two handlers were registered for one operation of one service (a programming error)."""


class OperationRegistry:
    """The handlers of one service, by operation name; each name at most once."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._handlers: dict[str, Handler] = {}

    def operation(self, name: str) -> Callable[[_H], _H]:
        """Decorator: register the function as the handler of ``name``."""

        def register(handler: _H) -> _H:
            self.add(name, handler)
            return handler

        return register

    def add(self, name: str, handler: Handler) -> None:
        """Register ``handler`` for ``name``; a second handler for it is refused."""
        existing = self._handlers.get(name)
        if existing is not None and existing is not handler:
            raise DuplicateOperationError(
                f"{self.service} {name} already has a handler "
                f"({existing.__module__}.{existing.__qualname__}); "
                f"{handler.__module__}.{handler.__qualname__} must use an extension point "
                "instead of a second handler."
            )
        self._handlers[name] = handler

    def get(self, name: str) -> Handler | None:
        """The handler of ``name``, or ``None``."""
        return self._handlers.get(name)

    def names(self) -> frozenset[str]:
        """Every registered operation name."""
        return frozenset(self._handlers)

    def __contains__(self, name: object) -> bool:
        return name in self._handlers

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._handlers))

    def __len__(self) -> int:
        return len(self._handlers)


@dataclass(eq=False, repr=False)
class ModelService:
    """A JSON 1.1 service: a botocore model, a registry of handlers, AWS's request checks."""

    backend: Backend
    _: KW_ONLY
    model: ServiceModel
    registry: OperationRegistry
    title: str
    before_operation: Callable[[Backend], None] | None = None
    #: A context the handler runs in (the user pools make the ClientMetadata visible).
    scope: Callable[[str, dict[str, Any]], AbstractContextManager[Any]] | None = None

    def __post_init__(self) -> None:
        unknown = self.registry.names() - self.model.operations
        if unknown:
            raise DuplicateOperationError(
                f"handlers for operations {self.model.name} does not have: "
                f"{', '.join(sorted(unknown))}"
            )

    @property
    def target_prefix(self) -> str:
        """The ``X-Amz-Target`` prefix this service answers."""
        return self.model.target_prefix

    def handle(self, operation: str, body: Any, request: RequestInfo) -> dict[str, Any]:
        """Check and run one operation."""
        if operation not in self.model.operations:
            raise errors.UnknownOperationException(
                f"{operation[:100]!r} is not a {self.title} operation."
            )
        if operation not in self.model.unsigned and not request.signed:
            raise errors.MissingAuthenticationTokenException("Missing Authentication Token")
        validate_input(self.model, operation, body)
        handler = self.registry.get(operation)
        if handler is None:
            raise errors.UnsupportedOperationException(
                f"The local Cognito does not implement {operation} yet."
            )
        if self.before_operation is not None:
            self.before_operation(self.backend)
        if self.scope is None:
            return handler(self.backend, body)
        with self.scope(operation, body):
            return handler(self.backend, body)
