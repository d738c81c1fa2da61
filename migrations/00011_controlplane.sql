-- +goose Up
-- What the control plane (`plein controlplane`, services/controlplane) found when it last
-- reconciled a tenant in Kubernetes, written back onto the tenant: one row per tenant
-- and condition type, in the Kubernetes style (True/False/Unknown, a reason, a message).
CREATE TABLE tenant_conditions (
    tenant_id          text        NOT NULL REFERENCES tenants (tenant_id),
    type               text        NOT NULL CHECK (type ~ '^[A-Z][A-Za-z]{1,40}$'),
    status             text        NOT NULL CHECK (status IN ('True', 'False', 'Unknown')),
    reason             text        NOT NULL CHECK (reason ~ '^[A-Z][A-Za-z]{0,60}$'),
    message            text        NOT NULL DEFAULT '' CHECK (char_length(message) <= 1000),
    observed_version   integer     NOT NULL DEFAULT 0 CHECK (observed_version >= 0),
    last_transition_at timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, type)
);

ALTER TABLE tenant_conditions ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_conditions FORCE ROW LEVEL SECURITY;
CREATE POLICY control_all ON tenant_conditions FOR ALL    TO plein_control USING (true) WITH CHECK (true);
CREATE POLICY app_read    ON tenant_conditions FOR SELECT TO plein_app     USING (true);
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_conditions TO plein_control;
GRANT SELECT ON tenant_conditions TO plein_app;

-- A new config version or lifecycle event wakes whoever listens on plein_tenants (the
-- control plane reconciles that tenant at once instead of at its next resync). The
-- payload is the tenant id; the notification is sent when the transaction commits.
-- +goose StatementBegin
CREATE FUNCTION tenants_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('plein_tenants', NEW.tenant_id);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER tenant_config_versions_notify AFTER INSERT ON tenant_config_versions
    FOR EACH ROW EXECUTE FUNCTION tenants_notify();
CREATE TRIGGER tenant_events_notify AFTER INSERT ON tenant_events
    FOR EACH ROW EXECUTE FUNCTION tenants_notify();

-- +goose Down
DROP TRIGGER tenant_events_notify ON tenant_events;
DROP TRIGGER tenant_config_versions_notify ON tenant_config_versions;
DROP FUNCTION tenants_notify();
DROP TABLE tenant_conditions;
