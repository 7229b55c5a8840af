-- Suspension (docs/provisioning.md#suspension): a member may be suspended,
-- keeping their roles and grants while every check answers for them as for a
-- non-member; and an organization chooses what its directory's deprovisioning
-- (SCIM `active: false`) does: 'remove' (as before) or 'suspend'. Only adds
-- columns, with defaults that mean what every row meant before.
ALTER TABLE memberships ADD COLUMN suspended BIGINT NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN on_deprovision TEXT NOT NULL DEFAULT 'remove';
