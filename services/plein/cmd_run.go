package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/settlement"
	"github.com/plein-nl/plein/services/tenancy"
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
	fs := newFlags("dev", stderr)
	dataDir := fs.String("data-dir", "./.plein", "data directory of the private PostgreSQL and dev secrets")
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

	dbs, err := openDatabases(ctx, *dataDir, log)
	if err != nil {
		return err
	}
	defer dbs.close(ctx)
	appPool, err := dbs.App(ctx)
	if err != nil {
		return err
	}
	control, err := dbs.Control(ctx)
	if err != nil {
		return err
	}
	insert, err := insertOnlyJobs(control)
	if err != nil {
		return err
	}
	changes, err := tenancy.NewStore(control, insert).Apply(ctx, loaded, "plein dev", false)
	if err != nil {
		return err
	}
	// One line for all gemeenten (the banner lists them); each at DEBUG.
	applied := 0
	for _, c := range changes {
		if c.Status != "unchanged" {
			applied++
			log.Debug("tenant config applied", "tenant", c.Tenant, "version", c.Version, "status", c.Status)
		}
	}
	if applied > 0 {
		log.Info("tenant configs applied", "gemeenten", applied, "from", *tenantsDir)
	}
	key, err := sessionKey(*dataDir, true)
	if err != nil {
		return err
	}
	verifiers, err := loadVerifiers(ctx)
	if err != nil {
		return err
	}
	sealer, err := bsnSealer(*dataDir, true)
	if err != nil {
		return err
	}
	a, err := buildApp(ctx, appConfig{log: log, appPool: appPool, sessionKey: key, secure: false, devLogin: true, verifiers: verifiers, sealer: sealer,
		controlPool: control})
	if err != nil {
		return err
	}
	var ids []tenant.ID
	for _, t := range a.dir.All() {
		ids = append(ids, t.Config.ID)
	}
	people, err := seedDemo(ctx, appPool, a.residents, ids, *dataDir)
	if err != nil {
		return err
	}
	a.devLogin.WithPeople(func(t tenant.ID) []auth.DevPerson { return people[t] })
	jc, err := jobs.NewClient(appPool, jobs.Config{Workers: workers(appPool, a.settlement), Logger: log,
		PeriodicJobs: append(settlement.PeriodicJobs(), tenancy.PeriodicJobs()...)})
	if err != nil {
		return err
	}
	mux := a.adminMux
	mux.Handle("/", a.handler)

	if err := jc.Start(ctx); err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	ready := make(chan string, 1)
	g.Go(func() error { return serveUntil(gctx, *httpAddr, mux, log, ready) })
	g.Go(func() error { a.dir.Run(gctx, 2*time.Second, log); return nil })
	g.Go(func() error { reloadOnNotify(gctx, appPool, a.dir, log); return nil })
	g.Go(func() error {
		select {
		case addr := <-ready:
			printPortals(stdout, addr, a, time.Since(start))
		case <-gctx.Done():
		}
		return nil
	})
	g.Go(func() error {
		<-gctx.Done()
		a.health.SetShuttingDown()
		return nil
	})
	err = g.Wait()
	// In-flight requests are done; now let running jobs finish.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if serr := jc.Stop(sctx); serr != nil {
		log.Warn("jobs: stop", "err", serr)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
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
	fs := newFlags("serve", stderr)
	dataDir := fs.String("data-dir", "./.plein", "data directory of the local PostgreSQL (without PLEIN_DATABASE_URL)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log := newLogger(stderr)
	devLogin := os.Getenv(envDevLogin) == "true"
	if err := auth.RefuseDevLoginInProduction(devLogin, "serve"); err != nil {
		return err
	}
	local := os.Getenv(envDatabaseURL) == ""
	key, err := sessionKey(*dataDir, local)
	if err != nil {
		return err
	}
	dbs, err := openDatabases(ctx, *dataDir, log)
	if err != nil {
		return err
	}
	defer dbs.close(ctx)
	appPool, err := dbs.App(ctx)
	if err != nil {
		return err
	}
	verifiers, err := loadVerifiers(ctx)
	if err != nil {
		return err
	}
	sealer, err := bsnSealer(*dataDir, local)
	if err != nil {
		return err
	}
	// The operators' lifecycle API writes tenant events as plein_control: serve opens
	// that pool for it alone, when PLEIN_CONTROL_DATABASE_URL is set (or locally).
	var control *pgxpool.Pool
	if dbs.controlURL != "" {
		if control, err = dbs.Control(ctx); err != nil {
			return err
		}
	} else {
		log.Warn("the operators' lifecycle API is off: " + envControlURL + " is not set")
	}
	a, err := buildApp(ctx, appConfig{log: log, appPool: appPool, sessionKey: key, secure: true, verifiers: verifiers, sealer: sealer, siloRouting: true,
		controlPool: control})
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return serveUntil(gctx, envOr(envHTTPAddr, ":8080"), a.handler, log, nil) })
	g.Go(func() error { return serveUntil(gctx, envOr(envAdminAddr, ":9090"), a.adminMux, log, nil) })
	g.Go(func() error { a.dir.Run(gctx, 5*time.Second, log); return nil })
	g.Go(func() error { reloadOnNotify(gctx, appPool, a.dir, log); return nil })
	g.Go(func() error { <-gctx.Done(); a.health.SetShuttingDown(); return nil })
	log.Info("serving", "http", envOr(envHTTPAddr, ":8080"), "admin", envOr(envAdminAddr, ":9090"))
	if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// cmdWork is the production role that runs River jobs.
func cmdWork(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("work", stderr)
	dataDir := fs.String("data-dir", "./.plein", "data directory of the local PostgreSQL (without PLEIN_DATABASE_URL)")
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
	dbs, err := openDatabases(ctx, *dataDir, log)
	if err != nil {
		return err
	}
	defer dbs.close(ctx)
	appPool, err := dbs.App(ctx)
	if err != nil {
		return err
	}
	reg := newAdmin(log, appPool)
	dir, err := tenancy.NewDirectory(ctx, appPool)
	if err != nil {
		return err
	}
	insert, err := insertOnlyJobs(appPool)
	if err != nil {
		return err
	}
	settle, err := newSettlement(settlementDeps{pool: appPool, dir: dir, reg: reg.reg, jobs: insert})
	if err != nil {
		return err
	}
	if _, err := tenantMetrics(reg.reg, appPool, log); err != nil {
		return err
	}
	jcfg := jobs.Config{Workers: workers(appPool, settle), Logger: log, Router: dir,
		PeriodicJobs: append(settlement.PeriodicJobs(), tenancy.PeriodicJobs()...)}
	if silo != "" {
		// A silo's workers work its queue only; the shared leader schedules.
		jcfg.SiloTenant, jcfg.PeriodicJobs = silo, nil
	}
	jc, err := jobs.NewClient(appPool, jcfg)
	if err != nil {
		return err
	}
	if err := jc.Start(ctx); err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { moveSiloJobs(gctx, appPool, dir, silo, log); return nil })
	g.Go(func() error { return serveUntil(gctx, envOr(envAdminAddr, ":9090"), reg.mux, log, nil) })
	g.Go(func() error { <-gctx.Done(); reg.health.SetShuttingDown(); return nil })
	g.Go(func() error { dir.Run(gctx, 5*time.Second, log); return nil })
	g.Go(func() error { reloadOnNotify(gctx, appPool, dir, log); return nil })
	log.Info("working", "admin", envOr(envAdminAddr, ":9090"), "silo", string(silo))
	err = g.Wait()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 60*time.Second)
	defer cancel()
	if serr := jc.Stop(sctx); serr != nil {
		log.Warn("jobs: stop", "err", serr)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// moveSiloJobs keeps the silo queues right when a tenant changes tier: a silo's workers
// adopt their tenant's jobs still in the shared queues, and the shared workers send the
// jobs of a tenant that left the silo tier back to the shared queues. Every 10 seconds.
func moveSiloJobs(ctx context.Context, pool *pgxpool.Pool, dir *tenancy.Directory, silo tenant.ID, log *slog.Logger) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		var n int64
		var err error
		switch {
		case silo == "":
			n, err = jobs.ReleaseSilos(ctx, pool, dir)
		case dir.Silo(silo):
			n, err = jobs.AdoptSilo(ctx, pool, silo)
		default:
			log.Warn("work: the tenant is not on the silo tier; its jobs stay with the shared workers", "tenant", string(silo))
		}
		if err != nil && ctx.Err() == nil {
			log.Warn("work: moving silo jobs failed", "err", err)
		} else if n > 0 {
			log.Info("work: moved silo jobs", "jobs", n, "silo", string(silo))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// reloadOnNotify reloads the tenant directory as soon as PostgreSQL notifies a new
// config version or lifecycle event (migration 00011), so that a gemeente applied with
// `plein tenant apply` answers at once; the periodic reload stays as the safety net
// (and brings a pending version in force when its valid_from comes).
func reloadOnNotify(ctx context.Context, pool *pgxpool.Pool, dir *tenancy.Directory, log *slog.Logger) {
	changes := make(chan string, 16)
	go tenancy.Listen(ctx, pool, changes, log)
	for {
		select {
		case <-ctx.Done():
			return
		case <-changes:
			if _, err := dir.Reload(ctx); err != nil && ctx.Err() == nil {
				log.Warn("tenant directory reload failed", "err", err)
			}
		}
	}
}
