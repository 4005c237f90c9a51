-- Remembered devices: one row per device key issued at sign-in (salt and
-- verifier once ConfirmDevice registered it), and the device each
-- device-tracked sign-in (origin_jti) is bound to, for REFRESH_TOKEN_AUTH.
CREATE TABLE devices (
    device_key    TEXT PRIMARY KEY,
    pool_id       TEXT NOT NULL,
    sub           TEXT NOT NULL,
    group_key     TEXT NOT NULL,
    name          TEXT,
    salt          TEXT,
    verifier      TEXT,
    status        TEXT,
    created_at    REAL NOT NULL,
    modified_at   REAL NOT NULL,
    last_auth_at  REAL
);
CREATE INDEX devices_by_user ON devices(pool_id, sub);
CREATE TABLE device_sign_ins (
    origin_jti  TEXT PRIMARY KEY,
    pool_id     TEXT NOT NULL,
    sub         TEXT NOT NULL,
    device_key  TEXT NOT NULL
);
CREATE INDEX device_sign_ins_by_device ON device_sign_ins(device_key);
