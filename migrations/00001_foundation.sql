-- +goose Up
-- The current tenant of the transaction, or NULL when none is set. An unset custom
-- setting reads as '' (not NULL) once it has been set in the session, hence NULLIF.
-- +goose StatementBegin
CREATE FUNCTION current_tenant() RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT NULLIF(current_setting('plein.tenant_id', true), '')
$$;
-- +goose StatementEnd

-- The tenant registry: one row per gemeente, written by the control plane. The portal
-- and the APIs read it (name, hosts and branding are public) to resolve a tenant by host.
CREATE TABLE tenants (
    tenant_id   text        NOT NULL,
    status      text        NOT NULL DEFAULT 'active'
                CHECK (status IN ('onboarding', 'active', 'suspended', 'offboarding', 'offboarded')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id),
    CHECK (tenant_id ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$')
);

-- Every apply of a tenant's config is a new version: who, when, what changed.
CREATE TABLE tenant_config_versions (
    tenant_id   text        NOT NULL REFERENCES tenants (tenant_id),
    version     integer     NOT NULL CHECK (version > 0),
    config      jsonb       NOT NULL,
    source      text        NOT NULL,  -- the YAML as applied
    source_file text        NOT NULL,
    logo_svg    text,
    author      text        NOT NULL,
    diff        text        NOT NULL,
    valid_from  timestamptz NOT NULL DEFAULT now(),
    applied_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, version)
);

-- Host names are unique across tenants: a portal host resolves to one gemeente only.
CREATE TABLE tenant_hosts (
    host        text NOT NULL,
    tenant_id   text NOT NULL REFERENCES tenants (tenant_id),
    PRIMARY KEY (host)
);
CREATE INDEX tenant_hosts_tenant ON tenant_hosts (tenant_id, host);

-- The audit trail: append-only. Who did what to which object, for which purpose.
CREATE TABLE audit_log (
    tenant_id   text        NOT NULL REFERENCES tenants (tenant_id),
    id          bigint      GENERATED ALWAYS AS IDENTITY,
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text        NOT NULL,
    role        text        NOT NULL,
    action      text        NOT NULL,
    object_type text        NOT NULL,
    object_id   text        NOT NULL DEFAULT '',
    purpose     text        NOT NULL,
    request_id  text        NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_object ON audit_log (tenant_id, object_type, object_id, at);

-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Row-level security. FORCE makes it hold for the table owner too.
ALTER TABLE tenants                ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants                FORCE ROW LEVEL SECURITY;
ALTER TABLE tenant_config_versions ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_config_versions FORCE ROW LEVEL SECURITY;
ALTER TABLE tenant_hosts           ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_hosts           FORCE ROW LEVEL SECURITY;
ALTER TABLE audit_log              ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log              FORCE ROW LEVEL SECURITY;

-- Control-plane tables: the control plane sees and writes every tenant's row; the
-- application reads them (public directory data), never writes them.
CREATE POLICY control_all ON tenants                FOR ALL    TO plein_control USING (true) WITH CHECK (true);
CREATE POLICY app_read    ON tenants                FOR SELECT TO plein_app     USING (true);
CREATE POLICY control_all ON tenant_config_versions FOR ALL    TO plein_control USING (true) WITH CHECK (true);
CREATE POLICY app_read    ON tenant_config_versions FOR SELECT TO plein_app     USING (true);
CREATE POLICY control_all ON tenant_hosts           FOR ALL    TO plein_control USING (true) WITH CHECK (true);
CREATE POLICY app_read    ON tenant_hosts           FOR SELECT TO plein_app     USING (true);

-- Tenant-owned tables: only the rows of the transaction's tenant; none without one.
CREATE POLICY tenant_isolation ON audit_log
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());

GRANT EXECUTE ON FUNCTION current_tenant() TO plein_app, plein_control;
GRANT SELECT ON tenants, tenant_config_versions, tenant_hosts TO plein_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON tenants, tenant_config_versions, tenant_hosts TO plein_control;
-- The audit log: insert and read only. No UPDATE, no DELETE, for anyone but the owner,
-- and the trigger refuses those even to the owner.
GRANT SELECT, INSERT ON audit_log TO plein_app;

-- +goose Down
DROP TABLE audit_log;
DROP FUNCTION audit_log_append_only();
DROP TABLE tenant_hosts;
DROP TABLE tenant_config_versions;
DROP TABLE tenants;
DROP FUNCTION current_tenant();
