package tenancy

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/bsn/bsntest"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/tenant"
)

// offboardBundle is a database with zwolle, deventer and enschede applied (with their
// config jobs in River), and a small caseload in zwolle and deventer that reaches every
// append-only table: the audit log, the ledger, settlement runs, items and files.
type offboardBundle struct {
	*storeBundle
	super  *pgxpool.Pool // bypasses row-level security: to see every tenant's rows
	sealer *bsn.Sealer
	data   map[tenant.ID]tenantData
}

// tenantData is what fill made for a tenant, to look for in an export.
type tenantData struct {
	residents, names, bsns []string
	run                    string
	file                   []byte
}

func setupOffboard(t *testing.T) *offboardBundle {
	t.Helper()
	b := &offboardBundle{storeBundle: setupStore(t, true), data: map[tenant.ID]tenantData{}}
	ctx := context.Background()
	var loaded []*Loaded
	for _, id := range []string{"deventer", "enschede", "zwolle"} {
		loaded = append(loaded, load(t, filepath.Join(b.tenants, id+".yaml"))...)
	}
	if _, err := b.store.Apply(ctx, loaded, "test", false); err != nil {
		t.Fatal(err)
	}
	b.sealer = bsntest.Sealer(t)
	var err error
	if b.super, err = pgxpool.New(ctx, b.d.URL("")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.super.Close)
	b.fill(t, "zwolle", []string{"111222333", "123456782"})
	b.fill(t, "deventer", []string{"999993653", "111111110"})
	return b
}

func (b *offboardBundle) fill(t *testing.T, id tenant.ID, bsns []string) {
	t.Helper()
	ctx := tenant.WithID(context.Background(), id)
	f := tenantData{bsns: bsns, run: uuidFor(id, 900), file: []byte("<Document>" + string(id) + " payments</Document>")}
	err := db.InTenant(ctx, b.d.App, func(ctx context.Context, tx pgx.Tx) error {
		ex := func(q string, args ...any) error {
			_, err := tx.Exec(ctx, q, args...)
			if err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
			return nil
		}
		if err := ex(`INSERT INTO employers (tenant_id, id, name, api_key_hash) VALUES ($1, 'acme', 'Acme BV', $2)`,
			string(id), bytes.Repeat([]byte{9}, 32)); err != nil {
			return err
		}
		if err := ex(`INSERT INTO ledger_accounts (tenant_id, code, kind, name) VALUES
			($1, 'bank', 'asset', 'Bank'), ($1, 'bijstand_expense', 'expense', 'Bijstand')`, string(id)); err != nil {
			return err
		}
		if err := ex(`INSERT INTO settlement_runs (tenant_id, id, period, dry_run, status, sepa_version, started_by, started_at,
			approved_by, approved_at, posted_at, execution_date) VALUES
			($1, $2, '2026-04-01', false, 'final', 'pain.001.001.09', 'alice', now(), 'bob', now(), now(), '2026-04-24')`,
			string(id), f.run); err != nil {
			return err
		}
		sum := sha256.Sum256(f.file)
		if err := ex(`INSERT INTO settlement_files (tenant_id, run_id, name, kind, content, sha256, created_at)
			VALUES ($1, $2, 'sepa-2026-04-residents-001.xml', 'sepa', $3, $4, now())`, string(id), f.run, f.file, sum[:]); err != nil {
			return err
		}
		for i, s := range bsns {
			n, err := bsn.Parse(s)
			if err != nil {
				return err
			}
			sealed, err := b.sealer.Seal(n, []byte(id))
			if err != nil {
				return err
			}
			r, name := uuidFor(id, i), fmt.Sprintf("Inwoner %d van %s", i, id)
			f.residents, f.names = append(f.residents, r), append(f.names, name)
			for _, q := range []struct {
				q    string
				args []any
			}{
				{`INSERT INTO residents (tenant_id, id, name, birth_date, bsn_sealed, bsn_index, iban, household_kind)
					VALUES ($1, $2, $3, '1990-01-01', $4, $5, 'NL91ABNA0417164300', 'single')`, []any{r, name, sealed, b.sealer.BlindIndex(n)}},
				{`INSERT INTO resident_children (tenant_id, resident_id, position, birth_date) VALUES ($1, $2, 0, '2015-05-05')`, []any{r}},
				{`INSERT INTO payslips (tenant_id, id, resident_id, applicant, employer, employer_key, employer_id, period_start, period_end,
					gross_cents, net_cents, hours_centi, pay_date, source, pdf, pdf_name)
					VALUES ($1, $2, $3, 0, 'Acme BV', 'partner:acme', 'acme', '2026-03-01', '2026-03-31', 120000, 100000, 4000,
					'2026-03-25', 'employer', $4, 'loonstrook.pdf')`, []any{uuidFor(id, 100+i), r, []byte("%PDF-1.4 " + name)}},
				{`INSERT INTO plans (tenant_id, id, resident_id, kind, creditor_id, reference, amount_cents, priority, start_period, status, requested_by)
					VALUES ($1, $2, $3, 'verrekening', 'gemeente', 'REF1', 1000, 1, '2026-04-01', 'requested', 'cons')`, []any{uuidFor(id, 200+i), r}},
				{`INSERT INTO plan_events (tenant_id, plan_id, seq, actor, role, action, to_status) VALUES ($1, $2, 1, 'cons', 'consulent', 'request', 'requested')`,
					[]any{uuidFor(id, 200+i)}},
				{`INSERT INTO debts (tenant_id, id, resident_id, creditor_id, reference, claim_cents, balance_cents, source)
					VALUES ($1, $2, $3, 'vitens', 'D1', 5000, 5000, 'consulent')`, []any{uuidFor(id, 300+i), r}},
				{`INSERT INTO journal_entries (tenant_id, idempotency_key, booked_on, description, source, accounts, amounts)
					VALUES ($1, $2, '2026-04-24', 'bijstand', 'test', ARRAY['bijstand_expense', 'bank'], ARRAY[1000, -1000]::bigint[])`, []any{"k" + r}},
				{`INSERT INTO settlement_items (tenant_id, run_id, resident_id, batch_no, name, iban, bijstand_cents, reserve_cents,
					applied_cents, payout_cents, shortfall_cents, deductions) VALUES ($1, $2, $3, 1, $4, 'NL91ABNA0417164300', 1000, 0, 0, 1000, 0, '')`,
					[]any{f.run, r, name}},
			} {
				if err := ex(q.q, append([]any{string(id)}, q.args...)...); err != nil {
					return err
				}
			}
		}
		if err := ex(`INSERT INTO settlement_batches (tenant_id, run_id, batch_no, first_resident, last_resident, residents, members)
			VALUES ($1, $2, 1, $3, $3, 1, ARRAY[$3])`, string(id), f.run, f.residents[0]); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Entry{Actor: "cons", Role: "consulent", Action: "resident.read",
			ObjectType: "resident", ObjectID: f.residents[0], Purpose: "test"})
	})
	if err != nil {
		t.Fatalf("fill %s: %v", id, err)
	}
	b.data[id] = f
}

func uuidFor(id tenant.ID, n int) string {
	h := fmt.Sprintf("%x", sha256.Sum256([]byte(fmt.Sprintf("%s/%d", id, n))))
	return h[0:8] + "-" + h[8:12] + "-4" + h[12:15] + "-8" + h[15:18] + "-" + h[18:30]
}

// rowsOf counts, per public table with a tenant_id, the rows of tenant id, seen by
// the superuser (no row-level security).
func (b *offboardBundle) rowsOf(t *testing.T, id tenant.ID) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	rows, err := b.super.Query(ctx, `
		SELECT c.table_name FROM information_schema.columns c
		JOIN information_schema.tables t USING (table_schema, table_name)
		WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, n := range names {
		var c int64
		if err := b.super.QueryRow(ctx, fmt.Sprintf("SELECT count(*) FROM %s WHERE tenant_id = $1", pgx.Identifier{n}.Sanitize()), string(id)).Scan(&c); err != nil {
			t.Fatal(err)
		}
		if c > 0 {
			out[n] = c
		}
	}
	var jobs int64
	if err := b.super.QueryRow(ctx, `SELECT count(*) FROM river.river_job WHERE args->>'tenant' = $1`, string(id)).Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	if jobs > 0 {
		out["river.river_job"] = jobs
	}
	return out
}

// export writes tenant id's bundle and reads every file of it back.
func (b *offboardBundle) export(t *testing.T, id tenant.ID, sealer Sealer) (Manifest, BundleInfo, map[string][]byte) {
	t.Helper()
	var buf bytes.Buffer
	m, err := Export(context.Background(), b.d.App, id, &buf, ExportOptions{Sealer: sealer, Actor: "operator@coop", TempDir: t.TempDir()})
	if err != nil {
		t.Fatalf("export %s: %v", id, err)
	}
	vm, info, err := VerifyBundle(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("verify %s: %v", id, err)
	}
	if vm.Tenant != id || len(vm.Files) != len(m.Files) || info.Bytes != int64(buf.Len()) {
		t.Fatalf("verified manifest %+v / %+v, want the exported one", vm, info)
	}
	files := map[string][]byte{}
	if err := walkBundle(bytes.NewReader(buf.Bytes()), func(h *tar.Header, content io.Reader) error {
		var err error
		files[h.Name], err = io.ReadAll(content)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return m, info, files
}

// TestExportHoldsOneTenant: the bundle of zwolle holds all of zwolle's data (the BSN in
// clear, the stored files as files) and nothing of deventer's, which is in the same
// tables; it lists every tenant table of the catalogue; and a changed byte fails the
// check.
func TestExportHoldsOneTenant(t *testing.T) {
	t.Parallel()
	b := setupOffboard(t)
	m, _, files := b.export(t, "zwolle", b.sealer)

	other := b.data["deventer"]
	for name, content := range files {
		for _, s := range append(append(append([]string{"deventer", other.run, string(other.file)}, other.residents...), other.names...), other.bsns...) {
			if bytes.Contains(content, []byte(s)) {
				t.Errorf("%s holds %q of deventer", name, s)
			}
		}
	}
	own := b.data["zwolle"]
	res := string(files["tables/residents.jsonl"])
	for i := range own.residents {
		for _, s := range []string{own.residents[i], own.names[i], `"bsn":"` + own.bsns[i] + `"`} {
			if !strings.Contains(res, s) {
				t.Errorf("residents.jsonl lacks %q:\n%s", s, res)
			}
		}
	}
	if strings.Contains(res, "bsn_index") || strings.Contains(res, "bsn_sealed") || !m.BSNInClear {
		t.Errorf("residents.jsonl keeps the sealed BSN or its index (bsn_in_clear %v):\n%s", m.BSNInClear, res)
	}
	if strings.Contains(string(files["tables/employers.jsonl"]), "api_key_hash") {
		t.Errorf("employers.jsonl holds the API key's hash")
	}
	sepa := "files/settlement_files/" + own.run + "/sepa-2026-04-residents-001.xml"
	if !bytes.Equal(files[sepa], own.file) || !strings.Contains(string(files["tables/settlement_files.jsonl"]), `"content_file":"`+sepa+`"`) {
		t.Errorf("the settlement file %s: %q", sepa, files[sepa])
	}
	if !bytes.HasPrefix(files["files/payslips/"+uuidFor("zwolle", 100)+".pdf"], []byte("%PDF")) {
		t.Errorf("the payslip's PDF is not a file of the bundle")
	}
	// Every row of zwolle is in it: per table, the rows the superuser counts.
	rows := map[string]int64{}
	for _, f := range m.Files {
		if f.Rows != nil {
			rows[f.Table] = *f.Rows
		}
	}
	for table, n := range b.rowsOf(t, "zwolle") {
		if table == "river.river_job" {
			continue
		}
		// The export audits itself, so audit_log has one row more than before it.
		if got := rows[table]; got != n {
			t.Errorf("%s: %d rows exported, %d in the database", table, got, n)
		}
	}
	for _, table := range []string{"audit_log", "journal_entries", "ledger_movements", "settlement_items", "tenant_config_versions", "tenants"} {
		if rows[table] == 0 {
			t.Errorf("no rows of %s exported", table)
		}
	}
	if !strings.Contains(string(files["tables/audit_log.jsonl"]), "tenant.exported") {
		t.Errorf("the export is not in the audit log it exported")
	}
	if sums := string(files["SHA256SUMS"]); !strings.Contains(sums, "  manifest.json\n") || !strings.Contains(sums, "  tables/residents.jsonl\n") {
		t.Errorf("SHA256SUMS:\n%s", sums)
	}

	// Without a sealer the BSN stays sealed, and the manifest says so.
	m2, _, files2 := b.export(t, "zwolle", nil)
	if m2.BSNInClear || strings.Contains(string(files2["tables/residents.jsonl"]), own.bsns[0]) {
		t.Errorf("without a sealer: bsn_in_clear %v, %s", m2.BSNInClear, files2["tables/residents.jsonl"])
	}

	// A bundle with one byte changed, or a file added, fails the check.
	var buf bytes.Buffer
	if _, err := Export(context.Background(), b.d.App, "zwolle", &buf, ExportOptions{Sealer: b.sealer, Actor: "op"}); err != nil {
		t.Fatal(err)
	}
	for name, mutate := range map[string]func(map[string][]byte){
		"changed byte": func(f map[string][]byte) { f["tables/residents.jsonl"][5] ^= 1 },
		"extra file":   func(f map[string][]byte) { f["tables/extra.jsonl"] = []byte("{}\n") },
		"file missing": func(f map[string][]byte) { delete(f, "tables/debts.jsonl") },
	} {
		fs := map[string][]byte{}
		for k, v := range files {
			fs[k] = bytes.Clone(v)
		}
		mutate(fs)
		if _, _, err := VerifyBundle(bytes.NewReader(retar(t, fs))); !errors.Is(err, ErrBundleInvalid) {
			t.Errorf("%s: %v, want ErrBundleInvalid", name, err)
		}
	}
}

func retar(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for name, c := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Size: int64(len(c)), Mode: 0o600, Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(c) //nolint:errcheck
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

// TestOffboardAndPurge: the lifecycle's end. Offboarding records the export and a
// grace period; until it ends nothing can be deleted, by the purge or directly, even
// by the owner; then the purge empties every tenant table of the tenant (found in
// the catalogue), keeps the record, releases the hosts and deletes its jobs, and
// leaves the other tenant's rows as they were. Illegal moves name the state and change
// nothing.
func TestOffboardAndPurge(t *testing.T) {
	t.Parallel()
	b := setupOffboard(t)
	ctx := context.Background()
	_, zwolle, _ := b.export(t, "zwolle", b.sealer)
	_, enschede, _ := b.export(t, "enschede", b.sealer)
	deventer := b.rowsOf(t, "deventer")

	// An export of another tenant is not zwolle's.
	if _, err := b.store.Offboard(ctx, "zwolle", enschede, "op", "opgezegd", DefaultGrace); err == nil {
		t.Fatal("offboarded zwolle with enschede's export")
	}
	o, err := b.store.Offboard(ctx, "enschede", enschede, "operator@coop", "opgezegd per 1 januari", DefaultGrace)
	if err != nil {
		t.Fatal(err)
	}
	if o.Event == nil || o.Event.From != StatusActive || o.Event.To != StatusOffboarding ||
		o.PurgeAfter.Sub(o.RequestedAt) != DefaultGrace || o.ExportSHA256 != enschede.SHA256 {
		t.Fatalf("offboarding: %+v", o)
	}
	before := b.rowsOf(t, "enschede")
	// In the grace period: no purge, no direct delete, not even by the owner.
	if _, err := b.store.Purge(ctx, "enschede", "operator@coop"); !errors.Is(err, ErrPurgeNotDue) || !strings.Contains(err.Error(), "grace period until") {
		t.Errorf("purge in the grace period: %v, want ErrPurgeNotDue", err)
	}
	for _, q := range []string{`DELETE FROM audit_log`, `DELETE FROM journal_entries`, `DELETE FROM tenant_hosts`} {
		err := db.InTenant(tenant.WithID(ctx, "enschede"), b.d.Owner, func(ctx context.Context, tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, q)
			if err == nil && tag.RowsAffected() == 0 && q == `DELETE FROM tenant_hosts` {
				return nil // the owner may not see them: also refused
			}
			return err
		})
		if err == nil && q != `DELETE FROM tenant_hosts` {
			t.Errorf("the owner could %s of enschede in its grace period", q)
		}
	}
	if after := b.rowsOf(t, "enschede"); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("refused purges changed enschede: %v, was %v", after, before)
	}
	for _, c := range []struct {
		name string
		do   func() error
		want error
		says string
	}{
		{"purge an active tenant", func() error { _, err := b.store.Purge(ctx, "zwolle", "op"); return err }, ErrIllegalTransition, "zwolle is active"},
		{"purge an unknown tenant", func() error { _, err := b.store.Purge(ctx, "amersfoort", "op"); return err }, ErrTenantNotFound, "amersfoort"},
		{"offboard twice", func() error {
			_, err := b.store.Offboard(ctx, "enschede", enschede, "op", "nog eens", DefaultGrace)
			return err
		}, ErrIllegalTransition, "offboarding already"},
		{"offboard without a reason", func() error { _, err := b.store.Offboard(ctx, "zwolle", zwolle, "op", " ", 0); return err }, ErrReasonRequired, ""},
	} {
		if err := c.do(); !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want %v saying %q", c.name, err, c.want, c.says)
		}
	}

	// Zwolle, offboarded with no grace, is due at once.
	if _, err := b.store.Offboard(ctx, "zwolle", zwolle, "operator@coop", "fusie", 0); err != nil {
		t.Fatal(err)
	}
	// Even when the transaction's tenant is due, a row of another tenant cannot be
	// deleted from an append-only table (here by the superuser, past row-level security).
	func() {
		tx, err := b.super.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx) //nolint:errcheck
		if _, err := tx.Exec(ctx, `SELECT set_config('plein.tenant_id', 'zwolle', true)`); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM audit_log WHERE tenant_id = 'deventer'`); err == nil {
			t.Error("deleted deventer's audit log in zwolle's purge")
		}
	}()
	preview, err := b.store.PurgePreview(ctx, "zwolle")
	if err != nil {
		t.Fatal(err)
	}
	rows := b.rowsOf(t, "zwolle")
	// The periodic job's path: plein_app may call the purge, which only takes the due.
	purged, err := NewStore(b.d.App, nil).PurgeDue(ctx, PurgeActor)
	if err != nil || len(purged) != 1 || purged[0] != "zwolle" {
		t.Fatalf("PurgeDue: %v, %v; want zwolle only", purged, err)
	}
	o, err = b.store.Offboarding(ctx, "zwolle")
	if err != nil || o.PurgedAt == nil || o.PurgedBy != PurgeActor {
		t.Fatalf("zwolle's offboarding after the purge: %+v, %v", o, err)
	}
	// What was deleted is recorded per table: everything but the record.
	// The control plane's registry is the record (tenant_conditions is the control
	// plane's own state of the tenant).
	kept := map[string]bool{"tenants": true, "tenant_events": true, "tenant_offboardings": true, "tenant_config_versions": true,
		"tenant_conditions": true}
	for table, n := range rows {
		if !kept[table] && o.Deleted[table] != n {
			t.Errorf("%s: %d rows deleted, %d were there", table, o.Deleted[table], n)
		}
	}
	if fmt.Sprint(o.Deleted) != fmt.Sprint(preview) {
		t.Errorf("deleted %v, the preview said %v", o.Deleted, preview)
	}
	for _, table := range []string{"audit_log", "journal_entries", "ledger_movements", "ledger_accounts", "settlement_runs",
		"settlement_items", "settlement_files", "residents", "tenant_hosts", "river.river_job"} {
		if o.Deleted[table] == 0 {
			t.Errorf("the purge deleted no rows of %s", table)
		}
	}
	// No public table has a row of zwolle left but the record; deventer is untouched.
	for table := range b.rowsOf(t, "zwolle") {
		if !kept[table] {
			t.Errorf("%s still has rows of zwolle", table)
		}
	}
	if after := b.rowsOf(t, "deventer"); fmt.Sprint(after) != fmt.Sprint(deventer) {
		t.Errorf("deventer after zwolle's purge: %v, was %v", after, deventer)
	}
	evs, err := b.store.Events(ctx, "zwolle")
	if err != nil || len(evs) != 2 || evs[1].From != StatusOffboarding || evs[1].To != StatusOffboarded ||
		evs[1].Actor != PurgeActor || !strings.Contains(evs[1].Reason, zwolle.SHA256) {
		t.Errorf("zwolle's events: %+v, %v", evs, err)
	}
	// Its configuration is frozen: a changed file is refused, and takes no host back.
	zw := filepath.Join(b.tenants, "zwolle.yaml")
	rewrite(t, zw, "\nname: Gemeente Zwolle\n", "\nname: Gemeente Zwolle (oud)\n")
	if _, err := b.store.Apply(ctx, load(t, zw), "op", false); err == nil || !strings.Contains(err.Error(), "zwolle is offboarded") {
		t.Errorf("applying a config of an offboarded tenant: %v", err)
	}
	// The hosts are free: another gemeente may take them.
	if _, err := b.d.Control.Exec(ctx, `INSERT INTO tenant_hosts (host, tenant_id) VALUES ('mijn.zwolle.example', 'deventer')`); err != nil {
		t.Errorf("zwolle's host is not free: %v", err)
	}
	// The end is final.
	if _, err := b.store.Purge(ctx, "zwolle", "op"); !errors.Is(err, ErrIllegalTransition) || !strings.Contains(err.Error(), "offboarded") {
		t.Errorf("purge twice: %v", err)
	}
	if _, err := b.store.Offboard(ctx, "zwolle", zwolle, "op", "nog eens", 0); !errors.Is(err, ErrIllegalTransition) || !strings.Contains(err.Error(), "offboarded") {
		t.Errorf("offboard an offboarded tenant: %v", err)
	}
	// The record cannot be rewritten.
	if _, err := b.d.Control.Exec(ctx, `UPDATE tenant_offboardings SET purge_after = now() + interval '1 year'`); err == nil {
		t.Error("changed an offboarding record")
	}
	if _, err := b.d.Control.Exec(ctx, `DELETE FROM tenant_offboardings`); err == nil {
		t.Error("deleted an offboarding record")
	}
	// Nothing is recorded for a tenant that is not offboarding.
	if _, err := b.d.Control.Exec(ctx, `INSERT INTO tenant_offboardings (tenant_id, export_sha256, export_bytes, manifest, author, purge_after)
		VALUES ('deventer', repeat('a', 64), 1, '{}', 'x', now())`); err == nil {
		t.Error("recorded an offboarding of an active tenant")
	}
	// A tenant moved to offboarding without an export is never purged; its export is
	// recorded without a second move.
	if _, err := b.store.Transition(ctx, "deventer", StatusOffboarding, "op", "opgezegd"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.Purge(ctx, "deventer", "op"); !errors.Is(err, ErrNoExport) {
		t.Errorf("purge without an export: %v, want ErrNoExport", err)
	}
	_, info, _ := b.export(t, "deventer", b.sealer)
	if o, err := b.store.Offboard(ctx, "deventer", info, "op", "export alsnog", 0); err != nil || o.Event != nil {
		t.Errorf("recording the export of an offboarding tenant: %+v, %v", o, err)
	}
}

// applyIDs applies the configs of ids from b's tenants directory, in one apply.
func (b *storeBundle) applyIDs(t *testing.T, ids ...tenant.ID) {
	t.Helper()
	var loaded []*Loaded
	for _, id := range ids {
		loaded = append(loaded, load(t, filepath.Join(b.tenants, string(id)+".yaml"))...)
	}
	if _, err := b.store.Apply(context.Background(), loaded, "test", false); err != nil {
		t.Fatal(err)
	}
}

// TestPurgeFindsNewTables: a tenant table added later is exported and purged without
// anyone listing it; one whose policies would hide its rows from the purge stops the
// purge, changing nothing, rather than being skipped.
func TestPurgeFindsNewTables(t *testing.T) {
	t.Parallel()
	b := setupStore(t, false)
	ctx := context.Background()
	b.applyIDs(t, "deventer", "zwolle")
	ddl := func(table, policy string) {
		t.Helper()
		_, err := b.d.Owner.Exec(ctx, fmt.Sprintf(`
			CREATE TABLE %[1]s (tenant_id text NOT NULL REFERENCES tenants (tenant_id), note text NOT NULL, PRIMARY KEY (tenant_id, note));
			ALTER TABLE %[1]s ENABLE ROW LEVEL SECURITY;
			ALTER TABLE %[1]s FORCE ROW LEVEL SECURITY;
			CREATE POLICY p ON %[1]s %[2]s USING (tenant_id = current_tenant()) WITH CHECK (tenant_id = current_tenant());
			GRANT SELECT, INSERT ON %[1]s TO plein_app;`, table, policy))
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []tenant.ID{"deventer", "zwolle"} {
			err := db.InTenant(tenant.WithID(ctx, id), b.d.App, func(ctx context.Context, tx pgx.Tx) error {
				_, err := tx.Exec(ctx, fmt.Sprintf(`INSERT INTO %s VALUES ($1, 'een notitie')`, table), string(id))
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	offboard := func(id tenant.ID) {
		t.Helper()
		var buf bytes.Buffer
		m, err := Export(ctx, b.d.App, id, &buf, ExportOptions{Actor: "op"})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(m.Files, func(f ManifestFile) bool { return f.Table == "later_notes" && *f.Rows == 1 }) {
			t.Errorf("the export of %s lacks the new table: %+v", id, m.Files)
		}
		_, info, err := VerifyBundle(&buf)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.store.Offboard(ctx, id, info, "op", "opgezegd", 0); err != nil {
			t.Fatal(err)
		}
	}

	ddl("later_notes", "")
	offboard("zwolle")
	o, err := b.store.Purge(ctx, "zwolle", "op")
	if err != nil || o.Deleted["later_notes"] != 1 {
		t.Fatalf("purge: %+v, %v; want the new table's row deleted", o.Deleted, err)
	}

	ddl("hidden_notes", "TO plein_app")
	offboard("deventer")
	if _, err := b.store.Purge(ctx, "deventer", "op"); err == nil || !strings.Contains(err.Error(), "hides the rows of table hidden_notes") {
		t.Errorf("purge with a table hidden from it: %v", err)
	}
	if st, _ := b.store.Status(ctx, "deventer"); st != StatusOffboarding {
		t.Errorf("deventer is %s after the refused purge", st)
	}
}
