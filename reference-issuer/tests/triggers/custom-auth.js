// Passwordless sign-in by emailed code (tests/custom_auth.rs): the three
// custom authentication challenge triggers in one CommonJS module, one
// export each. "Email" is a JSON file (MAILBOX) the test reads.
const fs = require("fs");
const crypto = require("crypto");

const MAX_ANSWERS = 3;

// DefineAuthChallenge (async style): tokens once the last code was right,
// failure after three wrong codes (or for users flagged "blocked").
exports.define = async (event) => {
  const session = event.request.session;
  const last = session[session.length - 1];
  if (event.request.userAttributes.family_name === "Blocked") {
    event.response.failAuthentication = true;
  } else if (last && last.challengeName === "CUSTOM_CHALLENGE" && last.challengeResult) {
    event.response.issueTokens = true;
  } else if (session.length >= MAX_ANSWERS) {
    event.response.failAuthentication = true;
  } else {
    event.response.challengeName = "CUSTOM_CHALLENGE";
  }
  return event;
};

// CreateAuthChallenge (async style): a fresh code per round, "emailed";
// the client sees where it went and the session array so far.
exports.create = async (event) => {
  const email = event.request.userAttributes.email ?? "";
  const code = event.request.userNotFound ? "" : crypto.randomInt(100000, 1000000).toString();
  if (!event.request.userNotFound) {
    const path = process.env.MAILBOX;
    const box = fs.existsSync(path) ? JSON.parse(fs.readFileSync(path, "utf8")) : {};
    box[event.userName] = code;
    fs.writeFileSync(path, JSON.stringify(box));
  }
  event.response.publicChallengeParameters = {
    email: email.replace(/^(.).*@/, "$1***@"),
    attempt: event.request.session.length + 1,
    history: JSON.stringify(event.request.session),
    meta: event.request.clientMetadata?.tag ?? "none",
  };
  event.response.privateChallengeParameters = { code };
  event.response.challengeMetadata = "EMAIL_CODE";
  return event;
};

// VerifyAuthChallengeResponse (callback style).
exports.verify = (event, context, callback) => {
  const expected = event.request.privateChallengeParameters.code;
  event.response.answerCorrect = expected !== "" && event.request.challengeAnswer === expected;
  callback(null, event);
};
