-- SCIM 2.0 provisioning (docs/provisioning.md): what a directory knows of a
-- person or a group beyond Steward's model, the mapping of its groups to roles,
-- and the last requests it sent. Members and roles themselves stay in the
-- state tables and change only through `decide`.

-- A person the directory provisioned, by account id (the SCIM id). `active` 0:
-- deprovisioned (no longer a member; the record stays so the directory can
-- read it back or reactivate it). `body`: the SCIM attributes as last sent
-- (JSON), for the ones Steward's model has no place for.
CREATE TABLE scim_users (
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    user_id     TEXT NOT NULL,
    user_name   TEXT NOT NULL,
    external_id TEXT,
    active      BIGINT NOT NULL,
    body        TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE UNIQUE INDEX scim_users_name ON scim_users (org_id, user_name);

-- A directory group and what it means in the organization: an organization
-- role (`object_id` NULL), a role on a scope object, or nothing yet (`role` NULL).
CREATE TABLE scim_groups (
    org_id       TEXT NOT NULL REFERENCES organizations(id),
    id           TEXT NOT NULL,
    display_name TEXT NOT NULL,
    external_id  TEXT,
    role         TEXT,
    object_id    TEXT,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (org_id, id)
);

CREATE TABLE scim_group_members (
    org_id   TEXT NOT NULL REFERENCES organizations(id),
    group_id TEXT NOT NULL,
    user_id  TEXT NOT NULL,
    PRIMARY KEY (org_id, group_id, user_id)
);
CREATE INDEX scim_group_members_user ON scim_group_members (org_id, user_id);

-- The requests a directory sent, newest kept, for the console's Provisioning page.
CREATE TABLE scim_requests (
    org_id  TEXT NOT NULL REFERENCES organizations(id),
    at      BIGINT NOT NULL,
    method  TEXT NOT NULL,
    path    TEXT NOT NULL,
    status  BIGINT NOT NULL,
    outcome TEXT NOT NULL
);
CREATE INDEX scim_requests_org ON scim_requests (org_id, at);
