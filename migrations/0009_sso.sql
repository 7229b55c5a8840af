-- Single sign-on per organization (issue 17, docs/sign-in.md#single-sign-on).

-- An organization's OpenID provider. The client secret is kept as given: Steward
-- must send it to the provider's token endpoint. It is never answered by the API,
-- shown by the console or written to the audit log (`sso.configured` has no secret).
CREATE TABLE sso_providers (
    org_id             TEXT PRIMARY KEY REFERENCES organizations(id),
    issuer             TEXT NOT NULL,
    client_id          TEXT NOT NULL,
    client_secret      TEXT NOT NULL,
    require_sso        BIGINT NOT NULL,
    notify_new_sign_in BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);

-- The e-mail domains a provider covers: one organization per domain (the primary
-- key). A domain routes nobody until proven (`proven_at`) by a verified address
-- on it (`proven_by`).
CREATE TABLE sso_domains (
    domain     TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations(id),
    proven_by  TEXT,
    proven_at  BIGINT
);
CREATE INDEX sso_domains_org ON sso_domains (org_id);

-- A sign-in sent to a provider and not yet back: the state's SHA-256 (the state
-- itself travels in the browser), the nonce the ID token must carry and the PKCE
-- verifier. Taken (deleted) on return, so a state is used once; 10 minutes.
CREATE TABLE sso_attempts (
    state_hash    TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL,
    email         TEXT NOT NULL,
    nonce         TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);

-- Which provider an account has signed in through already: the first sign-in
-- from a new one may be mailed to the person (the organization's choice).
CREATE TABLE sso_sign_ins (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    issuer     TEXT NOT NULL,
    first_at   BIGINT NOT NULL,
    PRIMARY KEY (account_id, issuer)
);
