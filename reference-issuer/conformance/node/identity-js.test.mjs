// amazon-cognito-identity-js (what Amplify v5 and many SPAs use) against the
// issuer: SRP sign-in with the right and a wrong password,
// completeNewPasswordChallenge, session refresh, globalSignOut, and TOTP
// MFA set-up and sign-in.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetUserCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';

import { PASSWORD, claims, cognitoJs, startIssuer, totp, wrongCode } from './issuer.mjs';

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = cognitoJs;

let issuer;
let pool;

before(async () => {
  issuer = await startIssuer();
  const p = await issuer.sdk.send(
    new CreateUserPoolCommand({ PoolName: 'identity-js', AliasAttributes: ['email'] }),
  );
  const c = await issuer.sdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: p.UserPool.Id,
      ClientName: 'spa',
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  pool = new CognitoUserPool({
    UserPoolId: p.UserPool.Id,
    ClientId: c.UserPoolClient.ClientId,
    endpoint: issuer.url,
  });
});

after(async () => {
  await issuer?.stop();
});

async function createUser(username, { permanent = true, password = PASSWORD } = {}) {
  await issuer.sdk.send(
    new AdminCreateUserCommand({
      UserPoolId: pool.getUserPoolId(),
      Username: username,
      TemporaryPassword: password,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: `${username}@example.com` },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
  if (permanent) {
    await issuer.sdk.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: pool.getUserPoolId(),
        Username: username,
        Password: password,
        Permanent: true,
      }),
    );
  }
}

/** authenticateUser as a promise: resolves to { kind, value, user }. */
function signIn(username, password, extra = {}) {
  const user = new CognitoUser({ Username: username, Pool: pool });
  const details = new AuthenticationDetails({ Username: username, Password: password });
  return new Promise((resolve) => {
    user.authenticateUser(details, {
      onSuccess: (session) => resolve({ kind: 'success', value: session, user }),
      onFailure: (err) => resolve({ kind: 'failure', value: err, user }),
      newPasswordRequired: (attrs, required) =>
        resolve({ kind: 'newPassword', value: { attrs, required }, user }),
      totpRequired: (name) => resolve({ kind: 'totp', value: name, user }),
      mfaSetup: (name) => resolve({ kind: 'mfaSetup', value: name, user }),
      ...extra,
    });
  });
}

test('authenticateUser with the right password signs in over SRP', async () => {
  await createUser('alice');
  const r = await signIn('alice', PASSWORD);
  assert.equal(r.kind, 'success', String(r.value?.message));
  const session = r.value;
  assert.ok(session.isValid());
  assert.equal(session.getIdToken().payload['cognito:username'], 'alice');
  assert.equal(session.getAccessToken().payload.username, 'alice');
  assert.equal(session.getAccessToken().payload.client_id, pool.getClientId());
});

test('authenticateUser with a wrong password fails', async () => {
  await createUser('bob');
  const r = await signIn('bob', 'Wr0ng-Horse!');
  assert.equal(r.kind, 'failure');
  assert.equal(r.value.code, 'NotAuthorizedException');
  assert.equal(r.value.message, 'Incorrect username or password.');
});

test('an alias signs in as the user', async () => {
  await createUser('carol');
  const r = await signIn('carol@example.com', PASSWORD);
  assert.equal(r.kind, 'success', String(r.value?.message));
  assert.equal(r.value.getAccessToken().payload.username, 'carol');
});

test('completeNewPasswordChallenge after an admin-created user signs in', async () => {
  await createUser('dave', { permanent: false, password: 'Temp0rary-Pw!' });
  const r = await signIn('dave', 'Temp0rary-Pw!');
  assert.equal(r.kind, 'newPassword');
  assert.equal(r.value.attrs.email, 'dave@example.com');
  const session = await new Promise((resolve, reject) =>
    r.user.completeNewPasswordChallenge('N3w-Password!', {}, {
      onSuccess: resolve,
      onFailure: reject,
    }),
  );
  assert.equal(session.getIdToken().payload['cognito:username'], 'dave');
  // The new password works, the temporary one no longer does.
  assert.equal((await signIn('dave', 'N3w-Password!')).kind, 'success');
  assert.equal((await signIn('dave', 'Temp0rary-Pw!')).kind, 'failure');
});

test('refreshSession renews the tokens of the same sign-in', async () => {
  await createUser('erin');
  const r = await signIn('erin', PASSWORD);
  assert.equal(r.kind, 'success');
  const before = r.value;
  await new Promise((res) => setTimeout(res, 1100));
  const after = await new Promise((resolve, reject) =>
    r.user.refreshSession(before.getRefreshToken(), (err, s) => (err ? reject(err) : resolve(s))),
  );
  assert.notEqual(after.getAccessToken().getJwtToken(), before.getAccessToken().getJwtToken());
  assert.equal(
    after.getIdToken().payload.origin_jti,
    before.getIdToken().payload.origin_jti,
  );
});

test('globalSignOut revokes the session', async () => {
  await createUser('frank');
  const r = await signIn('frank', PASSWORD);
  assert.equal(r.kind, 'success');
  const session = r.value;
  const access = session.getAccessToken().getJwtToken();
  await new Promise((resolve, reject) =>
    r.user.globalSignOut({ onSuccess: resolve, onFailure: reject }),
  );
  await assert.rejects(
    issuer.sdk.send(new GetUserCommand({ AccessToken: access })),
    { name: 'NotAuthorizedException' },
  );
  const refreshed = await new Promise((resolve) =>
    new CognitoUser({ Username: 'frank', Pool: pool }).refreshSession(
      session.getRefreshToken(),
      (err, s) => resolve(err ?? s),
    ),
  );
  assert.equal(refreshed.code, 'NotAuthorizedException');
  // The revocation list names the sign-in.
  const list = await (
    await fetch(`${issuer.url}/${pool.getUserPoolId()}/revocations.json`)
  ).json();
  assert.ok(list.revoked_origin_jtis.includes(claims(access).origin_jti));
});

test('TOTP: required MFA set-up (mfaSetup) and sign-in (totpRequired)', async () => {
  await issuer.sdk.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: pool.getUserPoolId(),
      SoftwareTokenMfaConfiguration: { Enabled: true },
      MfaConfiguration: 'ON',
    }),
  );
  try {
    await createUser('gina');
    const r = await signIn('gina', PASSWORD);
    assert.equal(r.kind, 'mfaSetup');
    const secret = await new Promise((resolve, reject) =>
      r.user.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject }),
    );
    const session = await new Promise((resolve, reject) =>
      r.user.verifySoftwareToken(totp(secret), 'phone', { onSuccess: resolve, onFailure: reject }),
    );
    assert.equal(session.getAccessToken().payload.username, 'gina');

    const again = await signIn('gina', PASSWORD);
    assert.equal(again.kind, 'totp');
    assert.equal(again.value, 'SOFTWARE_TOKEN_MFA');
    const code = totp(secret, Date.now() / 1000 + 30); // the set-up code's step is spent
    const wrong = await new Promise((resolve) =>
      again.user.sendMFACode(wrongCode(code), { onSuccess: resolve, onFailure: resolve }, 'SOFTWARE_TOKEN_MFA'),
    );
    assert.equal(wrong.code, 'CodeMismatchException');
    const ok = await new Promise((resolve, reject) =>
      again.user.sendMFACode(code, { onSuccess: resolve, onFailure: reject }, 'SOFTWARE_TOKEN_MFA'),
    );
    assert.equal(ok.getIdToken().payload['cognito:username'], 'gina');
  } finally {
    await issuer.sdk.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: pool.getUserPoolId(),
        MfaConfiguration: 'OFF',
      }),
    );
  }
});
