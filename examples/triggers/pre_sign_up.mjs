// PreSignUp in Node.js: auto-confirm one e-mail domain, refuse another, leave the rest alone.
//
// Sign-ups from TRUSTED_DOMAIN are confirmed without a code and their e-mail marked verified;
// sign-ups from BLOCKED_DOMAIN are refused: the client gets UserLambdaValidationException
// "PreSignUp failed with error <the message below>.". Everyone else signs up as usual
// (a code by e-mail). AdminCreateUser also calls PreSignUp, but Cognito ignores the flags
// there, so only the refusal matters for it. Set the domains in the function's environment.
// Deploy unchanged on the Lambda Node.js runtime (handler "pre_sign_up.handler").

const TRUSTED_DOMAIN = (process.env.TRUSTED_DOMAIN ?? "example.com").toLowerCase();
const BLOCKED_DOMAIN = (process.env.BLOCKED_DOMAIN ?? "spam.example").toLowerCase();

export const handler = async (event) => {
  const email = (event.request.userAttributes.email ?? "").toLowerCase();
  const domain = email.includes("@") ? email.split("@").pop() : "";
  if (domain === BLOCKED_DOMAIN) {
    throw new Error(`Sign-ups from ${BLOCKED_DOMAIN} are not accepted`);
  }
  if (domain === TRUSTED_DOMAIN) {
    event.response.autoConfirmUser = true;
    event.response.autoVerifyEmail = true;
  }
  return event;
};
