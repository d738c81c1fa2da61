-- +goose Up
-- The vrijlating counters of each applicant as of a period (docs/domain.md §2: the months
-- of art. 31.2 n and r vrijlating used before that month), owned by services/residents.
-- Append-only: a new fact is a new row, never an edit.
--
-- A row says: at the start of month `period`, applicant `applicant` (0 the resident, 1
-- the partner) had used n_used months of art. 31.2 n and r_used of art. 31.2 r. It comes
-- from a consulent (the staff API, source 'consulent') or from a final settlement run of
-- the month before (source 'run', with the run's id).
--
-- Reading as of month P: the row with the latest period ≤ P; within one period a
-- consulent's row wins over a run's, and the latest recorded consulent row (highest seq)
-- over an earlier one. A run's row of period P was computed from month P−1's counters: a
-- consulent's row of the same period is a correction it did not know, whether recorded
-- before or after it. A consulent records as of the current month or, when a final run
-- already recorded next month's counters, as of that month (services/residents): the
-- correction applies from the first month not yet settled, and no earlier run's write
-- can overtake it. With no row ≤ P (a month before the case came to Plein) the earliest
-- row counts: the counters the case was registered with are the best known.
--
-- Only a final run advances the counters, and once per applicant and period (the unique
-- index below: a retried job inserts nothing twice).
CREATE TABLE vrijlating_counters (
    tenant_id   text        NOT NULL,
    resident_id text        NOT NULL,
    applicant   smallint    NOT NULL CHECK (applicant IN (0, 1)),
    period      date        NOT NULL CHECK (extract(day FROM period) = 1),
    source      text        NOT NULL CHECK (source IN ('consulent', 'run')),
    -- The order rows were recorded in (recorded_at comes from the service's clock, which
    -- a test or a rehearsal may hold still).
    seq         bigint      GENERATED ALWAYS AS IDENTITY,
    recorded_at timestamptz NOT NULL,
    n_used      integer     NOT NULL CHECK (n_used BETWEEN 0 AND 1000),
    r_used      integer     NOT NULL CHECK (r_used BETWEEN 0 AND 1000),
    -- The final run that advanced them (source 'run'); NULL for a consulent's row.
    run_id      text        CHECK ((source = 'run') = (run_id IS NOT NULL)),
    PRIMARY KEY (tenant_id, resident_id, applicant, period, seq),
    FOREIGN KEY (tenant_id, resident_id) REFERENCES residents (tenant_id, id) ON DELETE CASCADE
);
CREATE UNIQUE INDEX vrijlating_counters_run ON vrijlating_counters (tenant_id, resident_id, applicant, period)
    WHERE source = 'run';

-- Today's counters (the columns a consulent set on residents) become consulent rows as
-- of the month each case was registered in, recorded when the case last changed. Until a
-- run or a consulent records a newer row, every month then reads the values every
-- month read before this migration (earlier months by the earliest-row rule): the
-- migration changes no computed figure. The columns stay: the staff API still writes
-- them with what it shows, and a case with no row at all (written around the service,
-- as the settlement benchmark's fixture does) is read from them.
--
-- The owner is bound by the FORCEd row-level security of residents: it lifts FORCE for
-- this one statement (as 00014's Down does), and the new table is FORCEd after it.
ALTER TABLE residents NO FORCE ROW LEVEL SECURITY;
INSERT INTO vrijlating_counters (tenant_id, resident_id, applicant, period, source, recorded_at, n_used, r_used)
SELECT tenant_id, id, 0, date_trunc('month', created_at AT TIME ZONE 'Europe/Amsterdam')::date, 'consulent', updated_at,
       n_months_used, r_months_used
FROM residents
UNION ALL
SELECT tenant_id, id, 1, date_trunc('month', created_at AT TIME ZONE 'Europe/Amsterdam')::date, 'consulent', updated_at,
       partner_n_months_used, partner_r_months_used
FROM residents WHERE partner_name IS NOT NULL;
ALTER TABLE residents FORCE ROW LEVEL SECURITY;

ALTER TABLE vrijlating_counters ENABLE ROW LEVEL SECURITY;
ALTER TABLE vrijlating_counters FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON vrijlating_counters
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());

-- Append-only for the application: no UPDATE, no DELETE (only a tenant's purge deletes).
GRANT SELECT, INSERT ON vrijlating_counters TO plein_app;

-- +goose Down
DROP TABLE vrijlating_counters;
