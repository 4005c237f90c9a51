-- User pool domains (CreateUserPoolDomain): a prefix or custom domain,
-- unique across pools, at most one per pool; the description is a JSON
-- document.
CREATE TABLE pool_domains (
    domain   TEXT PRIMARY KEY,
    pool_id  TEXT NOT NULL UNIQUE,
    doc      TEXT NOT NULL
);
