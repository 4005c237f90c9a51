// Starts the cognito-issuer binary (ISSUER_BIN, built by run-node.sh) on a
// free loopback port with a temporary data directory, and small helpers the
// test files share: an AWS SDK v3 client, the outbox, SRP and TOTP.
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';

const require = createRequire(import.meta.url);
export const cognitoJs = require('amazon-cognito-identity-js');
const BigInteger = require('amazon-cognito-identity-js/lib/BigInteger').default;

export const PASSWORD = 'Corr3ct-Horse!';

/** Starts an issuer; resolves to { url, stop(), outbox(pool, user) }. */
export async function startIssuer() {
  const bin = process.env.ISSUER_BIN;
  if (!bin) throw new Error('ISSUER_BIN is not set (use run-node.sh)');
  const dir = mkdtempSync(join(tmpdir(), 'issuer-node-'));
  const log = openSync(join(dir, 'issuer.log'), 'w');
  const proc = spawn(bin, ['--bind', '127.0.0.1:0', '--data-dir', join(dir, 'db')], {
    stdio: ['ignore', 'pipe', log],
  });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('issuer did not start')), 60_000);
    const rl = createInterface({ input: proc.stdout });
    rl.on('line', (line) => {
      const m = /cognito-issuer listening on (\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on('exit', (code) => reject(new Error(`issuer exited with ${code}`)));
  });
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`${url}/_issuer/health`);
      if (r.ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    sdk: new CognitoIdentityProviderClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    }),
    async outbox(pool, username) {
      const q = new URLSearchParams({ pool, username });
      const r = await fetch(`${url}/_issuer/outbox?${q}`);
      return (await r.json()).messages;
    },
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s) computed with node:crypto. */
export function totp(secretB32, seconds = Date.now() / 1000) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secretB32.replace(/=+$/, '')) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const key = Buffer.alloc(Math.floor(bits.length / 8));
  for (let i = 0; i < key.length; i++) key[i] = parseInt(bits.slice(i * 8, i * 8 + 8), 2);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(seconds / 30)));
  const h = createHmac('sha1', key).update(counter).digest();
  const o = h[h.length - 1] & 0x0f;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

/** A code that is certainly not `code`. */
export function wrongCode(code) {
  return code === '000000' ? '111111' : '000000';
}

/**
 * Client side of Cognito's SRP with amazon-cognito-identity-js's own
 * AuthenticationHelper: `srpA` for InitiateAuth, then `respond(params)`
 * builds the PASSWORD_VERIFIER ChallengeResponses.
 */
export async function srpClient(poolId, password) {
  const helper = new cognitoJs.AuthenticationHelper(poolId.split('_')[1]);
  const A = await new Promise((res, rej) =>
    helper.getLargeAValue((e, a) => (e ? rej(e) : res(a))),
  );
  return {
    srpA: A.toString(16),
    async respond(params) {
      const hkdf = await new Promise((res, rej) =>
        helper.getPasswordAuthenticationKey(
          params.USER_ID_FOR_SRP,
          password,
          new BigInteger(params.SRP_B, 16),
          new BigInteger(params.SALT, 16),
          (e, k) => (e ? rej(e) : res(k)),
        ),
      );
      const timestamp = new cognitoJs.DateHelper().getNowString();
      const msg = Buffer.concat([
        Buffer.from(poolId.split('_')[1], 'utf8'),
        Buffer.from(params.USER_ID_FOR_SRP, 'utf8'),
        Buffer.from(params.SECRET_BLOCK, 'base64'),
        Buffer.from(timestamp, 'utf8'),
      ]);
      return {
        USERNAME: params.USER_ID_FOR_SRP,
        PASSWORD_CLAIM_SECRET_BLOCK: params.SECRET_BLOCK,
        TIMESTAMP: timestamp,
        PASSWORD_CLAIM_SIGNATURE: createHmac('sha256', Buffer.from(hkdf))
          .update(msg)
          .digest('base64'),
      };
    },
  };
}

/** Decodes a JWT payload. */
export function claims(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());
}
