-- +goose Up
-- Employers that send payslips through the partner API, per tenant. The API key is
-- stored only as its SHA-256 (it is a random 32-byte secret, so no slow hash is needed).
CREATE TABLE employers (
    tenant_id    text        NOT NULL REFERENCES tenants (tenant_id),
    id           text        NOT NULL CHECK (id ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name         text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    api_key_hash bytea       CHECK (octet_length(api_key_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX employers_api_key ON employers (tenant_id, api_key_hash);

-- A resident's consent for an employer to send payslips; revoked consents stay as
-- history. At most one open consent per employer.
CREATE TABLE employer_consents (
    tenant_id   text        NOT NULL,
    resident_id text        NOT NULL,
    employer_id text        NOT NULL,
    granted_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz CHECK (revoked_at >= granted_at),
    PRIMARY KEY (tenant_id, resident_id, employer_id, granted_at),
    FOREIGN KEY (tenant_id, resident_id) REFERENCES residents (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, employer_id) REFERENCES employers (tenant_id, id)
);
CREATE UNIQUE INDEX employer_consents_open ON employer_consents (tenant_id, resident_id, employer_id) WHERE revoked_at IS NULL;

-- Payslips. A second payslip for the same applicant, employer and pay period is a
-- correction: it supersedes the first, which stays for the record.
CREATE TABLE payslips (
    tenant_id     text        NOT NULL,
    id            text        NOT NULL,
    resident_id   text        NOT NULL,
    applicant     smallint    NOT NULL CHECK (applicant IN (0, 1)),
    employer      text        NOT NULL CHECK (char_length(employer) BETWEEN 1 AND 200),
    employer_key  text        NOT NULL,  -- normalised employer name, or "partner:<id>"
    employer_id   text,
    period_start  date        NOT NULL,
    period_end    date        NOT NULL CHECK (period_end >= period_start),
    gross_cents   bigint      NOT NULL CHECK (gross_cents BETWEEN 0 AND 10000000),
    net_cents     bigint      NOT NULL CHECK (net_cents BETWEEN 0 AND 10000000),
    hours_centi   bigint      NOT NULL CHECK (hours_centi BETWEEN 0 AND 74400),
    pay_date      date        NOT NULL,
    source        text        NOT NULL CHECK (source IN ('resident', 'employer', 'consulent')),
    pdf           bytea       CHECK (octet_length(pdf) <= 5242880),
    pdf_name      text,
    supersedes    text,
    superseded_by text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CHECK (net_cents <= gross_cents),
    FOREIGN KEY (tenant_id, resident_id) REFERENCES residents (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, employer_id) REFERENCES employers (tenant_id, id)
);
CREATE INDEX payslips_month ON payslips (tenant_id, resident_id, pay_date) WHERE superseded_by IS NULL;
CREATE UNIQUE INDEX payslips_current ON payslips (tenant_id, resident_id, applicant, employer_key, period_start, period_end)
    WHERE superseded_by IS NULL;

ALTER TABLE employers         ENABLE ROW LEVEL SECURITY;
ALTER TABLE employers         FORCE ROW LEVEL SECURITY;
ALTER TABLE employer_consents ENABLE ROW LEVEL SECURITY;
ALTER TABLE employer_consents FORCE ROW LEVEL SECURITY;
ALTER TABLE payslips          ENABLE ROW LEVEL SECURITY;
ALTER TABLE payslips          FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON employers
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON employer_consents
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON payslips
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON employers, employer_consents, payslips TO plein_app;

-- +goose Down
DROP TABLE payslips;
DROP TABLE employer_consents;
DROP TABLE employers;
