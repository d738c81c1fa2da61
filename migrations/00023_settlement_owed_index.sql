-- +goose NO TRANSACTION
-- +goose Up
-- What is still owed of held payouts is read per batch (services/settlement) from the
-- few items that held or released a payout, not from every item of every run. Built
-- concurrently, outside a transaction: settlement_items holds a row per resident per
-- run, and a plain CREATE INDEX would block a running settlement's writes for as long
-- as it reads the table.
CREATE INDEX CONCURRENTLY IF NOT EXISTS settlement_items_owed ON settlement_items (tenant_id, resident_id)
    WHERE hold IS NOT NULL OR released_cents > 0;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS settlement_items_owed;
