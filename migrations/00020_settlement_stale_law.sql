-- +goose Up
-- A final run of a month whose law data is stale (the month is past the next
-- indexation the law file names, and no newer file is in force) starts only with an
-- explicit acknowledgement (services/settlement, `plein settle --acknowledge-stale-law`):
-- who gave it, stored with the run when it starts. NULL for every other run, and for
-- every run before this migration.
ALTER TABLE settlement_runs ADD COLUMN stale_law_acknowledged_by text
    CHECK (char_length(stale_law_acknowledged_by) BETWEEN 1 AND 200);
-- A dry-run is never refused for stale law data, so it carries no acknowledgement.
-- NOT VALID: every existing row has the new column NULL.
ALTER TABLE settlement_runs ADD CONSTRAINT settlement_runs_stale_law_final
    CHECK (stale_law_acknowledged_by IS NULL OR NOT dry_run) NOT VALID;

-- +goose Down
ALTER TABLE settlement_runs DROP COLUMN stale_law_acknowledged_by;
