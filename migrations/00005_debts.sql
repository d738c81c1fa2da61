-- +goose Up
-- Schuldhulpverlening (services/debts): the debt register, vroegsignalering, the work
-- queue with the Wgs deadlines, the plan van aanpak and the minnelijk traject.
--
-- Creditors are kept by another service (payment plans). To stay independent of its
-- migration, creditor ids are plain text here, without a foreign key; the service
-- checks them through its Creditors interface. Payment plan ids are plain text too.

-- Creditor partners that report arrears through the partner API. The API key is stored
-- only as its SHA-256 (a random 32-byte secret: no slow hash needed).
CREATE TABLE creditor_partners (
    tenant_id    text        NOT NULL REFERENCES tenants (tenant_id),
    creditor_id  text        NOT NULL CHECK (char_length(creditor_id) BETWEEN 1 AND 64),
    name         text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    api_key_hash bytea       NOT NULL CHECK (octet_length(api_key_hash) = 32),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, creditor_id)
);
CREATE UNIQUE INDEX creditor_partners_api_key ON creditor_partners (tenant_id, api_key_hash);

-- A resident's debts. One row per creditor and reference: a second report of the same
-- debt is the same debt.
CREATE TABLE debts (
    tenant_id     text        NOT NULL REFERENCES tenants (tenant_id),
    id            text        NOT NULL
                  CHECK (id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'),
    resident_id   text        NOT NULL,
    creditor_id   text        NOT NULL CHECK (char_length(creditor_id) BETWEEN 1 AND 64),
    reference     text        NOT NULL CHECK (char_length(reference) BETWEEN 1 AND 50),
    claim_cents   bigint      NOT NULL CHECK (claim_cents BETWEEN 1 AND 10000000000),
    balance_cents bigint      NOT NULL CHECK (balance_cents BETWEEN 0 AND 10000000000),
    preferent     boolean     NOT NULL DEFAULT false,
    status        text        NOT NULL DEFAULT 'open'
                  CHECK (status IN ('open', 'in_regeling', 'paid', 'disputed', 'written_off')),
    source        text        NOT NULL CHECK (source IN ('resident', 'consulent', 'signal', 'schuldenknooppunt')),
    version       integer     NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT debts_creditor_reference_key UNIQUE (tenant_id, resident_id, creditor_id, reference),
    CONSTRAINT debts_resident_fkey FOREIGN KEY (tenant_id, resident_id)
        REFERENCES residents (tenant_id, id) ON DELETE CASCADE,
    CHECK (updated_at >= created_at)
);

-- Vroegsignalering: arrears reported by a creditor. The BSN the creditor sends is never
-- stored, not even as a hash: it is matched to a resident on arrival and only the
-- resident id is kept. An unmatched signal keeps the contact details the creditor gave
-- (and nothing else about the person), so that the gemeente can reach out.
CREATE TABLE signals (
    tenant_id          text        NOT NULL REFERENCES tenants (tenant_id),
    id                 text        NOT NULL
                       CHECK (id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'),
    creditor_id        text        NOT NULL CHECK (char_length(creditor_id) BETWEEN 1 AND 64),
    creditor_reference text        NOT NULL CHECK (char_length(creditor_reference) BETWEEN 1 AND 50),
    resident_id        text,
    contact_name       text        CHECK (char_length(contact_name) BETWEEN 1 AND 200),
    contact_address    text        CHECK (char_length(contact_address) <= 200),
    contact_phone      text        CHECK (char_length(contact_phone) <= 30),
    amount_cents       bigint      NOT NULL CHECK (amount_cents BETWEEN 1 AND 10000000000),
    days_in_arrears    integer     NOT NULL CHECK (days_in_arrears BETWEEN 0 AND 3650),
    threat             text        NOT NULL
                       CHECK (threat IN ('none', 'eviction', 'energy_cutoff', 'water_cutoff', 'zvw_termination')),
    reported_at        timestamptz NOT NULL,
    received_at        timestamptz NOT NULL,
    deadline           date        NOT NULL,
    first_contact_at   timestamptz,
    contacted_by       text,
    status             text        NOT NULL DEFAULT 'new'
                       CHECK (status IN ('new', 'contacted', 'accepted', 'declined', 'closed')),
    updated_at         timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    -- Idempotency: one signal per creditor and reference.
    CONSTRAINT signals_creditor_reference_key UNIQUE (tenant_id, creditor_id, creditor_reference),
    FOREIGN KEY (tenant_id, resident_id) REFERENCES residents (tenant_id, id) ON DELETE CASCADE,
    -- Matched: no contact details kept. Unmatched: at least a name to reach out to.
    CONSTRAINT signals_contact_only_unmatched CHECK (
        (resident_id IS NOT NULL AND contact_name IS NULL AND contact_address IS NULL AND contact_phone IS NULL)
        OR (resident_id IS NULL AND contact_name IS NOT NULL)),
    CHECK ((first_contact_at IS NULL) = (contacted_by IS NULL)),
    CHECK (first_contact_at IS NOT NULL OR status IN ('new', 'closed', 'declined'))
);
CREATE INDEX signals_open ON signals (tenant_id, deadline) WHERE status IN ('new', 'contacted');
CREATE INDEX signals_resident ON signals (tenant_id, resident_id) WHERE resident_id IS NOT NULL;

-- Every change of a signal's amount by a later report under the same reference.
CREATE TABLE signal_amount_changes (
    tenant_id       text        NOT NULL,
    signal_id       text        NOT NULL,
    changed_at      timestamptz NOT NULL,
    old_cents       bigint      NOT NULL,
    new_cents       bigint      NOT NULL,
    days_in_arrears integer     NOT NULL,
    PRIMARY KEY (tenant_id, signal_id, changed_at),
    FOREIGN KEY (tenant_id, signal_id) REFERENCES signals (tenant_id, id) ON DELETE CASCADE
);

-- Requests for schuldhulp (aanmeldingen) by a resident or a consulent, an accepted
-- offer of help after a signal, and the early warnings of a payment plan that could
-- not be paid in full. Each has the deadline of its first conversation (Wgs art. 4).
CREATE TABLE schuldhulp_requests (
    tenant_id        text        NOT NULL REFERENCES tenants (tenant_id),
    id               text        NOT NULL
                     CHECK (id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'),
    kind             text        NOT NULL CHECK (kind IN ('aanmelding', 'shortfall')),
    source           text        NOT NULL CHECK (source IN ('resident', 'consulent', 'signal', 'paymentplan')),
    resident_id      text,
    signal_id        text,
    creditor_id      text        CHECK (char_length(creditor_id) BETWEEN 1 AND 64),
    amount_cents     bigint      CHECK (amount_cents > 0),
    -- Idempotency of requests made by the system (a signal accepted, a shortfall).
    dedup_key        text,
    threat           text        NOT NULL
                     CHECK (threat IN ('none', 'eviction', 'energy_cutoff', 'water_cutoff', 'zvw_termination')),
    note             text        NOT NULL DEFAULT '' CHECK (char_length(note) <= 1000),
    received_at      timestamptz NOT NULL,
    deadline         date        NOT NULL,
    first_contact_at timestamptz,
    contacted_by     text,
    status           text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'contacted', 'closed')),
    updated_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT schuldhulp_requests_dedup_key UNIQUE (tenant_id, dedup_key),
    FOREIGN KEY (tenant_id, resident_id) REFERENCES residents (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, signal_id) REFERENCES signals (tenant_id, id) ON DELETE CASCADE,
    CHECK (resident_id IS NOT NULL OR signal_id IS NOT NULL),
    CHECK ((first_contact_at IS NULL) = (contacted_by IS NULL))
);
CREATE INDEX schuldhulp_requests_open ON schuldhulp_requests (tenant_id, deadline) WHERE status IN ('open', 'contacted');
CREATE INDEX schuldhulp_requests_resident ON schuldhulp_requests (tenant_id, resident_id);

-- The plan van aanpak (Wgs art. 4a): decided within 8 weeks of the first conversation.
-- One per resident; a decided plan is final.
CREATE TABLE debt_plans (
    tenant_id          text        NOT NULL REFERENCES tenants (tenant_id),
    resident_id        text        NOT NULL,
    first_conversation date        NOT NULL,
    deadline           date        NOT NULL CHECK (deadline > first_conversation),
    situation          text        NOT NULL CHECK (char_length(situation) <= 4000),
    goals              text        NOT NULL CHECK (char_length(goals) <= 4000),
    actions            text        NOT NULL CHECK (char_length(actions) <= 4000),
    status             text        NOT NULL CHECK (status IN ('draft', 'decided')),
    decided_at         timestamptz,
    decided_by         text,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, resident_id),
    FOREIGN KEY (tenant_id, resident_id) REFERENCES residents (tenant_id, id) ON DELETE CASCADE,
    CHECK ((status = 'decided') = (decided_at IS NOT NULL)),
    CHECK ((decided_at IS NULL) = (decided_by IS NULL))
);

-- The minnelijk traject: the pool (capacity × months) split over the creditors'
-- claims (DOMAIN §4), one offer per debt, accepted or rejected per creditor. At most
-- one traject per resident is open or being arranged at a time.
CREATE TABLE trajecten (
    tenant_id                text        NOT NULL REFERENCES tenants (tenant_id),
    id                       text        NOT NULL
                             CHECK (id ~ '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'),
    resident_id              text        NOT NULL,
    capacity_cents_per_month bigint      NOT NULL CHECK (capacity_cents_per_month BETWEEN 0 AND 10000000),
    months                   integer     NOT NULL CHECK (months BETWEEN 1 AND 60),
    preferent_factor         bigint      NOT NULL CHECK (preferent_factor BETWEEN 1 AND 100),
    pool_cents               bigint      NOT NULL CHECK (pool_cents >= 0),
    -- offered: waiting for the creditors; arranging: all accepted, aflossing plans being
    -- made; agreed: every plan made; rejected: a creditor said no.
    status                   text        NOT NULL CHECK (status IN ('offered', 'arranging', 'agreed', 'rejected')),
    start_period             text        CHECK (start_period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    created_at               timestamptz NOT NULL,
    decided_at               timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, resident_id) REFERENCES residents (tenant_id, id) ON DELETE CASCADE,
    CHECK ((start_period IS NULL) = (status IN ('offered', 'rejected')))
);
CREATE UNIQUE INDEX trajecten_one_open ON trajecten (tenant_id, resident_id) WHERE status IN ('offered', 'arranging');
CREATE INDEX trajecten_resident ON trajecten (tenant_id, resident_id, created_at);

CREATE TABLE traject_offers (
    tenant_id     text        NOT NULL,
    traject_id    text        NOT NULL,
    position      integer     NOT NULL CHECK (position >= 0),
    debt_id       text        NOT NULL,
    creditor_id   text        NOT NULL,
    reference     text        NOT NULL,
    claim_cents   bigint      NOT NULL CHECK (claim_cents > 0),
    preferent     boolean     NOT NULL,
    offered_cents bigint      NOT NULL CHECK (offered_cents BETWEEN 0 AND claim_cents),
    status        text        NOT NULL DEFAULT 'offered' CHECK (status IN ('offered', 'accepted', 'rejected')),
    decided_at    timestamptz,
    plan_ids      text[]      NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, traject_id, debt_id),
    CONSTRAINT traject_offers_position_key UNIQUE (tenant_id, traject_id, position),
    FOREIGN KEY (tenant_id, traject_id) REFERENCES trajecten (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, debt_id) REFERENCES debts (tenant_id, id) ON DELETE CASCADE,
    CHECK ((status = 'offered') = (decided_at IS NULL))
);
CREATE INDEX traject_offers_creditor ON traject_offers (tenant_id, traject_id, creditor_id);

ALTER TABLE creditor_partners     ENABLE ROW LEVEL SECURITY;
ALTER TABLE creditor_partners     FORCE ROW LEVEL SECURITY;
ALTER TABLE debts                 ENABLE ROW LEVEL SECURITY;
ALTER TABLE debts                 FORCE ROW LEVEL SECURITY;
ALTER TABLE signals               ENABLE ROW LEVEL SECURITY;
ALTER TABLE signals               FORCE ROW LEVEL SECURITY;
ALTER TABLE signal_amount_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE signal_amount_changes FORCE ROW LEVEL SECURITY;
ALTER TABLE schuldhulp_requests   ENABLE ROW LEVEL SECURITY;
ALTER TABLE schuldhulp_requests   FORCE ROW LEVEL SECURITY;
ALTER TABLE debt_plans            ENABLE ROW LEVEL SECURITY;
ALTER TABLE debt_plans            FORCE ROW LEVEL SECURITY;
ALTER TABLE trajecten             ENABLE ROW LEVEL SECURITY;
ALTER TABLE trajecten             FORCE ROW LEVEL SECURITY;
ALTER TABLE traject_offers        ENABLE ROW LEVEL SECURITY;
ALTER TABLE traject_offers        FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON creditor_partners
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON debts
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON signals
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON signal_amount_changes
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON schuldhulp_requests
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON debt_plans
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON trajecten
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON traject_offers
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());

GRANT SELECT, INSERT, UPDATE, DELETE ON creditor_partners, debts, signals, signal_amount_changes,
    schuldhulp_requests, debt_plans, trajecten, traject_offers TO plein_app;

-- +goose Down
DROP TABLE traject_offers;
DROP TABLE trajecten;
DROP TABLE debt_plans;
DROP TABLE schuldhulp_requests;
DROP TABLE signal_amount_changes;
DROP TABLE signals;
DROP TABLE creditor_partners;
DROP TABLE debts;
