-- OAuth2 authorization codes of the hosted UI (stored by SHA-256 only):
-- single use, bound to the client, redirect URI, scopes, nonce and PKCE
-- challenge of their authorization request. origin_jti names the sign-in
-- its redemption issued, revoked when the code is replayed.
CREATE TABLE authorization_codes (
    code_hash      TEXT PRIMARY KEY,
    pool_id        TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    sub            TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,
    scopes         TEXT NOT NULL,
    nonce          TEXT,
    code_challenge TEXT,
    auth_time      INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    consumed_at    INTEGER,
    origin_jti     TEXT
);
CREATE INDEX authorization_codes_by_expiry ON authorization_codes(expires_at);
-- The scopes an OAuth2 grant gave a sign-in (space-separated), kept by its
-- refresh tokens; NULL for sign-ins through the user pool API.
ALTER TABLE refresh_tokens ADD COLUMN scopes TEXT;
