// ESM, async handler: `export const handler = async (event, context) => ...`.
import logic from "./behave_logic.cjs";

export const handler = async (event, context) => logic.behave(event, context);

export const notAFunction = 42;

// Lambda styles the runtime must honour beyond the async handler.
export const syncReturn = (event) => event; // no promise, no callback: Lambda answers null
export const exits = () => process.exit(3);
export const waitsForTimer = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = event.request.wait;
  setTimeout(() => console.log("timer done"), 50);
  callback(null, event);
};
export const legacySucceed = (event, context) => {
  setTimeout(() => context.succeed(event), 1);
};
export const strayTimerThrows = async (event) => {
  setTimeout(() => {
    throw new RangeError("thrown from a timer");
  }, 1);
  return new Promise(() => {}); // never settles: the stray error fails the request
};
