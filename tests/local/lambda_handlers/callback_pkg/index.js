// CommonJS by its package.json, callback style: `(event, context, callback)`.
const logic = require("../behave_logic.cjs");

exports.handler = (event, context, callback) => {
  logic.behave(event, context).then(
    (result) => callback(null, result),
    (error) => callback(error),
  );
};
