// Command settlebench is the benchmark of the monthly settlement (issue 5): it settles N
// residents with three deductions each, end to end — the real `plein settle` in dev
// mode, so River jobs, the engine, the ledger, the SEPA files and the reconciliation
// — and in the same run times a bare COPY of as many rows as the settlement wrote into
// a plain table without indexes, constraints or row-level security: the physical limit
// of this machine.
//
//	go run ./tools/settlebench -plein /path/to/plein -residents 100000
//
// It makes a private PostgreSQL in a fresh data directory (-data-dir, default a
// temporary one), applies the tenants of -tenants, loads the caseload of synth.Bench
// with loadFixture (fixture.go: straight into the tables, not timed), then runs and
// times `plein settle --tenant T --period P --out DIR`.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/tenant"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "settlebench:", err)
		os.Exit(1)
	}
}

// config is what the flags ask for.
type config struct {
	plein, tenantsDir, dataDir string
	tenant                     tenant.ID
	residents                  int
	period                     bijstand.Period
	seed                       uint64
}

// parseArgs reads the flags.
func parseArgs(args []string) (config, error) {
	fs := flag.NewFlagSet("settlebench", flag.ContinueOnError)
	pleinBin := fs.String("plein", "", "the plein binary to run (required; make bench builds it)")
	tenantFlag := fs.String("tenant", "zwolle", "the tenant to settle")
	n := fs.Int("residents", 100000, "how many residents to settle")
	periodFlag := fs.String("period", bijstand.PeriodOf(time.Now()).Prev().String(), "the month to settle, YYYY-MM")
	seed := fs.Uint64("seed", 1, "seed of the caseload")
	tenantsDir := fs.String("tenants", "tenants", "directory of tenant configs")
	dataDir := fs.String("data-dir", "", "data directory of the private PostgreSQL (default: a fresh temporary one, removed after)")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if *pleinBin == "" {
		return config{}, fmt.Errorf("-plein is required")
	}
	c := config{plein: *pleinBin, tenantsDir: *tenantsDir, dataDir: *dataDir, residents: *n, seed: *seed}
	var err error
	if c.tenant, err = tenant.Parse(*tenantFlag); err != nil {
		return config{}, fmt.Errorf("-tenant: %w", err)
	}
	if c.period, err = bijstand.ParsePeriod(*periodFlag); err != nil {
		return config{}, fmt.Errorf("-period: %w", err)
	}
	return c, nil
}

func run(ctx context.Context, args []string) error {
	c, err := parseArgs(args)
	if err != nil {
		return err
	}
	t, period := c.tenant, c.period
	dir := c.dataDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "settlebench-"); err != nil {
			return err
		}
		// The server runs as nobody when we are root: it must reach the directory.
		if err := os.Chmod(dir, 0o755); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	local, err := db.StartLocal(ctx, filepath.Join(dir, ".plein"))
	if err != nil {
		return err
	}
	defer func() { _ = local.Stop(context.WithoutCancel(ctx)) }()
	if err := db.Migrate(ctx, local.URL(db.RoleOwner), nil); err != nil {
		return err
	}
	// The BSN keys plein uses in dev mode: the fixture seals with the same.
	sealer, err := writeKeys(filepath.Join(dir, ".plein", "bsn.keys"))
	if err != nil {
		return err
	}
	plein := func(args ...string) (string, time.Duration, error) {
		cmd := exec.CommandContext(ctx, c.plein, append(args, "--data-dir", filepath.Join(dir, ".plein"))...)
		var out, errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errb
		start := time.Now()
		err := cmd.Run()
		if err != nil {
			return "", 0, fmt.Errorf("plein %s: %w\n%s", strings.Join(args, " "), err, errb.String())
		}
		return out.String(), time.Since(start), nil
	}
	if _, _, err := plein("tenant", "apply", "-f", c.tenantsDir); err != nil {
		return err
	}
	pool, err := db.Open(ctx, local.URL(db.RoleApp))
	if err != nil {
		return err
	}
	defer pool.Close()
	st, err := loadFixture(ctx, pool, sealer, t, c.residents, period, c.seed)
	if err != nil {
		return err
	}
	fmt.Printf("caseload: %d residents, %d payslips, %d plans loaded in %.1f s (not timed)\n",
		st.Residents, st.Payslips, st.Plans, st.Elapsed.Seconds())

	out := filepath.Join(dir, "out")
	// The month may be past the law data's next indexation: a benchmark settles it all the same.
	stdout, wall, err := plein("settle", "--tenant", string(t), "--period", period.String(), "--out", out, "--acknowledge-stale-law")
	if err != nil {
		return err
	}
	fmt.Print(stdout)

	owner, err := pgx.Connect(ctx, local.URL(db.RoleOwner))
	if err != nil {
		return err
	}
	defer owner.Close(ctx)
	rows, runSeconds, err := written(ctx, owner, t, period)
	if err != nil {
		return err
	}
	if err := printSteps(ctx, owner); err != nil {
		return err
	}
	copyTime, err := bareCopy(ctx, owner, rows.total())
	if err != nil {
		return err
	}
	fmt.Printf("settle %d residents: %.2f s end to end (plein settle wall time, process start included); run %.2f s from start to final\n",
		c.residents, wall.Seconds(), runSeconds)
	fmt.Printf("rows written: %s = %d\n", rows, rows.total())
	fmt.Printf("bare COPY of %d rows into a plain table: %.2f s\n", rows.total(), copyTime.Seconds())
	fmt.Printf("ratio settle / bare COPY: %.1f× (wall), %.1f× (run)\n", wall.Seconds()/copyTime.Seconds(), runSeconds/copyTime.Seconds())
	return nil
}

// writeKeys writes fresh BSN keys in plein's dev format and returns their sealer.
func writeKeys(path string) (*bsn.Sealer, error) {
	var e, i [32]byte
	_, _ = rand.Read(e[:])
	_, _ = rand.Read(i[:])
	enc, idx := base64.StdEncoding.EncodeToString(e[:]), base64.StdEncoding.EncodeToString(i[:])
	if err := os.WriteFile(path, []byte(enc+" "+idx+"\n"), 0o600); err != nil {
		return nil, err
	}
	return bsn.NewSealer(e[:], i[:])
}

// rowCounts are the rows the run wrote, per table.
// The journal lines are not rows of their own (journal_lines is a view over the
// entries' arrays); what the ledger writes besides entries are its movements.
type rowCounts struct {
	batches, items, files, accounts, entries, movements, lines int
}

func (r rowCounts) total() int {
	return r.batches + r.items + r.files + r.accounts + r.entries + r.movements
}

func (r rowCounts) String() string {
	return fmt.Sprintf("%d items + %d batches + %d files + %d ledger accounts + %d journal entries (%d lines) + %d ledger movements",
		r.items, r.batches, r.files, r.accounts, r.entries, r.lines, r.movements)
}

// written counts what the final run of period wrote, and its duration.
func written(ctx context.Context, c *pgx.Conn, t tenant.ID, period bijstand.Period) (rowCounts, float64, error) {
	var r rowCounts
	var secs float64
	tx, err := c.Begin(ctx)
	if err != nil {
		return r, 0, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if err := db.SetTenant(ctx, tx, t); err != nil {
		return r, 0, err
	}
	var run string
	err = tx.QueryRow(ctx, `
		SELECT id, extract(epoch FROM finished_at - started_at)::float8 FROM settlement_runs
		WHERE period = $1 AND status = 'final'`, period.First()).Scan(&run, &secs)
	if err != nil {
		return r, 0, fmt.Errorf("the final run: %w", err)
	}
	err = tx.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM settlement_batches WHERE run_id = $1),
		       (SELECT count(*) FROM settlement_items WHERE run_id = $1),
		       (SELECT count(*) FROM settlement_files WHERE run_id = $1),
		       (SELECT count(*) FROM ledger_accounts),
		       (SELECT count(*) FROM journal_entries WHERE source = 'settlement:' || $1),
		       (SELECT coalesce(sum(cardinality(accounts)), 0) FROM journal_entries WHERE source = 'settlement:' || $1),
		       (SELECT count(*) FROM ledger_movements m JOIN journal_entries e ON e.tenant_id = m.tenant_id AND e.id = m.entry_id
		        WHERE e.source = 'settlement:' || $1)`, run).
		Scan(&r.batches, &r.items, &r.files, &r.accounts, &r.entries, &r.lines, &r.movements)
	return r, secs, err
}

// bareCopy times a COPY of n rows shaped like a journal line (tenant, entry, line,
// account, date, amount) into a plain table: no index, no constraint, no trigger, no
// row-level security.
func bareCopy(ctx context.Context, c *pgx.Conn, n int) (time.Duration, error) {
	// A logged table like the settlement's (a temporary one would skip the WAL).
	if _, err := c.Exec(ctx, `CREATE TABLE settlebench_bare (tenant_id text, entry_id bigint, line_no int, account text, booked_on date, amount bigint)`); err != nil {
		return 0, err
	}
	defer func() { _, _ = c.Exec(context.WithoutCancel(ctx), `DROP TABLE settlebench_bare`) }()
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	start := time.Now()
	_, err := c.CopyFrom(ctx, pgx.Identifier{"settlebench_bare"}, []string{"tenant_id", "entry_id", "line_no", "account", "booked_on", "amount"},
		pgx.CopyFromSlice(n, func(i int) ([]any, error) {
			return []any{"zwolle", int64(i / 3), i % 3, "resident:0c6a5b4e-1f2d-4a3b-9c8d-7e6f5a4b3c2d", day, int64(12345 + i)}, nil
		}))
	return time.Since(start), err
}

// printSteps prints how long the run's River jobs took, per kind: where the time goes.
func printSteps(ctx context.Context, c *pgx.Conn) error {
	rows, err := c.Query(ctx, `
		SELECT kind, count(*), sum(extract(epoch FROM finalized_at - attempted_at))::float8,
		       max(extract(epoch FROM finalized_at - attempted_at))::float8,
		       extract(epoch FROM max(finalized_at) - min(attempted_at))::float8
		FROM river.river_job WHERE kind LIKE 'settlement.%' AND kind <> 'settlement.schedule' AND state = 'completed'
		GROUP BY kind ORDER BY min(attempted_at)`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var n int
		var sum, maxS, span float64
		if err := rows.Scan(&kind, &n, &sum, &maxS, &span); err != nil {
			return err
		}
		fmt.Printf("  %-17s %4d jobs, %6.2f s in all, longest %5.2f s, first start to last end %6.2f s\n", kind, n, sum, maxS, span)
	}
	return rows.Err()
}
