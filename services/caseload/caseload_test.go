package caseload_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/authz/authztest"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/clocktest"
	"github.com/plein-nl/plein/platform/db/dbtest"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/caseload"
	"github.com/plein-nl/plein/services/creditors"
	"github.com/plein-nl/plein/services/income"
	"github.com/plein-nl/plein/services/paymentplans"
	"github.com/plein-nl/plein/services/residents"
	"github.com/plein-nl/plein/services/residents/residentstest"
	"github.com/plein-nl/plein/services/settlement"
	"github.com/plein-nl/plein/services/tenancy"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

const (
	zwolle   = tenant.ID("zwolle")
	enschede = tenant.ID("enschede")
)

// The consulents of the tests: one requests a plan, the other approves it.
var (
	alice = authztest.Principal("consulent-alice", zwolle, authz.RoleConsulent)
	bob   = authztest.Principal("consulent-bob", zwolle, authz.RoleConsulent)
)

var april = bijstand.Period{Year: 2026, Month: time.April}

// as signs in as p.
var as = authztest.As

// testBundle is a database with the tenants' configuration applied, the services
// that own the caseload's data, and the caseload over them.
type testBundle struct {
	d     *dbtest.DB
	clock *clocktest.Clock
	res   residents.Service
	inc   *income.IncomeService
	plans paymentplans.Service
	dir   *tenancy.Directory
	cl    *caseload.Caseload
}

func setup(t *testing.T) *testBundle {
	t.Helper()
	d := dbtest.New(t)
	ctx := context.Background()
	loaded, err := tenancy.LoadPath("../../tenants")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tenancy.NewStore(d.Control, nil).Apply(ctx, loaded, "test", false); err != nil {
		t.Fatal(err)
	}
	dir, err := tenancy.NewDirectory(ctx, d.App)
	if err != nil {
		t.Fatal(err)
	}
	clock := clocktest.New(time.Date(2026, 4, 10, 10, 0, 0, 0, time.UTC))
	res := residentstest.NewService(t, d.App, clock.Now)
	inc := income.NewService(income.Config{App: d.App, Households: residents.Lookup{Service: res, NotFound: income.ErrNotFound},
		Calculator: bijstand.NewCalculator(law.MustLoad()), Now: clock.Now, Settings: caseload.IncomeSettings(dir)})
	plans := paymentplans.NewService(paymentplans.Config{App: d.App, Creditors: creditors.NewService(d.App, nil, clock.Now),
		Now: clock.Now})
	cl, err := caseload.New(d.App, dir, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	return &testBundle{d: d, clock: clock, res: res, inc: inc, plans: plans, dir: dir, cl: cl}
}

func (b *testBundle) resident(t *testing.T, tn tenant.ID, nr residents.NewResident) string {
	t.Helper()
	return residentstest.Create(context.Background(), t, b.res, tn, nr)
}

// payslip hands in a payslip of March, paid in April.
func (b *testBundle) payslip(t *testing.T, residentID string, applicant int, net money.Cents) {
	t.Helper()
	p := income.NewPayslip{Applicant: applicant, Employer: "Bakkerij Jansen", PeriodStart: date("2026-03-01"),
		PeriodEnd: date("2026-03-31"), Gross: net + 20000, Net: net, HoursCenti: 8000, PayDate: date("2026-04-05"),
		Actor: "digid:test"}
	if _, err := b.inc.SubmitPayslip(context.Background(), zwolle, residentID, p, income.SourceResident); err != nil {
		t.Fatalf("submit payslip: %v", err)
	}
}

// plan requests a plan from April and has it approved.
func (b *testBundle) plan(t *testing.T, residentID string, np paymentplans.NewPlan) paymentplans.Plan {
	t.Helper()
	p, err := b.plans.Request(as(alice), zwolle, residentID, np, paymentplans.ActorOf(alice))
	if err != nil {
		t.Fatalf("request plan: %v", err)
	}
	if p, err = b.plans.Approve(as(bob), zwolle, p.ID, paymentplans.ActorOf(bob)); err != nil {
		t.Fatalf("approve plan: %v", err)
	}
	return p
}

// date is a day the test writes out.
var date = clocktest.Date

// TestMonths: the bulk reads of a batch give every resident of the range the month the
// owning services' one-resident reads give (the household, the payslips that count,
// the plans in force in the engine's order), with the name, the account and where
// each plan's money goes; another tenant's residents are never read.
func TestMonths(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	fatima := b.resident(t, zwolle, residents.NewResident{Name: "Fatima el Amrani", BirthDate: "1990-05-01",
		BSN: "999993653", IBAN: "NL91ABNA0417164300", Kind: "single"})
	jan := b.resident(t, zwolle, residents.NewResident{Name: "Jan de Vries", BirthDate: "1985-02-01", BSN: "111222333",
		IBAN: "NL91ABNA0417164300", Kind: "couple", Children: []residents.NewChild{{BirthDate: "2015-06-01"}},
		Partner: &residents.NewPartner{Name: "Ayşe de Vries", BirthDate: "1987-11-30", BSN: "168888889"}})
	kees := b.resident(t, zwolle, residents.NewResident{Name: "Kees Bakker", BirthDate: "1970-01-01", BSN: "413827161",
		IBAN: "NL91ABNA0417164300", Kind: "single"})
	b.resident(t, enschede, residents.NewResident{Name: "Anna Smit", BirthDate: "1980-01-01", BSN: "999993653",
		IBAN: "NL91ABNA0417164300", Kind: "single"})
	b.payslip(t, fatima, 0, 45000)
	b.payslip(t, jan, 1, 30000)
	beslag := b.plan(t, jan, paymentplans.NewPlan{Kind: "beslag", CreditorID: "cak", Reference: "1234567890123456",
		AmountCents: 12000, Priority: 1, StartPeriod: "2026-04"})
	b.plan(t, jan, paymentplans.NewPlan{Kind: "aflossing", CreditorID: "cak", Reference: "6543210987654321",
		AmountCents: 5000, Priority: 2, StartPeriod: "2026-04"})
	// A plan from May is not in force in April.
	b.plan(t, kees, paymentplans.NewPlan{Kind: "beslag", CreditorID: "cak", Reference: "1111222233334444",
		AmountCents: 5000, Priority: 1, StartPeriod: "2026-05"})

	ids, err := b.cl.ResidentIDs(ctx, zwolle)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 3 {
		t.Fatalf("ResidentIDs = %v, want the 3 of zwolle", ids)
	}
	months, err := b.cl.Months(ctx, zwolle, april, ids[0], ids[2])
	if err != nil {
		t.Fatal(err)
	}
	if len(months) != 3 {
		t.Fatalf("%d months, want 3", len(months))
	}
	names := map[string]string{fatima: "Fatima el Amrani", jan: "Jan de Vries", kees: "Kees Bakker"}
	for i, m := range months {
		if m.ResidentID != ids[i] {
			t.Errorf("month %d is %s, want id order (%s)", i, m.ResidentID, ids[i])
		}
		if m.Name != names[m.ResidentID] || m.IBAN != "NL91ABNA0417164300" {
			t.Errorf("%s: name %q, IBAN %s; want %q, NL91ABNA0417164300", m.ResidentID, m.Name, m.IBAN, names[m.ResidentID])
		}
		want := b.month(t, m.ResidentID)
		if got := fmt.Sprintf("%+v", m.Result); got != fmt.Sprintf("%+v", want) {
			t.Errorf("%s:\n got  %s\n want %+v", m.ResidentID, got, want)
		}
	}
	byID := map[string]settlement.ResidentMonth{}
	for _, m := range months {
		byID[m.ResidentID] = m
	}
	if n := len(byID[jan].Result.Deductions); n != 2 {
		t.Errorf("jan has %d deductions, want his 2 plans in force", n)
	}
	if ref := byID[jan].Plans[beslag.ID]; ref != (settlement.PlanRef{CreditorID: "cak", Reference: "1234567890123456"}) {
		t.Errorf("jan's beslag goes to %+v", ref)
	}
	if n := len(byID[kees].Result.Deductions) + len(byID[kees].Plans); n != 0 {
		t.Errorf("kees has %d deductions and plans in April, want none (his plan starts in May)", n)
	}
	// Every month carries its receipt: the case, the law file of 2026, zwolle's config
	// version in force, this engine, and the payslip's gross (net + 200.00 as handed in).
	tt, _ := b.dir.ByID(zwolle)
	rc := byID[fatima].Receipt
	if rc == nil || rc.LawFile != "data/2026-01-01.yaml" || rc.ConfigVersion != tt.Version || tt.Version < 1 ||
		rc.EngineVersion != bijstand.EngineVersion || len(rc.Case.Income) != 1 || rc.Case.Income[0].Net != 45000 ||
		len(rc.Wages) != 1 || rc.Wages[0] != (settlement.Wage{Employer: "Bakkerij Jansen", Gross: 65000, Net: 45000}) {
		t.Errorf("fatima's receipt %+v, want law 2026-01-01, config v%d, engine %s, one wage of 650.00 gross, 450.00 net",
			rc, tt.Version, bijstand.EngineVersion)
	}
	if rc := byID[jan].Receipt; rc == nil || len(rc.Case.Deductions) != 2 || rc.Case.Household.Kind != bijstand.KindCouple {
		t.Errorf("jan's receipt %+v, want his couple household and 2 deductions", rc)
	}
	// A range of one, and a range without residents.
	if one, err := b.cl.Months(ctx, zwolle, april, ids[1], ids[1]); err != nil || len(one) != 1 || one[0].ResidentID != ids[1] {
		t.Errorf("range of one: %d months, %v", len(one), err)
	}
	if none, err := b.cl.Months(ctx, zwolle, april, "x", "y"); err != nil || len(none) != 0 {
		t.Errorf("empty range: %d months, %v", len(none), err)
	}
}

// month is a resident's April computed from the owning services' one-resident reads.
func (b *testBundle) month(t *testing.T, residentID string) bijstand.Result {
	t.Helper()
	ctx := context.Background()
	h, err := b.res.Household(ctx, zwolle, residentID)
	if err != nil {
		t.Fatal(err)
	}
	slips, err := b.inc.Payslips(ctx, zwolle, residentID, april)
	if err != nil {
		t.Fatal(err)
	}
	deds, err := b.plans.Active(ctx, zwolle, residentID, april)
	if err != nil {
		t.Fatal(err)
	}
	m, err := b.inc.Compute(zwolle, april, h, slips, deds)
	if err != nil {
		t.Fatal(err)
	}
	return m.Result
}

// TestCreditors: a plan may name a creditor of the catalogue.
func TestCreditors(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cs, err := b.cl.Creditors(context.Background(), zwolle)
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := cs["cak"]; !ok || c.ID != "cak" || c.Name == "" || c.IBAN == "" {
		t.Errorf("creditor cak = %+v (%v), want the catalogue's", c, ok)
	}
	if _, err := b.cl.Creditors(context.Background(), tenant.ID("Not A Tenant")); err == nil {
		t.Error("creditors of an invalid tenant: no error")
	}
}

// TestTenants: the settlement's settings come from the tenant's configuration, and an
// unknown tenant has none.
func TestTenants(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ts := caseload.NewTenants(b.dir)
	cfg, ok := b.dir.ByID(zwolle)
	if !ok {
		t.Fatal("zwolle is not in the directory")
	}
	st, ok := ts.Settings(zwolle)
	if !ok {
		t.Fatal("no settings for zwolle")
	}
	want := cfg.Config.Settlement
	if st.Status != string(cfg.Status) || st.Debtor.Name != cfg.Config.Bank.AccountName || string(st.Debtor.IBAN) != cfg.Config.Bank.IBAN ||
		st.Debtor.Town != "Zwolle" || st.Debtor.Country != "NL" || st.PayDay != want.PayDayOrDefault() ||
		st.LeadDays != want.RunLeadDaysOrDefault() || st.VakantietoeslagMonth != want.VakantietoeslagMonthOrDefault() {
		t.Errorf("settings of zwolle: %+v", st)
	}
	if _, ok := ts.Settings("nergenshuizen"); ok {
		t.Error("settings of an unknown tenant")
	}
	all, active := ts.All(), ts.Active()
	if len(all) == 0 || len(active) > len(all) {
		t.Errorf("all %v, active %v", all, active)
	}
	for _, id := range active {
		if tt, _ := b.dir.ByID(id); tt.Status != "active" {
			t.Errorf("active lists %s, which is %s", id, tt.Status)
		}
	}
	if s := caseload.IncomeSettings(b.dir)("nergenshuizen"); s.PayDay != tenancy.DefaultPayDay {
		t.Errorf("income settings of an unknown tenant: %+v, want the default pay day", s)
	}
}
