-- Authentication's own tables (issue 6). Secrets are stored as their SHA-256 (hex).

-- The Ed25519 keys that sign access tokens, generated on first start; the newest
-- signs, every one not retired is published in /.well-known/jwks.json.
CREATE TABLE signing_keys (
    id          TEXT PRIMARY KEY,
    private_der TEXT NOT NULL,
    public_key  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    retired_at  BIGINT
);

-- One-time links that let an account set its password: `steward orgs create`
-- makes one for an owner who has no password yet.
CREATE TABLE setup_tokens (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
