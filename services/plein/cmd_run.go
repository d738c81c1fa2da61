package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"golang.org/x/sync/errgroup"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/settlement"
	"github.com/plein-nl/plein/services/tenancy"
	"github.com/plein-nl/plein/services/tenancy/tenantctl"
)

func listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	return ln, nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// cmdDev runs every role in one process on the private PostgreSQL: the embedded
// default for a developer's machine.
func cmdDev(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	start := time.Now()
	fs, dataDir := dbFlags("dev", stderr, "data directory of the private PostgreSQL and dev secrets")
	httpAddr := fs.String("http-addr", "127.0.0.1:8080", "address of the portal, the APIs, /healthz, /readyz and /metrics")
	tenantsDir := fs.String("tenants", "./tenants", "directory of tenant configs applied at start")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log := newDevLogger(stderr)
	// Validate the tenants before starting anything.
	loaded, err := tenancy.LoadPath(*tenantsDir)
	if err != nil {
		return err
	}
	// Bind the address early: a port in use is a clear error before PostgreSQL starts.
	ln, err := listen(*httpAddr)
	if err != nil {
		return err
	}
	ln.Close()
	p, err := openBackend(ctx, *dataDir, log, needApp|needControl)
	if err != nil {
		return err
	}
	defer p.close(ctx)
	insert, err := insertOnlyJobs(p.control)
	if err != nil {
		return err
	}
	if err := tenantctl.ApplyQuietly(ctx, log, tenancy.NewStore(p.control, insert), loaded, "plein dev", *tenantsDir); err != nil {
		return err
	}
	key, err := sessionKey(*dataDir, true)
	if err != nil {
		return err
	}
	a, err := newApp(ctx, appConfig{log: log, appPool: p.app, sessionKey: key, devLogin: true, controlPool: p.control}, *dataDir, true)
	if err != nil {
		return err
	}
	var ids []tenant.ID
	for _, t := range a.dir.All() {
		ids = append(ids, t.Config.ID)
	}
	people, err := seedDemo(ctx, p.app, a.residents, ids, *dataDir)
	if err != nil {
		return err
	}
	a.devLogin.WithPeople(func(t tenant.ID) []auth.DevPerson { return people[t] })
	jc, err := startJobs(ctx, p.app, jobs.Config{Workers: workers(p.app, a.settlement), Logger: log, PeriodicJobs: periodicJobs()})
	if err != nil {
		return err
	}
	mux := a.adminMux
	mux.Handle("/", a.handler)
	ready := make(chan string, 1)
	err = runRole(ctx, a.health,
		func(ctx context.Context) error { return serveUntil(ctx, *httpAddr, mux, log, ready) },
		follow(a.dir, p.app, 2*time.Second, log),
		func(ctx context.Context) error {
			select {
			case addr := <-ready:
				printPortals(stdout, addr, a, time.Since(start))
			case <-ctx.Done():
			}
			return nil
		})
	// In-flight requests are done; now let running jobs finish.
	stopJobs(ctx, jc, 30*time.Second, log)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "plein dev: stopped")
	return nil
}

// devQuiet are the starts of library INFO messages that `plein dev` logs at DEBUG:
// routine chatter a developer does not need (River's migrations, its producers'
// periodic job counts, its start, stop and leader election) and the migrations, one
// line per file on a fresh data dir. River's INFO lines about failing jobs ("Job
// errored", "Job panicked") and Plein's other lines are kept.
var devQuiet = []string{
	"rivermigrate.",                 // rivermigrate.Migrator[v5.Tx]: Applied migration / No migrations to apply
	"producer: Producer job counts", // every producer, periodically
	"River client started",
	"River client stopped",
	"Client was elected leader",
	"migrated", // Plein's and River's migrations, one line each on a fresh data dir
}

// newDevLogger is the logger of `plein dev`: human-readable lines when w is a
// terminal, JSON otherwise, with River's routine INFO lines at DEBUG.
func newDevLogger(w io.Writer) *slog.Logger {
	log := newLogger(w)
	if observe.IsTerminal(w) {
		log = observe.NewTextLogger(w, logLevel())
	}
	return slog.New(observe.Demote(log.Handler(), devQuiet...))
}

func printPortals(w io.Writer, addr string, a *app, took time.Duration) {
	base := "http://" + addr
	var sb strings.Builder
	fmt.Fprintf(&sb, "\nPlein is running (ready in %.1f s). Portals:\n", took.Seconds())
	for _, t := range a.dir.All() {
		fmt.Fprintf(&sb, "  %-28s %s/t/%s/\n", t.Config.Name, base, t.Config.ID)
	}
	fmt.Fprintf(&sb, "\nStaff API %s/api/v1/  health %s/healthz  %s/readyz  metrics %s/metrics\n", base, base, base, base)
	fmt.Fprintf(&sb, "Local test login (dev only): %s/t/<gemeente>/login\nPress Ctrl-C to stop.\n\n", base)
	fmt.Fprint(w, sb.String())
}

// cmdServe is the production role for the portal and the APIs; health and metrics
// are on a separate admin address.
func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dataDir := dbFlags("serve", stderr, dataDirEnvHelp)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log := newLogger(stderr)
	if err := auth.RefuseDevLoginInProduction(os.Getenv(envDevLogin) == "true", "serve"); err != nil {
		return err
	}
	local := os.Getenv(envDatabaseURL) == ""
	key, err := sessionKey(*dataDir, local)
	if err != nil {
		return err
	}
	p, err := openBackend(ctx, *dataDir, log, needApp)
	if err != nil {
		return err
	}
	defer p.close(ctx)
	// The operators' lifecycle API writes tenant events as plein_control: serve opens
	// that pool for it alone, when PLEIN_CONTROL_DATABASE_URL is set (or locally).
	if p.controlURL == "" {
		log.Warn("the operators' lifecycle API is off: " + envControlURL + " is not set")
	} else if p.control, err = p.Control(ctx); err != nil {
		return err
	}
	a, err := newApp(ctx, appConfig{log: log, appPool: p.app, sessionKey: key, secure: true, siloRouting: true, controlPool: p.control}, *dataDir, local)
	if err != nil {
		return err
	}
	log.Info("serving", "http", envOr(envHTTPAddr, ":8080"), "admin", envOr(envAdminAddr, ":9090"))
	return runRole(ctx, a.health,
		serving(envOr(envHTTPAddr, ":8080"), a.handler, log),
		serving(envOr(envAdminAddr, ":9090"), a.adminMux, log),
		follow(a.dir, p.app, 5*time.Second, log))
}

// newApp builds the portal and the APIs of dev and serve with their staff token
// verifiers and BSN keys (made and kept under dataDir when local).
func newApp(ctx context.Context, cfg appConfig, dataDir string, local bool) (*app, error) {
	var err error
	if cfg.verifiers, err = loadVerifiers(ctx); err != nil {
		return nil, err
	}
	if cfg.sealer, err = bsnSealer(dataDir, local); err != nil {
		return nil, err
	}
	return buildApp(ctx, cfg)
}

// cmdWork is the production role that runs River jobs.
func cmdWork(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dataDir := dbFlags("work", stderr, dataDirEnvHelp)
	siloTenant := fs.String("tenant", "", "work only this silo tenant's queue (the workers in its own namespace); empty: the shared queues")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var silo tenant.ID
	if *siloTenant != "" {
		id, err := tenant.Parse(*siloTenant)
		if err != nil {
			return usageError{fmt.Sprintf("plein work: --tenant: %v", err)}
		}
		silo = id
	}
	log := newLogger(stderr)
	if err := auth.RefuseDevLoginInProduction(os.Getenv(envDevLogin) == "true", "work"); err != nil {
		return err
	}
	p, err := openBackend(ctx, *dataDir, log, needDir)
	if err != nil {
		return err
	}
	defer p.close(ctx)
	adm, dir := newAdmin(log, p.app), p.dir
	insert, err := insertOnlyJobs(p.app)
	if err != nil {
		return err
	}
	settle, err := newSettlement(settlementDeps{pool: p.app, dir: dir, reg: adm.reg, jobs: insert})
	if err != nil {
		return err
	}
	if _, err := tenantMetrics(adm.reg, p.app, log); err != nil {
		return err
	}
	jcfg := jobs.Config{Workers: workers(p.app, settle), Logger: log, Router: dir, PeriodicJobs: periodicJobs()}
	if silo != "" {
		// A silo's workers work its queue only; the shared leader schedules.
		jcfg.SiloTenant, jcfg.PeriodicJobs = silo, nil
	}
	jc, err := startJobs(ctx, p.app, jcfg)
	if err != nil {
		return err
	}
	log.Info("working", "admin", envOr(envAdminAddr, ":9090"), "silo", string(silo))
	err = runRole(ctx, adm.health,
		func(ctx context.Context) error {
			jobs.KeepSilos(ctx, p.app, dir, silo, 10*time.Second, log)
			return nil
		},
		serving(envOr(envAdminAddr, ":9090"), adm.mux, log),
		follow(dir, p.app, 5*time.Second, log))
	stopJobs(ctx, jc, 60*time.Second, log)
	return err
}

// periodicJobs are the jobs the leader of the shared workers schedules.
func periodicJobs() []*river.PeriodicJob {
	return append(settlement.PeriodicJobs(), tenancy.PeriodicJobs()...)
}

// startJobs starts a River client that works jobs.
func startJobs(ctx context.Context, pool *pgxpool.Pool, cfg jobs.Config) (*jobs.Client, error) {
	jc, err := jobs.NewClient(pool, cfg)
	if err != nil {
		return nil, err
	}
	if err := jc.Start(ctx); err != nil {
		return nil, err
	}
	return jc, nil
}

// stopJobs stops a River client, letting running jobs finish for at most grace.
func stopJobs(ctx context.Context, jc *jobs.Client, grace time.Duration, log *slog.Logger) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	if err := jc.Stop(sctx); err != nil {
		log.Warn("jobs: stop", "err", err)
	}
}

// runRole runs the parts of a long-running role until ctx ends or one fails; then the
// health probe says the process is shutting down. An ended ctx is no error.
func runRole(ctx context.Context, health *observe.Health, parts ...func(ctx context.Context) error) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, part := range parts {
		g.Go(func() error { return part(gctx) })
	}
	g.Go(func() error { <-gctx.Done(); health.SetShuttingDown(); return nil })
	if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// serving is the part of a role that serves h on addr.
func serving(addr string, h http.Handler, log *slog.Logger) func(ctx context.Context) error {
	return func(ctx context.Context) error { return serveUntil(ctx, addr, h, log, nil) }
}

// follow is the part of a role that keeps its tenant directory up to date.
func follow(dir *tenancy.Directory, pool *pgxpool.Pool, interval time.Duration, log *slog.Logger) func(ctx context.Context) error {
	return func(ctx context.Context) error { dir.Follow(ctx, pool, interval, log); return nil }
}
