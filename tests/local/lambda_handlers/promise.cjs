// CommonJS, a plain function returning a promise.
const logic = require("./behave_logic.cjs");

exports.handler = (event, context) => logic.behave(event, context);
