-- Pools, clients, keys, users, groups, resource servers, refresh tokens,
-- codes, challenge sessions and the outbox.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE pools (
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    issuer_style TEXT NOT NULL,
    doc          TEXT NOT NULL
);
CREATE TABLE clients (
    id      TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    name    TEXT NOT NULL,
    doc     TEXT NOT NULL
);
CREATE INDEX clients_by_pool ON clients(pool_id);
CREATE TABLE signing_keys (
    kid           TEXT PRIMARY KEY,
    pool_id       TEXT NOT NULL,
    purpose       TEXT NOT NULL,
    pkcs8         BLOB NOT NULL,
    created_at    INTEGER NOT NULL,
    retired_at    INTEGER,
    publish_until INTEGER
);
CREATE INDEX keys_by_pool ON signing_keys(pool_id);
CREATE TABLE users (
    pool_id         TEXT NOT NULL,
    sub             TEXT NOT NULL,
    username        TEXT NOT NULL,
    username_key    TEXT NOT NULL,
    status          TEXT NOT NULL,
    enabled         INTEGER NOT NULL,
    password_hash   TEXT,
    password_set_at INTEGER NOT NULL,
    attributes      TEXT NOT NULL,
    created_at      REAL NOT NULL,
    modified_at     REAL NOT NULL,
    PRIMARY KEY (pool_id, sub),
    UNIQUE (pool_id, username_key)
);
CREATE TABLE groups (
    pool_id     TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT,
    role_arn    TEXT,
    precedence  INTEGER,
    created_at  REAL NOT NULL,
    modified_at REAL NOT NULL,
    PRIMARY KEY (pool_id, name)
);
CREATE TABLE group_members (
    pool_id    TEXT NOT NULL,
    group_name TEXT NOT NULL,
    sub        TEXT NOT NULL,
    PRIMARY KEY (pool_id, group_name, sub)
);
CREATE INDEX members_by_user ON group_members(pool_id, sub);
CREATE TABLE resource_servers (
    pool_id    TEXT NOT NULL,
    identifier TEXT NOT NULL,
    doc        TEXT NOT NULL,
    PRIMARY KEY (pool_id, identifier)
);
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    pool_id    TEXT NOT NULL,
    client_id  TEXT NOT NULL,
    sub        TEXT NOT NULL,
    origin_jti TEXT NOT NULL UNIQUE,
    event_id   TEXT NOT NULL,
    auth_time  INTEGER NOT NULL,
    issued_at  INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX refresh_by_user ON refresh_tokens(pool_id, sub);
CREATE TABLE codes (
    pool_id    TEXT NOT NULL,
    sub        TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    used       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (pool_id, sub, purpose)
);
CREATE TABLE auth_sessions (
    session_hash TEXT PRIMARY KEY,
    pool_id      TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    sub          TEXT NOT NULL,
    challenge    TEXT NOT NULL,
    data         TEXT NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    pool_id     TEXT NOT NULL,
    username    TEXT NOT NULL,
    sub         TEXT NOT NULL,
    kind        TEXT NOT NULL,
    medium      TEXT NOT NULL,
    destination TEXT NOT NULL,
    code        TEXT,
    message     TEXT NOT NULL,
    created_at  REAL NOT NULL
);
CREATE INDEX outbox_by_user ON outbox(pool_id, username);
