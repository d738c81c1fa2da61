-- +goose Up
-- A resident's case: the applicant (the resident), an optional partner, the children
-- and the other adults in the home. Written by services/residents only.
--
-- The BSN is never stored in the clear: bsn_sealed is AES-256-GCM with the tenant id
-- as associated data (platform/bsn), bsn_index its keyed HMAC for lookup. The index
-- key is the same for every tenant, so uniqueness is per tenant by the constraint
-- (tenant_id, bsn_index), and a lookup only ever sees its own tenant's rows (RLS).
CREATE TABLE residents (
    tenant_id              text        NOT NULL REFERENCES tenants (tenant_id),
    id                     text        NOT NULL
                           CHECK (id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'),
    name                   text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    birth_date             date        NOT NULL CHECK (birth_date >= DATE '1900-01-01'),
    bsn_sealed             bytea       NOT NULL CHECK (octet_length(bsn_sealed) > 13),
    bsn_index              bytea       NOT NULL CHECK (octet_length(bsn_index) = 32),
    iban                   text        NOT NULL CHECK (iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$'),
    household_kind         text        NOT NULL CHECK (household_kind IN ('single', 'single_parent', 'couple')),
    institution            boolean     NOT NULL DEFAULT false,
    parents_cannot_support boolean     NOT NULL DEFAULT false,
    -- The applicant's vrijlating counters (art. 31.2 n and r) and art. 31.2 y.
    n_months_used          integer     NOT NULL DEFAULT 0 CHECK (n_months_used BETWEEN 0 AND 1000),
    r_months_used          integer     NOT NULL DEFAULT 0 CHECK (r_months_used BETWEEN 0 AND 1000),
    medisch_urenbeperkt    boolean     NOT NULL DEFAULT false,
    -- The partner: every column set (a couple) or every column NULL (anyone else).
    partner_name                text    CHECK (char_length(partner_name) BETWEEN 1 AND 200),
    partner_birth_date          date    CHECK (partner_birth_date >= DATE '1900-01-01'),
    partner_bsn_sealed          bytea   CHECK (octet_length(partner_bsn_sealed) > 13),
    partner_bsn_index           bytea   CHECK (octet_length(partner_bsn_index) = 32),
    partner_n_months_used       integer CHECK (partner_n_months_used BETWEEN 0 AND 1000),
    partner_r_months_used       integer CHECK (partner_r_months_used BETWEEN 0 AND 1000),
    partner_medisch_urenbeperkt boolean,
    version                integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT residents_bsn_index_key UNIQUE (tenant_id, bsn_index),
    CONSTRAINT residents_partner_bsn_index_key UNIQUE (tenant_id, partner_bsn_index),
    CONSTRAINT residents_partner_complete CHECK (
        num_nulls(partner_name, partner_birth_date, partner_bsn_sealed, partner_bsn_index,
                  partner_n_months_used, partner_r_months_used, partner_medisch_urenbeperkt) IN (0, 7)),
    -- A couple has a partner; a single or single parent has none.
    CONSTRAINT residents_couple_partner CHECK ((household_kind = 'couple') = (partner_name IS NOT NULL)),
    CONSTRAINT residents_partner_other_bsn CHECK (partner_bsn_index IS DISTINCT FROM bsn_index),
    CHECK (updated_at >= created_at)
);

-- The children in the household, in the order given.
CREATE TABLE resident_children (
    tenant_id   text    NOT NULL,
    resident_id text    NOT NULL,
    position    integer NOT NULL CHECK (position >= 0),
    birth_date  date    NOT NULL CHECK (birth_date >= DATE '1900-01-01'),
    PRIMARY KEY (tenant_id, resident_id, position),
    FOREIGN KEY (tenant_id, resident_id) REFERENCES residents (tenant_id, id) ON DELETE CASCADE
);

-- The other adults in the home (not the partner): kostendelers when cost_sharer and
-- 27 or older on the first day of the month, which the engine decides.
CREATE TABLE resident_housemates (
    tenant_id   text    NOT NULL,
    resident_id text    NOT NULL,
    position    integer NOT NULL CHECK (position >= 0),
    birth_date  date    NOT NULL CHECK (birth_date >= DATE '1900-01-01'),
    cost_sharer boolean NOT NULL,
    description text    NOT NULL DEFAULT '' CHECK (char_length(description) <= 100),
    PRIMARY KEY (tenant_id, resident_id, position),
    FOREIGN KEY (tenant_id, resident_id) REFERENCES residents (tenant_id, id) ON DELETE CASCADE
);

ALTER TABLE residents           ENABLE ROW LEVEL SECURITY;
ALTER TABLE residents           FORCE ROW LEVEL SECURITY;
ALTER TABLE resident_children   ENABLE ROW LEVEL SECURITY;
ALTER TABLE resident_children   FORCE ROW LEVEL SECURITY;
ALTER TABLE resident_housemates ENABLE ROW LEVEL SECURITY;
ALTER TABLE resident_housemates FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON residents
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON resident_children
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON resident_housemates
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());

-- The application only; the control plane has no business with case data.
GRANT SELECT, INSERT, UPDATE, DELETE ON residents, resident_children, resident_housemates TO plein_app;

-- +goose Down
DROP TABLE resident_housemates;
DROP TABLE resident_children;
DROP TABLE residents;
