-- +goose Up
-- A resident whose month the engine could not compute (bad data, a law value missing
-- for the period) no longer fails the whole run (services/settlement): the run stores
-- the resident as an item with why, and pays and books nothing for it. NULL for every
-- item computed, and for every item of a run before this migration.
ALTER TABLE settlement_items ADD COLUMN uncomputed text;
-- Such an item pays, books and counts nothing, in the database as well. NOT VALID:
-- every existing row has uncomputed NULL (the column is new), so the check holds for
-- them without reading millions of rows; every row inserted from now on is checked.
ALTER TABLE settlement_items ADD CONSTRAINT settlement_items_uncomputed CHECK (
    uncomputed IS NULL OR (
        char_length(uncomputed) BETWEEN 1 AND 500
        AND bijstand_cents = 0 AND reserve_cents = 0 AND applied_cents = 0 AND payout_cents = 0
        AND shortfall_cents = 0 AND vakantietoeslag_cents = 0
        AND deductions = '' AND counters = '' AND hold IS NULL)) NOT VALID;

-- +goose Down
ALTER TABLE settlement_items DROP COLUMN uncomputed;
