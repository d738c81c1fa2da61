package debts

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/authz/authztest"
	"github.com/plein-nl/plein/platform/clocktest"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/distribution"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/residents"
	"github.com/plein-nl/plein/services/residents/residentstest"
)

const (
	enschede = tenant.ID("enschede")
	zwolle   = tenant.ID("zwolle")

	bsnFatima  = "999993653"
	bsnJan     = "111222333"
	bsnUnknown = "168888889" // valid, and nobody's

	purpose = "zaak 2026-0042: schuldhulp"
)

// The principals of the tests.
var (
	shvEnschede       = authztest.Schuldhulpverlener(enschede)
	shvZwolle         = authztest.Schuldhulpverlener(zwolle)
	consulentEnschede = authztest.Consulent(enschede)
)

// creditor is the principal the edge makes of creditor id's partner key.
func creditor(t tenant.ID, id string) authz.Principal {
	return authztest.Principal(CreditorSubjectPrefix+id, t, authz.RoleCreditor)
}

// resident is the portal's principal of resident id.
func resident(t tenant.ID, id string) authz.Principal {
	return authztest.Resident(t, "resident-"+id, id)
}

// as signs in as p.
var as = authztest.As

var amsterdam = func() *time.Location {
	l, err := time.LoadLocation("Europe/Amsterdam")
	if err != nil {
		panic(err)
	}
	return l
}()

// at is a time in the Netherlands.
func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, amsterdam)
	if err != nil {
		panic(err)
	}
	return t
}

// creditorsFake is the creditor register of the tests, per tenant.
type creditorsFake map[tenant.ID]map[string]string

func (c creditorsFake) CreditorName(_ context.Context, t tenant.ID, id string) (string, error) {
	if n, ok := c[t][id]; ok {
		return n, nil
	}
	return "", fmt.Errorf("creditor %q: %w", id, ErrUnknownCreditor)
}

// aflossing is one EnsureAflossing call.
type aflossing struct {
	Tenant                        tenant.ID
	Resident, Creditor, Reference string
	Amount                        money.Cents
	Start                         string
	Months                        int
}

// plansFake records EnsureAflossing calls; failAt makes the n-th call (1-based) fail.
type plansFake struct {
	mu     sync.Mutex
	calls  []aflossing
	failAt int
	tries  int
}

func (p *plansFake) EnsureAflossing(_ context.Context, t tenant.ID, residentID, creditorID, reference string,
	amount money.Cents, start string, months int) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tries++
	if p.tries == p.failAt {
		return "", errors.New("payment plans unavailable")
	}
	p.calls = append(p.calls, aflossing{t, residentID, creditorID, reference, amount, start, months})
	return fmt.Sprintf("plan-%d", len(p.calls)), nil
}

func (p *plansFake) Calls() []aflossing {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]aflossing(nil), p.calls...)
}

type testBundle struct {
	d     *dbtest.DB
	clock *clocktest.Clock
	res   residents.Service
	raw   Service // no authorization: the database wall on its own
	svc   Service // authorized by the real policy
	plans *plansFake
	// distributed records the inputs the distribution was given.
	distributed []distribution.Input
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	d := dbtest.New(t)
	dbtest.CreateTenants(t, d, enschede, zwolle)
	c := clocktest.New(at("2026-04-02 10:00"))
	res := residentstest.NewService(t, d.App, c.Now)
	b := &testBundle{d: d, clock: c, res: res, plans: &plansFake{}}
	creditors := creditorsFake{
		enschede: {"eneco": "Eneco", "domijn": "Domijn", "menzis": "Menzis", "vitens": "Vitens"},
		zwolle:   {"eneco": "Eneco", "delta": "deltaWonen"},
	}
	raw := NewService(Config{App: d.App, Finder: residents.Lookup{Service: res, NotFound: ErrResidentNotFound}, Creditors: creditors, Plans: b.plans, Now: c.Now,
		Distribute: func(in distribution.Input) (distribution.Output, error) {
			b.distributed = append(b.distributed, in)
			return distribution.Distribute(in)
		}})
	b.raw, b.svc = raw, NewAuthorizing(raw, authztest.New(t))
	return b
}

// resident registers a single resident with BSN b in tenant tn.
// setupFatima is setup with the case most tests work on: Fatima, a single resident of
// enschede, whose id it returns.
func setupFatima(t *testing.T) (*testBundle, string) {
	t.Helper()
	b := setup(t)
	return b, b.resident(t, enschede, bsnFatima)
}

func (b *testBundle) resident(t *testing.T, tn tenant.ID, bsnString string) string {
	t.Helper()
	return residentstest.Create(context.Background(), t, b.res, tn, residentstest.Single(bsnString))
}

func days(n int) *int { return &n }

// report is a valid report of arrears for the resident with BSN b.
func report(ref, b string, amount money.Cents, threat Threat) NewSignal {
	return NewSignal{Reference: ref, BSN: BSNInput(b), AmountCents: int64(amount), DaysInArrears: days(45),
		Threat: string(threat), Contact: Contact{Name: "F. el Amrani", Address: "Hoofdstraat 1, Enschede", Phone: "06-12345678"},
		ReportedAt: "2026-03-01"}
}

func (b *testBundle) submit(t *testing.T, tn tenant.ID, creditorID string, ns NewSignal) (Signal, bool) {
	t.Helper()
	s, isNew, err := b.svc.SubmitSignal(as(creditor(tn, creditorID)), tn, creditorID, ns)
	if err != nil {
		t.Fatalf("submit signal: %v", err)
	}
	return s, isNew
}

// count counts rows of tenant tn as the owner (RLS is forced on it too).
func (b *testBundle) count(t *testing.T, tn tenant.ID, query string, args ...any) int {
	t.Helper()
	return b.d.Count(t, tn, query, args...)
}

func tenantOf(s string) tenant.ID { return tenant.ID(s) }
