-- Webhooks (issue 19, docs/webhooks.md): an organization's endpoints, their
-- secrets, and the deliveries waiting for them (the outbox).

-- The endpoints, as the state has them (written from it like every state
-- table). event_types: JSON list; empty: every type. enabled: 0 or 1.
CREATE TABLE webhooks (
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    id          TEXT NOT NULL,
    url         TEXT NOT NULL,
    event_types TEXT NOT NULL,
    enabled     BIGINT NOT NULL,
    PRIMARY KEY (org_id, id)
);

-- Each endpoint's signing secret (`whsec_...`, Standard Webhooks). Kept out of
-- the state and the events: the audit log is exported; the secret must not be.
CREATE TABLE webhook_secrets (
    org_id     TEXT NOT NULL,
    webhook_id TEXT NOT NULL,
    secret     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, webhook_id)
);

-- Which node delivers to an endpoint now: one at a time per endpoint, so its
-- deliveries go strictly in order (PostgreSQL: `FOR UPDATE SKIP LOCKED`); a
-- lease a dead node held runs out.
CREATE TABLE webhook_couriers (
    org_id        TEXT NOT NULL,
    webhook_id    TEXT NOT NULL,
    claimed_by    TEXT,
    claimed_until BIGINT,
    PRIMARY KEY (org_id, webhook_id)
);

-- One row per event and endpoint, written in the transaction that writes the
-- event. status: pending, delivered or failed (given up after 3 days). Times
-- in milliseconds since the epoch; failing_since: the first failure of a
-- run that has not yet gone through (3 days of it and Steward gives up). payload: the exact body sent (and signed).
CREATE TABLE webhook_deliveries (
    org_id          TEXT NOT NULL,
    webhook_id      TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    event_type      TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending',
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_status     BIGINT,
    last_error      TEXT,
    failing_since   BIGINT,
    delivered_at    BIGINT,
    PRIMARY KEY (org_id, webhook_id, seq)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
