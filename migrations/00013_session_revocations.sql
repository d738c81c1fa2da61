-- +goose Up
-- Portal sessions ended before their time (platform/auth): a session lives in an
-- encrypted cookie, so logging out must also be remembered here, or a copied cookie
-- would keep working until it expires. A row is only needed while the session could
-- still be valid: expires_at is the session's absolute expiry, after which the cookie
-- is refused anyway and the row may go (platform/auth deletes a tenant's expired rows
-- when it revokes another session, so the table stays small).
CREATE TABLE session_revocations (
    tenant_id  text        NOT NULL REFERENCES tenants (tenant_id),
    session_id text        NOT NULL CHECK (char_length(session_id) BETWEEN 1 AND 64),
    revoked_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, session_id)
);
CREATE INDEX session_revocations_expiry ON session_revocations (tenant_id, expires_at);

ALTER TABLE session_revocations ENABLE ROW LEVEL SECURITY;
ALTER TABLE session_revocations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON session_revocations
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
-- The application only: it revokes at logout, checks on every request and forgets
-- expired rows. The control plane has no business with sessions.
GRANT SELECT, INSERT, UPDATE, DELETE ON session_revocations TO plein_app;

-- +goose Down
DROP TABLE session_revocations;
