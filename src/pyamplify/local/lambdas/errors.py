"""What can go wrong when the local Cognito runs a function, and the words AWS uses for it.

Two kinds of error live here:

* :class:`HandlerSpecError` (a :class:`~pyamplify.errors.PyamplifyError`): a mapping that can
  never work (no such file, module or function, an unknown file type, no ``node``). Raised when
  the mapping is made, so ``pyamplify local start`` refuses to start instead of failing at the
  first sign-in.
* :class:`InvocationError` and its subclasses: one invocation did not produce a usable answer.
  They say what happened in Lambda's terms; the Cognito side turns them into Cognito's errors
  (the texts below), so this room never names a Cognito error class.

Cognito's texts (for the trigger room; ``{trigger}`` is the LambdaConfig key, e.g.
``PreSignUp``), as observed on AWS:

* The handler raised: ``UserLambdaValidationException``, :func:`failed_with_error`
  (``"PreSignUp failed with error <errorMessage>."``; reference §3, and e.g.
  aws-amplify/amplify-js#9127: ``"DefineAuthChallenge failed with error RequestId: … Error:
  Runtime exited with error: exit status 129."``).
* A response Cognito cannot read: ``InvalidLambdaResponseException``,
  :data:`UNRECOGNIZABLE_OUTPUT` (stackoverflow.com/questions/42706896).
* The function could not be invoked (no permission for Cognito, or the function was deleted,
  which Cognito reports the same way per the AWS re:Post knowledge-center article
  "cognito-lambda-trigger-errors"): ``UnexpectedLambdaException``,
  :func:`invocation_failed` with :data:`ACCESS_DENIED` (``"PreSignUp invocation failed due to
  error AccessDeniedException."``; aws/serverless-application-model#1253, anomalyco/ion#697).
* Past the limit: ``UnexpectedLambdaException``, :func:`invocation_failed` with
  :data:`SOCKET_TIMEOUT` (``"PreSignUp invocation failed due to error Socket timeout while
  invoking Lambda function."``; anomalyco/sst#1815, furaiev/amazon-cognito-identity-dart-2#204).
"""

from __future__ import annotations

from pyamplify.errors import PyamplifyError

#: The code Cognito answers when it cannot invoke a function or the invocation times out.
UNEXPECTED_LAMBDA = "UnexpectedLambdaException"
#: The code Cognito answers when the handler raised (or its runtime failed).
USER_LAMBDA_VALIDATION = "UserLambdaValidationException"
#: The code Cognito answers when the handler's answer is not what the trigger expects.
INVALID_LAMBDA_RESPONSE = "InvalidLambdaResponseException"
#: InvalidLambdaResponseException's message.
UNRECOGNIZABLE_OUTPUT = "Unrecognizable lambda output"
#: The error Cognito names for a function it may not (or can no longer) invoke.
ACCESS_DENIED = "AccessDeniedException"
#: The error Cognito names for a function that did not answer in time.
SOCKET_TIMEOUT = "Socket timeout while invoking Lambda function"
#: Cognito's limit for a trigger's answer, in seconds (reference §3).
COGNITO_TIMEOUT = 5.0


def failed_with_error(trigger: str, error_message: str) -> str:
    """UserLambdaValidationException's message: ``"<Trigger> failed with error <msg>."``."""
    return f"{trigger} failed with error {error_message}."


def invocation_failed(trigger: str, error: str) -> str:
    """UnexpectedLambdaException's message: ``"<Trigger> invocation failed due to error <e>."``."""
    return f"{trigger} invocation failed due to error {error}."


class HandlerSpecError(PyamplifyError):
    """A handler mapping that cannot work; ``str()`` says which and how to fix it."""


class NodeNotFoundError(HandlerSpecError):
    """A Node.js handler was mapped but no ``node`` executable was found."""


class InvocationError(Exception):
    """One invocation of a function gave no usable answer (see the subclasses)."""


class FunctionNotMapped(InvocationError):
    """The ARN has no handler in this local Cognito (AWS: the function cannot be invoked)."""

    def __init__(self, arn: str) -> None:
        super().__init__(
            f"no handler is mapped to {arn}; map one with "
            f"`pyamplify local start --trigger {arn}=path/to/handler.py:handler` "
            "(or .mjs/.js for Node.js), a --triggers file, or LocalCognito(triggers={...})"
        )
        self.arn = arn


class FunctionFailed(InvocationError):
    """The handler raised, or its runtime failed; fields as Lambda reports a function error."""

    def __init__(self, error_message: str, error_type: str, request_id: str = "") -> None:
        super().__init__(f"{error_type}: {error_message}" if error_type else error_message)
        self.error_message = error_message
        self.error_type = error_type
        self.request_id = request_id


class FunctionTimedOut(InvocationError):
    """The handler did not answer within the limit (Lambda: ``Task timed out after …``)."""

    def __init__(self, seconds: float, request_id: str = "") -> None:
        super().__init__(f"Task timed out after {seconds:.2f} seconds")
        self.seconds = seconds
        self.request_id = request_id


class FunctionBadOutput(InvocationError):
    """The handler answered with JSON that is not an object (``null``, a list, a string…)."""

    def __init__(self, detail: str, request_id: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        self.request_id = request_id
