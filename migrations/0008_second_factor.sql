-- The second factor (issue 17, docs/two-factor.md): TOTP (RFC 6238) with
-- recovery codes, and an organization setting that requires it of admins.

-- One per account. `secret` is the TOTP key in base32: the server must read it
-- back to compute codes, so it cannot be hashed (docs/two-factor.md#what-is-stored).
-- Unconfirmed (`confirmed_at` NULL) until a first code proves the person's app
-- holds it. `last_step` is the last 30-second step a code was accepted for: a
-- code is taken once, never again within its window.
CREATE TABLE second_factors (
    account_id   TEXT PRIMARY KEY REFERENCES accounts(id),
    secret       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    confirmed_at BIGINT,
    last_step    BIGINT NOT NULL DEFAULT 0
);

-- Ten single-use codes per confirmed factor, as the SHA-256 of the code.
CREATE TABLE recovery_codes (
    code_hash  TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    used_at    BIGINT
);
CREATE INDEX recovery_codes_account ON recovery_codes (account_id);

-- The step between a matched password and a code: short-lived, used once, as
-- the SHA-256 of the secret the client holds.
CREATE TABLE second_factor_challenges (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

ALTER TABLE organizations ADD COLUMN second_factor_required BIGINT NOT NULL DEFAULT 0;
