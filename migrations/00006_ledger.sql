-- +goose Up
-- The double-entry ledger (platform/ledger): every euro the platform moves is a journal
-- entry whose lines sum to zero. Written through platform/ledger only.
--
-- Sign convention: journal_lines.amount_cents is positive for a debit and negative for
-- a credit. An account's balance is the plain sum of its lines (debits − credits), so an
-- asset or expense account normally reads positive and a liability or income account
-- in credit reads negative.
--
-- The rules hold in the database, not only in Go:
--   * balanced: a deferred constraint trigger refuses, at commit, an entry whose lines
--     do not sum to 0 or that has fewer than 2 lines (SQLSTATE 23514, constraint
--     journal_entries_balanced);
--   * immutable: lines may only be added in the transaction that inserted their entry
--     (constraint journal_lines_same_transaction), so a posted entry never changes,
--     not even by lines that balance among themselves;
--   * append-only: UPDATE, DELETE and TRUNCATE of entries, lines and accounts are
--     refused by a trigger even to the owner (SQLSTATE 42501), and plein_app has only
--     SELECT and INSERT. A correction is a new entry that reverses the old one.

-- The chart of accounts of a tenant. Codes are "bank", "bijstand_expense",
-- "vakantietoeslag_reserve", "gemeente_claims", or a family and an id such as
-- "resident:<uuid>" and "creditor:<id>". COLLATE "C" keeps prefix searches
-- ("resident:%") on the index.
CREATE TABLE ledger_accounts (
    tenant_id  text        NOT NULL REFERENCES tenants (tenant_id),
    code       text        COLLATE "C" NOT NULL
               CHECK (code ~ '^[a-z][a-z0-9_]{0,62}(:[A-Za-z0-9][A-Za-z0-9._-]{0,63})?$'),
    kind       text        NOT NULL CHECK (kind IN ('asset', 'liability', 'expense', 'income')),
    name       text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, code)
);

-- One entry per economic event. booked_on is the accounting date that balances "as of"
-- a date are taken on; posted_at is when it was written. A retry with the same
-- idempotency key finds the entry instead of posting it twice. corrects names the entry
-- this one reverses; an entry is corrected at most once.
CREATE TABLE journal_entries (
    tenant_id       text        NOT NULL REFERENCES tenants (tenant_id),
    id              bigint      GENERATED ALWAYS AS IDENTITY,
    idempotency_key text        NOT NULL CHECK (char_length(idempotency_key) BETWEEN 1 AND 200),
    booked_on       date        NOT NULL,
    posted_at       timestamptz NOT NULL DEFAULT now(),
    description     text        NOT NULL CHECK (char_length(description) BETWEEN 1 AND 500),
    source          text        NOT NULL CHECK (char_length(source) BETWEEN 1 AND 200),
    corrects        bigint,
    -- The top-level transaction that inserted the entry, set by a trigger: lines are
    -- accepted only from that transaction.
    posted_xact     xid8        NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT journal_entries_idempotency_key UNIQUE (tenant_id, idempotency_key),
    -- The target of the lines' (entry, booked_on) reference, which keeps the copy of
    -- booked_on on each line equal to its entry's.
    CONSTRAINT journal_entries_booked_on_key UNIQUE (tenant_id, id, booked_on),
    CONSTRAINT journal_entries_corrects_fkey FOREIGN KEY (tenant_id, corrects)
        REFERENCES journal_entries (tenant_id, id),
    CHECK (corrects <> id)
);
CREATE UNIQUE INDEX journal_entries_corrected_once ON journal_entries (tenant_id, corrects)
    WHERE corrects IS NOT NULL;
-- Reconciliation: the entries of a settlement run.
CREATE INDEX journal_entries_source ON journal_entries (tenant_id, source, id);

-- The lines of an entry. booked_on is copied from the entry (and held equal to it by
-- the foreign key) so that a balance as of a date is one index range scan.
CREATE TABLE journal_lines (
    tenant_id    text   NOT NULL,
    entry_id     bigint NOT NULL,
    line_no      integer NOT NULL CHECK (line_no >= 1),
    account_code text   COLLATE "C" NOT NULL,
    booked_on    date   NOT NULL,
    amount_cents bigint NOT NULL CHECK (amount_cents <> 0),  -- debit > 0, credit < 0
    PRIMARY KEY (tenant_id, entry_id, line_no),
    CONSTRAINT journal_lines_entry_fkey FOREIGN KEY (tenant_id, entry_id, booked_on)
        REFERENCES journal_entries (tenant_id, id, booked_on),
    CONSTRAINT journal_lines_account_fkey FOREIGN KEY (tenant_id, account_code)
        REFERENCES ledger_accounts (tenant_id, code)
);
-- Balances per account as of a date: an index-only range scan.
CREATE INDEX journal_lines_balance ON journal_lines (tenant_id, account_code, booked_on)
    INCLUDE (amount_cents);

-- Refuses an entry whose lines do not sum to zero or that has fewer than two lines.
-- It runs as the caller, under row-level security: were the transaction's tenant
-- changed before commit, it would see no lines and refuse, never wave an entry through.
-- +goose StatementBegin
CREATE FUNCTION journal_entry_check(p_tenant text, p_entry bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    n     bigint;
    total numeric;
BEGIN
    SELECT count(*), coalesce(sum(amount_cents), 0) INTO n, total
    FROM journal_lines WHERE tenant_id = p_tenant AND entry_id = p_entry;
    IF n < 2 THEN
        RAISE EXCEPTION 'journal entry % has % line(s), needs at least 2', p_entry, n
            USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_entries_balanced',
                  TABLE = 'journal_entries';
    END IF;
    IF total <> 0 THEN
        RAISE EXCEPTION 'journal entry % is unbalanced: its lines sum to % cents, not 0', p_entry, total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_entries_balanced',
                  TABLE = 'journal_entries';
    END IF;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION journal_entries_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM journal_entry_check(NEW.tenant_id, NEW.id);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- Checks an entry once from its lines' side too, from its last line only, so that an
-- entry of n lines costs one check rather than n.
-- +goose StatementBegin
CREATE FUNCTION journal_lines_balanced() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.line_no = (SELECT max(line_no) FROM journal_lines
                      WHERE tenant_id = NEW.tenant_id AND entry_id = NEW.entry_id) THEN
        PERFORM journal_entry_check(NEW.tenant_id, NEW.entry_id);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- Stamps the inserting transaction on an entry; a client cannot choose it.
-- +goose StatementBegin
CREATE FUNCTION journal_entries_stamp() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.posted_xact := pg_current_xact_id();
    RETURN NEW;
END
$$;
-- +goose StatementEnd

-- Refuses a line for an entry posted by another transaction. An AFTER trigger, so that
-- it sees an entry inserted by the same statement (a data-modifying WITH).
-- +goose StatementBegin
CREATE FUNCTION journal_lines_same_transaction() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM journal_entries
                   WHERE tenant_id = NEW.tenant_id AND id = NEW.entry_id
                     AND posted_xact = pg_current_xact_id()) THEN
        RAISE EXCEPTION 'journal entry % is already posted: no line can be added to it', NEW.entry_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_lines_same_transaction',
                  TABLE = 'journal_lines';
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION ledger_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused (a correction is a new entry)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd

CREATE TRIGGER journal_entries_stamp
    BEFORE INSERT ON journal_entries
    FOR EACH ROW EXECUTE FUNCTION journal_entries_stamp();
CREATE CONSTRAINT TRIGGER journal_entries_balanced
    AFTER INSERT ON journal_entries
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION journal_entries_balanced();
CREATE CONSTRAINT TRIGGER journal_lines_balanced
    AFTER INSERT ON journal_lines
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION journal_lines_balanced();
CREATE TRIGGER journal_lines_same_transaction
    AFTER INSERT ON journal_lines
    FOR EACH ROW EXECUTE FUNCTION journal_lines_same_transaction();

CREATE TRIGGER ledger_accounts_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON ledger_accounts
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER journal_entries_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON journal_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE TRIGGER journal_lines_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON journal_lines
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

ALTER TABLE ledger_accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_accounts FORCE ROW LEVEL SECURITY;
ALTER TABLE journal_entries ENABLE ROW LEVEL SECURITY;
ALTER TABLE journal_entries FORCE ROW LEVEL SECURITY;
ALTER TABLE journal_lines   ENABLE ROW LEVEL SECURITY;
ALTER TABLE journal_lines   FORCE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON ledger_accounts
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON journal_entries
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
CREATE POLICY tenant_isolation ON journal_lines
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());

-- Insert and read only: no UPDATE, no DELETE for the application, and the triggers
-- refuse those even to the owner.
GRANT SELECT, INSERT ON ledger_accounts, journal_entries, journal_lines TO plein_app;

-- +goose Down
DROP TABLE journal_lines;
DROP TABLE journal_entries;
DROP TABLE ledger_accounts;
DROP FUNCTION ledger_append_only();
DROP FUNCTION journal_lines_same_transaction();
DROP FUNCTION journal_entries_stamp();
DROP FUNCTION journal_lines_balanced();
DROP FUNCTION journal_entries_balanced();
DROP FUNCTION journal_entry_check(text, bigint);
