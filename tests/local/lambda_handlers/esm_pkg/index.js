// ESM by its package.json: a .js file with `export`.
import logic from "../behave_logic.cjs";

export const handler = async (event, context) => logic.behave(event, context);
