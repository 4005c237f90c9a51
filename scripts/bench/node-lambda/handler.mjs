// A minimal REST TOKEN Lambda authorizer with AWS's aws-jwt-verify, making
// the same decision as cognito-lambda-authorizer's benchmark configuration:
// an ID token of the pool and app client, in group "admin", Allow for the
// methodArn, claims as primitive context values, "Unauthorized" otherwise.
//
// Configured by POOL_ID, CLIENT_ID and JWKS_URL. aws-jwt-verify derives the
// JWKS URI from the pool id (https://cognito-idp...); its fetcher is
// replaced by one that reads JWKS_URL on loopback, so the JWKS download is
// still made (and timed) on the first decision.
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
  { userPoolId: process.env.POOL_ID, clientId: process.env.CLIENT_ID, tokenUse: "id", groups: "admin" },
  { jwksCache: new SimpleJwksCache({ fetcher: new LoopbackJwks() }) },
);

export const handler = async (event) => {
  const token = (event.authorizationToken ?? "").replace(/^bearer /i, "");
  let payload;
  try {
    payload = await verifier.verify(token);
  } catch {
    throw new Error("Unauthorized");
  }
  const context = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === null) continue;
    if (Array.isArray(value)) context[name] = value.join(",");
    else if (typeof value === "object") context[name] = JSON.stringify(value);
    else context[name] = value;
  }
  return {
    principalId: payload.sub,
    policyDocument: {
      Version: "2012-10-17",
      Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: event.methodArn }],
    },
    context,
  };
};
