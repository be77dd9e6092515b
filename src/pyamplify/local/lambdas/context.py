"""The Lambda context a handler receives: names derived from the function ARN, a deadline.

The fields are those of the Lambda runtimes' context objects, so that handler code that reads
them (``context.aws_request_id`` in a log line, ``get_remaining_time_in_millis()`` before a slow
call) runs unchanged. Values that only exist on AWS are plausible stand-ins: version
``$LATEST``, 128 MB, a log stream name in Lambda's ``YYYY/MM/DD/[$LATEST]<hex>`` form.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from pyamplify.local.lambdas.errors import HandlerSpecError

#: ``arn:<partition>:lambda:<region>:<account>:function:<name>[:<version or alias>]``
_FUNCTION_ARN = re.compile(
    r"arn:(?P<partition>aws[a-z-]*):lambda:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"function:(?P<name>[A-Za-z0-9_-]{1,64})(?::(?P<qualifier>\$LATEST|[A-Za-z0-9_-]{1,128}))?"
)
ARN_EXAMPLE = "arn:aws:lambda:us-east-1:000000000000:function:my-trigger"
MEMORY_LIMIT_MB = 128
#: One log stream per runner, like one execution environment: ``2026/11/26/[$LATEST]<32 hex>``.
_STREAM_SUFFIX = secrets.token_hex(16)


@dataclass(frozen=True)
class FunctionName:
    """What an ARN says about a function: its name and version."""

    arn: str
    name: str
    version: str

    @property
    def log_group_name(self) -> str:
        """``/aws/lambda/<name>``, where CloudWatch keeps the function's logs."""
        return f"/aws/lambda/{self.name}"

    @property
    def log_stream_name(self) -> str:
        """A log stream name in Lambda's form (one per process, like one environment)."""
        return time.strftime("%Y/%m/%d/", time.gmtime()) + f"[{self.version}]{_STREAM_SUFFIX}"


def parse_function_arn(arn: str) -> FunctionName:
    """The name and version in a Lambda function ARN; :class:`HandlerSpecError` otherwise."""
    match = _FUNCTION_ARN.fullmatch(arn)
    if match is None:
        raise HandlerSpecError(
            f"{arn!r} is not a Lambda function ARN; expected one like {ARN_EXAMPLE} "
            "(the value the pool's LambdaConfig names)"
        )
    qualifier = match["qualifier"]
    version = qualifier if qualifier and qualifier.isdigit() else "$LATEST"
    return FunctionName(arn=arn, name=match["name"], version=version)


class LambdaContext:
    """The context object of the Lambda Python runtime (``awslambdaric``'s field names)."""

    def __init__(self, function: FunctionName, request_id: str, deadline: float) -> None:
        self.function_name = function.name
        self.function_version = function.version
        self.invoked_function_arn = function.arn
        self.memory_limit_in_mb = str(MEMORY_LIMIT_MB)  # a string in the Python runtime too
        self.aws_request_id = request_id
        self.log_group_name = function.log_group_name
        self.log_stream_name = function.log_stream_name
        self.identity: Any = None
        self.client_context: Any = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the invocation's time limit (never negative)."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))

    def __repr__(self) -> str:
        return (
            f"LambdaContext(function_name={self.function_name!r}, "
            f"aws_request_id={self.aws_request_id!r})"
        )
