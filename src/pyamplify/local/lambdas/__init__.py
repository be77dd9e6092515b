"""Run a Lambda function's handler locally: the local Cognito's stand-in for AWS Lambda.

A :class:`FunctionRunner` maps function ARNs (the values of a pool's ``LambdaConfig``) to
handlers (Python callables, ``module:function``, ``file.py:function``, or Node.js
``index.mjs:handler``) and invokes them as the Lambda runtimes do: ``handler(event, context)``
with a Lambda context, a time limit, failures reported in Lambda's terms (:mod:`.errors`, which
also holds the texts Cognito answers with), and their output in the ``pyamplify.local.lambdas``
log. This room knows nothing of Cognito's events: the trigger room builds those.

It imports only the standard library and the error rooms, so every other local room may use it.
"""

from __future__ import annotations

from pyamplify.local.lambdas.errors import (
    FunctionBadOutput,
    FunctionFailed,
    FunctionNotMapped,
    FunctionTimedOut,
    HandlerSpecError,
    InvocationError,
    NodeNotFoundError,
)
from pyamplify.local.lambdas.handlers import HandlerSpec
from pyamplify.local.lambdas.runner import FunctionRunner

__all__ = [
    "FunctionBadOutput",
    "FunctionFailed",
    "FunctionNotMapped",
    "FunctionRunner",
    "FunctionTimedOut",
    "HandlerSpec",
    "HandlerSpecError",
    "InvocationError",
    "NodeNotFoundError",
]
