-- +goose Up
-- Offboarding a tenant (services/tenancy, plein tenant offboard|purge): the gemeente gets
-- all its data back as an export bundle, the tenant moves to offboarding, and after a
-- grace period its rows are deleted from every tenant table, in one transaction, and it
-- becomes offboarded.
--
-- What goes: every row of the tenant in every table of tenant data — found in the
-- catalogue (a base table of schema public with a tenant_id column), so that a table
-- added later cannot be forgotten — and the tenant's River jobs. What stays, as the
-- record of what was deleted, is the control plane's registry (the tables with a policy
-- for plein_control, which hold no resident data): the tenants row, tenant_events (who
-- offboarded and purged it, when, why), tenant_offboardings (the export's sha256 and
-- manifest, the grace period, the rows deleted per table), tenant_config_versions (the
-- configuration the coöperatie ran for the gemeente) and the control plane's own state
-- of the tenant. Of the registry only the hosts (tenant_hosts) go, so that another
-- tenant can take them; and an offboarding or offboarded tenant can get no new config
-- version or host.
--
-- Whether a purge may delete is decided here, in the database, never by a flag the
-- application sets: the append-only tables (audit_log, the ledger, settlement items,
-- files and runs) refuse DELETE unless the transaction's tenant is offboarding and its
-- grace period has ended (tenant_purge_allowed), and refuse a deleted row of any other
-- tenant than the transaction's. UPDATE and TRUNCATE stay refused to everyone.

-- One offboarding per tenant: offboarding is one way. purged_at, purged_by and deleted
-- are filled once, by tenant_purge.
CREATE TABLE tenant_offboardings (
    tenant_id     text        NOT NULL REFERENCES tenants (tenant_id),
    export_sha256 text        NOT NULL CHECK (export_sha256 ~ '^[0-9a-f]{64}$'),
    export_bytes  bigint      NOT NULL CHECK (export_bytes > 0),
    manifest      jsonb       NOT NULL,
    author        text        NOT NULL CHECK (char_length(author) BETWEEN 1 AND 200),
    requested_at  timestamptz NOT NULL DEFAULT now(),
    purge_after   timestamptz NOT NULL,
    purged_at     timestamptz,
    purged_by     text        CHECK (char_length(purged_by) BETWEEN 1 AND 200),
    deleted       jsonb,      -- table → rows deleted by the purge
    PRIMARY KEY (tenant_id),
    CHECK (purge_after >= requested_at),
    CHECK ((purged_at IS NULL) = (purged_by IS NULL) AND (purged_at IS NULL) = (deleted IS NULL))
);

-- An offboarding is recorded only for a tenant that is offboarding (the event comes
-- first, in the same transaction); once recorded it only ever gets its purge filled in.
-- +goose StatementBegin
CREATE FUNCTION tenant_offboardings_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF (SELECT status FROM tenants WHERE tenant_id = NEW.tenant_id) IS DISTINCT FROM 'offboarding' THEN
            RAISE EXCEPTION 'tenant % is not offboarding: an offboarding is recorded with its transition', NEW.tenant_id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'tenant_offboardings_status';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF OLD.purged_at IS NULL AND NEW.purged_at IS NOT NULL
           AND (NEW.tenant_id, NEW.export_sha256, NEW.export_bytes, NEW.manifest, NEW.author, NEW.requested_at, NEW.purge_after)
               IS NOT DISTINCT FROM
               (OLD.tenant_id, OLD.export_sha256, OLD.export_bytes, OLD.manifest, OLD.author, OLD.requested_at, OLD.purge_after) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'tenant_offboardings is the record of an offboarding: % refused (only its purge is filled in, once)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER tenant_offboardings_guard BEFORE INSERT OR UPDATE OR DELETE ON tenant_offboardings
    FOR EACH ROW EXECUTE FUNCTION tenant_offboardings_guard();
CREATE TRIGGER tenant_offboardings_no_truncate BEFORE TRUNCATE ON tenant_offboardings
    FOR EACH STATEMENT EXECUTE FUNCTION tenant_offboardings_guard();

ALTER TABLE tenant_offboardings ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_offboardings FORCE ROW LEVEL SECURITY;
CREATE POLICY control_all ON tenant_offboardings FOR ALL    TO plein_control USING (true) WITH CHECK (true);
-- The application's periodic job finds the tenants that are due (nothing personal here).
CREATE POLICY app_read    ON tenant_offboardings FOR SELECT TO plein_app     USING (true);
GRANT SELECT, INSERT ON tenant_offboardings TO plein_control;
GRANT SELECT ON tenant_offboardings TO plein_app;

-- An offboarding or offboarded tenant gets no new config version and no host: its
-- data were handed back, and its hosts are to be released.
-- +goose StatementBegin
CREATE FUNCTION tenant_registry_frozen() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    st text := (SELECT status FROM tenants WHERE tenant_id = NEW.tenant_id);
BEGIN
    IF st IN ('offboarding', 'offboarded') THEN
        RAISE EXCEPTION 'tenant % is %: its configuration and hosts can no longer change', NEW.tenant_id, st
            USING ERRCODE = 'check_violation', CONSTRAINT = 'tenant_registry_frozen';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER tenant_config_versions_frozen BEFORE INSERT ON tenant_config_versions
    FOR EACH ROW EXECUTE FUNCTION tenant_registry_frozen();
CREATE TRIGGER tenant_hosts_frozen BEFORE INSERT OR UPDATE ON tenant_hosts
    FOR EACH ROW EXECUTE FUNCTION tenant_registry_frozen();

-- Whether tenant p may be purged now: offboarding, recorded, not purged yet, and its
-- grace period over. The append-only triggers and tenant_purge ask it.
-- +goose StatementBegin
CREATE FUNCTION tenant_purge_allowed(p_tenant text) RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, public, pg_temp
AS $$
    SELECT p_tenant IS NOT NULL AND EXISTS (
        SELECT 1 FROM tenants t JOIN tenant_offboardings o ON o.tenant_id = t.tenant_id
        WHERE t.tenant_id = p_tenant AND t.status = 'offboarding'
          AND o.purged_at IS NULL AND o.purge_after <= now())
$$;
-- +goose StatementEnd

-- The owner runs the purge (tenant_purge is SECURITY DEFINER) and is bound by FORCEd
-- row-level security like everyone: these policies let it, within the transaction's
-- tenant only, read the tenant's status and offboarding, record the move to offboarded,
-- and release the tenant's hosts once the purge is due.
CREATE POLICY owner_purge_read   ON tenants             FOR SELECT TO plein_owner USING (tenant_id = current_tenant());
CREATE POLICY owner_purge_status ON tenants             FOR UPDATE TO plein_owner
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY owner_purge_read   ON tenant_events       FOR SELECT TO plein_owner USING (tenant_id = current_tenant());
CREATE POLICY owner_purge_event  ON tenant_events       FOR INSERT TO plein_owner
    WITH CHECK (tenant_id = current_tenant() AND from_status = 'offboarding' AND to_status = 'offboarded');
CREATE POLICY owner_purge_read   ON tenant_offboardings FOR SELECT TO plein_owner USING (tenant_id = current_tenant());
CREATE POLICY owner_purge_done   ON tenant_offboardings FOR UPDATE TO plein_owner
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY owner_purge_read   ON tenant_hosts        FOR SELECT TO plein_owner USING (tenant_id = current_tenant());
CREATE POLICY owner_purge_hosts  ON tenant_hosts        FOR DELETE TO plein_owner
    USING (tenant_id = current_tenant() AND tenant_purge_allowed(tenant_id));

-- The append-only rules, as before, but for the purge of a tenant that is due: DELETE
-- passes when the transaction's tenant may be purged (row-level security keeps the
-- statement to that tenant's rows; the *_purge_scope triggers below check each row).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND tenant_purge_allowed(current_tenant()) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND tenant_purge_allowed(current_tenant()) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused (a correction is a new entry)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION settlement_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND tenant_purge_allowed(current_tenant()) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION settlement_runs_locked() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.tenant_id = current_tenant() AND tenant_purge_allowed(OLD.tenant_id) THEN
        RETURN OLD;
    END IF;
    IF OLD.status IN ('final', 'dry_run_done', 'failed', 'cancelled') THEN
        RAISE EXCEPTION 'settlement run % of % is %: it cannot change', OLD.id, to_char(OLD.period, 'YYYY-MM'), OLD.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'settlement_runs_locked';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'settlement runs are never deleted' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd

-- Every row an append-only table deletes is the transaction's tenant's: a second wall
-- beside row-level security (which a BYPASSRLS role, or a table without FORCE, would
-- not have). The WHEN condition is evaluated without calling a function per row.
-- +goose StatementBegin
CREATE FUNCTION tenant_purge_out_of_scope() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%: a row of tenant % cannot be deleted in a transaction of tenant %',
        TG_TABLE_NAME, OLD.tenant_id, coalesce(current_tenant(), '(none)')
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_purge_scope BEFORE DELETE ON audit_log FOR EACH ROW
    WHEN (OLD.tenant_id IS DISTINCT FROM NULLIF(current_setting('plein.tenant_id', true), ''))
    EXECUTE FUNCTION tenant_purge_out_of_scope();
CREATE TRIGGER ledger_accounts_purge_scope BEFORE DELETE ON ledger_accounts FOR EACH ROW
    WHEN (OLD.tenant_id IS DISTINCT FROM NULLIF(current_setting('plein.tenant_id', true), ''))
    EXECUTE FUNCTION tenant_purge_out_of_scope();
CREATE TRIGGER journal_entries_purge_scope BEFORE DELETE ON journal_entries FOR EACH ROW
    WHEN (OLD.tenant_id IS DISTINCT FROM NULLIF(current_setting('plein.tenant_id', true), ''))
    EXECUTE FUNCTION tenant_purge_out_of_scope();
CREATE TRIGGER ledger_movements_purge_scope BEFORE DELETE ON ledger_movements FOR EACH ROW
    WHEN (OLD.tenant_id IS DISTINCT FROM NULLIF(current_setting('plein.tenant_id', true), ''))
    EXECUTE FUNCTION tenant_purge_out_of_scope();
CREATE TRIGGER settlement_items_purge_scope BEFORE DELETE ON settlement_items FOR EACH ROW
    WHEN (OLD.tenant_id IS DISTINCT FROM NULLIF(current_setting('plein.tenant_id', true), ''))
    EXECUTE FUNCTION tenant_purge_out_of_scope();
CREATE TRIGGER settlement_files_purge_scope BEFORE DELETE ON settlement_files FOR EACH ROW
    WHEN (OLD.tenant_id IS DISTINCT FROM NULLIF(current_setting('plein.tenant_id', true), ''))
    EXECUTE FUNCTION tenant_purge_out_of_scope();

-- The tables a purge empties of a tenant's rows, from the catalogue: every base table
-- of schema public with a tenant_id column, but the control plane's registry (a table
-- with a policy for plein_control), whose tenant_hosts only goes. step orders them so
-- that a table is emptied before the tables it refers to (foreign keys are checked per
-- statement). A table whose policies would hide its rows from the purge (the owner,
-- bound by FORCEd row-level security) is an error, never a table skipped in silence.
-- +goose StatementBegin
CREATE FUNCTION tenant_purge_tables() RETURNS TABLE (step integer, table_name text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    remaining text[];
    ready     text[];
    hidden    text;
    n         integer := 0;
BEGIN
    SELECT coalesce(array_agg(c.table_name::text ORDER BY c.table_name), '{}') INTO remaining
    FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
    WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'
      AND (c.table_name::text = 'tenant_hosts' OR NOT EXISTS (
               SELECT 1 FROM pg_policies p
               WHERE p.schemaname = 'public' AND p.tablename = c.table_name::text AND 'plein_control' = ANY (p.roles)));
    SELECT min(r.x) INTO hidden FROM unnest(remaining) AS r (x)
    WHERE NOT EXISTS (
        SELECT 1 FROM pg_policies p
        WHERE p.schemaname = 'public' AND p.tablename = r.x AND p.permissive = 'PERMISSIVE'
          AND p.roles && ARRAY['public', 'plein_owner']::name[] AND p.cmd IN ('ALL', 'DELETE'));
    IF hidden IS NOT NULL THEN
        RAISE EXCEPTION 'tenant purge: row-level security hides the rows of table % from the purge: give it a policy on the transaction''s tenant for plein_owner (or for every role)', hidden
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    WHILE cardinality(remaining) > 0 LOOP
        SELECT coalesce(array_agg(r.x ORDER BY r.x), '{}') INTO ready
        FROM unnest(remaining) AS r (x)
        WHERE NOT EXISTS (
            SELECT 1 FROM pg_constraint k
            WHERE k.contype = 'f' AND k.confrelid = format('public.%I', r.x)::regclass
              AND k.conrelid <> k.confrelid
              AND k.conrelid IN (SELECT format('public.%I', o.x)::regclass FROM unnest(remaining) AS o (x)));
        IF cardinality(ready) = 0 THEN
            RAISE EXCEPTION 'tenant purge: the foreign keys between % form a cycle', remaining;
        END IF;
        n := n + 1;
        RETURN QUERY SELECT n, r.x FROM unnest(ready) AS r (x);
        remaining := ARRAY(SELECT r.x FROM unnest(remaining) AS r (x) WHERE r.x <> ALL (ready));
    END LOOP;
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION tenant_purge_tables() FROM PUBLIC;

-- What a purge of p_tenant would delete, per table (and its River jobs), now.
-- +goose StatementBegin
CREATE FUNCTION tenant_purge_preview(p_tenant text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    prev   text := current_setting('plein.tenant_id', true);
    t      record;
    n      bigint;
    counts jsonb := '{}';
BEGIN
    PERFORM set_config('plein.tenant_id', p_tenant, true);
    FOR t IN SELECT p.step, p.table_name FROM tenant_purge_tables() p ORDER BY p.step, p.table_name LOOP
        EXECUTE format('SELECT count(*) FROM public.%I WHERE tenant_id = $1', t.table_name) INTO n USING p_tenant;
        counts := counts || jsonb_build_object(t.table_name, n);
    END LOOP;
    SELECT count(*) INTO n FROM river.river_job WHERE args ->> 'tenant' = p_tenant;
    counts := counts || jsonb_build_object('river.river_job', n);
    PERFORM set_config('plein.tenant_id', coalesce(prev, ''), true);
    RETURN counts;
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION tenant_purge_preview(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_purge_preview(text) TO plein_control;

-- The purge: refuses (changing nothing) unless the tenant is offboarding and its grace
-- period is over; then deletes its rows from every table of tenant_purge_tables and
-- its River jobs, records the counts, and moves it to offboarded — one transaction,
-- the caller's. It runs as the owner with the tenant set for the transaction, as
-- InTenant does, so row-level security holds it to that tenant. plein_control (the
-- operator's plein tenant purge) and plein_app (the periodic job) may call it: neither
-- can make a tenant due, which takes the control plane's offboarding and the grace
-- period.
-- +goose StatementBegin
CREATE FUNCTION tenant_purge(p_tenant text, p_actor text) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    prev   text := current_setting('plein.tenant_id', true);
    st     text;
    ob     record;
    t      record;
    n      bigint;
    total  bigint := 0;
    counts jsonb := '{}';
BEGIN
    IF p_actor IS NULL OR char_length(btrim(p_actor)) NOT BETWEEN 1 AND 200 THEN
        RAISE EXCEPTION 'tenant purge: an actor is required' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM set_config('plein.tenant_id', p_tenant, true);
    SELECT status INTO st FROM tenants WHERE tenant_id = p_tenant FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'tenant % does not exist', p_tenant USING ERRCODE = 'no_data_found';
    END IF;
    IF st <> 'offboarding' THEN
        RAISE EXCEPTION 'tenant % is %, not offboarding: only an offboarding tenant is purged', p_tenant, st
            USING ERRCODE = 'object_not_in_prerequisite_state', CONSTRAINT = 'tenant_purge_status';
    END IF;
    SELECT o.export_sha256, o.purge_after INTO ob FROM tenant_offboardings o WHERE o.tenant_id = p_tenant;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'tenant % is offboarding without a recorded export: nothing is purged before its data are exported (plein tenant offboard)', p_tenant
            USING ERRCODE = 'object_not_in_prerequisite_state', CONSTRAINT = 'tenant_purge_export';
    END IF;
    IF ob.purge_after > now() THEN
        RAISE EXCEPTION 'tenant % is offboarding in its grace period until %: it is purged only after that', p_tenant, ob.purge_after
            USING ERRCODE = 'object_not_in_prerequisite_state', CONSTRAINT = 'tenant_purge_due';
    END IF;
    FOR t IN SELECT p.step, p.table_name FROM tenant_purge_tables() p ORDER BY p.step, p.table_name LOOP
        EXECUTE format('DELETE FROM public.%I WHERE tenant_id = $1', t.table_name) USING p_tenant;
        GET DIAGNOSTICS n = ROW_COUNT;
        counts := counts || jsonb_build_object(t.table_name, n);
        total := total + n;
    END LOOP;
    DELETE FROM river.river_job WHERE args ->> 'tenant' = p_tenant;
    GET DIAGNOSTICS n = ROW_COUNT;
    counts := counts || jsonb_build_object('river.river_job', n);
    UPDATE tenant_offboardings SET purged_at = now(), purged_by = p_actor, deleted = counts WHERE tenant_id = p_tenant;
    INSERT INTO tenant_events (tenant_id, seq, from_status, to_status, actor, reason)
    SELECT p_tenant, coalesce(max(e.seq), 0) + 1, 'offboarding', 'offboarded', p_actor,
           format('purged after the grace period: %s rows deleted; the export (sha256 %s) is the gemeente''s copy', total, ob.export_sha256)
    FROM tenant_events e WHERE e.tenant_id = p_tenant;
    PERFORM set_config('plein.tenant_id', coalesce(prev, ''), true);
    RETURN counts;
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION tenant_purge(text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_purge(text, text) TO plein_control, plein_app;

-- +goose Down
DROP FUNCTION tenant_purge(text, text);
DROP FUNCTION tenant_purge_preview(text);
DROP FUNCTION tenant_purge_tables();
DROP TRIGGER audit_log_purge_scope ON audit_log;
DROP TRIGGER ledger_accounts_purge_scope ON ledger_accounts;
DROP TRIGGER journal_entries_purge_scope ON journal_entries;
DROP TRIGGER ledger_movements_purge_scope ON ledger_movements;
DROP TRIGGER settlement_items_purge_scope ON settlement_items;
DROP TRIGGER settlement_files_purge_scope ON settlement_files;
DROP FUNCTION tenant_purge_out_of_scope();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused (a correction is a new entry)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION settlement_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION settlement_runs_locked() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status IN ('final', 'dry_run_done', 'failed', 'cancelled') THEN
        RAISE EXCEPTION 'settlement run % of % is %: it cannot change', OLD.id, to_char(OLD.period, 'YYYY-MM'), OLD.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'settlement_runs_locked';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'settlement runs are never deleted' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd

DROP POLICY owner_purge_read   ON tenants;
DROP POLICY owner_purge_status ON tenants;
DROP POLICY owner_purge_read   ON tenant_events;
DROP POLICY owner_purge_event  ON tenant_events;
DROP POLICY owner_purge_read   ON tenant_hosts;
DROP POLICY owner_purge_hosts  ON tenant_hosts;
DROP TRIGGER tenant_config_versions_frozen ON tenant_config_versions;
DROP TRIGGER tenant_hosts_frozen ON tenant_hosts;
DROP FUNCTION tenant_registry_frozen();
DROP TABLE tenant_offboardings;
DROP FUNCTION tenant_purge_allowed(text);
DROP FUNCTION tenant_offboardings_guard();
