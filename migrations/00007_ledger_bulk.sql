-- +goose Up
-- The ledger's rules checked per statement instead of per row, so that a monthly
-- settlement of ~100,000 entries of ~6 lines posts in one transaction (platform/ledger
-- BenchmarkPostBatch). Under 00006 every line cost a row trigger, two foreign-key probes
-- and, at commit, a deferred check per entry and per line: 29-37 s for such a
-- settlement, about 50 times a bare COPY of its rows; now 3-4 s.
--
-- What changes:
--   * an entry carries its lines: journal_entries.accounts and .amounts, line i being
--     (accounts[i], amounts[i]). They are the one record of the lines.
--   * journal_lines becomes a view over those arrays: derived, so a line can never be
--     added to, or differ from, its entry. Writing the 600,000 lines as rows, even from
--     one statement-level trigger and without their foreign keys, kept the database
--     busy 4.6-5.8 s per settlement, most of it in their two indexes; writing the
--     movements below instead, 2.2-2.4 s. Every line is in its entry already.
--   * balances read ledger_movements: per posting statement, account and booking date,
--     the sum of the lines (a settlement of 100,000 residents writes ~100,000 rows, one
--     per resident and one per shared account, instead of 600,000 lines). A balance is
--     the plain sum of an account's movements up to a date, as it was of its lines.
--   * the rules are checked by one statement-level trigger over all entries a statement
--     inserts, when it inserts them (no longer at commit): balanced, at least two
--     lines, no line of zero (SQLSTATE 23514, constraint journal_entries_balanced, the
--     message naming the idempotency key); every account exists for the tenant (23503,
--     journal_lines_account_fkey, the foreign key it replaces); a corrected entry
--     exists (23503, journal_entries_corrects_fkey). The trigger then writes the
--     movements, which nothing else may write.
--   * the row-level foreign keys go: each cost an index probe and a row lock per row
--     (journal_entries → tenants alone ~0.6 s per 100,000 entries). Checking at insert
--     time is enough because the rows referred to are never updated or deleted:
--     accounts and entries are append-only. An entry's tenant needs no check of its
--     own: its accounts belong to the tenant (checked), and an account keeps its
--     foreign key to tenants, so a tenant with entries always exists and cannot be
--     deleted.
--   * ledger_accounts' check on codes is written without bounded repetitions, the same
--     rule ~30 times faster (see there).
--
-- Unchanged: append-only (UPDATE, DELETE, TRUNCATE refused even to the owner),
-- row-level security ENABLEd and FORCEd with tenant_id leading every index, plein_app
-- only SELECT and INSERT on entries and accounts (and only SELECT on movements).

DROP TRIGGER journal_entries_stamp ON journal_entries;
DROP TRIGGER journal_entries_balanced ON journal_entries;
DROP TRIGGER journal_lines_balanced ON journal_lines;
DROP TRIGGER journal_lines_same_transaction ON journal_lines;
DROP FUNCTION journal_entries_stamp();
DROP FUNCTION journal_entries_balanced();
DROP FUNCTION journal_lines_balanced();
DROP FUNCTION journal_lines_same_transaction();
DROP FUNCTION journal_entry_check(text, bigint);
ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_tenant_id_fkey;
ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_corrects_fkey;
ALTER TABLE journal_entries ADD COLUMN accounts text[] COLLATE "C", ADD COLUMN amounts bigint[];
-- The lines of a settlement's compound entry (2,500 residents, ~120 kB) are TOASTed:
-- compressed with lz4 where the server has it, ~6 times faster than the default pglz
-- for the same size (compressing 100,000 lines took 240 ms of a 1.3 s batch with pglz,
-- 35 ms with lz4). An entry of a few lines stays inline and is not compressed at all.
-- +goose StatementBegin
DO $$
BEGIN
    ALTER TABLE journal_entries ALTER COLUMN accounts SET COMPRESSION lz4,
                                ALTER COLUMN amounts  SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    NULL;  -- built without lz4: pglz, slower, the same rules
END
$$;
-- +goose StatementEnd

-- Each account's movements per booking date. entry_id is the first entry of the
-- posting statement that moved the account on that date: it makes the key unique and
-- points at where to look.
CREATE TABLE ledger_movements (
    tenant_id    text   NOT NULL,
    account_code text   COLLATE "C" NOT NULL,
    booked_on    date   NOT NULL,
    entry_id     bigint NOT NULL,
    amount_cents bigint NOT NULL,  -- debit > 0, credit < 0, as the lines
    -- Balances per account as of a date: an index-only range scan.
    PRIMARY KEY (tenant_id, account_code, booked_on, entry_id) INCLUDE (amount_cents)
);

-- The entries and lines posted so far. The backfill is the one UPDATE the ledger ever
-- sees: the append-only trigger steps aside for it, and FORCE for the owner (who runs
-- the migration) so that it sees every tenant's rows.
DROP TRIGGER journal_entries_append_only ON journal_entries;
ALTER TABLE journal_entries NO FORCE ROW LEVEL SECURITY;
ALTER TABLE journal_lines   NO FORCE ROW LEVEL SECURITY;
UPDATE journal_entries e
SET accounts = l.accounts, amounts = l.amounts
FROM (SELECT tenant_id, entry_id,
             array_agg(account_code ORDER BY line_no) AS accounts,
             array_agg(amount_cents ORDER BY line_no) AS amounts
      FROM journal_lines GROUP BY tenant_id, entry_id) l
WHERE l.tenant_id = e.tenant_id AND l.entry_id = e.id;
INSERT INTO ledger_movements (tenant_id, account_code, booked_on, entry_id, amount_cents)
SELECT tenant_id, account_code, booked_on, entry_id, sum(amount_cents)
FROM journal_lines GROUP BY tenant_id, account_code, booked_on, entry_id;
ALTER TABLE journal_entries FORCE ROW LEVEL SECURITY;
DROP TABLE journal_lines;
-- An entry without lines cannot have been committed (journal_entries_balanced), so
-- this holds; were it not so, the migration stops here.
ALTER TABLE journal_entries
    ALTER COLUMN accounts SET NOT NULL,
    ALTER COLUMN amounts  SET NOT NULL;
CREATE TRIGGER journal_entries_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON journal_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

-- posted_xact held lines to the transaction of their entry; lines are now part of it.
-- journal_entries_booked_on_key was the target of the lines' foreign key.
ALTER TABLE journal_entries DROP COLUMN posted_xact;
ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_booked_on_key;

-- The lines, one row each, as they were: for reading and reconciliation in SQL. As the
-- invoker, so that journal_entries' row-level security holds for whoever reads.
CREATE VIEW journal_lines WITH (security_invoker = true) AS
SELECT e.tenant_id, e.id AS entry_id, x.line_no::integer AS line_no, x.account_code, e.booked_on, x.amount_cents
FROM journal_entries e
CROSS JOIN LATERAL unnest(e.accounts, e.amounts) WITH ORDINALITY AS x (account_code, amount_cents, line_no);

-- Checks the entries one statement inserted, all at once, and writes their movements.
-- SECURITY DEFINER, owned by plein_owner, because plein_app may not write movements;
-- row-level security is FORCEd, so the owner is held to the transaction's tenant here
-- too: the accounts and entries it finds are the tenant's, and a movement of another
-- tenant fails the policy. No query joins the transition table to anything (but for
-- the corrected entries, which a batch has none of): its plan is cached from the first
-- call in a session, which may have been one entry, and a join planned for one row is
-- a disaster for 100,000. The accounts are looked up with one anti-join of the codes
-- moved, run by EXECUTE and so planned for each call's number of codes: index probes
-- for a few codes and a hash join for many. work_mem lets the 600,000 lines of a
-- settlement aggregate in memory.
-- +goose StatementBegin
CREATE FUNCTION journal_entries_post() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
SET work_mem = '64MB'
AS $$
DECLARE
    bad     record;
    codes   text[];
    missing text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM new_entries) THEN
        RETURN NULL;  -- an INSERT ... ON CONFLICT DO NOTHING that found its key
    END IF;
    -- The conditions in the order they are evaluated: array_position refuses an array
    -- of more than one dimension.
    SELECT e.idempotency_key AS key, cardinality(e.accounts) AS accounts, cardinality(e.amounts) AS amounts,
           coalesce(array_ndims(e.accounts) = 1 AND array_ndims(e.amounts) = 1
                    AND array_position(e.accounts, NULL) IS NULL, false) AS named,
           CASE WHEN array_ndims(e.amounts) = 1
                THEN array_position(e.amounts, 0) IS NULL AND array_position(e.amounts, NULL) IS NULL END AS nonzero,
           (SELECT sum(x) FROM unnest(e.amounts) AS x) AS total
    INTO bad
    FROM new_entries e
    WHERE (cardinality(e.amounts) >= 2
           AND cardinality(e.accounts) = cardinality(e.amounts)
           AND array_ndims(e.accounts) = 1 AND array_ndims(e.amounts) = 1
           AND array_position(e.accounts, NULL) IS NULL
           AND array_position(e.amounts, 0) IS NULL AND array_position(e.amounts, NULL) IS NULL
           AND (SELECT sum(x) FROM unnest(e.amounts) AS x) = 0) IS NOT TRUE
    LIMIT 1;
    IF FOUND THEN
        IF bad.amounts < 2 OR bad.amounts IS NULL THEN
            RAISE EXCEPTION 'journal entry % has % line(s), needs at least 2', bad.key, coalesce(bad.amounts, 0)
                USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_entries_balanced', TABLE = 'journal_entries';
        ELSIF bad.accounts <> bad.amounts OR NOT bad.named THEN
            RAISE EXCEPTION 'journal entry % has % accounts for % amounts: want one account and one amount per line', bad.key, bad.accounts, bad.amounts
                USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_entries_balanced', TABLE = 'journal_entries';
        ELSIF NOT bad.nonzero THEN
            RAISE EXCEPTION 'journal entry % has a line of zero', bad.key
                USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_entries_balanced', TABLE = 'journal_entries';
        ELSE
            RAISE EXCEPTION 'journal entry % is unbalanced: its lines sum to % cents, not 0', bad.key, bad.total
                USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_entries_balanced', TABLE = 'journal_entries';
        END IF;
    END IF;

    SELECT n.idempotency_key AS key, n.corrects INTO bad
    FROM new_entries n
    WHERE n.corrects IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM public.journal_entries e WHERE e.tenant_id = n.tenant_id AND e.id = n.corrects)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'journal entry % corrects entry %, which the tenant does not have', bad.key, bad.corrects
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'journal_entries_corrects_fkey', TABLE = 'journal_entries';
    END IF;

    -- unnest in the select list, in step over both arrays: without the tuplestore per
    -- row that a function in FROM costs (2.5 times faster over 600,000 lines).
    WITH moved AS MATERIALIZED (
        SELECT tenant_id, account, booked_on, min(id) AS entry_id, sum(amount)::bigint AS amount
        FROM (SELECT e.tenant_id, e.booked_on, e.id, unnest(e.accounts) AS account, unnest(e.amounts) AS amount
              FROM new_entries e) l
        GROUP BY tenant_id, account, booked_on),
    written AS (
        INSERT INTO public.ledger_movements (tenant_id, account_code, booked_on, entry_id, amount_cents)
        SELECT tenant_id, account, booked_on, entry_id, amount FROM moved
        ORDER BY account, booked_on)  -- in index order: each leaf page is visited once
    SELECT array_agg(account) INTO codes FROM moved;

    -- Every account exists: one anti-join of the codes moved (an account moved on two
    -- dates is there twice, which changes nothing) with the tenant's accounts. EXECUTE
    -- plans it for this call's codes, whose number the planner then knows: a hash
    -- anti-join for a settlement's 100,000 (one pass over the accounts, 45 ms where
    -- DISTINCT and a count of = ANY took 150), index probes for an entry's few. min()
    -- rather than LIMIT 1, which would plan for the first row and so for probes.
    EXECUTE 'SELECT min(c) FROM unnest($1) AS c
             WHERE NOT EXISTS (SELECT 1 FROM public.ledger_accounts a WHERE a.code = c)'
        INTO missing USING codes;
    IF missing IS NOT NULL THEN
        SELECT e.idempotency_key AS key INTO bad FROM new_entries e WHERE missing = ANY (e.accounts) LIMIT 1;
        RAISE EXCEPTION 'journal entry % posts to account %, which the tenant does not have', bad.key, missing
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'journal_lines_account_fkey', TABLE = 'journal_entries';
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION journal_entries_post() FROM PUBLIC;

-- Refuses a movement written other than by journal_entries_post, which runs one
-- trigger level down: not by plein_app (which lacks the privilege anyway), nor by the
-- owner.
-- +goose StatementBegin
CREATE FUNCTION ledger_movements_derived() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'ledger_movements is derived from journal_entries: it is written by posting an entry, never directly'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- Refuses every write to journal_lines, with the owner's own error rather than "cannot
-- insert into view": for plein_app, which has only SELECT, the privilege check refuses
-- first. A view takes statement-level triggers only beside INSTEAD OF row triggers, so
-- it has both; TRUNCATE of a view is refused by PostgreSQL itself.
-- +goose StatementBegin
CREATE FUNCTION journal_lines_derived() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'journal_lines is derived from journal_entries and append-only: % refused (a line is posted with its entry, a correction is a new entry)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
-- +goose StatementEnd
CREATE TRIGGER journal_lines_derived
    INSTEAD OF INSERT OR UPDATE OR DELETE ON journal_lines
    FOR EACH ROW EXECUTE FUNCTION journal_lines_derived();
CREATE TRIGGER journal_lines_derived_statement
    BEFORE INSERT OR UPDATE OR DELETE ON journal_lines
    FOR EACH STATEMENT EXECUTE FUNCTION journal_lines_derived();

CREATE TRIGGER journal_entries_post
    AFTER INSERT ON journal_entries
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION journal_entries_post();
CREATE TRIGGER ledger_movements_derived
    BEFORE INSERT ON ledger_movements
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_movements_derived();
CREATE TRIGGER ledger_movements_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON ledger_movements
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

ALTER TABLE ledger_movements ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_movements FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON ledger_movements
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());

GRANT SELECT ON journal_lines, ledger_movements TO plein_app;

-- The same check on account codes without the bounded repetitions ({0,62}) that
-- PostgreSQL's regular expressions run ~30 times slower: creating the 100,000 resident
-- accounts of a first settlement spent 2.4 s in the old one, 0.1 s in this.
ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_code_check;
ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_code_check CHECK (
    code ~ '^[a-z][a-z0-9_]*(:[A-Za-z0-9][A-Za-z0-9._-]*)?$'
    AND char_length(split_part(code, ':', 1)) <= 63                        -- the family
    AND char_length(code) - char_length(split_part(code, ':', 1)) <= 65);  -- ":" and the id

-- +goose Down
-- Back to 00006: a table of lines, written by the application in the posting
-- transaction and checked per row at commit. Its rows come from the entries' arrays.
ALTER TABLE ledger_accounts DROP CONSTRAINT ledger_accounts_code_check;
ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_code_check
    CHECK (code ~ '^[a-z][a-z0-9_]{0,62}(:[A-Za-z0-9][A-Za-z0-9._-]{0,63})?$');
DROP TRIGGER journal_entries_post ON journal_entries;
DROP FUNCTION journal_entries_post();
DROP VIEW journal_lines;
DROP FUNCTION journal_lines_derived();
DROP TABLE ledger_movements;
DROP FUNCTION ledger_movements_derived();

-- The transaction that posted an entry is not known any more: 0 is none, so no line
-- can be added to an entry posted before.
ALTER TABLE journal_entries ADD COLUMN posted_xact xid8 NOT NULL DEFAULT '0';
ALTER TABLE journal_entries ALTER COLUMN posted_xact DROP DEFAULT;
ALTER TABLE journal_entries
    ADD CONSTRAINT journal_entries_booked_on_key UNIQUE (tenant_id, id, booked_on),
    ADD CONSTRAINT journal_entries_tenant_id_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (tenant_id),
    ADD CONSTRAINT journal_entries_corrects_fkey FOREIGN KEY (tenant_id, corrects)
        REFERENCES journal_entries (tenant_id, id);

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
CREATE INDEX journal_lines_balance ON journal_lines (tenant_id, account_code, booked_on)
    INCLUDE (amount_cents);
ALTER TABLE journal_entries NO FORCE ROW LEVEL SECURITY;
INSERT INTO journal_lines (tenant_id, entry_id, line_no, account_code, booked_on, amount_cents)
SELECT e.tenant_id, e.id, x.n, x.account, e.booked_on, x.amount
FROM journal_entries e CROSS JOIN LATERAL unnest(e.accounts, e.amounts) WITH ORDINALITY AS x (account, amount, n);
ALTER TABLE journal_entries FORCE ROW LEVEL SECURITY;
ALTER TABLE journal_entries DROP COLUMN accounts, DROP COLUMN amounts;

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

-- +goose StatementBegin
CREATE FUNCTION journal_entries_stamp() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.posted_xact := pg_current_xact_id();
    RETURN NEW;
END
$$;
-- +goose StatementEnd

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
CREATE TRIGGER journal_lines_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON journal_lines
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();

ALTER TABLE journal_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE journal_lines FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON journal_lines
    USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
GRANT SELECT, INSERT ON journal_lines TO plein_app;
