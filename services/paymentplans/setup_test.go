package paymentplans

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/audit/audittest"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/authz/authztest"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/clocktest"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/jobs"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/creditors"
	"github.com/plein-nl/plein/services/residents"
	"github.com/plein-nl/plein/services/residents/residentstest"
)

const (
	enschede = tenant.ID("enschede")
	zwolle   = tenant.ID("zwolle")

	bsnFatima = "999993653"
	bsnJan    = "111222333"
)

// The staff principals of the tests.
var (
	consulentEnschede = authztest.Consulent(enschede)
	consulentZwolle   = authztest.Consulent(zwolle)
	shvEnschede       = authztest.Schuldhulpverlener(enschede)
	adminEnschede     = authztest.Admin(enschede)
)

// residentPrincipal is the portal's principal of resident id.
func residentPrincipal(t tenant.ID, id string) authz.Principal {
	return authztest.Resident(t, "digid-"+id[:8], id)
}

// sink records the shortfalls signalled to schuldhulp (Signals, as debts.Service).
type sink struct {
	mu    sync.Mutex
	calls []Shortfall
	fail  error
}

func (s *sink) Shortfall(_ context.Context, t tenant.ID, residentID, planID, creditorID, period string, shortfall money.Cents) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	p, err := bijstand.ParsePeriod(period)
	if err != nil {
		return err
	}
	s.calls = append(s.calls, Shortfall{ResidentID: residentID, PlanID: planID, CreditorID: creditorID, Period: p, Shortfall: shortfall})
	return nil
}

func (s *sink) Calls() []Shortfall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Shortfall(nil), s.calls...)
}

// shortfallJob works a shortfall job of args as River would (jobs.TenantWorker): in
// a transaction of the args' tenant, with b.sink as the debts service.
func (b *testBundle) shortfallJob(t *testing.T, args ShortfallArgs) error {
	t.Helper()
	w := &shortfallWorker{signals: b.sink, now: b.clock.Now}
	return db.InTenant(tenant.WithID(t.Context(), args.Tenant), b.d.App, func(ctx context.Context, tx pgx.Tx) error {
		return w.work(ctx, tx, &river.Job[ShortfallArgs]{JobRow: &rivertype.JobRow{}, Args: args})
	})
}

// shortfallArgs is the job a final run of period inserts for one resident's results.
func shortfallArgs(tn tenant.ID, residentID string, period bijstand.Period, results []bijstand.DeductionResult) ShortfallArgs {
	r := ResidentShortfalls{ResidentID: residentID}
	for _, d := range results {
		if d.Shortfall > 0 {
			r.Plans = append(r.Plans, PlanShortfall{PlanID: d.ID, Requested: d.Requested, Applied: d.Applied, Shortfall: d.Shortfall})
		}
	}
	return ShortfallArgs{TenantArgs: jobs.TenantArgs{Tenant: tn}, RunID: "run-1", Chunk: 1, Period: period.String(),
		Residents: []ResidentShortfalls{r}}
}

type testBundle struct {
	d     *dbtest.DB
	clock *clocktest.Clock
	res   residents.Service
	cred  creditors.Service
	raw   Service // no authorization: the domain rules and the database wall
	svc   Service // authorized by the real policy
	sink  *sink
}

type options struct {
	jobs *jobs.Client
	// coupleCap leaves Config.Norms nil: the couple norm caps an amount.
	coupleCap bool
}

func setup(t *testing.T, opts ...func(*testBundle, *options)) *testBundle {
	t.Helper()
	d := dbtest.New(t)
	dbtest.CreateTenants(t, d, enschede, zwolle)
	c := clocktest.New(time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC))
	b := &testBundle{d: d, clock: c, res: residentstest.NewService(t, d.App, c.Now), sink: &sink{}}
	b.cred = creditors.NewService(d.App, nil, c.Now)
	var o options
	for _, f := range opts {
		f(b, &o)
	}
	var norms Norms
	if !o.coupleCap {
		norms = HouseholdNorms{Households: residents.Lookup{Service: b.res, NotFound: ErrResidentNotFound},
			Calc: bijstand.NewCalculator(law.MustLoad())}
	}
	b.raw = NewService(Config{App: d.App, Creditors: b.cred, Jobs: o.jobs, Norms: norms, Now: c.Now})
	b.svc = NewAuthorizing(b.raw, authztest.New(t))
	return b
}

// as signs in as p.
var as = authztest.As

// setupFatima is setup with the case most tests work on: Fatima el Amrani, a single
// resident of enschede, whose id it returns.
func setupFatima(t *testing.T) (*testBundle, string) {
	t.Helper()
	b := setup(t)
	return b, b.resident(t, enschede, bsnFatima, "Fatima el Amrani")
}

func (b *testBundle) resident(t *testing.T, tn tenant.ID, bsnString, name string) string {
	t.Helper()
	nr := residentstest.Single(bsnString)
	nr.Name = name
	return residentstest.Create(as(consulentEnschede), t, b.res, tn, nr)
}

// zorgpremie is Fatima's request in the portal: her premium to Zilveren Kruis.
func zorgpremie() NewPlan {
	return NewPlan{Kind: "on_behalf", CreditorID: "zilveren-kruis", Reference: "123 456 789", AmountCents: 15850,
		Priority: 10, StartPeriod: "2026-04"}
}

func (b *testBundle) mustRequest(t *testing.T, tn tenant.ID, residentID string, np NewPlan, p authz.Principal) Plan {
	t.Helper()
	pl, err := b.svc.Request(as(p), tn, residentID, np, ActorOf(p))
	if err != nil {
		t.Fatalf("request: %v", err)
	}
	return pl
}

func (b *testBundle) mustApprove(t *testing.T, tn tenant.ID, planID string) Plan {
	t.Helper()
	pl, err := b.svc.Approve(as(consulentEnschede), tn, planID, ActorOf(consulentEnschede))
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
	return pl
}

// auditRows lists tenant tn's audit entries of plans.
func (b *testBundle) auditRows(t *testing.T, tn tenant.ID, planID string) []audit.Entry {
	t.Helper()
	return audittest.Entries(t, b.d.App, tn, audit.Filter{ObjectType: auditObject, ObjectID: planID})
}

// count counts rows of a query in tenant tn, as the owner (RLS forced on it too).
func (b *testBundle) count(t *testing.T, tn tenant.ID, sql string, args ...any) int {
	t.Helper()
	return b.d.Count(t, tn, sql, args...)
}

func period(s string) bijstand.Period {
	p, err := bijstand.ParsePeriod(s)
	if err != nil {
		panic(err)
	}
	return p
}
