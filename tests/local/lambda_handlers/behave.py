"""A test handler for the local Lambda runtime; behave_logic.cjs is the same logic in Node.js.

``event["request"]["action"]`` picks what it does; the default fills ``response`` and returns the
event, as a Cognito trigger does.
"""

import logging
import time


class TriggerRejected(Exception):
    """Raised on purpose: Lambda reports it as errorType ``TriggerRejected``."""


def handler(event, context):
    request = event["request"]
    action = request.get("action", "answer")
    if action == "raise":
        raise TriggerRejected(f"rejected: {event['userName']}")
    if action == "not-an-object":
        return "not an object"
    if action == "null":
        return None
    if action == "unserialisable":
        return {"response": {"values": {1, 2}}}
    if action == "hang":
        time.sleep(request.get("seconds", 2))
        return event
    if action == "print":
        print(f"hello {event['userName']} from {context.aws_request_id}")
        print("second line", end="")
        return event
    if action == "log":
        logger = logging.getLogger("behave")
        logger.warning("warned about %s", event["userName"])
        return event
    event["response"] = {
        "sessionLength": len(request.get("session", [])),
        "user": event["userName"],
        "context": {
            "functionName": context.function_name,
            "functionVersion": context.function_version,
            "invokedFunctionArn": context.invoked_function_arn,
            "memoryLimitInMB": context.memory_limit_in_mb,
            "awsRequestId": context.aws_request_id,
            "logGroupName": context.log_group_name,
            "logStreamName": context.log_stream_name,
            "remaining": context.get_remaining_time_in_millis(),
        },
    }
    return event


def not_a_function_value():
    return None


NOT_CALLABLE = 42
