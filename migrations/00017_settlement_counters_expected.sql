-- +goose Up
-- How many vrijlating counters rows a final run has the residents service record
-- (services/settlement): one per applicant whose art. 31.2 n or r vrijlating the month
-- used. Set in the transaction that makes the run final. A later run's plan compares it
-- with the rows recorded (not with River's job rows, which River's cleaner deletes), so
-- counters that were never recorded fail that run instead of being silently missing.
-- NULL for a run posted before this migration (not checked) and for every other run.
ALTER TABLE settlement_runs ADD COLUMN counters_expected integer CHECK (counters_expected >= 0);

-- +goose Down
ALTER TABLE settlement_runs DROP COLUMN counters_expected;
