-- +goose Up
-- The counters a final run's item advanced, for the job that records them when the run
-- is posted (services/settlement): one line per applicant whose art. 31.2 n or r
-- vrijlating was used this month, "applicant<TAB>n_used<TAB>r_used" after the month.
-- '' for every item of a run before this migration, and for a month without.
ALTER TABLE settlement_items ADD COLUMN counters text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE settlement_items DROP COLUMN counters;
