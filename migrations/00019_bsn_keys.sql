-- +goose Up
-- The BSN keys of each gemeente (platform/keyring), stored only wrapped: every version
-- holds the gemeente's AES-256 data key and its blind-index key, each encrypted under
-- the gemeente's key-encryption key in the KMS (platform/kms), which never enters the
-- database. A dump of this table opens nothing without the KMS; once the purge of the
-- gemeente has destroyed its KEK, no copy of it ever opens anything again.
--
-- version is the first byte of every BSN sealed with that data key: 1 is the global key
-- of before (PLEIN_BSN_KEY, never stored here), so a gemeente's versions start at 2 and
-- end at 255. The index key is the same in every version of a gemeente (a data-key
-- rotation re-wraps it, never replaces it), so the blind index keeps matching.
--
-- Rows are only added (a rotation) or re-wrapped (a KEK rotation): wrapped changes,
-- the rest never. The purge deletes them with every other row of the tenant (the table
-- has a tenant_id and a policy for every role: migrations/00010_offboarding.sql).
CREATE TABLE bsn_keys (
    tenant_id     text        NOT NULL REFERENCES tenants (tenant_id),
    version       smallint    NOT NULL CHECK (version BETWEEN 2 AND 255),
    kek_id        text        NOT NULL CHECK (char_length(kek_id) BETWEEN 1 AND 100),
    data_wrapped  bytea       NOT NULL,
    index_wrapped bytea       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    rewrapped_at  timestamptz,
    PRIMARY KEY (tenant_id, version)
);

-- +goose StatementBegin
CREATE FUNCTION bsn_keys_rewrap_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.tenant_id, NEW.version, NEW.kek_id, NEW.created_at) IS DISTINCT FROM (OLD.tenant_id, OLD.version, OLD.kek_id, OLD.created_at) THEN
        RAISE EXCEPTION 'bsn_keys: a key version only gets re-wrapped (tenant %, version %)', OLD.tenant_id, OLD.version
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER bsn_keys_rewrap_only BEFORE UPDATE ON bsn_keys
    FOR EACH ROW EXECUTE FUNCTION bsn_keys_rewrap_only();

ALTER TABLE bsn_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE bsn_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON bsn_keys
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
GRANT SELECT, INSERT, UPDATE ON bsn_keys TO plein_app;

-- +goose Down
DROP TABLE bsn_keys;
DROP FUNCTION bsn_keys_rewrap_only();
