-- +goose Up
-- A payout held back (no valid bank account: settlement_items.hold) stays owed to the
-- resident, on the resident's ledger account. Once the account is valid, the next run
-- pays it along with that month's payout (services/settlement): released_cents is what
-- an item pays of payouts held in earlier final runs. 0 for every item before this
-- migration, and for every item that releases nothing.
ALTER TABLE settlement_items ADD COLUMN released_cents bigint NOT NULL DEFAULT 0;
-- Only a computed item paid to a valid account releases anything, and never a negative
-- amount. NOT VALID: every existing row has released_cents 0, so the check holds for
-- them without reading millions of rows; every row inserted from now on is checked.
ALTER TABLE settlement_items ADD CONSTRAINT settlement_items_released CHECK (
    released_cents >= 0 AND (released_cents = 0 OR (hold IS NULL AND uncomputed IS NULL))) NOT VALID;
-- The index the batches read what is still owed by is 00023's (built concurrently).

-- +goose Down
ALTER TABLE settlement_items DROP COLUMN released_cents;
