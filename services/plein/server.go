package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-kit/kit/endpoint"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/platform/access"
	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/keyring"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/observe"
	"github.com/plein-nl/plein/platform/ratelimit"
	"github.com/plein-nl/plein/services/caseload"
	"github.com/plein-nl/plein/services/creditors"
	"github.com/plein-nl/plein/services/debts"
	"github.com/plein-nl/plein/services/income"
	"github.com/plein-nl/plein/services/overview"
	"github.com/plein-nl/plein/services/paymentplans"
	"github.com/plein-nl/plein/services/portal"
	"github.com/plein-nl/plein/services/residents"
	"github.com/plein-nl/plein/services/settlement"
	"github.com/plein-nl/plein/services/tenancy"
)

// Environment variables of the HTTP roles; the keys' are platform/auth's and
// platform/bsn's, the databases' platform/db's.
const (
	envHTTPAddr  = "PLEIN_HTTP_ADDR"
	envAdminAddr = "PLEIN_ADMIN_ADDR"
	envDevLogin  = "PLEIN_DEV_LOGIN" // "true" is refused outside plein dev
)

// app is everything an HTTP role serves, wired together.
type app struct {
	log      *slog.Logger
	metrics  *observe.Metrics
	health   *observe.Health
	dir      *tenancy.Directory
	handler  http.Handler // portal + APIs
	adminMux *http.ServeMux
	// residents is the undecorated service, for seeding in dev.
	residents residents.Service
	income    income.Service
	// plans and creditors are the undecorated services, for plein seed.
	plans     paymentplans.Service
	creditors creditors.Service
	// settlement runs the monthly settlement; its workers run in the same process in
	// dev, in plein work in production.
	settlement *settlement.Service
	devLogin   *auth.DevLogin
	// routes is the API's route table, with the access rule of every route.
	routes *access.Table
}

type appConfig struct {
	log        *slog.Logger
	appPool    *pgxpool.Pool
	sessionKey []byte
	secure     bool // Secure cookies; false only on loopback in dev
	devLogin   bool
	verifiers  map[string]*auth.Verifier
	keys       residents.Keyring // each gemeente's BSN sealer
	now        func() time.Time
	// controlPool (plein_control) serves the operators' lifecycle API only, which
	// writes tenant events; nil leaves that API out.
	controlPool *pgxpool.Pool
	// siloRouting sends the jobs of silo tenants to their own queues (serve, next to
	// silo workers); dev works every queue in one process and leaves it off.
	siloRouting bool
}

// buildApp builds the onion from the inside out: what every part shares, the
// services, the portal and the API over them, and the edge in front.
func buildApp(ctx context.Context, cfg appConfig) (*app, error) {
	if cfg.now == nil {
		cfg.now = time.Now
	}
	f, err := newFoundation(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s, err := newServices(cfg, f)
	if err != nil {
		return nil, err
	}
	pt, err := portal.New(portal.Config{Directory: f.dir, Sessions: f.sessions, DevLogin: f.devLogin, Log: cfg.log,
		Limit: f.guards.Calc, DevIndex: cfg.devLogin, Income: s.income, Now: cfg.now,
		Payments:   portal.NewPaymentsAdapter(paymentplans.NewAuthorizing(s.plans, f.az), s.creditors, s.income, cfg.now),
		Debts:      portal.NewDebtsAdapter(s.debts, s.plans, s.creditors),
		Statements: portal.NewStatementsAdapter(s.statements, s.creditors)})
	if err != nil {
		return nil, err
	}
	api := newAPI(cfg, f, s)
	ops, err := newOperatorPage(cfg, f, s)
	if err != nil {
		return nil, err
	}
	edge := newEdge(cfg, f)
	root := http.NewServeMux()
	// Cookie sessions reach the API too (the dev login's), so unsafe methods from another
	// site are refused before anything else.
	root.Handle("/api/", auth.CrossOrigin(edge.Wrap(api)))
	root.Handle("/operator/", edge.Wrap(ops))
	root.Handle("/", f.guards.SignIn(f.dir, pt))
	return &app{
		log:        cfg.log,
		metrics:    f.metrics,
		health:     f.health,
		dir:        f.dir,
		handler:    httpapi.SecureHeaders(f.metrics.InstrumentHTTP(observe.LogRequests(cfg.log, root)), cfg.secure),
		adminMux:   observe.NewAdminMux(f.metrics, f.health),
		residents:  s.residents,
		income:     s.income,
		plans:      s.plans,
		creditors:  s.creditors,
		settlement: s.settlement,
		devLogin:   f.devLogin,
		routes:     api,
	}, nil
}

// foundation is what the services, the portal and the edge share.
type foundation struct {
	reg      *prometheus.Registry
	metrics  *observe.Metrics
	health   *observe.Health
	dir      *tenancy.Directory
	sessions *auth.Sessions
	devLogin *auth.DevLogin // nil outside plein dev
	az       *authz.Authorizer
	book     *law.Book
	guards   *ratelimit.Guards
	jobs     *jobs.Client // inserts jobs; runs none
}

func newFoundation(ctx context.Context, cfg appConfig) (*foundation, error) {
	f := &foundation{reg: observe.NewRegistry(), health: observe.NewHealth(cfg.log, 0)}
	var err error
	if f.metrics, err = observe.NewMetrics(f.reg); err != nil {
		return nil, err
	}
	f.health.AddCheck("database", func(ctx context.Context) error { return cfg.appPool.Ping(ctx) })
	if f.dir, err = tenancy.NewDirectory(ctx, cfg.appPool); err != nil {
		return nil, err
	}
	f.sessions, err = auth.NewSessions(auth.SessionConfig{Key: cfg.sessionKey, Secure: cfg.secure, Now: time.Now,
		AcceptDev: cfg.devLogin, Revocations: auth.NewRevocationStore(cfg.appPool, time.Now)})
	if err != nil {
		return nil, err
	}
	if cfg.devLogin {
		f.devLogin = auth.NewDevLogin(f.sessions, true)
	}
	if f.az, err = authz.New(); err != nil {
		return nil, err
	}
	if f.book, err = law.Load(); err != nil {
		return nil, err
	}
	if f.guards, err = newGuards(f.reg, f.dir); err != nil {
		return nil, err
	}
	jcfg := jobs.Config{}
	if cfg.siloRouting {
		jcfg.Router = f.dir
	}
	if f.jobs, err = jobs.NewClient(cfg.appPool, jcfg); err != nil {
		return nil, err
	}
	return f, nil
}

// appServices are the services, undecorated: the API and the portal add
// authorization over them.
type appServices struct {
	tenants    tenancy.Service // authorizing: the staff API only reads the registry
	residents  residents.Service
	income     *income.IncomeService
	creditors  creditors.Service
	plans      paymentplans.Service
	debts      debts.Service
	settlement *settlement.Service
	statements *settlement.StatementReader // the residents' settled months, for the portal
}

// newServices wires each service to the small interfaces it declares, filled by the
// readers the other services export.
func newServices(cfg appConfig, f *foundation) (*appServices, error) {
	s := &appServices{
		tenants:   tenancy.NewAuthorizing(tenancy.NewService(tenancy.NewStore(cfg.appPool, nil), f.dir, cfg.appPool), f.az),
		residents: residents.NewService(cfg.appPool, cfg.keys, cfg.now),
		creditors: creditors.NewService(cfg.appPool, nil, cfg.now),
	}
	norms := paymentplans.HouseholdNorms{Calc: bijstand.NewCalculator(f.book),
		Households: residents.Lookup{Service: s.residents, NotFound: paymentplans.ErrResidentNotFound}}
	s.plans = paymentplans.NewService(paymentplans.Config{App: cfg.appPool, Creditors: s.creditors, Law: f.book, Jobs: f.jobs,
		Norms: norms, Now: cfg.now})
	s.debts = debts.NewService(debts.Config{App: cfg.appPool, Now: cfg.now,
		Finder:    residents.Lookup{Service: s.residents, NotFound: debts.ErrResidentNotFound},
		Creditors: creditors.Names{Service: s.creditors, NotFound: debts.ErrUnknownCreditor},
		Plans:     paymentplans.Aflossings{Plans: s.plans}})
	s.income = income.NewService(income.Config{App: cfg.appPool, Calculator: bijstand.NewCalculator(f.book), Now: cfg.now,
		Households: residents.Lookup{Service: s.residents, NotFound: income.ErrNotFound},
		Finder:     residents.Lookup{Service: s.residents, NotFound: income.ErrNotFound},
		Deductions: paymentplans.NamedDeductions{Plans: s.plans, Creditors: s.creditors},
		Settings:   caseload.IncomeSettings(f.dir), Refusals: f.guards.ConsentRefused})
	var err error
	if s.statements, err = settlement.NewStatementReader(cfg.appPool, f.book); err != nil {
		return nil, err
	}
	s.settlement, err = newSettlement(settlementDeps{pool: cfg.appPool, dir: f.dir, reg: f.reg, jobs: f.jobs, now: cfg.now})
	return s, err
}

// newAPI mounts every service's routes on the route table, each behind its access rule
// (routes.go). Endpoints are measured; errors are logged once, at the edge: the
// request log (every 4xx/5xx) and each transport's error encoder (internal errors).
func newAPI(cfg appConfig, f *foundation, s *appServices) *access.Table {
	api := access.NewTable(access.Config{Rules: apiAccess, Authorizer: f.az, Limiter: f.guards, PartnerFloor: partnerFloor})
	mw := func(service string) func(string) endpoint.Middleware {
		return func(method string) endpoint.Middleware { return f.metrics.InstrumentEndpoint(service, method) }
	}
	tenancy.RegisterHTTP(api, tenancy.MakeEndpoints(s.tenants, mw("tenancy")), cfg.log)
	residents.RegisterHTTP(api, residents.MakeEndpoints(residents.NewAuthorizing(s.residents, f.az), mw("residents")), cfg.log)
	income.RegisterHTTP(api, income.MakeEndpoints(income.NewStaff(s.income, cfg.appPool, f.az), mw("income")), cfg.log)
	creditors.RegisterHTTP(api, creditors.MakeEndpoints(creditors.NewAuthorizing(s.creditors, f.az), mw("creditors")), cfg.log)
	paymentplans.RegisterHTTP(api, paymentplans.MakeEndpoints(paymentplans.NewAuthorizing(s.plans, f.az), mw("paymentplans")), cfg.log)
	debts.RegisterHTTP(api, debts.MakeEndpoints(debts.NewAuthorizing(s.debts, f.az), mw("debts")), cfg.log)
	settlement.RegisterHTTP(api, settlement.MakeEndpoints(s.settlement, f.az, mw("settlement")), cfg.log)
	if cfg.controlPool != nil {
		op := tenancy.NewOperatorAuthorizing(tenancy.NewOperator(tenancy.NewStore(cfg.controlPool, nil)), f.az)
		tenancy.RegisterOperatorHTTP(api, tenancy.MakeOperatorEndpoints(op, mw("operator")), cfg.log)
	}
	for name, spec := range map[string][]byte{"residents": residents.OpenAPI(), "creditors": creditors.OpenAPI(),
		"paymentplans": paymentplans.OpenAPI(), "debts": debts.OpenAPI()} {
		api.Handle("GET /api/v1/openapi/"+name+".yaml", httpapi.YAML(spec))
	}
	// Every other path under /api/, and a route's path with a method it lacks (405).
	api.Handle("/api/", httpapi.NoRoute(api, "/api/"))
	return api
}

// newOperatorPage is the operators' overview page: the tenant registry, the residents
// counted for the metrics, and the settlement's overview, behind the staff API's
// authentication.
func newOperatorPage(cfg appConfig, f *foundation, s *appServices) (*overview.Page, error) {
	vitals, err := tenancy.RegisterMetrics(f.reg, cfg.appPool, cfg.log)
	if err != nil {
		return nil, err
	}
	return overview.New(overview.Config{Tenants: s.tenants, Vitals: vitals, Runs: s.settlement, Authz: f.az, Log: cfg.log, Now: cfg.now, Law: f.book})
}

// workers returns every worker of the platform, running as pool's role (plein_app).
func workers(pool *pgxpool.Pool, settle *settlement.Service, keys *keyring.Keyring, now func() time.Time) *river.Workers {
	w := river.NewWorkers()
	settlement.AddWorkers(w, pool, settle)
	tenancy.AddWorkers(w, pool, keys)
	river.AddWorker(w, residents.NewCountersWorker(pool, now))
	residents.NewResealer(pool, keys, nil).AddWorker(w) // and tenancy's purge job shreds keys
	paymentplans.AddWorkers(w, paymentplans.WorkerConfig{App: pool, Creditors: creditors.NewService(pool, nil, now),
		HTTP: egressClient(), Signals: debts.NewService(debts.Config{App: pool, Now: now}), Now: now})
	return w
}
