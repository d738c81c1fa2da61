package main

// Fault tests of `plein settle`: the worker process is killed (SIGKILL) at random
// points of a run and restarted, or PostgreSQL is restarted under it, and the ledger
// and the files must come out exactly as those of an undisturbed run.
//
// The undisturbed run (the reference) and each disturbed run settle the same caseload
// in data directories of their own. `plein seed` with the same --seed makes the same
// people (names, IBANs, BSNs, payslips, plans and amounts), but resident and the
// tenant's own creditor ids are random UUIDs, and run ids differ, so the comparison
// maps ids to what they stand for: a resident to its name and IBAN, a creditor to its
// name; EndToEndIds, MsgIds and the creation time are left out of the SEPA files.
//
// The kill points are drawn from a random stream whose seed is logged; set
// PLEIN_FAULT_SEED to replay one.

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/plein-nl/plein/internal/syncbuf"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/clock"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/db/pgcluster"
	"github.com/plein-nl/plein/services/settlement"
	"github.com/plein-nl/plein/services/tenancy"
)

// The caseload of the fault tests.
const (
	faultTenant    = "zwolle"
	faultResidents = 1500
	faultSeed      = 424242
	faultBatchSize = 100
)

// faultBin is the plein binary the fault tests run, built once for the tests that use
// it at the same time and removed when the last of them ends.
var faultBin struct {
	mu    sync.Mutex
	dir   string
	users int
}

// faultBinary builds the plein binary (once while tests use it) and returns its path.
func faultBinary(t *testing.T) string {
	t.Helper()
	faultBin.mu.Lock()
	defer faultBin.mu.Unlock()
	if faultBin.dir == "" {
		goTool, err := exec.LookPath("go")
		if err != nil {
			root := os.Getenv("GOROOT")
			if root == "" {
				t.Fatalf("no go tool on PATH to build plein with: %v", err)
			}
			goTool = filepath.Join(root, "bin", "go")
		}
		dir, err := os.MkdirTemp("", "plein-fault-bin-")
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		cmd := exec.Command(goTool, "build", "-o", filepath.Join(dir, "plein"), ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			os.RemoveAll(dir)
			t.Fatalf("go build plein: %v\n%s", err, out)
		}
		t.Logf("built plein in %v", time.Since(start).Round(time.Millisecond))
		faultBin.dir = dir
	}
	faultBin.users++
	t.Cleanup(func() {
		faultBin.mu.Lock()
		defer faultBin.mu.Unlock()
		if faultBin.users--; faultBin.users == 0 {
			os.RemoveAll(faultBin.dir)
			faultBin.dir = ""
		}
	})
	return filepath.Join(faultBin.dir, "plein")
}

// faultEnv is the environment of a plein subprocess: the private PostgreSQL of its
// --data-dir, never a database of the environment.
func faultEnv(args []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k == db.EnvDatabaseURL || k == db.EnvControlURL || k == db.EnvMigrateURL || k == clock.EnvNow {
			continue
		}
		env = append(env, kv)
	}
	if len(args) > 0 && (args[0] == "seed" || args[0] == "settle") {
		env = append(env, clock.EnvNow+"="+faultNow.Format(time.RFC3339))
	}
	return env
}

// faultProc is a running plein subprocess.
type faultProc struct {
	cmd       *exec.Cmd
	out, errb *syncbuf.Buffer
	done      chan struct{}
	err       error // set when done is closed
}

func faultStart(t *testing.T, bin string, args ...string) *faultProc {
	t.Helper()
	p := &faultProc{cmd: exec.Command(bin, args...), out: &syncbuf.Buffer{}, errb: &syncbuf.Buffer{}, done: make(chan struct{})}
	p.cmd.Env = faultEnv(args)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.errb
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start plein %s: %v", strings.Join(args, " "), err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	// A test that fails half-way leaves no plein running (its PostgreSQL is stopped by
	// dataDir's cleanup).
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

func (p *faultProc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill kills the process with SIGKILL and reports whether it was still running.
func (p *faultProc) kill() bool {
	if p.exited() {
		return false
	}
	_ = p.cmd.Process.Kill()
	<-p.done
	return true
}

// wait waits for the process to end by itself, at most timeout.
func (p *faultProc) wait(t *testing.T, timeout time.Duration) error {
	t.Helper()
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		p.kill()
		return fmt.Errorf("plein %s did not end within %v", strings.Join(p.cmd.Args[1:], " "), timeout)
	}
}

// settleLines are the CLI's own lines of its stderr (the JSON log lines left out).
func (p *faultProc) settleLines() string {
	var b strings.Builder
	for _, l := range strings.Split(p.errb.String(), "\n") {
		if strings.HasPrefix(l, "plein settle:") {
			b.WriteString("    " + l + "\n")
		}
	}
	return b.String()
}

// faultRun runs plein to its end and fails the test when it fails.
func faultRun(t *testing.T, bin string, timeout time.Duration, args ...string) string {
	t.Helper()
	p := faultStart(t, bin, args...)
	if err := p.wait(t, timeout); err != nil {
		t.Fatalf("plein %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, p.out.String(), faultTail(p.errb.String(), 4000))
	}
	return p.out.String()
}

func faultTail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// faultNow is the clock of the fault tests' seed and settle: the first day faultMonth's
// run may start (the tenant's pay date less its lead days), at 09:00 in Amsterdam. In
// that month the seeded payment plans are in force (a plan never starts in the past),
// so the run pays creditors and writes specifications too.
var faultNow = func() time.Time {
	loaded, err := tenancy.LoadPath("../../tenants/" + faultTenant + ".yaml")
	if err != nil || len(loaded) != 1 {
		panic(fmt.Sprintf("tenant %s: %v", faultTenant, err))
	}
	st := loaded[0].Config.Settlement
	day := settlement.StartDate(settlement.Settings{PayDay: st.PayDayOrDefault(), LeadDays: st.RunLeadDaysOrDefault()}, faultPeriod)
	now, err := clock.Parse(day.Format(time.DateOnly))
	if err != nil {
		panic(err)
	}
	return now
}()

// faultPeriod is the month the tests settle, on any date the suite runs: seed and
// settle rehearse it with PLEIN_NOW (faultNow).
var faultPeriod = bijstand.Period{Year: 2026, Month: time.June}

// faultSeeded is the data directory the fault caseload is seeded into once, for the
// tests that run at the same time; each test settles a copy of it (faultDataDir), and
// the last one to end removes it. Seeding 1,500 residents is most of a data
// directory's cost, and every copy starts from the same rows.
var faultSeeded struct {
	mu    sync.Mutex
	dir   string
	ready bool // seeded and stopped
	users int
}

// faultDataDir returns a new data directory with the tenants applied and the fault
// caseload seeded: a copy of the one seeded for all fault tests.
func faultDataDir(t *testing.T, bin string, period bijstand.Period) string {
	t.Helper()
	seeded := faultSeedOnce(t, bin, period)
	data := dataDir(t)
	// cp -a keeps the owner of the PostgreSQL files (nobody, when the tests run as root).
	if out, err := exec.Command("cp", "-a", seeded+"/.", data).CombinedOutput(); err != nil {
		t.Fatalf("copy the seeded data directory: %v\n%s", err, out)
	}
	return data
}

// faultSeedOnce seeds the fault caseload into a data directory of its own on first
// use and returns it, with its PostgreSQL stopped so that it can be copied.
func faultSeedOnce(t *testing.T, bin string, period bijstand.Period) string {
	t.Helper()
	faultSeeded.mu.Lock()
	defer faultSeeded.mu.Unlock()
	if faultSeeded.dir == "" {
		faultSeeded.dir = dataDirKept(t)
	}
	faultSeeded.users++
	t.Cleanup(func() {
		faultSeeded.mu.Lock()
		defer faultSeeded.mu.Unlock()
		if faultSeeded.users--; faultSeeded.users == 0 {
			removeDataDir(faultSeeded.dir)
			faultSeeded.dir, faultSeeded.ready = "", false
		}
	})
	if !faultSeeded.ready {
		dir := faultSeeded.dir
		start := time.Now()
		faultRun(t, bin, 2*time.Minute, "tenant", "apply", "-f", "../../tenants", "--data-dir", dir, "--author", "fault-test")
		out := faultRun(t, bin, 3*time.Minute, "seed", "--tenant", faultTenant, "--residents", strconv.Itoa(faultResidents),
			"--period", period.String(), "--seed", strconv.Itoa(faultSeed), "--data-dir", dir)
		if err := faultCluster(t, dir).Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Logf("tenants applied and %d residents seeded in %v: %s", faultResidents,
			time.Since(start).Round(100*time.Millisecond), strings.SplitN(out, "\n", 2)[0])
		faultSeeded.ready = true
	}
	return faultSeeded.dir
}

func faultSettleArgs(data, out string, period bijstand.Period) []string {
	return []string{"settle", "--tenant", faultTenant, "--period", period.String(), "--out", out,
		"--batch-size", strconv.Itoa(faultBatchSize), "--data-dir", data}
}

// faultCluster returns the data directory's PostgreSQL.
func faultCluster(t *testing.T, data string) *pgcluster.Cluster {
	t.Helper()
	c, err := pgcluster.Open(filepath.Join(data, "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// faultOwnerPool returns a pool on the data directory's database as plein_owner, with the
// tenant set on every connection (the owner is held to row-level security too). It
// connects lazily: the server may be down now and then.
func faultOwnerPool(t *testing.T, data string) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(faultCluster(t, data).URL(db.RoleOwner, db.LocalDatabase))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 3
	cfg.AfterConnect = func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, `SELECT set_config('plein.tenant_id', $1, false)`, faultTenant)
		return err
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// faultRunState is where the period's run is, as stored.
type faultRunState struct {
	found                     bool
	id, status                string
	batchesDone, batchesTotal int
	residentsDone             int
}

func (s faultRunState) String() string {
	if !s.found {
		return "no run yet"
	}
	if s.status == "computing" || s.status == "planning" {
		return fmt.Sprintf("%s (batch %d of %d done, %d residents)", s.status, s.batchesDone, s.batchesTotal, s.residentsDone)
	}
	return s.status
}

// phase orders the statuses of a run that pays.
func (s faultRunState) phase() int {
	if !s.found {
		return 0
	}
	switch settlement.Status(s.status) {
	case settlement.StatusPlanning:
		return 1
	case settlement.StatusComputing, settlement.StatusClosing:
		return 2
	case settlement.StatusAwaitingApproval:
		return 3
	case settlement.StatusPosting:
		return 4
	}
	return 5
}

func faultReadRun(ctx context.Context, pool *pgxpool.Pool, period bijstand.Period) (faultRunState, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var s faultRunState
	err := pool.QueryRow(ctx, `
		SELECT id, status, batches_done, batches_total, residents_done FROM settlement_runs
		WHERE period = $1 AND NOT dry_run ORDER BY started_at DESC LIMIT 1`, period.First()).
		Scan(&s.id, &s.status, &s.batchesDone, &s.batchesTotal, &s.residentsDone)
	if errors.Is(err, pgx.ErrNoRows) {
		return faultRunState{}, nil
	}
	s.found = err == nil
	return s, err
}

// faultTiming is how long the phases of the undisturbed run took.
type faultTiming struct {
	compute time.Duration // started → computed (planning and the batches)
	post    time.Duration // approved → final (the posting transaction)
	total   time.Duration // the whole plein settle
}

// faultReference is the undisturbed run, made once for the tests.
var faultReference struct {
	once   sync.Once
	snap   *faultSnapshot
	timing faultTiming
}

// faultReferenceRun returns the snapshot and timing of an undisturbed run of the fault
// caseload, making it on first use.
func faultReferenceRun(t *testing.T, bin string, period bijstand.Period) (*faultSnapshot, faultTiming) {
	t.Helper()
	faultReference.once.Do(func() {
		data := faultDataDir(t, bin, period)
		out := filepath.Join(data, "out")
		start := time.Now()
		p := faultStart(t, bin, faultSettleArgs(data, out, period)...)
		if err := p.wait(t, 3*time.Minute); err != nil {
			t.Fatalf("undisturbed plein settle: %v\n%s", err, faultTail(p.errb.String(), 4000))
		}
		var tm faultTiming
		tm.total = time.Since(start)
		c := faultCluster(t, data)
		if err := c.Start(context.Background()); err != nil { // plein settle stopped the server it started
			t.Fatal(err)
		}
		pool := faultOwnerPool(t, data)
		var started, computed, approved, finished time.Time
		if err := pool.QueryRow(context.Background(), `
			SELECT started_at, computed_at, approved_at, finished_at FROM settlement_runs
			WHERE period = $1 AND status = 'final'`, period.First()).Scan(&started, &computed, &approved, &finished); err != nil {
			t.Fatalf("reference run: %v", err)
		}
		tm.compute, tm.post = computed.Sub(started), finished.Sub(approved)
		snap := faultSnapshotOf(t, pool, out, period)
		snap.checkSound(t, "reference")
		pool.Close()
		_ = c.Stop(context.Background())
		var b strings.Builder
		for _, g := range slices.Sorted(maps.Keys(snap.ledger.groups)) {
			fmt.Fprintf(&b, "    %s: %.300s\n", g, snap.ledger.groups[g])
		}
		t.Logf("reference ledger: %d entries, %d lines, %d resident accounts; per kind of entry:\n%s", snap.ledger.entries,
			snap.ledger.lines, len(snap.ledger.residents), b.String())
		t.Logf("reference run: plein settle took %v (planning and computing %v, posting %v); %d files, %d journal entries\n%s",
			tm.total.Round(time.Millisecond), tm.compute.Round(time.Millisecond), tm.post.Round(time.Millisecond),
			len(snap.files), snap.ledger.entries, strings.TrimRight(p.out.String(), "\n"))
		faultReference.snap, faultReference.timing = snap, tm
	})
	if faultReference.snap == nil {
		t.Fatal("the undisturbed reference run failed (see the test that made it)")
	}
	return faultReference.snap, faultReference.timing
}

// faultRand returns the random stream of a test, its seed logged.
func faultRand(t *testing.T) *rand.Rand {
	t.Helper()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("PLEIN_FAULT_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("PLEIN_FAULT_SEED: %v", err)
		}
		seed = v
	}
	t.Logf("random seed %d (PLEIN_FAULT_SEED=%d replays it)", seed, seed)
	return rand.New(rand.NewPCG(seed, 0x5e771e))
}

func faultBetween(rng *rand.Rand, lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(rng.Int64N(int64(hi-lo)))
}

// faultPoint is a point of a run at which something is done to it: once the run has
// reached phase (and, in computing, done at least minShare of its batches) or gone beyond,
// after a random delay.
type faultPoint struct {
	name     string
	phase    int     // faultRunState.phase to wait for; 0: from the process's start
	minShare float64 // in computing: the share of batches to wait for
	maxDelay time.Duration
}

// faultAwait waits until the run reaches d (or the process ends: false) and then the
// delay, and returns the delay.
func faultAwait(t *testing.T, p *faultProc, pool *pgxpool.Pool, period bijstand.Period, d faultPoint, rng *rand.Rand) (time.Duration, bool) {
	t.Helper()
	delay := faultBetween(rng, 0, d.maxDelay)
	deadline := time.Now().Add(3 * time.Minute)
	for d.phase > 0 {
		if p.exited() {
			return delay, false
		}
		if time.Now().After(deadline) {
			t.Fatalf("the run did not reach %s within 3 minutes:\n%s", d.name, p.settleLines())
		}
		s, err := faultReadRun(context.Background(), pool, period)
		if err == nil && (s.phase() > d.phase ||
			s.phase() == d.phase && (d.phase != 2 || float64(s.batchesDone) >= d.minShare*float64(s.batchesTotal))) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case <-p.done:
		return delay, false
	case <-time.After(delay):
	}
	return delay, !p.exited()
}

func TestSettleSurvivesKills(t *testing.T) {
	t.Parallel()
	b := setupFault(t)
	bin, period, pool, rng := b.bin, b.period, b.pool, b.rng
	args := faultSettleArgs(b.data, b.out, period)

	// A run of this caseload takes a second or two (tm), most of it the process's
	// start-up; the points wait for their phase and then a random part of it.
	post := max(b.tm.post*9/10, 20*time.Millisecond)
	points := []faultPoint{
		{name: "start-up", maxDelay: 700 * time.Millisecond},
		{name: "planning", phase: 1, maxDelay: 20 * time.Millisecond},
		{name: "computing", phase: 2, minShare: rng.Float64() * 0.4, maxDelay: 30 * time.Millisecond},
		{name: "computing, late", phase: 2, minShare: 0.5 + rng.Float64()*0.45, maxDelay: 30 * time.Millisecond},
		{name: "posting", phase: 4, maxDelay: post},
		{name: "posting, again", phase: 4, maxDelay: post},
		{name: "final, writing the files", phase: 5, maxDelay: 20 * time.Millisecond},
	}
	var hits []string
	start := time.Now()
	for i, d := range points {
		p := faultStart(t, bin, args...)
		delay, alive := faultAwait(t, p, pool, period, d, rng)
		if !alive || !p.kill() {
			// The run ended before this point was reached: nothing left to kill.
			t.Logf("kill %d (%s): plein settle ended first (%v)\n%s", i+1, d.name, p.err, p.settleLines())
			if p.err != nil {
				t.Fatalf("plein settle failed:\n%s", faultTail(p.errb.String(), 4000))
			}
			break
		}
		// The server outlives the process (it runs in a process group of its own), unless
		// the kill came before the process had started it.
		where := "start-up (its database not up yet)"
		if s, err := faultReadRun(context.Background(), pool, period); err == nil {
			where = s.String()
			hits = append(hits, cmp.Or(s.status, "no run yet"))
		} else {
			hits = append(hits, "start-up")
		}
		t.Logf("kill %d (aimed at %s, %v after it was reached): SIGKILL with the run in %s\n%s", i+1, d.name,
			delay.Round(time.Millisecond), where, p.settleLines())
	}
	p := faultStart(t, bin, args...)
	if err := p.wait(t, 3*time.Minute); err != nil {
		t.Fatalf("plein settle after %d kills: %v\n%s", len(hits), err, faultTail(p.errb.String(), 4000))
	}
	t.Logf("plein settle finished after %d kills, %v in all\n%s", len(hits), time.Since(start).Round(time.Millisecond), p.settleLines())
	if len(hits) < 4 {
		t.Errorf("only %d kills landed on a running plein settle, want at least 4", len(hits))
	}
	t.Logf("the kills hit the run in: %s", strings.Join(hits, ", "))

	b.checkDisturbed(t)
}

func TestSettleSurvivesPostgresRestart(t *testing.T) {
	t.Parallel()
	b := setupFault(t)
	period, pool, rng := b.period, b.pool, b.rng
	c := faultCluster(t, b.data)

	points := []faultPoint{
		{name: "computing", phase: 2, minShare: 0.1 + rng.Float64()*0.7, maxDelay: 30 * time.Millisecond},
		{name: "posting", phase: 4, maxDelay: max(b.tm.post*9/10, 20*time.Millisecond)},
	}
	start := time.Now()
	p := faultStart(t, b.bin, faultSettleArgs(b.data, b.out, period)...)
	var hits []string
	for i, d := range points {
		delay, alive := faultAwait(t, p, pool, period, d, rng)
		if !alive {
			t.Logf("restart %d (%s): plein settle ended first", i+1, d.name)
			break
		}
		s, _ := faultReadRun(context.Background(), pool, period)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		stopAt := time.Now()
		if err := c.Stop(ctx); err != nil {
			cancel()
			t.Fatalf("stop PostgreSQL: %v", err)
		}
		time.Sleep(time.Second)
		err := c.Start(ctx)
		cancel()
		if err != nil {
			t.Fatalf("start PostgreSQL: %v", err)
		}
		hits = append(hits, s.status)
		t.Logf("restart %d (aimed at %s, %v after it was reached): PostgreSQL stopped with the run in %s, up again after %v",
			i+1, d.name, delay.Round(time.Millisecond), s, time.Since(stopAt).Round(time.Millisecond))
	}
	if err := p.wait(t, 3*time.Minute); err != nil {
		t.Fatalf("plein settle with PostgreSQL restarted under it: %v\n%s", err, faultTail(p.errb.String(), 6000))
	}
	t.Logf("plein settle finished after %d PostgreSQL restarts in %v\n%s", len(hits), time.Since(start).Round(time.Millisecond), p.settleLines())
	if len(hits) == 0 {
		t.Error("PostgreSQL was never restarted during the run")
	}
	b.checkDisturbed(t)
}

// faultBundle is what a fault test disturbs and compares with: the plein binary, a
// seeded data directory with its output folder and owner pool, the reference run of
// the same caseload with its timing, and the random stream of the disturbances.
type faultBundle struct {
	bin       string
	period    bijstand.Period
	data, out string
	ref       *faultSnapshot
	tm        faultTiming
	rng       *rand.Rand
	pool      *pgxpool.Pool
}

// setupFault seeds a data directory for a disturbed run and makes (once) the
// reference run it is compared with.
func setupFault(t *testing.T) *faultBundle {
	t.Helper()
	b := &faultBundle{bin: faultBinary(t), period: faultPeriod}
	b.data = faultDataDir(t, b.bin, b.period)
	b.ref, b.tm = faultReferenceRun(t, b.bin, b.period)
	b.rng = faultRand(t)
	b.pool = faultOwnerPool(t, b.data)
	b.out = filepath.Join(b.data, "out")
	return b
}

// checkDisturbed compares the disturbed run with the reference and checks what holds
// only in it: no entry twice, one final run, and a settle of the final period writes
// the same files again and books nothing.
func (b *faultBundle) checkDisturbed(t *testing.T) {
	t.Helper()
	bin, pool, data, out, period, ref := b.bin, b.pool, b.data, b.out, b.period, b.ref
	// plein settle stops the server on its way out when it was the one to start it.
	if err := faultCluster(t, data).Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := faultSnapshotOf(t, pool, out, period)
	got.checkSound(t, "disturbed run")
	faultCompare(t, ref, got)

	out2 := filepath.Join(data, "out-again")
	faultRun(t, bin, 2*time.Minute, faultSettleArgs(data, out2, period)...)
	if err := faultCluster(t, data).Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	first, second := faultHashes(t, out), faultHashes(t, out2)
	if !maps.Equal(first, second) {
		t.Errorf("plein settle of the final period wrote other files:\nfirst  %v\nagain  %v", first, second)
	}
	again := faultSnapshotOf(t, pool, out2, period)
	if again.ledger.entries != got.ledger.entries || again.ledger.lines != got.ledger.lines {
		t.Errorf("plein settle of the final period changed the ledger: %d entries, %d lines; before %d, %d",
			again.ledger.entries, again.ledger.lines, got.ledger.entries, got.ledger.lines)
	}
	faultCompare(t, got, again)
}

// faultSnapshot is a run's files and the tenant's ledger, with the ids that differ
// between two data directories mapped to what they stand for.
type faultSnapshot struct {
	// files maps a file's name (creditor ids replaced by names) to its content with
	// the run's ids and creation time taken out (see faultNormalise).
	files map[string]string
	// stray are the other files in the directory: temporary files of a killed writer.
	stray []string
	// e2e are the EndToEndIds of the SEPA files.
	e2e    []string
	ledger faultLedger
}

type faultLedger struct {
	entries, lines int
	// groups are, per idempotency key and source (ids replaced by <id>, numbers by #),
	// booking date and description (numbers replaced by #), the number of entries, how
	// many of them have how many lines on resident accounts, and the sum of the lines on
	// every other account. The month is booked in compound entries of a batch of
	// residents each, in resident id order (settlement.MonthEntries): which residents
	// share an entry, and so what an entry holds for a creditor and on how many entries
	// a creditor has a line, follows the random resident ids, and only the sums over
	// all of them compare.
	groups map[string]string
	// balances are those of the accounts that are not a resident's (a creditor's by
	// name).
	balances map[string]int64
	// residents are the name and IBAN, balance, credits and number of lines of every
	// resident account, sorted.
	residents []string
	// Only meaningful in one database: keys posted twice, the entries' sources and the
	// final runs of the period.
	dupKeys   []string
	sources   []string
	finalRuns []string
	runs      []string
}

var (
	faultUUIDRE   = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	faultNumberRE = regexp.MustCompile(`[0-9]+`)
)

func faultSnapshotOf(t *testing.T, pool *pgxpool.Pool, dir string, period bijstand.Period) *faultSnapshot {
	t.Helper()
	ctx := context.Background()
	creditorNames := map[string]string{}
	faultCollect(t, pool, `SELECT id, name FROM creditors`, func(r pgx.Rows) error {
		var id, name string
		err := r.Scan(&id, &name)
		creditorNames[id] = name
		return err
	})
	residentOf := map[string]string{}
	faultCollect(t, pool, `SELECT id, name, iban FROM residents`, func(r pgx.Rows) error {
		var id, name, ib string
		err := r.Scan(&id, &name, &ib)
		residentOf[id] = name + " " + ib
		return err
	})
	if len(residentOf) != faultResidents {
		t.Fatalf("%d residents in the database, want %d", len(residentOf), faultResidents)
	}
	byName := func(s string) string {
		return faultUUIDRE.ReplaceAllStringFunc(s, func(id string) string {
			if n, ok := creditorNames[id]; ok {
				return "creditor<" + n + ">"
			}
			return "<id>"
		})
	}

	s := &faultSnapshot{files: map[string]string{}}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		if strings.HasPrefix(e.Name(), ".") {
			s.stray = append(s.stray, e.Name())
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		name, content, e2e, err := faultNormalise(e.Name(), b, byName)
		if err != nil {
			t.Errorf("%s: %v", e.Name(), err)
			continue
		}
		if prev, ok := s.files[name]; ok {
			content = prev + content // SEPA files of one kind are compared as one
		}
		s.files[name] = content
		s.e2e = append(s.e2e, e2e...)
	}
	for name, c := range s.files {
		if strings.HasPrefix(name, "sepa kind ") {
			s.files[name] = faultSEPAKind(c)
		}
	}

	l := &s.ledger
	l.groups = map[string]string{}
	type group struct {
		residentLines map[int64]int    // entry → its lines on resident accounts
		sums          map[string]int64 // non-resident account → the sum of its lines
	}
	groups := map[string]*group{}
	faultCollect(t, pool, `
		SELECT e.id, e.idempotency_key, e.source, e.booked_on::text, e.description, j.account_code, j.amount_cents
		FROM journal_entries e JOIN journal_lines j ON j.tenant_id = e.tenant_id AND j.entry_id = e.id`, func(r pgx.Rows) error {
		var id, amount int64
		var key, source, booked, desc, account string
		if err := r.Scan(&id, &key, &source, &booked, &desc, &account, &amount); err != nil {
			return err
		}
		k := strings.Join([]string{faultNumberRE.ReplaceAllString(faultUUIDRE.ReplaceAllString(key, "<id>"), "#"),
			faultUUIDRE.ReplaceAllString(source, "<id>"), booked, faultNumberRE.ReplaceAllString(byName(desc), "#")}, " | ")
		g := groups[k]
		if g == nil {
			g = &group{residentLines: map[int64]int{}, sums: map[string]int64{}}
			groups[k] = g
		}
		if _, ok := g.residentLines[id]; !ok {
			g.residentLines[id] = 0
			l.entries++
		}
		l.lines++
		if strings.HasPrefix(account, "resident:") {
			g.residentLines[id]++
		} else {
			g.sums[byName(account)] += amount
		}
		return nil
	})
	for k, g := range groups {
		perEntry := map[int]int{} // resident lines of an entry → entries with that many
		for _, n := range g.residentLines {
			perEntry[n]++
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%d entries;", len(g.residentLines))
		for _, n := range slices.Sorted(maps.Keys(perEntry)) {
			fmt.Fprintf(&b, " %d with %d resident lines;", perEntry[n], n)
		}
		for _, a := range slices.Sorted(maps.Keys(g.sums)) {
			fmt.Fprintf(&b, " %s %d", a, g.sums[a])
		}
		l.groups[k] = b.String()
	}
	l.balances = map[string]int64{}
	faultCollect(t, pool, `
		SELECT a.code, coalesce(sum(j.amount_cents), 0)::bigint,
		       coalesce(sum(j.amount_cents) FILTER (WHERE j.amount_cents < 0), 0)::bigint, count(j.amount_cents)
		FROM ledger_accounts a LEFT JOIN journal_lines j ON j.tenant_id = a.tenant_id AND j.account_code = a.code
		GROUP BY a.code`, func(r pgx.Rows) error {
		var code string
		var bal, credits int64
		var n int
		if err := r.Scan(&code, &bal, &credits, &n); err != nil {
			return err
		}
		if id, ok := strings.CutPrefix(code, "resident:"); ok {
			who, known := residentOf[id]
			if !known {
				who = "unknown resident " + id
			}
			// A paid resident's balance is 0 (owed, then paid): what was owed, and in
			// how many lines, is what tells the residents apart.
			l.residents = append(l.residents, fmt.Sprintf("%s: balance %d, credited %d in %d lines", who, bal, credits, n))
			return nil
		}
		l.balances[byName(code)] = bal
		return nil
	})
	slices.Sort(l.residents)
	faultCollect(t, pool, `SELECT idempotency_key FROM journal_entries GROUP BY 1 HAVING count(*) > 1`, func(r pgx.Rows) error {
		var k string
		err := r.Scan(&k)
		l.dupKeys = append(l.dupKeys, k)
		return err
	})
	faultCollect(t, pool, `SELECT DISTINCT source FROM journal_entries ORDER BY 1`, func(r pgx.Rows) error {
		var src string
		err := r.Scan(&src)
		l.sources = append(l.sources, src)
		return err
	})
	rows, err := pool.Query(ctx, `
		SELECT id, status, dry_run FROM settlement_runs WHERE period = $1 ORDER BY started_at`, period.First())
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, status string
		var dry bool
		if err := rows.Scan(&id, &status, &dry); err != nil {
			t.Fatal(err)
		}
		l.runs = append(l.runs, fmt.Sprintf("%s %s dry_run=%v", id, status, dry))
		if status == string(settlement.StatusFinal) && !dry {
			l.finalRuns = append(l.finalRuns, id)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

func faultCollect(t *testing.T, pool *pgxpool.Pool, q string, scan func(pgx.Rows) error) {
	t.Helper()
	rows, err := pool.Query(context.Background(), q)
	if err != nil {
		t.Fatalf("%s: %v", strings.TrimSpace(q), err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			t.Fatalf("%s: %v", strings.TrimSpace(q), err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", strings.TrimSpace(q), err)
	}
}

// checkSound checks what must hold in any one database after a run: one final run of
// the period whose entries are all the ledger has, no key posted twice, no EndToEndId
// twice, every file whole.
func (s *faultSnapshot) checkSound(t *testing.T, what string) {
	t.Helper()
	l := s.ledger
	if len(l.finalRuns) != 1 {
		t.Errorf("%s: %d final runs of the period, want 1: %v", what, len(l.finalRuns), l.runs)
	} else if want := []string{settlement.Source(l.finalRuns[0])}; !slices.Equal(l.sources, want) {
		t.Errorf("%s: the ledger has entries of %v, want those of the final run only (%v)", what, l.sources, want)
	}
	if len(l.dupKeys) > 0 {
		t.Errorf("%s: idempotency keys posted more than once: %v", what, l.dupKeys)
	}
	seen := map[string]bool{}
	for _, id := range s.e2e {
		if seen[id] {
			t.Errorf("%s: EndToEndId %s occurs twice in the SEPA files", what, id)
		}
		seen[id] = true
	}
	// The comparison is only as good as what was read: the files and the ledger must
	// hold the run, and agree with its reconciliation.
	var rec struct {
		Residents           int   `json:"residents"`
		SEPATransactions    int   `json:"sepa_transactions"`
		SEPAControlSumCents int64 `json:"sepa_control_sum_cents"`
		OK                  bool  `json:"ok"`
	}
	if err := json.Unmarshal([]byte(s.files["reconciliation.json"]), &rec); err != nil {
		t.Errorf("%s: reconciliation.json: %v", what, err)
	}
	var txs int
	var sum int64
	for name, c := range s.files {
		if strings.HasPrefix(name, "sepa kind ") {
			var files, n int
			var cents int64
			fmt.Sscanf(c, "%d files, NbOfTxs %d, CtrlSum %d cents", &files, &n, &cents)
			txs, sum = txs+n, sum+cents
		}
	}
	if !rec.OK || rec.Residents != faultResidents || rec.SEPATransactions != txs || rec.SEPAControlSumCents != sum || txs == 0 ||
		len(s.e2e) != txs {
		t.Errorf("%s: the SEPA files hold %d transfers of %d cents (%d EndToEndIds); reconciliation.json: %+v", what, txs, sum, len(s.e2e), rec)
	}
	if len(l.residents) == 0 || len(l.residents) > faultResidents || l.entries == 0 || len(l.balances) == 0 {
		t.Errorf("%s: the ledger has %d entries, %d resident and %d other accounts", what, l.entries, len(l.residents), len(l.balances))
	}
	if len(s.stray) > 0 {
		t.Logf("%s: files left in the out directory by a killed writer (ignored): %v", what, s.stray)
	}
	if len(l.runs) > 1 {
		t.Logf("%s: runs of the period: %v", what, l.runs)
	}
	for name, c := range s.files {
		if strings.HasPrefix(c, "error: ") {
			t.Errorf("%s: %s: %s", what, name, c)
		}
	}
}

func faultCompare(t *testing.T, want, got *faultSnapshot) {
	t.Helper()
	for _, name := range slices.Sorted(maps.Keys(want.files)) {
		g, ok := got.files[name]
		switch {
		case !ok:
			t.Errorf("file %s of the undisturbed run is missing", name)
		case g != want.files[name]:
			t.Errorf("file %s differs from the undisturbed run's:\n%s", name, faultLineDiff(want.files[name], g))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(got.files)) {
		if _, ok := want.files[name]; !ok {
			t.Errorf("file %s is not one of the undisturbed run's", name)
		}
	}
	w, g := want.ledger, got.ledger
	if w.entries != g.entries {
		t.Errorf("ledger: %d entries; the undisturbed run's %d", g.entries, w.entries)
	}
	if w.lines != g.lines {
		t.Logf("ledger: %d lines, the undisturbed run's %d (not compared: see faultLedger.groups)", g.lines, w.lines)
	}
	if !maps.Equal(w.groups, g.groups) {
		t.Errorf("ledger: entries per key, source, date and description differ:\n%s", faultMapDiff(w.groups, g.groups))
	}
	if !maps.Equal(w.balances, g.balances) {
		t.Errorf("ledger: balances of the non-resident accounts differ:\n%s", faultMapDiff(w.balances, g.balances))
	}
	if !slices.Equal(w.residents, g.residents) {
		t.Errorf("ledger: resident balances differ (%d, the undisturbed run %d):\n%s", len(g.residents), len(w.residents),
			faultLineDiff(strings.Join(w.residents, "\n"), strings.Join(g.residents, "\n")))
	}
}

// faultSEPADoc is what the comparison reads of a pain.001 file (both versions).
type faultSEPADoc struct {
	GrpHdr struct {
		NbOfTxs int
		CtrlSum string
	} `xml:"CstmrCdtTrfInitn>GrpHdr"`
	PmtInf struct {
		NbOfTxs     int
		CtrlSum     string
		ReqdExctnDt struct {
			Dt   string `xml:"Dt"`
			Text string `xml:",chardata"`
		}
		Dbtr     string `xml:"Dbtr>Nm"`
		DbtrIBAN string `xml:"DbtrAcct>Id>IBAN"`
		Txs      []struct {
			E2E string `xml:"PmtId>EndToEndId"`
			Amt struct {
				InstdAmt struct {
					Ccy   string `xml:"Ccy,attr"`
					Value string `xml:",chardata"`
				}
			}
			BIC  string `xml:"CdtrAgt>FinInstnId>BICFI"`
			BIC3 string `xml:"CdtrAgt>FinInstnId>BIC"`
			Name string `xml:"Cdtr>Nm"`
			IBAN string `xml:"CdtrAcct>Id>IBAN"`
			Text string `xml:"RmtInf>Ustrd"`
		} `xml:"CdtTrfTxInf"`
	} `xml:"CstmrCdtTrfInitn>PmtInf"`
}

var (
	faultE2ERE      = regexp.MustCompile(`^PL[RC][0-9a-f]{32}$`)
	faultSEPAKindRE = regexp.MustCompile(`^(sepa-\d{4}-\d{2}-[a-z]+)(-\d{3})?\.xml$`)
)

// faultNormalise returns the name a file is compared under and its content without
// what differs between two runs of one caseload: for a SEPA file the transfers as
// sorted lines (name, IBAN, BIC, amount, remittance with the EndToEndId taken out)
// after a header line (transactions, control sum, execution date, debtor), MsgId,
// PmtInfId and CreDtTm left out; reconciliation.json without run_id; a creditor
// specification with its lines sorted (they are in resident id order).
func faultNormalise(name string, b []byte, byName func(string) string) (string, string, []string, error) {
	switch {
	case strings.HasSuffix(name, ".xml"):
		var d faultSEPADoc
		if err := xml.Unmarshal(b, &d); err != nil {
			return "", "", nil, err
		}
		p := d.PmtInf
		if len(p.Txs) != p.NbOfTxs || d.GrpHdr.NbOfTxs != p.NbOfTxs || d.GrpHdr.CtrlSum != p.CtrlSum {
			return "", "", nil, fmt.Errorf("%d transfers, NbOfTxs %d/%d, CtrlSum %s/%s", len(p.Txs), d.GrpHdr.NbOfTxs, p.NbOfTxs, d.GrpHdr.CtrlSum, p.CtrlSum)
		}
		cents, err := faultCents(p.CtrlSum)
		if err != nil {
			return "", "", nil, err
		}
		exec := cmp.Or(p.ReqdExctnDt.Dt, strings.TrimSpace(p.ReqdExctnDt.Text))
		var lines []string
		var e2e []string
		var sum int64
		for _, tx := range p.Txs {
			if !faultE2ERE.MatchString(tx.E2E) {
				return "", "", nil, fmt.Errorf("EndToEndId %q", tx.E2E)
			}
			e2e = append(e2e, tx.E2E)
			c, err := faultCents(tx.Amt.InstdAmt.Value)
			if err != nil {
				return "", "", nil, err
			}
			sum += c
			lines = append(lines, fmt.Sprintf("tx %s | %s | %s | %s %s | %s", tx.Name, tx.IBAN, tx.BIC+tx.BIC3, tx.Amt.InstdAmt.Ccy, tx.Amt.InstdAmt.Value,
				strings.ReplaceAll(tx.Text, tx.E2E, "<EndToEndId>")))
		}
		if sum != cents {
			return "", "", nil, fmt.Errorf("transfers add up to %d cents, CtrlSum %s", sum, p.CtrlSum)
		}
		slices.Sort(lines)
		kind := name
		if m := faultSEPAKindRE.FindStringSubmatch(name); m != nil {
			kind = m[1]
		}
		head := fmt.Sprintf("file %d %d | execution %s | debtor %s %s\n", p.NbOfTxs, cents, exec, p.Dbtr, p.DbtrIBAN)
		return "sepa kind " + kind, head + strings.Join(lines, "\n") + "\n", e2e, nil
	case name == "reconciliation.json":
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return "", "", nil, err
		}
		delete(m, "run_id")
		out, err := json.MarshalIndent(m, "", "  ")
		return name, string(out), nil, err
	case strings.HasPrefix(name, "spec-") && strings.HasSuffix(name, ".csv"):
		lines := strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n")
		slices.Sort(lines[1:])
		return byName(name), strings.Join(lines, "\n"), nil, nil
	case strings.HasPrefix(name, "spec-") && strings.HasSuffix(name, ".json"):
		var spec struct {
			Count      int               `json:"count"`
			TotalCents int64             `json:"total_cents"`
			Lines      []json.RawMessage `json:"lines"`
		}
		if err := json.Unmarshal(b, &spec); err != nil {
			return "", "", nil, err
		}
		lines := make([]string, len(spec.Lines))
		for i, l := range spec.Lines {
			lines[i] = string(l)
		}
		slices.Sort(lines)
		return byName(name), fmt.Sprintf("count %d total %d\n%s", spec.Count, spec.TotalCents, strings.Join(lines, "\n")), nil, nil
	}
	return byName(name), string(b), nil, nil
}

// faultSEPAKind folds the files of one kind into their count and totals, the header
// lines without the per-file totals, and all their transfers sorted.
func faultSEPAKind(c string) string {
	var files, txs int
	var sum int64
	heads := map[string]bool{}
	var lines []string
	for _, l := range strings.Split(strings.TrimSuffix(c, "\n"), "\n") {
		if rest, ok := strings.CutPrefix(l, "file "); ok {
			var n int
			var cents int64
			var head string
			if k, _ := fmt.Sscanf(rest, "%d %d", &n, &cents); k != 2 {
				return "error: bad header " + l
			}
			_, head, _ = strings.Cut(rest, " | ")
			files, txs, sum = files+1, txs+n, sum+cents
			heads[head] = true
			continue
		}
		lines = append(lines, l)
	}
	slices.Sort(lines)
	return fmt.Sprintf("%d files, NbOfTxs %d, CtrlSum %d cents\n%s\n%s", files, txs, sum,
		strings.Join(slices.Sorted(maps.Keys(heads)), "\n"), strings.Join(lines, "\n"))
}

func faultCents(s string) (int64, error) {
	whole, frac, ok := strings.Cut(s, ".")
	if !ok || len(frac) != 2 {
		return 0, fmt.Errorf("amount %q", s)
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("amount %q", s)
	}
	return w*100 + f, nil
}

// faultHashes returns the sha256 of every file of dir but temporary ones.
func faultHashes(t *testing.T, dir string) map[string]string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range ents {
		if e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		out[e.Name()] = hex.EncodeToString(sum[:8])
	}
	return out
}

func faultMapDiff[V comparable](want, got map[string]V) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(want)) {
		if g, ok := got[k]; !ok {
			fmt.Fprintf(&b, "  - %s: %v\n", k, want[k])
		} else if g != want[k] {
			fmt.Fprintf(&b, "  ~ %s: %v, undisturbed %v\n", k, g, want[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok {
			fmt.Fprintf(&b, "  + %s: %v\n", k, got[k])
		}
	}
	return b.String()
}

// faultLineDiff lists the lines only in want (-) and only in got (+), at most 20 of each.
func faultLineDiff(want, got string) string {
	count := func(s string) map[string]int {
		m := map[string]int{}
		for _, l := range strings.Split(s, "\n") {
			m[l]++
		}
		return m
	}
	w, g := count(want), count(got)
	var b bytes.Buffer
	shown := 0
	for _, l := range slices.Sorted(maps.Keys(w)) {
		if d := w[l] - g[l]; d > 0 && shown < 20 {
			fmt.Fprintf(&b, "  - %s (×%d)\n", l, d)
			shown++
		}
	}
	shown = 0
	for _, l := range slices.Sorted(maps.Keys(g)) {
		if d := g[l] - w[l]; d > 0 && shown < 20 {
			fmt.Fprintf(&b, "  + %s (×%d)\n", l, d)
			shown++
		}
	}
	return b.String()
}
