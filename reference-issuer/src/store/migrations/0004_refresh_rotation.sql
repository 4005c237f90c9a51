-- Refresh token rotation: a sign-in (one origin_jti) may now own several
-- refresh tokens, the ones rotated out keeping a grace period for retries.
-- SQLite cannot drop the UNIQUE constraint on origin_jti in place, so the
-- table is rebuilt.
CREATE TABLE refresh_tokens_0004 (
    token_hash     TEXT PRIMARY KEY,
    pool_id        TEXT NOT NULL,
    client_id      TEXT NOT NULL,
    sub            TEXT NOT NULL,
    origin_jti     TEXT NOT NULL,
    event_id       TEXT NOT NULL,
    auth_time      INTEGER NOT NULL,
    issued_at      INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    revoked_at     INTEGER,
    retired_at_ms  INTEGER,
    grace_until_ms INTEGER
);
INSERT INTO refresh_tokens_0004(token_hash, pool_id, client_id, sub, origin_jti, event_id,
                                auth_time, issued_at, expires_at, revoked_at)
    SELECT token_hash, pool_id, client_id, sub, origin_jti, event_id,
           auth_time, issued_at, expires_at, revoked_at
    FROM refresh_tokens;
DROP TABLE refresh_tokens;
ALTER TABLE refresh_tokens_0004 RENAME TO refresh_tokens;
CREATE INDEX refresh_by_user ON refresh_tokens(pool_id, sub);
CREATE INDEX refresh_by_origin ON refresh_tokens(origin_jti);
