-- Mail and proof of address (issue 17).

-- Mails waiting to be delivered, written with the change that causes them (or just
-- after its commit) and delivered by one node at a time: a node claims a row by
-- setting `claimed_by` and `claimed_until` (PostgreSQL: `FOR UPDATE SKIP LOCKED`),
-- so a node that dies mid-send leaves it to another once the lease runs out. A
-- delivered row keeps no body: the links in it are secrets.
CREATE TABLE mail_outbox (
    id              TEXT PRIMARY KEY,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    claimed_by      TEXT,
    claimed_until   BIGINT,
    sent_at         BIGINT,
    last_error      TEXT
);
CREATE INDEX mail_outbox_due ON mail_outbox (sent_at, next_attempt_at);

-- One-time links mailed to an account's address: `reset` sets a new password,
-- `verify` proves the address. Stored as the SHA-256 of the secret.
CREATE TABLE account_links (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    purpose    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);

-- Invitations whose link was only mailed (nobody was shown it): accepting one
-- proves the address.
CREATE TABLE mailed_invitations (
    invitation_id TEXT PRIMARY KEY,
    created_at    BIGINT NOT NULL
);

-- When the account proved it holds its address; NULL: not yet, and it cannot sign
-- in. Accounts made before this migration are taken as proven (they signed in
-- before the rule existed).
ALTER TABLE accounts ADD COLUMN email_verified_at BIGINT;
UPDATE accounts SET email_verified_at = created_at;
