// The local Cognito's Node.js worker: runs Lambda handlers for the Python side (lambdas/node.py).
//
// Protocol: one JSON request per line on stdin; one JSON message per line on stdout, each line
// starting with the token in $PYAMPLIFY_LAMBDA_TOKEN so that stray bytes a handler writes to fd 1
// cannot be taken for a message. console.* and process.stdout/stderr.write are redirected into
// "log"/"write" messages tagged with the request id (kept per async context, so output from a
// timer a handler left behind is still tagged with the request that started it).
//
// Requests:  {op: "load", id, path, export}
//            {op: "invoke", id, path, export, event, context: {...names}, timeoutMs}
// Messages:  {type: "ready", node} (once, at start)
//            {id, type: "result", result} | {id, type: "error", errorType, errorMessage, trace}
//            (with fatal: true when this worker exits right after: a stray uncaught error)
//            {type: "log", requestId, functionName, level, text}
//            {type: "write", requestId, functionName, stream, text}
//
// Handlers are called as the Lambda Node.js runtime calls them: handler(event, context, callback).
// A returned promise (async handler) answers with its value; otherwise the callback (or the legacy
// context.succeed/fail/done) answers; with context.callbackWaitsForEmptyEventLoop (the default)
// the answer waits until the handler's timers and sockets are done, and a handler that neither
// returns a promise nor calls back answers null once they are. One request runs at a time; the
// Python side kills this process at the time limit. No npm dependency.

import { AsyncLocalStorage } from "node:async_hooks";
import fs from "node:fs";
import readline from "node:readline";
import { pathToFileURL } from "node:url";
import util from "node:util";

const TOKEN = process.env.PYAMPLIFY_LAMBDA_TOKEN ?? "";
const current = new AsyncLocalStorage();
const modules = new Map();

function send(message) {
  sendLine(JSON.stringify(message));
}

function sendLine(json) {
  const bytes = Buffer.from(TOKEN + json + "\n", "utf8");
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += fs.writeSync(1, bytes, offset);
    } catch (error) {
      if (error.code !== "EAGAIN") throw error;
    }
  }
}

function tags() {
  const store = current.getStore();
  return store ? { requestId: store.requestId, functionName: store.functionName } : {};
}

// console.* as the Lambda runtime prints it: one log line per call, with its level.
const LEVELS = { log: "INFO", info: "INFO", debug: "DEBUG", trace: "TRACE", warn: "WARN", error: "ERROR" };
for (const [method, level] of Object.entries(LEVELS)) {
  console[method] = (...args) => {
    let text = util.format(...args);
    if (method === "trace") text = `Trace: ${text}\n${new Error().stack.split("\n").slice(2).join("\n")}`;
    send({ type: "log", level, text, ...tags() });
  };
}
for (const stream of ["stdout", "stderr"]) {
  process[stream].write = (chunk, encoding, callback) => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
    send({ type: "write", stream, text, ...tags() });
    const done = typeof encoding === "function" ? encoding : callback;
    if (typeof done === "function") process.nextTick(done);
    return true;
  };
}

// ------------------------------------------------------------------ errors as Lambda reports them

function lambdaError(error, fallbackType) {
  try {
    if (error instanceof Error || util.types.isNativeError(error)) {
      return {
        errorType: error.name || fallbackType,
        errorMessage: String(error.message ?? ""),
        trace: String(error.stack ?? "").split("\n"),
      };
    }
    return { errorType: fallbackType ?? typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return { errorType: "handled", errorMessage: "the handler failed with a value that cannot be shown", trace: [] };
  }
}

// ------------------------------------------------------------------ loading handlers

class LoadError extends Error {}

async function loadHandler(path, exportName) {
  let namespace = modules.get(path);
  if (namespace === undefined) {
    try {
      namespace = await import(pathToFileURL(path).href);
    } catch (error) {
      const type = error instanceof SyntaxError ? "Runtime.UserCodeSyntaxError" : "Runtime.ImportModuleError";
      throw Object.assign(new LoadError(`${error.name ?? "Error"}: ${error.message ?? error}`), { name: type });
    }
    modules.set(path, namespace);
  }
  const found = resolveExport(namespace, exportName) ?? resolveExport(namespace.default, exportName);
  if (typeof found !== "function") {
    const what = found === undefined ? "is undefined or not exported" : `is a ${typeof found}, not a function`;
    throw Object.assign(new LoadError(`${path}:${exportName} ${what}`), { name: "Runtime.HandlerNotFound" });
  }
  return found;
}

function resolveExport(value, dotted) {
  for (const part of dotted.split(".")) {
    if (value === null || value === undefined) return undefined;
    value = value[part];
  }
  return value;
}

// ------------------------------------------------------------------ waiting for an empty event loop

let baseline = null;

function counts(names) {
  const result = new Map();
  for (const name of names) result.set(name, (result.get(name) ?? 0) + 1);
  return result;
}

function eventLoopIsEmpty(ownTimers) {
  const now = counts(process.getActiveResourcesInfo());
  if (ownTimers) now.set("Timeout", (now.get("Timeout") ?? 0) - ownTimers);
  for (const [name, count] of now) if (count > (baseline.get(name) ?? 0)) return false;
  return true;
}

// Calls `then` once nothing but the worker's own handles is left: pending promises have run
// (the first check waits for the microtask queue, as Node's own "beforeExit" does) and the
// handler's timers, sockets and files are done. Polls every millisecond after that; the poll's
// own running timer is discounted.
function whenEventLoopEmpty(then) {
  const check = (ownTimers) => (eventLoopIsEmpty(ownTimers) ? then() : setTimeout(check, 1, 1));
  setImmediate(check, 0);
}

// ------------------------------------------------------------------ invoking

async function invoke(request) {
  const names = request.context;
  const deadline = Date.now() + request.timeoutMs;
  let answered = false;
  const answer = (error, result) => {
    if (answered) return;
    answered = true;
    if (error !== null && error !== undefined) {
      send({ id: request.id, type: "error", ...lambdaError(error) });
      return;
    }
    let line;
    try {
      line = JSON.stringify({ id: request.id, type: "result", result: result === undefined ? null : result });
    } catch (failure) {
      send({
        id: request.id,
        type: "error",
        errorType: "Runtime.MarshalError",
        errorMessage: `Unable to stringify response body: ${failure.message}`,
        trace: [],
      });
      return;
    }
    sendLine(line);
  };
  const handler = await loadHandler(request.path, request.export);
  const context = {
    functionName: names.functionName,
    functionVersion: names.functionVersion,
    invokedFunctionArn: names.invokedFunctionArn,
    memoryLimitInMB: names.memoryLimitInMB,
    awsRequestId: names.awsRequestId,
    logGroupName: names.logGroupName,
    logStreamName: names.logStreamName,
    identity: undefined,
    clientContext: undefined,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  // The callback's answer waits for an empty event loop (callbackWaitsForEmptyEventLoop), and a
  // handler that neither returns a promise nor calls back answers null once the loop is empty.
  let calledBack = null;
  let waiting = false;
  const answerWhenIdle = () => {
    if (waiting) return;
    waiting = true;
    whenEventLoopEmpty(() => answer(...(calledBack ?? [null, null])));
  };
  const callback = (error, result) => {
    if (calledBack !== null) return;
    calledBack = [error, result];
    if (context.callbackWaitsForEmptyEventLoop) answerWhenIdle();
    else answer(error, result);
  };
  context.succeed = (result) => callback(null, result);
  context.fail = (error) => callback(error ?? new Error("handled"));
  context.done = (error, result) => callback(error, result);
  const returned = handler(request.event, context, callback);
  if (returned !== null && typeof returned === "object" && typeof returned.then === "function") {
    returned.then(
      (result) => answer(null, result),
      (error) => answer(error ?? new Error("the handler's promise was rejected without a reason")),
    );
  } else {
    answerWhenIdle();
  }
}

function handle(request) {
  const store = { requestId: request.context?.awsRequestId ?? "", functionName: request.context?.functionName ?? "" };
  current.run(store, () => {
    const work = request.op === "load" ? loadHandler(request.path, request.export).then(() => {
      send({ id: request.id, type: "result", result: null });
    }) : invoke(request);
    Promise.resolve(work).catch((error) => send({ id: request.id, type: "error", ...lambdaError(error) }));
  });
}

// A handler's stray failure (a throwing timer, a forgotten rejection) fails the request in
// flight, like on Lambda, and this worker exits so that the next request gets a fresh one.
let inFlight = null;
process.on("uncaughtException", (error) => {
  if (inFlight !== null) send({ id: inFlight, type: "error", fatal: true, ...lambdaError(error) });
  process.exit(129);
});
process.on("unhandledRejection", (reason) => {
  if (inFlight !== null) {
    const { errorMessage } = lambdaError(reason);
    send({
      id: inFlight,
      type: "error",
      fatal: true,
      errorType: "Runtime.UnhandledPromiseRejection",
      errorMessage,
      trace: [],
    });
  }
  process.exit(128);
});

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on("line", (line) => {
  if (!line.trim()) return;
  const request = JSON.parse(line);
  inFlight = request.id;
  handle(request);
});
lines.on("close", () => process.exit(0));
setImmediate(() => {
  baseline = counts(process.getActiveResourcesInfo());
  send({ type: "ready", node: process.version });
});
