-- A refresh retried within a grace period (a client whose first request timed
-- out) gets the same successor instead of revoking its family (docs/api.md,
-- Authentication). The successor's secret is kept sealed under the secret of the
-- token it replaced, which the database does not have: XOR with a SHA-256 of it.
ALTER TABLE refresh_tokens ADD COLUMN successor_sealed TEXT;
