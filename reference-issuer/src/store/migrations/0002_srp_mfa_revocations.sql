-- SRP verifiers, per-user MFA settings and revoked sign-ins.
CREATE TABLE srp_verifiers (
    pool_id  TEXT NOT NULL,
    sub      TEXT NOT NULL,
    salt     BLOB NOT NULL,
    verifier BLOB NOT NULL,
    bound_to TEXT NOT NULL,
    PRIMARY KEY (pool_id, sub)
);
CREATE TABLE user_mfa (
    pool_id TEXT NOT NULL,
    sub     TEXT NOT NULL,
    doc     TEXT NOT NULL,
    PRIMARY KEY (pool_id, sub)
);
CREATE TABLE revoked_origins (
    origin_jti TEXT PRIMARY KEY,
    pool_id    TEXT NOT NULL,
    revoked_at INTEGER NOT NULL
);
CREATE INDEX revoked_by_pool ON revoked_origins(pool_id, revoked_at);
