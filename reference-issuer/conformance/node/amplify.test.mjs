// AWS Amplify JS v6 (`aws-amplify/auth`) against the issuer, in Node, with
// `userPoolEndpoint` pointing at it: sign-up and confirmation, SRP sign-in,
// the session with a forced refresh (GetTokensFromRefreshToken), attribute
// updates, sign-out (local and global), TOTP MFA, USER_AUTH with an email
// code and the first-factor selection, and the errors Amplify surfaces.
// Every case checks what Amplify returns and what the issuer holds (the
// tokens' claims, the outbox, the SDK's view of the user).
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';

import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetTokensFromRefreshTokenCommand,
  GetUserCommand,
  InitiateAuthCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Amplify } from 'aws-amplify';
import {
  confirmSignIn,
  confirmSignUp,
  confirmUserAttribute,
  fetchAuthSession,
  fetchMFAPreference,
  fetchUserAttributes,
  getCurrentUser,
  setUpTOTP,
  signIn,
  signOut,
  signUp,
  updateMFAPreference,
  updateUserAttributes,
  verifyTOTPSetup,
} from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';

import { PASSWORD, claims, startIssuer, totp, wrongCode } from './issuer.mjs';

/** Amplify's key-value storage, in memory, readable by the tests. */
class MemoryStorage {
  items = new Map();
  async setItem(key, value) {
    this.items.set(key, value);
  }
  async getItem(key) {
    return this.items.get(key) ?? null;
  }
  async removeItem(key) {
    this.items.delete(key);
  }
  async clear() {
    this.items.clear();
  }
  /** The refresh token Amplify keeps (it never returns it through its API). */
  refreshToken() {
    for (const [k, v] of this.items) if (k.endsWith('.refreshToken')) return v;
    return null;
  }
}

const storage = new MemoryStorage();
let issuer;
let poolId;
let clientId;
let legacyClientId;
let passwordlessPoolId;
let passwordlessClientId;

/** Points Amplify at one of the issuer's pools and app clients. */
function configure(pool, client) {
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: pool,
        userPoolClientId: client,
        userPoolEndpoint: issuer.url,
        loginWith: { username: true, email: true },
        signUpVerificationMethod: 'code',
      },
    },
  });
  cognitoUserPoolsTokenProvider.setKeyValueStorage(storage);
}

before(async () => {
  issuer = await startIssuer();
  const p = await issuer.sdk.send(
    new CreateUserPoolCommand({ PoolName: 'amplify', AutoVerifiedAttributes: ['email'] }),
  );
  poolId = p.UserPool.Id;
  await issuer.sdk.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: poolId,
      MfaConfiguration: 'OPTIONAL',
      SoftwareTokenMfaConfiguration: { Enabled: true },
    }),
  );
  const flows = ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
  const c = await issuer.sdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'amplify-app',
      ExplicitAuthFlows: flows,
      PreventUserExistenceErrors: 'ENABLED',
    }),
  );
  clientId = c.UserPoolClient.ClientId;
  const legacy = await issuer.sdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'amplify-legacy',
      ExplicitAuthFlows: flows,
      PreventUserExistenceErrors: 'LEGACY',
    }),
  );
  legacyClientId = legacy.UserPoolClient.ClientId;

  // Choice-based sign-in (USER_AUTH): password or a code sent by email.
  const pp = await issuer.sdk.send(
    new CreateUserPoolCommand({
      PoolName: 'amplify-passwordless',
      AutoVerifiedAttributes: ['email'],
      UserPoolTier: 'ESSENTIALS',
      Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } },
    }),
  );
  passwordlessPoolId = pp.UserPool.Id;
  const pc = await issuer.sdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: passwordlessPoolId,
      ClientName: 'amplify-passwordless',
      ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      PreventUserExistenceErrors: 'ENABLED',
    }),
  );
  passwordlessClientId = pc.UserPoolClient.ClientId;
});

beforeEach(async () => {
  configure(poolId, clientId);
  await signOut(); // never throws; a test left signed in would make signIn refuse
  await storage.clear();
});

after(async () => {
  await issuer?.stop();
});

/** A confirmed user with a permanent password and a verified email. */
async function createUser(pool, username) {
  await issuer.sdk.send(
    new AdminCreateUserCommand({
      UserPoolId: pool,
      Username: username,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: `${username}@example.com` },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
  await issuer.sdk.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: pool,
      Username: username,
      Password: PASSWORD,
      Permanent: true,
    }),
  );
}

/** The newest outbox message of `kind` for `username` in `pool`. */
async function latestCode(pool, username, kind) {
  const messages = await issuer.outbox(pool, username);
  const m = messages.find((msg) => kind === undefined || msg.kind === kind);
  assert.ok(m, `no ${kind ?? ''} message for ${username} in the outbox`);
  assert.match(m.code, /^\d{6,8}$/);
  return m;
}

/** REFRESH_TOKEN_AUTH with `refreshToken` for the main client. */
function refreshWith(refreshToken) {
  return issuer.sdk.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: refreshToken },
    }),
  );
}

/** Amplify's current tokens, as the issuer minted them. */
async function currentTokens({ forceRefresh = false } = {}) {
  const { tokens } = await fetchAuthSession({ forceRefresh });
  assert.ok(tokens, 'Amplify has no tokens');
  return { access: tokens.accessToken.toString(), id: tokens.idToken.toString() };
}

/** Asserts that `access` / `id` are this pool's tokens for `username` and `client`. */
function assertTokensFor({ access, id }, { pool, client, username, sub }) {
  const a = claims(access);
  const i = claims(id);
  assert.equal(a.iss, `${issuer.url}/${pool}`);
  assert.equal(a.token_use, 'access');
  assert.equal(a.client_id, client);
  assert.equal(a.username, username);
  assert.equal(i.iss, `${issuer.url}/${pool}`);
  assert.equal(i.token_use, 'id');
  assert.equal(i.aud, client);
  assert.equal(i['cognito:username'], username);
  assert.equal(i.sub, a.sub);
  if (sub) assert.equal(a.sub, sub);
}

test('signUp, confirmSignUp with the outbox code, SRP signIn, attributes, signOut', async () => {
  const up = await signUp({
    username: 'amy',
    password: PASSWORD,
    options: { userAttributes: { email: 'amy@example.com' } },
  });
  assert.equal(up.isSignUpComplete, false);
  assert.equal(up.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
  assert.deepEqual(up.nextStep.codeDeliveryDetails, {
    deliveryMedium: 'EMAIL',
    destination: 'a***@e***',
    attributeName: 'email',
  });
  const unconfirmed = await issuer.sdk.send(
    new AdminGetUserCommand({ UserPoolId: poolId, Username: 'amy' }),
  );
  assert.equal(unconfirmed.UserStatus, 'UNCONFIRMED');
  const sub = unconfirmed.UserAttributes.find((a) => a.Name === 'sub').Value;
  assert.equal(up.userId, sub);

  const signUpMsg = await latestCode(poolId, 'amy', 'SIGN_UP');
  assert.equal(signUpMsg.destination, 'amy@example.com');
  await assert.rejects(
    confirmSignUp({ username: 'amy', confirmationCode: wrongCode(signUpMsg.code) }),
    { name: 'CodeMismatchException' },
  );
  const confirmed = await confirmSignUp({ username: 'amy', confirmationCode: signUpMsg.code });
  assert.equal(confirmed.isSignUpComplete, true);
  assert.equal(confirmed.nextStep.signUpStep, 'DONE');

  // Amplify's default flow is USER_SRP_AUTH.
  const s = await signIn({ username: 'amy', password: PASSWORD });
  assert.deepEqual(s, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  const user = await getCurrentUser();
  assert.equal(user.username, 'amy');
  assert.equal(user.userId, sub);
  assert.equal(user.signInDetails.authFlowType, 'USER_SRP_AUTH');
  const first = await currentTokens();
  assertTokensFor(first, { pool: poolId, client: clientId, username: 'amy', sub });

  const attrs = await fetchUserAttributes();
  assert.equal(attrs.sub, sub);
  assert.equal(attrs.email, 'amy@example.com');
  assert.equal(attrs.email_verified, 'true');

  // A plain attribute is updated at once; email needs the code sent to the new address.
  const upd = await updateUserAttributes({
    userAttributes: { name: 'Amy Pond', email: 'amy.pond@example.com' },
  });
  assert.deepEqual(upd.name, { isUpdated: true, nextStep: { updateAttributeStep: 'DONE' } });
  assert.equal(upd.email.isUpdated, false);
  assert.equal(upd.email.nextStep.updateAttributeStep, 'CONFIRM_ATTRIBUTE_WITH_CODE');
  assert.deepEqual(upd.email.nextStep.codeDeliveryDetails, {
    deliveryMedium: 'EMAIL',
    destination: 'a***@e***',
    attributeName: 'email',
  });
  const verify = await latestCode(poolId, 'amy', 'VERIFY_ATTRIBUTE');
  assert.equal(verify.destination, 'amy.pond@example.com');
  await confirmUserAttribute({ userAttributeKey: 'email', confirmationCode: verify.code });
  const updated = await fetchUserAttributes();
  assert.equal(updated.name, 'Amy Pond');
  assert.equal(updated.email, 'amy.pond@example.com');
  assert.equal(updated.email_verified, 'true');

  // Local signOut revokes the refresh token (RevokeToken) and forgets the tokens.
  const beforeSignOut = storage.refreshToken();
  await signOut();
  assert.equal((await fetchAuthSession()).tokens, undefined);
  await assert.rejects(getCurrentUser(), { name: 'UserUnAuthenticatedException' });
  await assert.rejects(refreshWith(beforeSignOut), { name: 'NotAuthorizedException' });
});

test('fetchAuthSession({forceRefresh: true}) refreshes through GetTokensFromRefreshToken', async () => {
  await createUser(poolId, 'bill');
  await signIn({ username: 'bill', password: PASSWORD });
  const first = await currentTokens();
  const sub = claims(first.access).sub;
  const refreshToken = storage.refreshToken();
  assert.ok(refreshToken);
  const refreshed = await currentTokens({ forceRefresh: true });
  assertTokensFor(refreshed, { pool: poolId, client: clientId, username: 'bill', sub });
  assert.notEqual(refreshed.access, first.access);
  assert.notEqual(claims(refreshed.access).jti, claims(first.access).jti);
  assert.equal(claims(refreshed.access).origin_jti, claims(first.access).origin_jti);
  assert.equal(storage.refreshToken(), refreshToken, 'no rotation: the refresh token is kept');
  const me = await issuer.sdk.send(new GetUserCommand({ AccessToken: refreshed.access }));
  assert.equal(me.Username, 'bill');
  assert.equal((await fetchUserAttributes()).sub, sub);

  // The operation Amplify called, on the wire: no new refresh token without rotation.
  const direct = await issuer.sdk.send(
    new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: refreshToken }),
  );
  assert.equal(direct.AuthenticationResult.RefreshToken, undefined);
  assert.equal(direct.AuthenticationResult.TokenType, 'Bearer');
  assertTokensFor(
    { access: direct.AuthenticationResult.AccessToken, id: direct.AuthenticationResult.IdToken },
    { pool: poolId, client: clientId, username: 'bill', sub },
  );

  // After sign-out the refresh token is refused, and Amplify has no session to refresh.
  await signOut();
  await assert.rejects(
    issuer.sdk.send(
      new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: refreshToken }),
    ),
    { name: 'NotAuthorizedException' },
  );
  assert.equal((await fetchAuthSession({ forceRefresh: true })).tokens, undefined);
});

test('with refresh token rotation Amplify keeps the new refresh token and the old one is retired', async () => {
  const rotating = await issuer.sdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'amplify-rotating',
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 0 },
    }),
  );
  const rotatingId = rotating.UserPoolClient.ClientId;
  assert.deepEqual(rotating.UserPoolClient.RefreshTokenRotation, {
    Feature: 'ENABLED',
    RetryGracePeriodSeconds: 0,
  });
  configure(poolId, rotatingId);
  await createUser(poolId, 'jack');
  await signIn({ username: 'jack', password: PASSWORD });
  const first = storage.refreshToken();
  const refreshed = await currentTokens({ forceRefresh: true });
  assertTokensFor(refreshed, { pool: poolId, client: rotatingId, username: 'jack' });
  const second = storage.refreshToken();
  assert.ok(second);
  assert.notEqual(second, first, 'Amplify stores the rotated refresh token');
  // The retired token (no grace period) is refused; the stored one keeps working.
  await assert.rejects(
    issuer.sdk.send(
      new GetTokensFromRefreshTokenCommand({ ClientId: rotatingId, RefreshToken: first }),
    ),
    { name: 'RefreshTokenReuseException' },
  );
  const again = await currentTokens({ forceRefresh: true });
  assert.notEqual(claims(again.access).jti, claims(refreshed.access).jti);
  assert.notEqual(storage.refreshToken(), second);
  assert.equal((await getCurrentUser()).username, 'jack');
});

test('global signOut invalidates the access token on the issuer', async () => {
  await createUser(poolId, 'rory');
  await signIn({ username: 'rory', password: PASSWORD });
  const { access } = await currentTokens();
  const refreshToken = storage.refreshToken();
  assert.equal(
    (await issuer.sdk.send(new GetUserCommand({ AccessToken: access }))).Username,
    'rory',
  );
  await signOut({ global: true });
  assert.equal((await fetchAuthSession()).tokens, undefined);
  await assert.rejects(issuer.sdk.send(new GetUserCommand({ AccessToken: access })), {
    name: 'NotAuthorizedException',
  });
  await assert.rejects(refreshWith(refreshToken), { name: 'NotAuthorizedException' });
});

test('TOTP: setUpTOTP, verifyTOTPSetup, updateMFAPreference, then signIn asks for the code', async () => {
  await createUser(poolId, 'clara');
  await signIn({ username: 'clara', password: PASSWORD });
  const setup = await setUpTOTP();
  assert.match(setup.sharedSecret, /^[A-Z2-7]+=*$/);
  const uri = new URL(setup.getSetupUri('Issuer', 'clara@example.com').toString());
  assert.equal(uri.protocol, 'otpauth:');
  assert.equal(uri.searchParams.get('secret'), setup.sharedSecret);
  await assert.rejects(verifyTOTPSetup({ code: wrongCode(totp(setup.sharedSecret)) }), {
    name: 'EnableSoftwareTokenMFAException',
  });
  await verifyTOTPSetup({ code: totp(setup.sharedSecret) });
  await updateMFAPreference({ totp: 'PREFERRED' });
  assert.deepEqual(await fetchMFAPreference(), { enabled: ['TOTP'], preferred: 'TOTP' });
  const admin = await issuer.sdk.send(
    new AdminGetUserCommand({ UserPoolId: poolId, Username: 'clara' }),
  );
  assert.equal(admin.PreferredMfaSetting, 'SOFTWARE_TOKEN_MFA');
  assert.deepEqual(admin.UserMFASettingList, ['SOFTWARE_TOKEN_MFA']);
  await signOut();

  const s = await signIn({ username: 'clara', password: PASSWORD });
  assert.deepEqual(s, {
    isSignedIn: false,
    nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_TOTP_CODE' },
  });
  const code = totp(setup.sharedSecret, Date.now() / 1000 + 30); // the set-up code's step is spent
  await assert.rejects(confirmSignIn({ challengeResponse: wrongCode(code) }), {
    name: 'CodeMismatchException',
  });
  const done = await confirmSignIn({ challengeResponse: code });
  assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  assertTokensFor(await currentTokens(), { pool: poolId, client: clientId, username: 'clara' });
});

test('USER_AUTH with preferredChallenge EMAIL_OTP: the code from the outbox signs in', async () => {
  configure(passwordlessPoolId, passwordlessClientId);
  await createUser(passwordlessPoolId, 'donna');
  const s = await signIn({
    username: 'donna',
    options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' },
  });
  assert.deepEqual(s, {
    isSignedIn: false,
    nextStep: {
      signInStep: 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE',
      codeDeliveryDetails: { deliveryMedium: 'EMAIL', destination: 'd***@e***' },
    },
  });
  const msg = await latestCode(passwordlessPoolId, 'donna', 'MFA_CODE');
  assert.equal(msg.destination, 'donna@example.com');
  await assert.rejects(confirmSignIn({ challengeResponse: wrongCode(msg.code) }), {
    name: 'CodeMismatchException',
  });
  const done = await confirmSignIn({ challengeResponse: msg.code });
  assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  const user = await getCurrentUser();
  assert.equal(user.username, 'donna');
  assert.equal(user.signInDetails.authFlowType, 'USER_AUTH');
  assertTokensFor(await currentTokens(), {
    pool: passwordlessPoolId,
    client: passwordlessClientId,
    username: 'donna',
  });
});

test('USER_AUTH without a preference offers the first factors, then EMAIL_OTP or PASSWORD_SRP', async () => {
  configure(passwordlessPoolId, passwordlessClientId);
  await createUser(passwordlessPoolId, 'martha');
  const s = await signIn({ username: 'martha', options: { authFlowType: 'USER_AUTH' } });
  assert.equal(s.isSignedIn, false);
  assert.equal(s.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
  assert.deepEqual([...s.nextStep.availableChallenges].sort(), [
    'EMAIL_OTP',
    'PASSWORD',
    'PASSWORD_SRP',
  ]);

  // Choosing EMAIL_OTP sends the code.
  const chosen = await confirmSignIn({ challengeResponse: 'EMAIL_OTP' });
  assert.equal(chosen.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
  assert.equal(chosen.nextStep.codeDeliveryDetails.destination, 'm***@e***');
  const msg = await latestCode(passwordlessPoolId, 'martha', 'MFA_CODE');
  assert.equal(msg.destination, 'martha@example.com');
  const done = await confirmSignIn({ challengeResponse: msg.code });
  assert.deepEqual(done, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  assertTokensFor(await currentTokens(), {
    pool: passwordlessPoolId,
    client: passwordlessClientId,
    username: 'martha',
  });
  await signOut();

  // Choosing PASSWORD_SRP asks for the password, then runs SRP.
  const again = await signIn({ username: 'martha', options: { authFlowType: 'USER_AUTH' } });
  assert.equal(again.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
  const pw = await confirmSignIn({ challengeResponse: 'PASSWORD_SRP' });
  assert.deepEqual(pw, {
    isSignedIn: false,
    nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_PASSWORD' },
  });
  const viaSrp = await confirmSignIn({ challengeResponse: PASSWORD });
  assert.deepEqual(viaSrp, { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
  assert.equal((await getCurrentUser()).username, 'martha');
});

test('errors: wrong password and unknown users as Amplify reports them', async () => {
  await createUser(poolId, 'river');
  await assert.rejects(signIn({ username: 'river', password: 'Wr0ng-Horse!' }), {
    name: 'NotAuthorizedException',
    message: 'Incorrect username or password.',
  });
  // PreventUserExistenceErrors ENABLED: an unknown name fails like a wrong password.
  await assert.rejects(signIn({ username: 'nobody', password: PASSWORD }), {
    name: 'NotAuthorizedException',
    message: 'Incorrect username or password.',
  });
  assert.equal((await fetchAuthSession()).tokens, undefined);

  // LEGACY: the unknown name is reported as such.
  configure(poolId, legacyClientId);
  await assert.rejects(signIn({ username: 'nobody', password: PASSWORD }), {
    name: 'UserNotFoundException',
  });
  // The right password still works after the refusals.
  const ok = await signIn({ username: 'river', password: PASSWORD });
  assert.equal(ok.isSignedIn, true);
  assertTokensFor(await currentTokens(), {
    pool: poolId,
    client: legacyClientId,
    username: 'river',
  });
});
