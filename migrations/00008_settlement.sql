-- +goose Up
-- The monthly settlement (services/settlement): a run per tenant and period, computed in
-- batches of residents by River jobs, approved by a second person, then posted to the
-- ledger and written as SEPA files in one transaction.
--
-- States of a run:
--   planning → computing → closing → awaiting_approval → posting → final
--   planning → computing → closing → dry_run_done          (a dry-run: nothing posted)
--   failed (did not reconcile, or the tenant was suspended) and cancelled (before
--   approval) end a run that never paid; a new run of the period may then start.
CREATE TABLE settlement_runs (
    tenant_id        text        NOT NULL REFERENCES tenants (tenant_id),
    id               text        NOT NULL
                     CHECK (id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'),
    period           date        NOT NULL CHECK (extract(day FROM period) = 1),
    dry_run          boolean     NOT NULL,
    status           text        NOT NULL CHECK (status IN ('planning', 'computing', 'closing', 'awaiting_approval',
                                                          'posting', 'final', 'dry_run_done', 'failed', 'cancelled')),
    sepa_version     text        NOT NULL CHECK (sepa_version IN ('pain.001.001.09', 'pain.001.001.03')),
    started_by       text        NOT NULL CHECK (char_length(started_by) BETWEEN 1 AND 200),
    started_at       timestamptz NOT NULL,
    batches_total    integer     NOT NULL DEFAULT 0 CHECK (batches_total >= 0),
    batches_done     integer     NOT NULL DEFAULT 0 CHECK (batches_done BETWEEN 0 AND batches_total),
    residents_total  integer     NOT NULL DEFAULT 0 CHECK (residents_total >= 0),
    residents_done   integer     NOT NULL DEFAULT 0 CHECK (residents_done BETWEEN 0 AND residents_total),
    computed_at      timestamptz,
    approved_by      text        CHECK (char_length(approved_by) BETWEEN 1 AND 200),
    approved_at      timestamptz,
    -- Set when posted, in the posting transaction, so that a retried post writes the
    -- same files (CreDtTm, ReqdExctnDt) and books on the same dates.
    posted_at        timestamptz,
    execution_date   date,
    finished_at      timestamptz,
    error            text        CHECK (char_length(error) <= 20000),
    -- The reconciliation report (settlement.Report as JSON) once computed.
    report           jsonb,
    PRIMARY KEY (tenant_id, id),
    -- Four eyes, in the database too: the approver is never the one who started it.
    CONSTRAINT settlement_runs_four_eyes CHECK (approved_by IS NULL OR approved_by <> started_by),
    CONSTRAINT settlement_runs_dry_run_not_approved CHECK (NOT dry_run OR approved_by IS NULL),
    CHECK ((approved_by IS NULL) = (approved_at IS NULL)),
    CHECK (status <> 'final' OR (approved_by IS NOT NULL AND posted_at IS NOT NULL AND execution_date IS NOT NULL))
);
-- One run per tenant and period that can still pay or has paid: a final period is
-- locked, and a second start of the same period finds the run instead of making one.
CREATE UNIQUE INDEX settlement_runs_one_per_period ON settlement_runs (tenant_id, period)
    WHERE NOT dry_run AND status NOT IN ('failed', 'cancelled');
CREATE INDEX settlement_runs_period ON settlement_runs (tenant_id, period, started_at);

-- A final run never changes again (nor does a failed or cancelled one).
-- +goose StatementBegin
CREATE FUNCTION settlement_runs_locked() RETURNS trigger
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
CREATE TRIGGER settlement_runs_locked BEFORE UPDATE OR DELETE ON settlement_runs
    FOR EACH ROW EXECUTE FUNCTION settlement_runs_locked();

-- The batches of a run: contiguous ranges of resident ids, each computed by one job.
CREATE TABLE settlement_batches (
    tenant_id      text        NOT NULL,
    run_id         text        NOT NULL,
    batch_no       integer     NOT NULL CHECK (batch_no >= 1),
    first_resident text        NOT NULL,
    last_resident  text        NOT NULL CHECK (last_resident >= first_resident),
    residents      integer     NOT NULL CHECK (residents >= 1),
    -- The residents of the batch as planned (ids within the range registered later
    -- wait for the next run).
    members        text[]      NOT NULL CHECK (cardinality(members) = residents),
    done_at        timestamptz,
    PRIMARY KEY (tenant_id, run_id, batch_no),
    FOREIGN KEY (tenant_id, run_id) REFERENCES settlement_runs (tenant_id, id)
);

-- What a run computed per resident: the month's amounts, where the payout goes, the
-- applied deductions with their creditor and reference, and a hold when the payout
-- cannot be paid (no valid bank account): the rest of the run goes on.
CREATE TABLE settlement_items (
    tenant_id       text        NOT NULL,
    run_id          text        NOT NULL,
    resident_id     text        NOT NULL,
    batch_no        integer     NOT NULL,
    name            text        NOT NULL,
    iban            text        NOT NULL,
    bijstand_cents  bigint      NOT NULL CHECK (bijstand_cents >= 0),
    reserve_cents   bigint      NOT NULL CHECK (reserve_cents >= 0),
    applied_cents   bigint      NOT NULL CHECK (applied_cents >= 0),
    payout_cents    bigint      NOT NULL CHECK (payout_cents >= 0),
    shortfall_cents bigint      NOT NULL CHECK (shortfall_cents >= 0),
    -- The vakantietoeslag reserve paid out with this run (in the tenant's month), on
    -- top of the payout.
    vakantietoeslag_cents bigint NOT NULL DEFAULT 0 CHECK (vakantietoeslag_cents >= 0),
    -- The deductions, one line each (in the engine's order), fields separated by a tab:
    -- id, kind, requested, applied and shortfall cents, creditor, creditor's reference.
    -- A compact text rather than json: written once, read whole twice per run, by
    -- 500,000 residents at a time, and never queried inside.
    deductions      text        NOT NULL,
    hold            text        CHECK (char_length(hold) BETWEEN 1 AND 500),
    -- No foreign keys on this table of a row per resident: a batch writes its items in
    -- the transaction that marks the batch done, so they exist together or not at all.
    PRIMARY KEY (tenant_id, run_id, resident_id),
    -- The identity every run must satisfy, per resident, in the database as well.
    CONSTRAINT settlement_items_balanced CHECK (bijstand_cents = reserve_cents + applied_cents + payout_cents)
);

-- The files a final run handed to the bank (SEPA pain.001), the creditors'
-- specifications and the reconciliation report: kept as written, so that settling a
-- final period again writes the same bytes.
CREATE TABLE settlement_files (
    tenant_id  text        NOT NULL,
    run_id     text        NOT NULL,
    name       text        NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$'),
    kind       text        NOT NULL CHECK (kind IN ('sepa', 'spec_csv', 'spec_json', 'reconciliation')),
    content    bytea       NOT NULL,
    sha256     bytea       NOT NULL CHECK (octet_length(sha256) = 32),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, run_id, name),
    FOREIGN KEY (tenant_id, run_id) REFERENCES settlement_runs (tenant_id, id)
);
-- The XML (50 MB per 100,000 residents) is compressed with lz4 where the server has
-- it: fast, and about a seventh of the bytes to write and log. Without lz4 it is stored
-- uncompressed, because pglz costs more time than the bytes it saves.
-- +goose StatementBegin
DO $$
BEGIN
    ALTER TABLE settlement_files ALTER COLUMN content SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    ALTER TABLE settlement_files ALTER COLUMN content SET STORAGE EXTERNAL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION settlement_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER settlement_items_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON settlement_items
    FOR EACH STATEMENT EXECUTE FUNCTION settlement_append_only();
CREATE TRIGGER settlement_files_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON settlement_files
    FOR EACH STATEMENT EXECUTE FUNCTION settlement_append_only();

ALTER TABLE settlement_runs    ENABLE ROW LEVEL SECURITY;
ALTER TABLE settlement_runs    FORCE ROW LEVEL SECURITY;
ALTER TABLE settlement_batches ENABLE ROW LEVEL SECURITY;
ALTER TABLE settlement_batches FORCE ROW LEVEL SECURITY;
ALTER TABLE settlement_items   ENABLE ROW LEVEL SECURITY;
ALTER TABLE settlement_items   FORCE ROW LEVEL SECURITY;
ALTER TABLE settlement_files   ENABLE ROW LEVEL SECURITY;
ALTER TABLE settlement_files   FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON settlement_runs
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON settlement_batches
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON settlement_items
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON settlement_files
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());

GRANT SELECT, INSERT, UPDATE ON settlement_runs, settlement_batches TO plein_app;
GRANT SELECT, INSERT ON settlement_items, settlement_files TO plein_app;

-- +goose Down
DROP TABLE settlement_files;
DROP TABLE settlement_items;
DROP TABLE settlement_batches;
DROP TABLE settlement_runs;
DROP FUNCTION settlement_append_only();
DROP FUNCTION settlement_runs_locked();
