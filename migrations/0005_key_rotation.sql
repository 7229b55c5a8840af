-- Signing-key rotation (docs/tokens.md). A rotated-in key is published in the
-- JWKS at `created_at` but signs only from `signs_from`, once every node has
-- had time to load it, so no node meets a token whose key it does not know.
-- `retired_at` (unused until now) becomes the time the key leaves the JWKS:
-- set on rotation to when the last token it may have signed has expired;
-- NULL for the key that signs. Rows past it are deleted by the next rotation.
ALTER TABLE signing_keys ADD COLUMN signs_from BIGINT NOT NULL DEFAULT 0;
UPDATE signing_keys SET signs_from = created_at;
