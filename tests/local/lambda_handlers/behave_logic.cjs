// The same logic as behave.py, for the Node.js styles that wrap it (see behave.mjs and friends).

class TriggerRejected extends Error {
  constructor(message) {
    super(message);
    this.name = "TriggerRejected";
  }
}

exports.behave = async (event, context) => {
  const request = event.request;
  const action = request.action ?? "answer";
  if (action === "raise") throw new TriggerRejected(`rejected: ${event.userName}`);
  if (action === "not-an-object") return "not an object";
  if (action === "null") return null;
  if (action === "unserialisable") return { response: { values: 10n } };
  if (action === "hang") {
    while (true) {} // a busy loop: only killing the process stops it
  }
  if (action === "print") {
    console.log(`hello ${event.userName} from ${context.awsRequestId}`);
    process.stdout.write("second line");
    return event;
  }
  if (action === "log") {
    console.warn("warned about %s", event.userName);
    return event;
  }
  event.response = {
    sessionLength: (request.session ?? []).length,
    user: event.userName,
    context: {
      functionName: context.functionName,
      functionVersion: context.functionVersion,
      invokedFunctionArn: context.invokedFunctionArn,
      memoryLimitInMB: context.memoryLimitInMB,
      awsRequestId: context.awsRequestId,
      logGroupName: context.logGroupName,
      logStreamName: context.logStreamName,
      remaining: context.getRemainingTimeInMillis(),
    },
  };
  return event;
};
