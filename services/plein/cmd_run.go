package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/internal/synth"
	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/settlement"
	"github.com/plein-nl/plein/services/tenancy"
	"github.com/plein-nl/plein/services/tenancy/tenantctl"
)

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
	log := observe.NewDevLogger(stderr)
	clk, err := businessClock("dev", log)
	if err != nil {
		return err
	}
	if b := clk.Banner(); b != "" {
		fmt.Fprintln(stdout, b)
	}
	// Validate the tenants before starting anything.
	loaded, err := tenancy.LoadPath(*tenantsDir)
	if err != nil {
		return err
	}
	// Bind the address early: a port in use is a clear error before PostgreSQL starts.
	ln, err := httpapi.Listen(*httpAddr)
	if err != nil {
		return err
	}
	ln.Close()
	p, err := openBackend(ctx, *dataDir, log, needApp|needControl|needKeys)
	if err != nil {
		return err
	}
	defer p.Close(ctx)
	insert, err := jobs.NewClient(p.control, jobs.Config{})
	if err != nil {
		return err
	}
	if err := tenantctl.ApplyQuietly(ctx, log, tenancy.NewStore(p.control, insert), loaded, "plein dev", *tenantsDir); err != nil {
		return err
	}
	key, err := auth.SessionKey(*dataDir, true)
	if err != nil {
		return err
	}
	a, err := newApp(ctx, appConfig{log: log, appPool: p.app, sessionKey: key, devLogin: true, controlPool: p.control, now: clk.Now, keys: p.keys})
	if err != nil {
		return err
	}
	people, err := synth.SeedDemo(ctx, p.app, a.residents, a.dir.IDs(), *dataDir)
	if err != nil {
		return err
	}
	a.devLogin.WithPeople(func(t tenant.ID) []auth.DevPerson { return people[t] })
	jc, err := jobs.Start(ctx, p.app, jobs.Config{Workers: workers(p.app, a.settlement, p.keys, clk.Now), Logger: log, PeriodicJobs: periodicJobs()})
	if err != nil {
		return err
	}
	mux := a.adminMux
	mux.Handle("/", a.handler)
	ready := make(chan string, 1)
	err = observe.RunRole(ctx, a.health,
		func(ctx context.Context) error { return httpapi.ServeUntil(ctx, *httpAddr, mux, log, ready) },
		a.dir.Following(p.app, 2*time.Second, log),
		func(ctx context.Context) error {
			select {
			case addr := <-ready:
				tenantctl.Portals(stdout, addr, a.dir, time.Since(start))
			case <-ctx.Done():
			}
			return nil
		})
	// In-flight requests are done; now let running jobs finish.
	jobs.Stop(ctx, jc, 30*time.Second, log)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "plein dev: stopped")
	return nil
}

// cmdServe is the production role for the portal and the APIs; health and metrics
// are on a separate admin address.
func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, dataDir := dbFlags("serve", stderr, dataDirEnvHelp)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log := observe.NewEnvLogger(stderr)
	if err := auth.RefuseDevLoginInProduction(os.Getenv(envDevLogin) == "true", "serve"); err != nil {
		return err
	}
	local := os.Getenv(db.EnvDatabaseURL) == ""
	key, err := auth.SessionKey(*dataDir, local)
	if err != nil {
		return err
	}
	p, err := openBackend(ctx, *dataDir, log, needApp|needKeys)
	if err != nil {
		return err
	}
	defer p.Close(ctx)
	// The operators' lifecycle API writes tenant events as plein_control: serve opens
	// that pool for it alone, when PLEIN_CONTROL_DATABASE_URL is set (or locally).
	if !p.HasControl() {
		log.Warn("the operators' lifecycle API is off: " + db.EnvControlURL + " is not set")
	} else if p.control, err = p.Control(ctx); err != nil {
		return err
	}
	a, err := newApp(ctx, appConfig{log: log, appPool: p.app, sessionKey: key, secure: true, siloRouting: true, controlPool: p.control, keys: p.keys})
	if err != nil {
		return err
	}
	log.Info("serving", "http", cmp.Or(os.Getenv(envHTTPAddr), ":8080"), "admin", cmp.Or(os.Getenv(envAdminAddr), ":9090"))
	return observe.RunRole(ctx, a.health,
		httpapi.Serving(cmp.Or(os.Getenv(envHTTPAddr), ":8080"), a.handler, log),
		httpapi.Serving(cmp.Or(os.Getenv(envAdminAddr), ":9090"), a.adminMux, log),
		a.dir.Following(p.app, 5*time.Second, log))
}

// newApp builds the portal and the APIs of dev and serve with their staff token verifiers.
func newApp(ctx context.Context, cfg appConfig) (a *app, err error) {
	if cfg.verifiers, err = auth.LoadVerifiers(ctx); err != nil {
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
	log := observe.NewEnvLogger(stderr)
	if err := auth.RefuseDevLoginInProduction(os.Getenv(envDevLogin) == "true", "work"); err != nil {
		return err
	}
	p, err := openBackend(ctx, *dataDir, log, needDir|needKeys)
	if err != nil {
		return err
	}
	defer p.Close(ctx)
	adm, dir := observe.NewAdmin(log, p.app.Ping), p.dir
	insert, err := jobs.NewClient(p.app, jobs.Config{})
	if err != nil {
		return err
	}
	settle, err := newSettlement(settlementDeps{pool: p.app, dir: dir, reg: adm.Reg, jobs: insert})
	if err != nil {
		return err
	}
	if _, err := tenancy.RegisterMetrics(adm.Reg, p.app, log); err != nil {
		return err
	}
	jcfg := jobs.Config{Workers: workers(p.app, settle, p.keys, nil), Logger: log, Router: dir, PeriodicJobs: periodicJobs()}
	if silo != "" {
		// A silo's workers work its queue only; the shared leader schedules.
		jcfg.SiloTenant, jcfg.PeriodicJobs = silo, nil
	}
	jc, err := jobs.Start(ctx, p.app, jcfg)
	if err != nil {
		return err
	}
	log.Info("working", "admin", cmp.Or(os.Getenv(envAdminAddr), ":9090"), "silo", string(silo))
	err = observe.RunRole(ctx, adm.Health,
		func(ctx context.Context) error {
			jobs.KeepSilos(ctx, p.app, dir, silo, 10*time.Second, log)
			return nil
		},
		httpapi.Serving(cmp.Or(os.Getenv(envAdminAddr), ":9090"), adm.Mux, log),
		dir.Following(p.app, 5*time.Second, log))
	jobs.Stop(ctx, jc, 60*time.Second, log)
	return err
}

// periodicJobs are the jobs the leader of the shared workers schedules.
func periodicJobs() []*river.PeriodicJob {
	return append(settlement.PeriodicJobs(), tenancy.PeriodicJobs()...)
}
