// Remembered devices as amazon-cognito-identity-js (not our code) does them, against the local
// Cognito: test_device_srp_node.py runs this with Node and checks what it prints.
//
// Input: one JSON argument {endpoint, poolId, clientId, username, password, totpCode}.
// Output: one JSON line describing each sign-in (whether MFA was asked, the device key the
// library keeps), the refresh, the device list, and the sign-in after forgetting the device.
'use strict';

const {
  AuthenticationDetails,
  CognitoUser,
  CognitoUserPool,
} = require('amazon-cognito-identity-js');

const config = JSON.parse(process.argv[2]);
const pool = new CognitoUserPool({
  UserPoolId: config.poolId,
  ClientId: config.clientId,
  endpoint: config.endpoint,
});

function newUser() {
  return new CognitoUser({ Username: config.username, Pool: pool });
}

function decode(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

// One sign-in; `totpCode` answers a TOTP step if one comes (null: report it and stop there).
function signIn(user, totpCode) {
  const details = new AuthenticationDetails({
    Username: config.username,
    Password: config.password,
  });
  return new Promise((resolve, reject) => {
    const outcome = { mfaAsked: false };
    const callbacks = {
      onSuccess(session, userConfirmationNecessary) {
        outcome.accessToken = session.getAccessToken().getJwtToken();
        outcome.refreshToken = session.getRefreshToken().getToken();
        outcome.deviceKeyClaim = decode(outcome.accessToken).device_key || null;
        outcome.userConfirmationNecessary = userConfirmationNecessary === true;
        outcome.libraryDeviceKey = user.deviceKey || null;
        resolve(outcome);
      },
      onFailure(error) {
        reject(new Error(`${error.code || error.name}: ${error.message}`));
      },
      totpRequired() {
        outcome.mfaAsked = true;
        if (totpCode === null) {
          resolve(outcome);
          return;
        }
        user.sendMFACode(totpCode, callbacks, 'SOFTWARE_TOKEN_MFA');
      },
      mfaRequired() {
        reject(new Error('unexpected SMS MFA step'));
      },
    };
    user.authenticateUser(details, callbacks);
  });
}

function call(user, method, ...args) {
  return new Promise((resolve, reject) => {
    user[method](...args, {
      onSuccess: resolve,
      onFailure: (error) => reject(new Error(`${method}: ${error.code}: ${error.message}`)),
    });
  });
}

async function main() {
  const first = newUser();
  const firstSignIn = await signIn(first, config.totpCode);

  const second = newUser(); // a new object: the device comes from the library's storage
  const secondSignIn = await signIn(second, null);

  const refreshed = await new Promise((resolve, reject) => {
    const token = second.getSignInUserSession().getRefreshToken();
    second.refreshSession(token, (error, session) =>
      error ? reject(new Error(`refreshSession: ${error.code}: ${error.message}`)) : resolve(session),
    );
  });
  const listed = await new Promise((resolve, reject) => {
    second.listDevices(60, null, {
      onSuccess: resolve,
      onFailure: (error) => reject(new Error(`listDevices: ${error.code}: ${error.message}`)),
    });
  });
  await call(second, 'forgetDevice');

  const third = newUser();
  const thirdSignIn = await signIn(third, null);

  const summary = (outcome) => ({
    mfaAsked: outcome.mfaAsked,
    deviceKeyClaim: outcome.deviceKeyClaim || null,
    libraryDeviceKey: outcome.libraryDeviceKey || null,
    userConfirmationNecessary: outcome.userConfirmationNecessary || false,
  });
  process.stdout.write(
    JSON.stringify({
      first: summary(firstSignIn),
      second: summary(secondSignIn),
      secondAccessToken: secondSignIn.accessToken,
      refreshedDeviceKeyClaim: decode(refreshed.getAccessToken().getJwtToken()).device_key || null,
      listed: listed.Devices.map((device) => device.DeviceKey),
      third: summary(thirdSignIn),
    }) + '\n',
  );
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
