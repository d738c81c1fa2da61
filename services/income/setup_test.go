package income_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/plein-nl/plein/platform/audit"
	"github.com/plein-nl/plein/platform/audit/audittest"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/authz/authztest"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/clocktest"
	"github.com/plein-nl/plein/platform/db"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/income"
	"github.com/plein-nl/plein/services/residents"
	"github.com/plein-nl/plein/services/residents/residentstest"
)

const (
	enschede = tenant.ID("enschede")
	zwolle   = tenant.ID("zwolle")

	bsnResident = "999993653"
	bsnPartner  = "111222333"
	purpose     = "zaak 2026-0042: maandoverzicht"
)

// The principals of the tests.
var (
	consulentEnschede = authztest.Consulent(enschede)
	consulentZwolle   = authztest.Consulent(zwolle)
)

// employerPrincipal is the partner principal the edge makes of employer id's API key.
func employerPrincipal(t tenant.ID, id string) authz.Principal {
	return authztest.Principal("employer:"+id, t, authz.RoleEmployer)
}

type testBundle struct {
	d     *dbtest.DB
	clock *clocktest.Clock
	res   residents.Service
	svc   income.Service
	staff *income.Staff
	az    *authz.Authorizer
}

func setup(t testing.TB) *testBundle {
	t.Helper()
	d := dbtest.New(t)
	dbtest.CreateTenants(t, d, enschede, zwolle)
	az := authztest.New(t)
	c := clocktest.New(time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC))
	res := residentstest.NewService(t, d.App, c.Now)
	svc := income.NewService(income.Config{
		App: d.App, Households: residents.Lookup{Service: res, NotFound: income.ErrNotFound},
		Finder:     residents.Lookup{Service: res, NotFound: income.ErrNotFound},
		Calculator: bijstand.NewCalculator(law.MustLoad()), Now: c.Now,
	})
	return &testBundle{d: d, clock: c, res: res, svc: svc, staff: income.NewStaff(svc, d.App, az), az: az}
}

// setupResident is setup with the case most tests start from: a single resident in
// enschede (bsnResident), whose id it returns.
func setupResident(t *testing.T) (*testBundle, string) {
	t.Helper()
	b := setup(t)
	return b, b.resident(t, enschede, single(bsnResident))
}

// as signs in as p.
var as = authztest.As

// date is a day the test writes out.
var date = clocktest.Date

func period(s string) bijstand.Period {
	p, err := bijstand.ParsePeriod(s)
	if err != nil {
		panic(err)
	}
	return p
}

// single is a single resident born 1990-05-01: 35 on 2026-03-01, no vrijlating months used.
var single = residentstest.Single

// couple is a couple: the resident born 1990-05-01 (35), the partner born 1992-01-15
// (34 on 2026-03-01), neither with vrijlating months used.
func couple() residents.NewResident {
	return residents.NewResident{Name: "Jan de Vries", BirthDate: "1990-05-01", BSN: bsnResident,
		IBAN: residentstest.IBAN, Kind: "couple",
		Partner: &residents.NewPartner{Name: "Ayşe de Vries", BirthDate: "1992-01-15", BSN: bsnPartner}}
}

func (b *testBundle) resident(t testing.TB, tn tenant.ID, nr residents.NewResident) string {
	t.Helper()
	return residentstest.Create(as(consulentEnschede), t, b.res, tn, nr)
}

// slip is a valid payslip: February's wage, paid 2026-03-05.
func slip(employer string, net money.Cents) income.NewPayslip {
	return income.NewPayslip{Employer: employer, PeriodStart: date("2026-02-01"), PeriodEnd: date("2026-02-28"),
		Gross: net + 20000, Net: net, HoursCenti: 8000, PayDate: date("2026-03-05"), Actor: "digid:test"}
}

func (b *testBundle) submit(t *testing.T, tn tenant.ID, residentID string, p income.NewPayslip) income.Payslip {
	t.Helper()
	got, err := b.svc.SubmitPayslip(context.Background(), tn, residentID, p, income.SourceResident)
	if err != nil {
		t.Fatalf("submit payslip: %v", err)
	}
	return got
}

// submitConsulent submits p for the resident as consulent-1 records it; the test
// fails if that is refused.
func (b *testBundle) submitConsulent(t *testing.T, tn tenant.ID, residentID string, p income.NewPayslip) income.Payslip {
	t.Helper()
	p.Actor = "consulent-1"
	got, err := b.svc.SubmitPayslip(context.Background(), tn, residentID, p, income.SourceConsulent)
	if err != nil {
		t.Fatalf("submit payslip as consulent: %v", err)
	}
	return got
}

// countPayslips counts every payslip row of tenant tn, current or corrected, as the
// owner (RLS is forced on the owner too, so inside a tenant transaction).
func (b *testBundle) countPayslips(t *testing.T, tn tenant.ID) (all, current int) {
	t.Helper()
	err := db.InTenant(tenant.WithID(context.Background(), tn), b.d.Owner, func(ctx context.Context, tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT count(*), count(*) FILTER (WHERE superseded_by IS NULL) FROM payslips").Scan(&all, &current)
	})
	if err != nil {
		t.Fatal(err)
	}
	return all, current
}

// wantStored fails the test unless tenant tn holds want payslip rows, current or
// corrected; why says which rows the test expects.
func (b *testBundle) wantStored(t *testing.T, tn tenant.ID, want int, why string) {
	t.Helper()
	if all, _ := b.countPayslips(t, tn); all != want {
		t.Errorf("payslips stored in %s = %d, want %d (%s)", tn, all, want, why)
	}
}

// auditRows lists tenant tn's audit entries with the given action.
func (b *testBundle) auditRows(t *testing.T, tn tenant.ID, action string) []audit.Entry {
	t.Helper()
	return audittest.Action(t, b.d.App, tn, action)
}

// figures are the amounts of a month that docs/domain.md lets us compute by hand.
type figures struct {
	Norm, Income, Vrijlating, Counted, Bijstand, Reserve, Payout money.Cents
}

func figuresOf(r bijstand.Result) figures {
	return figures{Norm: r.Norm, Income: r.Income, Vrijlating: r.Vrijlating, Counted: r.CountedIncome,
		Bijstand: r.Bijstand, Reserve: r.VakantietoeslagReserve, Payout: r.Payout}
}
