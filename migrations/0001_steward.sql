-- Steward's schema, one file for SQLite and PostgreSQL (portable SQL: TEXT and
-- BIGINT only). The state tables mirror steward-core's State row by
-- row; `events` is the audit log, hash-chained per organization.

CREATE TABLE accounts (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT,
    created_at    BIGINT NOT NULL
);

-- head_seq/head_hash: the last event of the organization's chain, so `verify`
-- also notices the last event being removed.
CREATE TABLE organizations (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    owner_id   TEXT NOT NULL,
    deleted    BIGINT NOT NULL DEFAULT 0,
    head_seq   BIGINT NOT NULL,
    head_hash  TEXT NOT NULL
);

CREATE TABLE memberships (
    org_id  TEXT NOT NULL REFERENCES organizations(id),
    user_id TEXT NOT NULL,
    email   TEXT NOT NULL,
    name    TEXT NOT NULL,
    role    TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_email ON memberships (org_id, email);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE scope_roles (
    org_id    TEXT NOT NULL REFERENCES organizations(id),
    user_id   TEXT NOT NULL,
    object_id TEXT NOT NULL,
    role      TEXT NOT NULL,
    PRIMARY KEY (org_id, user_id, object_id, role)
);
CREATE INDEX scope_roles_object ON scope_roles (org_id, object_id);

CREATE TABLE objects (
    org_id    TEXT NOT NULL REFERENCES organizations(id),
    id        TEXT NOT NULL,
    type      TEXT NOT NULL,
    name      TEXT NOT NULL,
    parent_id TEXT,
    owner_id  TEXT,
    PRIMARY KEY (org_id, id)
);

CREATE TABLE grants (
    org_id    TEXT NOT NULL REFERENCES organizations(id),
    object_id TEXT NOT NULL,
    user_id   TEXT NOT NULL,
    action    TEXT NOT NULL,
    PRIMARY KEY (org_id, object_id, user_id, action)
);
CREATE INDEX grants_user ON grants (org_id, user_id);

-- scopes: JSON list of {object_id, roles}, given when the invitee joins.
CREATE TABLE invitations (
    org_id     TEXT NOT NULL REFERENCES organizations(id),
    id         TEXT NOT NULL,
    email      TEXT NOT NULL,
    name       TEXT,
    role       TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, id)
);

CREATE TABLE nominations (
    org_id     TEXT PRIMARY KEY REFERENCES organizations(id),
    id         TEXT NOT NULL,
    from_user  TEXT NOT NULL,
    to_user    TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- body: the event's canonical JSON; hash = SHA-256 over org, seq, prev_hash and body.
-- type/actor_id/target_id repeat what body says, for the audit filters.
CREATE TABLE events (
    org_id    TEXT NOT NULL REFERENCES organizations(id),
    seq       BIGINT NOT NULL,
    at        BIGINT NOT NULL,
    type      TEXT NOT NULL,
    actor_id  TEXT,
    target_id TEXT,
    body      TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL,
    PRIMARY KEY (org_id, seq)
);

-- Secrets are stored as their SHA-256 (hex) and looked up by it.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);

-- A family is one login's chain of rotations; reuse of a rotated token revokes it.
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    family_id  TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    rotated_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_account ON refresh_tokens (account_id);

-- actions: JSON list of the actions the key may ask about (`check`), or more.
CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    key_hash   TEXT NOT NULL UNIQUE,
    org_id     TEXT NOT NULL REFERENCES organizations(id),
    name       TEXT NOT NULL,
    actions    TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_keys_org ON api_keys (org_id);
