// A captcha-like question before the tokens: Define/Create/VerifyAuthChallenge in Node.js.
//
// The same logic as question.py: each round asks a small sum ("What is 3 + 4?"), the right
// answer signs the user in, three wrong answers end the sign-in, every retry gets a new
// question; with SRP (CHALLENGE_NAME: SRP_A) the password is checked first. Deploy it unchanged
// on the Lambda Node.js runtime (handler "question.handler", named for the three triggers, or
// map each trigger to define/create/verify). No dependencies.
import { randomInt } from "node:crypto";

// Wrong answers allowed before the sign-in fails.
export const MAX_ATTEMPTS = 3;

export const define = async (event) => {
  const session = event.request.session;
  const response = event.response;
  Object.assign(response, { issueTokens: false, failAuthentication: false });
  const last = session.length ? session[session.length - 1] : null;
  if (last && last.challengeName === "SRP_A") {
    response.challengeName = "PASSWORD_VERIFIER";
    return event;
  }
  if (last && last.challengeName === "PASSWORD_VERIFIER") {
    if (last.challengeResult) response.challengeName = "CUSTOM_CHALLENGE";
    else response.failAuthentication = true;
    return event;
  }
  const answers = session.filter((entry) => entry.challengeName === "CUSTOM_CHALLENGE");
  if (answers.length && answers[answers.length - 1].challengeResult) {
    response.issueTokens = true;
  } else if (answers.length >= MAX_ATTEMPTS) {
    response.failAuthentication = true;
  } else {
    response.challengeName = "CUSTOM_CHALLENGE";
  }
  return event;
};

export const create = async (event) => {
  const left = randomInt(1, 10);
  const right = randomInt(1, 10);
  const round =
    1 + event.request.session.filter((entry) => entry.challengeName === "CUSTOM_CHALLENGE").length;
  event.response = {
    publicChallengeParameters: { question: `What is ${left} + ${right}?` },
    privateChallengeParameters: { answer: String(left + right) },
    challengeMetadata: `QUESTION-${round}`,
  };
  return event;
};

export const verify = async (event) => {
  const expected = event.request.privateChallengeParameters.answer;
  const answer = String(event.request.challengeAnswer ?? "").trim();
  event.response.answerCorrect = answer === expected;
  return event;
};

// One function for the three triggers: picks by triggerSource.
export const handler = async (event, context) => {
  const source = event.triggerSource;
  if (source.startsWith("DefineAuthChallenge")) return define(event, context);
  if (source.startsWith("CreateAuthChallenge")) return create(event, context);
  if (source.startsWith("VerifyAuthChallengeResponse")) return verify(event, context);
  throw new Error(`question cannot handle ${source}`);
};
