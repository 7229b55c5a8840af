-- The deployment's policy (docs/deployment.md): stored at the first start, so that
-- every node and every command decides with the one the data was written under.
-- One row per policy the database has had, never updated nor deleted: the newest
-- is in force; each row after the first is a `serve --replace-policy`, and the
-- rows together are that deployment-level record (`steward policy history`).
-- sha256: of `source`, hex; nodes compare it before every write.
CREATE TABLE policies (
    seq        BIGINT PRIMARY KEY,
    name       TEXT NOT NULL,
    source     TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    adopted_at BIGINT NOT NULL
);
