-- Hosted-UI sessions (the `cognito-session-<pool>` cookie): only the
-- SHA-256 of the cookie value is stored; a session is valid until
-- `expires_at` and only while its user still exists and is enabled.
CREATE TABLE hosted_sessions (
    session_hash TEXT PRIMARY KEY,
    pool_id      TEXT NOT NULL,
    sub          TEXT NOT NULL,
    auth_time    INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX hosted_sessions_expiry ON hosted_sessions(expires_at);
