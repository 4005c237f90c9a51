// @aws-sdk/client-cognito-identity-provider (v3) against the issuer: the SRP
// and MFA operations through the v3 serializer, with SRP computed by
// amazon-cognito-identity-js's AuthenticationHelper and TOTP by node:crypto.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetUserPoolMfaConfigCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';

import { PASSWORD, claims, srpClient, startIssuer, totp, wrongCode } from './issuer.mjs';

let issuer;
let poolId;
let clientId;

before(async () => {
  issuer = await startIssuer();
  const p = await issuer.sdk.send(new CreateUserPoolCommand({ PoolName: 'sdk-v3' }));
  poolId = p.UserPool.Id;
  const c = await issuer.sdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'app',
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  clientId = c.UserPoolClient.ClientId;
});

after(async () => {
  await issuer?.stop();
});

async function createUser(username) {
  await issuer.sdk.send(
    new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS' }),
  );
  await issuer.sdk.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: poolId,
      Username: username,
      Password: PASSWORD,
      Permanent: true,
    }),
  );
}

/** USER_SRP_AUTH → PASSWORD_VERIFIER through InitiateAuth / RespondToAuthChallenge. */
async function srpSignIn(username, password, { admin = false, client = clientId } = {}) {
  const srp = await srpClient(poolId, password);
  const init = admin
    ? await issuer.sdk.send(
        new AdminInitiateAuthCommand({
          UserPoolId: poolId,
          ClientId: client,
          AuthFlow: 'USER_SRP_AUTH',
          AuthParameters: { USERNAME: username, SRP_A: srp.srpA },
        }),
      )
    : await issuer.sdk.send(
        new InitiateAuthCommand({
          ClientId: client,
          AuthFlow: 'USER_SRP_AUTH',
          AuthParameters: { USERNAME: username, SRP_A: srp.srpA },
        }),
      );
  assert.equal(init.ChallengeName, 'PASSWORD_VERIFIER');
  for (const k of ['SALT', 'SRP_B', 'SECRET_BLOCK', 'USERNAME', 'USER_ID_FOR_SRP']) {
    assert.ok(init.ChallengeParameters[k], `${k} missing`);
  }
  const responses = await srp.respond(init.ChallengeParameters);
  const cmd = admin
    ? new AdminRespondToAuthChallengeCommand({
        UserPoolId: poolId,
        ClientId: client,
        ChallengeName: 'PASSWORD_VERIFIER',
        ChallengeResponses: responses,
      })
    : new RespondToAuthChallengeCommand({
        ClientId: client,
        ChallengeName: 'PASSWORD_VERIFIER',
        ChallengeResponses: responses,
      });
  return { result: await issuer.sdk.send(cmd), responses, cmd };
}

test('InitiateAuth USER_SRP_AUTH: right password gives tokens, wrong password fails', async () => {
  await createUser('alice');
  const { result } = await srpSignIn('alice', PASSWORD);
  assert.equal(claims(result.AuthenticationResult.AccessToken).username, 'alice');
  assert.equal(result.AuthenticationResult.TokenType, 'Bearer');
  await assert.rejects(srpSignIn('alice', 'Wr0ng-Horse!'), {
    name: 'NotAuthorizedException',
    message: 'Incorrect username or password.',
  });
});

test('AdminInitiateAuth USER_SRP_AUTH and AdminRespondToAuthChallenge', async () => {
  await createUser('bob');
  const { result } = await srpSignIn('bob', PASSWORD, { admin: true });
  assert.equal(claims(result.AuthenticationResult.IdToken)['cognito:username'], 'bob');
});

test('a PASSWORD_VERIFIER answer cannot be replayed', async () => {
  await createUser('carol');
  const { cmd } = await srpSignIn('carol', PASSWORD);
  await assert.rejects(issuer.sdk.send(cmd), { name: 'NotAuthorizedException' });
});

test('a stale TIMESTAMP is refused', async () => {
  await createUser('dave');
  const srp = await srpClient(poolId, PASSWORD);
  const init = await issuer.sdk.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_SRP_AUTH',
      AuthParameters: { USERNAME: 'dave', SRP_A: srp.srpA },
    }),
  );
  const responses = await srp.respond(init.ChallengeParameters);
  responses.TIMESTAMP = 'Mon Jan 5 10:00:00 UTC 2015';
  await assert.rejects(
    issuer.sdk.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'PASSWORD_VERIFIER',
        ChallengeResponses: responses,
      }),
    ),
    { name: 'NotAuthorizedException' },
  );
});

test('SRP with a client secret needs SECRET_HASH', async () => {
  const { createHmac } = await import('node:crypto');
  const c = await issuer.sdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'confidential',
      GenerateSecret: true,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  const { ClientId: id, ClientSecret: secret } = c.UserPoolClient;
  const hash = (u) => createHmac('sha256', secret).update(u + id).digest('base64');
  await createUser('erin');
  const srp = await srpClient(poolId, PASSWORD);
  await assert.rejects(
    issuer.sdk.send(
      new InitiateAuthCommand({
        ClientId: id,
        AuthFlow: 'USER_SRP_AUTH',
        AuthParameters: { USERNAME: 'erin', SRP_A: srp.srpA },
      }),
    ),
    { name: 'NotAuthorizedException' },
  );
  const init = await issuer.sdk.send(
    new InitiateAuthCommand({
      ClientId: id,
      AuthFlow: 'USER_SRP_AUTH',
      AuthParameters: { USERNAME: 'erin', SRP_A: srp.srpA, SECRET_HASH: hash('erin') },
    }),
  );
  const responses = await srp.respond(init.ChallengeParameters);
  responses.SECRET_HASH = hash(responses.USERNAME);
  const out = await issuer.sdk.send(
    new RespondToAuthChallengeCommand({
      ClientId: id,
      ChallengeName: 'PASSWORD_VERIFIER',
      ChallengeResponses: responses,
    }),
  );
  assert.equal(claims(out.AuthenticationResult.AccessToken).client_id, id);
});

test('MFA operations: pool config, TOTP enrolment, preferences, SOFTWARE_TOKEN_MFA sign-in', async () => {
  const cfg = await issuer.sdk.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: poolId,
      SoftwareTokenMfaConfiguration: { Enabled: true },
      MfaConfiguration: 'OPTIONAL',
    }),
  );
  assert.equal(cfg.MfaConfiguration, 'OPTIONAL');
  assert.deepEqual(cfg.SoftwareTokenMfaConfiguration, { Enabled: true });
  const got = await issuer.sdk.send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId }));
  assert.equal(got.MfaConfiguration, 'OPTIONAL');

  await createUser('frank');
  const { result } = await srpSignIn('frank', PASSWORD);
  const access = result.AuthenticationResult.AccessToken;
  const { SecretCode } = await issuer.sdk.send(
    new AssociateSoftwareTokenCommand({ AccessToken: access }),
  );
  await assert.rejects(
    issuer.sdk.send(
      new VerifySoftwareTokenCommand({ AccessToken: access, UserCode: wrongCode(totp(SecretCode)) }),
    ),
    { name: 'EnableSoftwareTokenMFAException' },
  );
  const v = await issuer.sdk.send(
    new VerifySoftwareTokenCommand({ AccessToken: access, UserCode: totp(SecretCode) }),
  );
  assert.equal(v.Status, 'SUCCESS');
  await issuer.sdk.send(
    new SetUserMFAPreferenceCommand({
      AccessToken: access,
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
  const u = await issuer.sdk.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'frank' }));
  assert.deepEqual(u.UserMFASettingList, ['SOFTWARE_TOKEN_MFA']);
  assert.equal(u.PreferredMfaSetting, 'SOFTWARE_TOKEN_MFA');

  const { result: challenge } = await srpSignIn('frank', PASSWORD);
  assert.equal(challenge.ChallengeName, 'SOFTWARE_TOKEN_MFA');
  assert.ok(challenge.Session);
  const code = totp(SecretCode, Date.now() / 1000 + 30);
  const done = await issuer.sdk.send(
    new RespondToAuthChallengeCommand({
      ClientId: clientId,
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: challenge.Session,
      ChallengeResponses: { USERNAME: 'frank', SOFTWARE_TOKEN_MFA_CODE: code },
    }),
  );
  assert.equal(claims(done.AuthenticationResult.AccessToken).username, 'frank');

  // Same code again on a new challenge: refused.
  const { result: second } = await srpSignIn('frank', PASSWORD);
  await assert.rejects(
    issuer.sdk.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'SOFTWARE_TOKEN_MFA',
        Session: second.Session,
        ChallengeResponses: { USERNAME: 'frank', SOFTWARE_TOKEN_MFA_CODE: code },
      }),
    ),
    { name: 'ExpiredCodeException' },
  );

  // Admin switches it off: plain sign-in again.
  await issuer.sdk.send(
    new AdminSetUserMFAPreferenceCommand({
      UserPoolId: poolId,
      Username: 'frank',
      SoftwareTokenMfaSettings: { Enabled: false, PreferredMfa: false },
    }),
  );
  const { result: plain } = await srpSignIn('frank', PASSWORD);
  assert.ok(plain.AuthenticationResult.AccessToken);
  await issuer.sdk.send(
    new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'OFF' }),
  );
});

test('client_credentials: the demo sequence yields an M2M token from /oauth2/token', async () => {
  await issuer.sdk.send(
    new CreateResourceServerCommand({
      UserPoolId: poolId,
      Identifier: 'orders',
      Name: 'Orders',
      Scopes: [{ ScopeName: 'read', ScopeDescription: 'Read orders' }],
    }),
  );
  const c = await issuer.sdk.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'm2m',
      GenerateSecret: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: ['orders/read'],
      AllowedOAuthFlowsUserPoolClient: true,
    }),
  );
  const { ClientId: id, ClientSecret: secret } = c.UserPoolClient;
  const discovery = await (
    await fetch(`${issuer.url}/${poolId}/.well-known/openid-configuration`)
  ).json();
  const r = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials&scope=orders%2Fread',
  });
  assert.equal(r.status, 200);
  const body = await r.json();
  assert.equal(body.token_type, 'Bearer');
  const t = claims(body.access_token);
  assert.equal(t.sub, id);
  assert.equal(t.scope, 'orders/read');
  assert.equal(t.username, undefined);
});
