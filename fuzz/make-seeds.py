#!/usr/bin/env python3
"""Writes the seed corpora under corpus/<target>/ (run once; the seeds are
committed). Tokens are signed with keys/fuzz-rsa-2048.pk8 by `openssl`.
Usage: python3 make-seeds.py   (from fuzz/)"""

import base64, hashlib, json, os, subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = os.path.join(HERE, "keys", "fuzz-rsa-2048.pk8")
POOL = "us-east-1_FuzzPool1"
ISS = "https://cognito-idp.us-east-1.amazonaws.com/" + POOL
CLIENT = "fuzzclient0123456789abcdef"
FAR = 4102444800  # 2100-01-01: the raw-mode seeds stay unexpired
IAT = 1764000000


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def sign(header, payload):
    header = header if isinstance(header, bytes) else json.dumps(header, separators=(",", ":")).encode()
    payload = payload if isinstance(payload, bytes) else json.dumps(payload, separators=(",", ":")).encode()
    signing_input = (b64u(header) + "." + b64u(payload)).encode()
    sig = subprocess.run(
        ["openssl", "dgst", "-sha256", "-keyform", "DER", "-sign", KEY],
        input=signing_input, capture_output=True, check=True,
    ).stdout
    return signing_input.decode() + "." + b64u(sig)


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


H = {"alg": "RS256", "kid": "fuzz-key"}
ID = {"sub": "5f1c0e4e-seed", "iss": ISS, "aud": CLIENT, "token_use": "id", "auth_time": IAT,
      "iat": IAT, "exp": FAR, "cognito:username": "seed", "cognito:groups": ["admin", "dev"],
      "email": "seed@example.com", "email_verified": True, "custom:tier": "gold"}
AT = {"sub": "5f1c0e4e-seed", "iss": ISS, "client_id": CLIENT, "token_use": "access",
      "scope": "orders/read orders/write", "auth_time": IAT, "iat": IAT, "exp": FAR,
      "jti": "j-1", "origin_jti": "o-1", "event_id": "e-1", "username": "seed",
      "cognito:groups": ["admin"]}

# token_verify: byte 0 = mode (0x80: sign header\0payload; low bits: policy).
raw = {
    "id-valid": sign(H, ID),
    "access-valid": sign(H, AT),
    "id-expired": sign(H, dict(ID, exp=IAT + 3600)),
    "id-nbf-future": sign(H, dict(ID, nbf=FAR - 10)),
    "wrong-issuer": sign(H, dict(ID, iss=ISS + "x")),
    "wrong-client": sign(H, dict(ID, aud="other")),
    "groups-not-array": sign(H, dict(ID, **{"cognito:groups": "admin"})),
    "exp-string": sign(H, dict(ID, exp=str(FAR))),
    "kid-unknown": sign(dict(H, kid="nope"), ID),
    "kid-enc": sign(dict(H, kid="enc-key"), ID),
    "kid-ps": sign(dict(H, kid="ps-key"), ID),
    "kid-short": sign(dict(H, kid="short-key"), ID),
    "kid-ec": sign(dict(H, kid="ec-key"), ID),
    "alg-none": b64u(b'{"alg":"none","kid":"fuzz-key"}') + "." + b64u(json.dumps(ID).encode()) + ".",
    "alg-hs256": b64u(b'{"alg":"HS256","kid":"fuzz-key"}') + "." + b64u(json.dumps(ID).encode()) + ".c2ln",
    "crit": sign(dict(H, crit=["exp"]), ID),
    "jku": sign(dict(H, jku="https://evil.example/jwks"), ID),
    "dup-members": sign(H, b'{"sub":"a","sub":"b","iss":"' + ISS.encode() + b'","exp":4102444800}'),
    "padded-b64": sign(H, ID).replace(".", "=.", 1),
    "two-dots": "a.b",
    "empty": "",
}
for i, (name, tok) in enumerate(raw.items()):
    write("token_verify", "raw-" + name, bytes([i % 0x20]) + tok.encode())
signed = {
    "id-now": (None, '{"sub":"s","iss":"%s","aud":"%s","token_use":"id","iat":$NOW,"exp":$EXP,"cognito:groups":["admin"]}' % (ISS, CLIENT)),
    "access-now": (None, '{"sub":"s","iss":"%s","client_id":"%s","token_use":"access","scope":"orders/read","iat":$NOW,"exp":$EXP}' % (ISS, CLIENT)),
    "nbf-now": (None, '{"sub":"s","iss":"%s","aud":"%s","token_use":"id","nbf":$NOW,"exp":$EXP}' % (ISS, CLIENT)),
    "types": (None, '{"sub":1,"iss":"%s","aud":["%s"],"token_use":"id","iat":1.5,"exp":$EXP,"email_verified":"true"}' % (ISS, CLIENT)),
    "header-typ": ('{"alg":"RS256","kid":"fuzz-key","typ":"JWT"}', '{"sub":"s","iss":"%s","aud":"%s","token_use":"id","exp":$EXP}' % (ISS, CLIENT)),
    "header-alg-none": ('{"alg":"none","kid":"fuzz-key"}', '{"sub":"s","iss":"%s","aud":"%s","token_use":"id","exp":$EXP}' % (ISS, CLIENT)),
}
for i, (name, (header, payload)) in enumerate(signed.items()):
    body = payload.encode() if header is None else header.encode() + b"\0" + payload.encode()
    write("token_verify", "signed-" + name, bytes([0x80 | (i * 3 % 0x20)]) + body)

# gate_headers: byte 0 = gate config; then Cookie line; then token header values.
gate = {
    "bearer-id": (0x00, "", ["Bearer $ID"]),
    "raw-id-rest": (0x01, "", ["$ID"]),
    "http-access-scopes": (0x22, "", ["Bearer $AT"]),
    "rest-access-scopes": (0x21, "", ["bearer  $AT "]),
    "cookie": (0x10, "theme=dark; id_token=$ID", []),
    "cookie-quoted": (0x10, 'id_token="$ID"; other=1', []),
    "cookie-and-header": (0x10, "id_token=$ID", ["Bearer junk"]),
    "two-headers": (0x00, "", ["Bearer $ID", "Bearer junk"]),
    "two-headers-reversed": (0x00, "", ["Bearer junk", "Bearer $ID"]),
    "optional-missing": (0x04, "", []),
    "optional-empty-header": (0x04, "", [""]),
    "basic": (0x00, "", ["Basic dXNlcjpwYXNz"]),
    "bearer-alone": (0x02, "", ["Bearer"]),
    "custom-header": (0x08, "", ["Bearer $ID"]),
    "fixed-token": (0x00, "", ["Bearer " + raw["id-valid"]]),
    "expired-token": (0x01, "", [raw["id-expired"]]),
}
for name, (config, cookie, headers) in gate.items():
    write("gate_headers", name, bytes([config]) + "\n".join([cookie] + headers).encode())

# api_request: X-Amz-Target \n body.
P = "AWSCognitoIdentityProviderService."
N_HEX = ("FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
         "3995497CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF")
N = int(N_HEX, 16)
SRP_A = format(pow(2, int.from_bytes(hashlib.sha256(b"seed a").digest(), "big"), N), "x")
api = {
    "initiate-srp": ("InitiateAuth", {"AuthFlow": "USER_SRP_AUTH", "ClientId": CLIENT, "AuthParameters": {"USERNAME": "alice", "SRP_A": SRP_A}}),
    "initiate-password": ("AdminInitiateAuth", {"UserPoolId": POOL, "AuthFlow": "ADMIN_USER_PASSWORD_AUTH", "ClientId": CLIENT, "AuthParameters": {"USERNAME": "alice", "PASSWORD": "Passw0rd!", "SECRET_HASH": "c2VjcmV0"}}),
    "respond-verifier": ("RespondToAuthChallenge", {"ChallengeName": "PASSWORD_VERIFIER", "ClientId": CLIENT, "Session": "s", "ChallengeResponses": {"USERNAME": "alice", "PASSWORD_CLAIM_SECRET_BLOCK": "AAAA", "PASSWORD_CLAIM_SIGNATURE": "AAAA", "TIMESTAMP": "Sat Nov 28 08:49:14 UTC 2026"}}),
    "create-pool": ("CreateUserPool", {"PoolName": "p", "Policies": {"PasswordPolicy": {"MinimumLength": 8, "RequireSymbols": True}}, "UsernameAttributes": ["email"], "AutoVerifiedAttributes": ["email"], "Schema": [{"Name": "tier", "AttributeDataType": "String", "Mutable": True, "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "20"}}], "MfaConfiguration": "OPTIONAL", "UsernameConfiguration": {"CaseSensitive": False}, "UserPoolTags": {"cognito-issuer:issuer-style": "aws"}}),
    "create-client": ("CreateUserPoolClient", {"UserPoolId": POOL, "ClientName": "c", "GenerateSecret": True, "AccessTokenValidity": 60, "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "hours", "RefreshToken": "days"}, "ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"], "PreventUserExistenceErrors": "ENABLED", "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": ["orders/read"], "CallbackURLs": ["https://app.example/cb"]}),
    "update-client": ("UpdateUserPoolClient", {"UserPoolId": POOL, "ClientId": CLIENT, "ClientName": "c2"}),
    "list-users": ("ListUsers", {"UserPoolId": POOL, "Filter": "email ^= \"a\"", "Limit": 10, "AttributesToGet": ["email"], "PaginationToken": "b2Zmc2V0OjEw"}),
    "list-pools": ("ListUserPools", {"MaxResults": 60, "NextToken": "b2Zmc2V0OjA"}),
    "sign-up": ("SignUp", {"ClientId": CLIENT, "Username": "alice", "Password": "Passw0rd!", "UserAttributes": [{"Name": "email", "Value": "a@example.com"}]}),
    "admin-create-user": ("AdminCreateUser", {"UserPoolId": POOL, "Username": "bob", "TemporaryPassword": "Tmp0rary!", "MessageAction": "SUPPRESS", "DesiredDeliveryMediums": ["EMAIL"], "UserAttributes": [{"Name": "email", "Value": "b@example.com"}]}),
    "create-group": ("CreateGroup", {"UserPoolId": POOL, "GroupName": "admin", "Precedence": 1}),
    "mfa-config": ("SetUserPoolMfaConfig", {"UserPoolId": POOL, "MfaConfiguration": "ON", "SoftwareTokenMfaConfiguration": {"Enabled": True}}),
    "mfa-preference": ("SetUserMFAPreference", {"AccessToken": "t", "SoftwareTokenMfaSettings": {"Enabled": True, "PreferredMfa": True}}),
    "resource-server": ("CreateResourceServer", {"UserPoolId": POOL, "Identifier": "orders", "Name": "Orders", "Scopes": [{"ScopeName": "read", "ScopeDescription": "r"}]}),
    "revoke": ("RevokeToken", {"Token": "t", "ClientId": CLIENT}),
    "get-user": ("GetUser", {"AccessToken": "t"}),
}
for name, (op, body) in api.items():
    write("api_request", name, P + op + "\n" + json.dumps(body))
write("api_request", "empty-body", P + "DescribeUserPool\n")
write("api_request", "not-object", P + "GetUser\n[1,2]")
write("api_request", "unknown-op", P + "NoSuchThing\n{}")
write("api_request", "no-target", "{}")
write("api_request", "wrong-type", P + "ListUsers\n{\"Limit\":\"ten\"}")

# list_users_filter
filters = ['email = "a@b.c"', 'given_name ^= "Jo"', '"cognito:user_status"="UNCONFIRMED"',
           'status = "Enabled"', 'username = "a\\"b"', 'sub ^= ""', 'phone_number = "+15555550100"',
           'custom:x = "x"', 'email', '', 'name ~ "x"']
for i, f in enumerate(filters):
    write("list_users_filter", "filter-%02d" % i, f)

# oauth2_form: Authorization \n body
basic = "Basic " + base64.b64encode(("%s:s3cret" % CLIENT).encode()).decode()
forms = {
    "basic-client-credentials": basic + "\ngrant_type=client_credentials&scope=orders%2Fread+orders%2Fwrite",
    "body-refresh": "grant_type=refresh_token&refresh_token=abc.def&client_id=" + CLIENT,
    "body-secret": "grant_type=client_credentials&client_id=%s&client_secret=s3cret" % CLIENT,
    "basic-lower": "basic " + base64.b64encode(b"id:").decode() + "\ngrant_type=client_credentials",
    "repeated": "grant_type=client_credentials&grant_type=refresh_token&client_id=a&client_id=b",
    "basic-and-body": basic + "\ngrant_type=client_credentials&client_id=other",
    "bad-base64": "Basic !!!\ngrant_type=client_credentials",
    "no-colon": "Basic " + base64.b64encode(b"idonly").decode() + "\ngrant_type=client_credentials",
    "revoke": basic + "\ntoken=abc",
    "percent": "grant_type=%ZZ&client_id=%E2%82%AC",
}
for name, f in forms.items():
    write("oauth2_form", name, f)

# srp_params: SRP_A \n SECRET_BLOCK \n SIGNATURE \n TIMESTAMP
block = base64.b64encode(hashlib.sha512(b"block").digest()).decode()
sig = base64.b64encode(hashlib.sha256(b"sig").digest()).decode()
srp = {
    "valid-shapes": (SRP_A, block, sig, "Sat Nov 28 08:49:14 UTC 2026"),
    "padded-day": (SRP_A, block, sig, "Mon Dec 01 09:05:00 UTC 2025"),
    "unpadded-day": (SRP_A, block, sig, "Mon Dec 1 09:05:00 UTC 2025"),
    "a-equals-n": (N_HEX, block, sig, "Sat Nov 28 08:49:14 UTC 2026"),
    "a-zero": ("0", block, sig, "Sat Nov 28 08:49:14 UTC 2026"),
    "a-2n": (format(2 * N, "x"), block, sig, "Sat Nov 28 08:49:14 UTC 2026"),
    "wrong-weekday": (SRP_A, "", "", "Fri Nov 28 08:49:14 UTC 2026"),
    "leap-day": ("1", "AA==", "AA==", "Thu Feb 29 23:59:59 UTC 2024"),
    "bad-base64": ("ab", "%%%", "A", "Sat Nov 28 24:00:00 UTC 2026"),
}
for name, fields in srp.items():
    write("srp_params", name, "\n".join(fields))
print("seeds written")
