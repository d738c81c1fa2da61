-- +goose Up
-- The lifecycle of a tenant (services/tenancy): every change of tenants.status is an
-- event with who, when and why, and only the legal transitions exist:
--
--   onboarding → active ⇄ suspended
--   active | suspended → offboarding → offboarded
--
-- The event is the transition: inserting it moves the tenant (a trigger), and a status
-- changed any other way is refused, even to the owner.
CREATE TABLE tenant_events (
    tenant_id   text        NOT NULL REFERENCES tenants (tenant_id),
    seq         integer     NOT NULL CHECK (seq > 0),
    from_status text        NOT NULL,
    to_status   text        NOT NULL,
    actor       text        NOT NULL CHECK (char_length(actor) BETWEEN 1 AND 200),
    reason      text        NOT NULL CHECK (char_length(btrim(reason)) BETWEEN 1 AND 1000),
    at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, seq),
    CONSTRAINT tenant_events_legal CHECK ((from_status, to_status) IN (
        ('onboarding', 'active'),
        ('active', 'suspended'), ('suspended', 'active'),
        ('active', 'offboarding'), ('suspended', 'offboarding'),
        ('offboarding', 'offboarded')))
);

-- Moves the tenant: the event's from_status must be its status now.
-- +goose StatementBegin
CREATE FUNCTION tenant_events_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    cur text;
BEGIN
    SELECT status INTO cur FROM tenants WHERE tenant_id = NEW.tenant_id FOR UPDATE;
    IF cur IS DISTINCT FROM NEW.from_status THEN
        RAISE EXCEPTION 'tenant % is %, not %: the transition to % is refused', NEW.tenant_id, cur, NEW.from_status, NEW.to_status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'tenant_events_legal';
    END IF;
    PERFORM set_config('plein.tenant_transition', NEW.tenant_id || ':' || NEW.to_status, true);
    UPDATE tenants SET status = NEW.to_status, updated_at = now() WHERE tenant_id = NEW.tenant_id;
    PERFORM set_config('plein.tenant_transition', '', true);
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER tenant_events_apply AFTER INSERT ON tenant_events
    FOR EACH ROW EXECUTE FUNCTION tenant_events_apply();

-- A status changes only through an event.
-- +goose StatementBegin
CREATE FUNCTION tenants_status_by_event() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status
       AND current_setting('plein.tenant_transition', true) IS DISTINCT FROM NEW.tenant_id || ':' || NEW.status THEN
        RAISE EXCEPTION 'the status of tenant % changes only through a tenant event (from % to %)', NEW.tenant_id, OLD.status, NEW.status
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER tenants_status_by_event BEFORE UPDATE OF status ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenants_status_by_event();

-- +goose StatementBegin
CREATE FUNCTION tenant_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'tenant_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER tenant_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON tenant_events
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_events_append_only();

ALTER TABLE tenant_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_events FORCE ROW LEVEL SECURITY;
CREATE POLICY control_all ON tenant_events FOR ALL    TO plein_control USING (true) WITH CHECK (true);
CREATE POLICY app_read    ON tenant_events FOR SELECT TO plein_app     USING (true);
GRANT SELECT, INSERT ON tenant_events TO plein_control;
GRANT SELECT ON tenant_events TO plein_app;

-- +goose Down
DROP TRIGGER tenants_status_by_event ON tenants;
DROP FUNCTION tenants_status_by_event();
DROP TABLE tenant_events;
DROP FUNCTION tenant_events_apply();
DROP FUNCTION tenant_events_append_only();
