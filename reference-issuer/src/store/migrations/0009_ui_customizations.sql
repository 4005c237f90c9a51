-- Hosted UI customizations (SetUICustomization): CSS and a logo per pool
-- (client_id 'ALL') or per app client.
CREATE TABLE ui_customizations (
    pool_id       TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    css           TEXT,
    image         BLOB,
    image_type    TEXT,
    css_version   TEXT NOT NULL,
    created_at    REAL NOT NULL,
    modified_at   REAL NOT NULL,
    PRIMARY KEY (pool_id, client_id)
);
