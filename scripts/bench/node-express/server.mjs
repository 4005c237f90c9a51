// GET / -> "hello" behind an Express middleware that verifies the bearer
// token with AWS's aws-jwt-verify: the Node path a team would take instead
// of cognito-axum (scripts/bench/side-by-side.sh). A benchmark baseline.
//
// Configured by POOL_ID, CLIENT_ID, JWKS_URL and PORT. The policy is the
// one the Rust servers apply to the bench's tokens: an access token of the
// pool (iss derived from POOL_ID) for CLIENT_ID, RS256, not expired; 401
// otherwise. aws-jwt-verify derives the JWKS URI from the pool id
// (https://cognito-idp...); as in ../node-lambda/, its fetcher is replaced
// by one that reads JWKS_URL on loopback. The JWKS is fetched once before
// listening (hydrate), as aws-jwt-verify's README advises for servers.
import express from "express";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";

class LoopbackJwks {
  async fetch() {
    const response = await fetch(process.env.JWKS_URL, { redirect: "error" });
    if (response.status !== 200) throw new Error(`JWKS status ${response.status}`);
    return response.arrayBuffer();
  }
}

const verifier = CognitoJwtVerifier.create(
  { userPoolId: process.env.POOL_ID, clientId: process.env.CLIENT_ID, tokenUse: "access" },
  { jwksCache: new SimpleJwksCache({ fetcher: new LoopbackJwks() }) },
);

const app = express();
app.disable("x-powered-by");
app.use(async (req, res, next) => {
  const header = req.headers.authorization ?? "";
  if (!header.startsWith("Bearer ")) return res.sendStatus(401);
  try {
    req.claims = await verifier.verify(header.slice(7));
  } catch {
    return res.sendStatus(401);
  }
  next();
});
app.get("/", (_req, res) => res.send("hello"));

await verifier.hydrate();
const port = Number(process.env.PORT ?? 8182);
app.listen(port, "127.0.0.1", () => console.log(`ready on http://127.0.0.1:${port}`));
