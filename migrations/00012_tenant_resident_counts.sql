-- +goose Up
-- The number of residents of every tenant, for the coöperatie's per-tenant metrics and
-- overview page (services/tenancy: plein_tenant_active_residents), in one query.
--
-- plein_app sees residents only within the transaction's tenant (row-level security,
-- FORCEd). Rather than a SECURITY DEFINER function or a policy that lets some role see
-- every tenant's residents, this function runs as its caller, under the same policies,
-- and asks each tenant in turn: it sets plein.tenant_id for one count at a time, and
-- gives the caller its own setting back before it returns (its rows are returned at the
-- end: a plpgsql function's result is collected first). It needs no privilege that
-- plein_app lacks, and returns counts only. (A SET clause on the function would restore
-- the setting by itself, but only a superuser may attach a custom setting to one.)
-- +goose StatementBegin
CREATE FUNCTION tenant_resident_counts() RETURNS TABLE (tenant text, resident_count bigint)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    t      text;
    caller text := current_setting('plein.tenant_id', true);
BEGIN
    FOR t IN SELECT tn.tenant_id FROM public.tenants tn ORDER BY tn.tenant_id LOOP
        PERFORM set_config('plein.tenant_id', t, true);
        tenant := t;
        SELECT count(*) INTO resident_count FROM public.residents r WHERE r.tenant_id = t;
        RETURN NEXT;
    END LOOP;
    PERFORM set_config('plein.tenant_id', coalesce(caller, ''), true);
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION tenant_resident_counts() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tenant_resident_counts() TO plein_app;

-- +goose Down
DROP FUNCTION tenant_resident_counts();
