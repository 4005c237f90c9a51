-- Attempt budgets that survive restarts and code reissues: failed code
-- attempts and code sends per user and purpose, sign-in failures (the
-- lockout) per user, and wrong answers per challenge session.
CREATE TABLE code_budgets (
    pool_id        TEXT NOT NULL,
    sub            TEXT NOT NULL,
    purpose        TEXT NOT NULL,
    failures       INTEGER NOT NULL DEFAULT 0,
    failures_since INTEGER NOT NULL DEFAULT 0,
    sends          INTEGER NOT NULL DEFAULT 0,
    sends_since    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (pool_id, sub, purpose)
);
CREATE TABLE signin_failures (
    pool_id         TEXT NOT NULL,
    sub             TEXT NOT NULL,
    failures        INTEGER NOT NULL,
    last_failure_ms INTEGER NOT NULL,
    locked_until_ms INTEGER NOT NULL,
    PRIMARY KEY (pool_id, sub)
);
ALTER TABLE auth_sessions ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
