-- +goose Up
-- Every item of a settlement run stores its receipt (services/settlement, receipt.go):
-- the inputs of the month in the engine's canonical encoding (bijstand.AppendCanonical;
-- about 100–250 bytes, text rather than json: written for every resident every month
-- and only read whole, by `plein settle replay` and the resident's specificatie), their
-- SHA-256, the law parameter file the engine applied, the version of the gemeente's
-- configuration in force and the engine version (bijstand.EngineVersion). The wages are
-- the gross and employer of each payslip the month counted, in the order of the inputs'
-- incomes: the resident's specificatie shows gross and net. All NULL for every item of
-- a run before this migration: such a month cannot be replayed.
ALTER TABLE settlement_items
    ADD COLUMN inputs         text,
    ADD COLUMN inputs_sha256  bytea,
    ADD COLUMN law_file       text,
    ADD COLUMN config_version integer,
    ADD COLUMN engine_version text,
    ADD COLUMN wages          text;
-- A receipt is whole or absent. NOT VALID: every existing row has all of them NULL (the
-- columns are new), so the check holds without reading millions of rows; every row
-- inserted from now on is checked.
ALTER TABLE settlement_items ADD CONSTRAINT settlement_items_receipt CHECK (
    (inputs IS NULL AND inputs_sha256 IS NULL AND law_file IS NULL AND config_version IS NULL
        AND engine_version IS NULL AND wages IS NULL)
    OR (inputs IS NOT NULL AND octet_length(inputs_sha256) = 32 AND law_file IS NOT NULL
        AND config_version >= 0 AND engine_version <> '' AND wages IS NOT NULL)) NOT VALID;

-- +goose Down
ALTER TABLE settlement_items DROP CONSTRAINT settlement_items_receipt;
ALTER TABLE settlement_items
    DROP COLUMN inputs, DROP COLUMN inputs_sha256, DROP COLUMN law_file, DROP COLUMN config_version,
    DROP COLUMN engine_version, DROP COLUMN wages;
