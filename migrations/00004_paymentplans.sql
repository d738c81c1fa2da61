-- +goose Up
-- A tenant's own creditors (woningcorporaties and other local parties); the national
-- ones are a catalogue embedded in services/creditors. Written by services/creditors.
CREATE TABLE creditors (
    tenant_id         text        NOT NULL REFERENCES tenants (tenant_id),
    id                text        NOT NULL
                      CHECK (id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'),
    name              text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    brand             text        NOT NULL DEFAULT '' CHECK (char_length(brand) <= 200),
    kind              text        NOT NULL
                      CHECK (kind IN ('zorgverzekeraar', 'cak', 'energie', 'water', 'woningcorporatie', 'overig')),
    iban              text        NOT NULL CHECK (iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$'),
    example           boolean     NOT NULL DEFAULT false,
    reference_name    text        NOT NULL
                      CHECK (reference_name IN ('polisnummer', 'klantnummer', 'betalingskenmerk', 'relatienummer', 'contractnummer')),
    reference_pattern text        NOT NULL CHECK (char_length(reference_pattern) BETWEEN 1 AND 200),
    reference_hint    text        NOT NULL CHECK (char_length(reference_hint) BETWEEN 1 AND 300),
    reference_hint_en text        NOT NULL DEFAULT '' CHECK (char_length(reference_hint_en) <= 300),
    webhook_url       text        CHECK (webhook_url ~ '^https://' AND char_length(webhook_url) <= 2000),
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE UNIQUE INDEX creditors_name ON creditors (tenant_id, lower(name));

-- Payment plans: deductions of kind on_behalf, verrekening, beslag or aflossing
-- (DOMAIN §3) to a creditor (catalogue or tenant: no foreign key). Periods are the
-- first day of their month. status is the last act on the plan; "active" (an approved
-- plan in its months) is derived by the service from the periods. end_period may lie
-- before start_period only for a plan stopped before it began: it is never in force.
CREATE TABLE plans (
    tenant_id           text        NOT NULL,
    id                  text        NOT NULL
                        CHECK (id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'),
    resident_id         text        NOT NULL,
    kind                text        NOT NULL CHECK (kind IN ('on_behalf', 'verrekening', 'beslag', 'aflossing')),
    creditor_id         text        NOT NULL CHECK (char_length(creditor_id) BETWEEN 1 AND 64),
    reference           text        NOT NULL CHECK (char_length(reference) BETWEEN 1 AND 35),
    amount_cents        bigint      NOT NULL CHECK (amount_cents > 0),
    priority            integer     NOT NULL CHECK (priority BETWEEN 1 AND 99),
    start_period        date        NOT NULL CHECK (date_trunc('month', start_period) = start_period),
    end_period          date        CHECK (date_trunc('month', end_period) = end_period),
    status              text        NOT NULL CHECK (status IN ('requested', 'approved', 'active', 'ended', 'rejected')),
    -- The resident's mandate, for on_behalf only: given in the portal by the resident,
    -- or recorded by a consulent from a signed paper form.
    mandate_given_by    text        CHECK (mandate_given_by IN ('resident', 'consulent_paper')),
    mandate_given_at    timestamptz,
    mandate_recorded_by text,
    mandate_revoked_at  timestamptz,
    requested_by        text        NOT NULL,
    approved_by         text,
    approved_at         timestamptz,
    version             integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, resident_id) REFERENCES residents (tenant_id, id) ON DELETE CASCADE,
    CHECK ((kind = 'on_behalf') = (mandate_given_by IS NOT NULL)),
    CHECK ((mandate_given_by IS NULL) = (mandate_given_at IS NULL)),
    CHECK (end_period IS NULL OR end_period >= start_period OR status = 'ended'),
    CHECK ((approved_at IS NULL) = (approved_by IS NULL)),
    CHECK (status NOT IN ('approved', 'active') OR approved_at IS NOT NULL),
    CHECK (updated_at >= created_at)
);
CREATE INDEX plans_resident ON plans (tenant_id, resident_id, start_period);

-- The lifecycle of a plan, one row per act: who, in which role, when, from which
-- status to which, and why. Append-only for the application (no UPDATE, DELETE).
CREATE TABLE plan_events (
    tenant_id   text        NOT NULL,
    plan_id     text        NOT NULL,
    seq         integer     NOT NULL CHECK (seq > 0),
    at          timestamptz NOT NULL DEFAULT now(),
    actor       text        NOT NULL CHECK (char_length(actor) BETWEEN 1 AND 200),
    role        text        NOT NULL,
    action      text        NOT NULL CHECK (action IN ('request', 'approve', 'reject', 'change', 'stop')),
    from_status text        CHECK (from_status IN ('requested', 'approved', 'active', 'ended', 'rejected')),
    to_status   text        NOT NULL CHECK (to_status IN ('requested', 'approved', 'active', 'ended', 'rejected')),
    reason      text        NOT NULL DEFAULT '' CHECK (char_length(reason) <= 500),
    request_id  text        NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, plan_id, seq),
    FOREIGN KEY (tenant_id, plan_id) REFERENCES plans (tenant_id, id) ON DELETE CASCADE
);

-- Messages to a creditor about a plan: it starts, changes or stops. The payload holds
-- no BSN and no name: the reference, the amount and the months only. A creditor with
-- a webhook gets each POSTed by a job; every creditor can export them.
CREATE TABLE outbound_messages (
    tenant_id    text        NOT NULL,
    id           text        NOT NULL,
    -- seq orders messages written in the same instant (one transaction's clock).
    seq          bigint      GENERATED ALWAYS AS IDENTITY,
    creditor_id  text        NOT NULL,
    plan_id      text        NOT NULL,
    kind         text        NOT NULL CHECK (kind IN ('start', 'change', 'stop')),
    payload      jsonb       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    delivered_at timestamptz CHECK (delivered_at >= created_at),
    attempts     integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error   text        NOT NULL DEFAULT '' CHECK (char_length(last_error) <= 500),
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, plan_id) REFERENCES plans (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX outbound_messages_creditor ON outbound_messages (tenant_id, creditor_id, created_at, seq);

-- What a month could not pay of a plan (requested − applied), once per plan and
-- period: shown to the resident and the consulent, and signalled to schuldhulp.
-- signalled_at is set when the signal sink took it.
CREATE TABLE plan_shortfalls (
    tenant_id       text        NOT NULL,
    plan_id         text        NOT NULL,
    period          date        NOT NULL CHECK (date_trunc('month', period) = period),
    resident_id     text        NOT NULL,
    requested_cents bigint      NOT NULL CHECK (requested_cents > 0),
    applied_cents   bigint      NOT NULL CHECK (applied_cents >= 0),
    shortfall_cents bigint      NOT NULL CHECK (shortfall_cents > 0),
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    signalled_at    timestamptz,
    PRIMARY KEY (tenant_id, plan_id, period),
    CHECK (requested_cents = applied_cents + shortfall_cents),
    FOREIGN KEY (tenant_id, plan_id) REFERENCES plans (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, resident_id) REFERENCES residents (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX plan_shortfalls_resident ON plan_shortfalls (tenant_id, resident_id, period);

ALTER TABLE creditors         ENABLE ROW LEVEL SECURITY;
ALTER TABLE creditors         FORCE ROW LEVEL SECURITY;
ALTER TABLE plans             ENABLE ROW LEVEL SECURITY;
ALTER TABLE plans             FORCE ROW LEVEL SECURITY;
ALTER TABLE plan_events       ENABLE ROW LEVEL SECURITY;
ALTER TABLE plan_events       FORCE ROW LEVEL SECURITY;
ALTER TABLE outbound_messages ENABLE ROW LEVEL SECURITY;
ALTER TABLE outbound_messages FORCE ROW LEVEL SECURITY;
ALTER TABLE plan_shortfalls   ENABLE ROW LEVEL SECURITY;
ALTER TABLE plan_shortfalls   FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON creditors
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON plans
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON plan_events
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON outbound_messages
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON plan_shortfalls
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
GRANT SELECT, INSERT, UPDATE ON creditors, plans, outbound_messages, plan_shortfalls TO plein_app;
GRANT SELECT, INSERT ON plan_events TO plein_app;

-- +goose Down
DROP TABLE plan_shortfalls;
DROP TABLE outbound_messages;
DROP TABLE plan_events;
DROP TABLE plans;
DROP TABLE creditors;
