// Verifies one x-amzn-oidc-data token with AWS's own AlbJwtVerifier
// (aws-jwt-verify), as a backend behind a real ALB would:
//
//   node verify-alb.mjs --alb-arn ARN --issuer ISS --client-id ID \
//       --keys-url http://127.0.0.1:PORT/alb-keys --token DATA
//
// Prints the verified payload as JSON and exits 0; prints the error's name
// and message and exits 1 when the token is refused; exits 2 on bad usage.
//
// Only the key download is ours: aws-jwt-verify's fetcher speaks https only,
// so plain http is allowed for loopback key servers (the tests'); the kid
// check, PEM -> JWK, ES256 signature, signer, client, iss and exp checks
// are all aws-jwt-verify's.
import { parseArgs } from "node:util";
import { AlbJwtVerifier } from "aws-jwt-verify";
import { AlbJwksCache } from "aws-jwt-verify/alb-cache";
import { SimpleFetcher } from "aws-jwt-verify/https";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** https through aws-jwt-verify's own fetcher; http only to loopback. */
class LoopbackFetcher {
  constructor() {
    this.https = new SimpleFetcher();
  }
  async fetch(uri) {
    const url = new URL(uri);
    if (url.protocol === "https:") return this.https.fetch(uri);
    if (url.protocol !== "http:" || !LOOPBACK.has(url.hostname)) {
      throw new Error(`refusing to fetch ${uri}: plain http only to loopback`);
    }
    const response = await fetch(url, { redirect: "error", signal: AbortSignal.timeout(3000) });
    if (response.status !== 200) {
      throw new Error(`${uri}: status code is ${response.status}, expected 200`);
    }
    return response.arrayBuffer();
  }
}

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      "alb-arn": { type: "string" },
      issuer: { type: "string" },
      "client-id": { type: "string" },
      "keys-url": { type: "string" },
      token: { type: "string" },
    },
    strict: true,
  }));
  for (const name of ["alb-arn", "issuer", "client-id", "keys-url", "token"]) {
    if (!args[name]) throw new Error(`--${name} is required`);
  }
} catch (e) {
  console.error(`usage: ${e.message}`);
  process.exit(2);
}

const verifier = AlbJwtVerifier.create(
  {
    albArn: args["alb-arn"],
    issuer: args.issuer,
    clientId: args["client-id"],
    jwksUri: args["keys-url"].replace(/\/+$/, ""),
  },
  { jwksCache: new AlbJwksCache({ fetcher: new LoopbackFetcher() }) },
);

try {
  const payload = await verifier.verify(args.token);
  console.log(JSON.stringify(payload));
} catch (e) {
  console.error(`refused: ${e.constructor?.name ?? e.name}: ${e.message}`);
  process.exit(1);
}
