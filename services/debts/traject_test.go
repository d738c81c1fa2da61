package debts

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/money"
)

func (b *testBundle) debt(t *testing.T, residentID, creditorID, ref string, amount money.Cents, preferent bool) Debt {
	t.Helper()
	b.clock.Set(b.clock.Now().Add(time.Minute)) // in the order created
	d, err := b.svc.CreateDebt(as(shvEnschede), enschede, residentID, NewDebt{CreditorID: creditorID, Reference: ref,
		ClaimCents: int64(amount), Preferent: preferent})
	if err != nil {
		t.Fatalf("create debt: %v", err)
	}
	return d
}

func TestDebtRegister(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)
	shv := as(shvEnschede)
	d := b.debt(t, fatima, "domijn", "HUUR-2026", 120000, false)
	if d.Balance != 120000 || d.Status != DebtOpen || d.Source != SourceConsulent || d.Version != 1 {
		t.Errorf("created = %+v; want balance = claim, open, consulent, version 1", d)
	}
	if _, err := b.svc.CreateDebt(shv, enschede, fatima, NewDebt{CreditorID: "domijn", Reference: "HUUR-2026", ClaimCents: 1}); !errors.Is(err, ErrDuplicateDebt) {
		t.Errorf("same creditor and reference again: %v, want ErrDuplicateDebt", err)
	}
	bad := []struct {
		nd    NewDebt
		field string
	}{
		{NewDebt{CreditorID: "essent", Reference: "X", ClaimCents: 100}, "creditor_id"},
		{NewDebt{CreditorID: "domijn", Reference: "X", ClaimCents: -100}, "claim_cents"},
		{NewDebt{CreditorID: "domijn", Reference: "", ClaimCents: 100}, "reference"},
		{NewDebt{CreditorID: "domijn", Reference: "X", ClaimCents: 100, BalanceCents: new(int64(-1))}, "balance_cents"},
		{NewDebt{CreditorID: "domijn", Reference: "X", ClaimCents: 100, Source: "signal"}, "source"},
	}
	for _, tt := range bad {
		_, err := b.svc.CreateDebt(shv, enschede, fatima, tt.nd)
		var ve *httpapi.ValidationError
		if !errors.As(err, &ve) || ve.Fields[0].Field != tt.field || ve.Fields[0].NL == "" {
			t.Errorf("CreateDebt(%+v) = %v, want a problem with %s", tt.nd, err, tt.field)
		}
	}
	if n := b.count(t, enschede, "SELECT count(*) FROM debts"); n != 1 {
		t.Errorf("%d debts after bad input, want 1", n)
	}
	if _, err := b.svc.CreateDebt(shv, enschede, "00000000-0000-4000-8000-000000000000",
		NewDebt{CreditorID: "domijn", Reference: "X", ClaimCents: 1}); !errors.Is(err, ErrResidentNotFound) {
		t.Errorf("unknown resident: %v, want ErrResidentNotFound", err)
	}
	// Update at the version read; a stale version conflicts.
	up, err := b.svc.UpdateDebt(shv, enschede, fatima, d.ID, 1, DebtChanges{BalanceCents: new(int64(80000)), Status: new("disputed")})
	if err != nil || up.Balance != 80000 || up.Status != DebtDisputed || up.Version != 2 {
		t.Fatalf("update = %+v, %v", up, err)
	}
	if _, err := b.svc.UpdateDebt(shv, enschede, fatima, d.ID, 1, DebtChanges{}); !errors.Is(err, ErrVersionConflict) {
		t.Errorf("stale version: %v, want ErrVersionConflict", err)
	}
	if _, err := b.svc.UpdateDebt(shv, enschede, fatima, d.ID, 2, DebtChanges{Status: new("in_regeling")}); !errors.Is(err, ErrInvalid) {
		t.Errorf("in_regeling by hand: %v, want ErrInvalid", err)
	}
	// A consulent may read debts but not change them; a read needs a purpose.
	if _, err := b.svc.Debts(as(consulentEnschede), enschede, fatima, purpose); err != nil {
		t.Errorf("consulent reads debts: %v", err)
	}
	if _, err := b.svc.CreateDebt(as(consulentEnschede), enschede, fatima, NewDebt{}); !errors.Is(err, authz.ErrForbidden) {
		t.Errorf("consulent writes a debt: %v, want ErrForbidden", err)
	}
	if _, err := b.svc.Debts(shv, enschede, fatima, ""); !errors.Is(err, ErrPurposeRequired) {
		t.Errorf("read without purpose: %v, want ErrPurposeRequired", err)
	}
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)
	d := b.debt(t, fatima, "domijn", "HUUR-1", 1000, false)
	sig, _ := b.submit(t, enschede, "eneco", report("ENE-1", bsnFatima, 1000, ThreatNone))

	// Authorization: a schuldhulpverlener of zwolle gets nothing of enschede.
	zw := as(shvZwolle)
	if _, err := b.svc.Debts(zw, enschede, fatima, purpose); !errors.Is(err, authz.ErrForbidden) {
		t.Errorf("zwolle reads enschede's debts: %v, want ErrForbidden", err)
	}
	if _, err := b.svc.Queue(zw, enschede, b.clock.Now()); !errors.Is(err, authz.ErrForbidden) {
		t.Errorf("zwolle reads enschede's queue: %v, want ErrForbidden", err)
	}
	// The database wall on its own (no authorization): zwolle's units of work see none
	// of enschede's rows.
	if ds, err := b.raw.Debts(zw, zwolle, fatima, purpose); err != nil || len(ds) != 0 {
		t.Errorf("zwolle's debts of enschede's resident: %v, %v; want none", ds, err)
	}
	if items, err := b.raw.Queue(zw, zwolle, b.clock.Now()); err != nil || len(items) != 0 {
		t.Errorf("zwolle's queue: %+v, %v; want empty", items, err)
	}
	if _, err := b.raw.UpdateDebt(zw, zwolle, fatima, d.ID, 1, DebtChanges{BalanceCents: new(int64(0))}); !errors.Is(err, ErrNotFound) {
		t.Errorf("zwolle updates enschede's debt: %v, want ErrNotFound", err)
	}
	if err := b.raw.RecordContact(zw, zwolle, sig.ID, b.clock.Now(), "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("zwolle contacts on enschede's signal: %v, want ErrNotFound", err)
	}
	if _, err := b.raw.CreateDebt(zw, zwolle, fatima, NewDebt{CreditorID: "eneco", Reference: "X", ClaimCents: 1}); !errors.Is(err, ErrResidentNotFound) {
		t.Errorf("zwolle registers a debt of enschede's resident: %v, want ErrResidentNotFound", err)
	}
	// In zwolle, the same creditor and reference is a signal of its own.
	if _, isNew := b.submit(t, zwolle, "eneco", report("ENE-1", bsnFatima, 1000, ThreatNone)); !isNew {
		t.Error("zwolle's report of ENE-1 is not new")
	}
	if n := b.count(t, zwolle, "SELECT count(*) FROM signals WHERE resident_id IS NULL"); n != 1 {
		t.Errorf("zwolle's signal matched enschede's resident")
	}
}

func TestTraject(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)
	shv := as(shvEnschede)
	// docs/domain.md §4's example: pool 100 × 18 = 1800 over concurrent A 3000, B 1000,
	// C 2000 → p = 30 %: 900, 300, 600.
	a := b.debt(t, fatima, "domijn", "A", 300000, false)
	bb := b.debt(t, fatima, "eneco", "B", 100000, false)
	c := b.debt(t, fatima, "vitens", "C", 200000, false)
	paid := b.debt(t, fatima, "menzis", "PAID", 5000, false)
	if _, err := b.svc.UpdateDebt(shv, enschede, fatima, paid.ID, 1, DebtChanges{Status: new("paid")}); err != nil {
		t.Fatal(err)
	}

	tr, err := b.svc.StartTraject(shv, enschede, fatima, NewTraject{CapacityCentsPerMonth: 10000})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Months != 18 || tr.Pool != 180000 || tr.PreferentFactor != 2 || tr.Status != TrajectOffered {
		t.Errorf("traject = %+v; want 18 months, pool 180000, factor 2, offered", tr)
	}
	gotOffers := map[string]money.Cents{}
	for _, o := range tr.Offers {
		gotOffers[o.DebtID] = o.Offered
	}
	if len(tr.Offers) != 3 || gotOffers[a.ID] != 90000 || gotOffers[bb.ID] != 30000 || gotOffers[c.ID] != 60000 {
		t.Errorf("offers = %+v; want A 90000, B 30000, C 60000 (the paid debt left out)", tr.Offers)
	}
	if in := b.distributed[0]; len(in.Claims) != 3 || in.Claims[0].ID != a.ID || in.Claims[0].Amount != 300000 || in.Months != 18 {
		t.Errorf("distribution input = %+v; want the balances of the open debts", in)
	}
	if _, err := b.svc.StartTraject(shv, enschede, fatima, NewTraject{CapacityCentsPerMonth: 10000}); !errors.Is(err, ErrConflict) {
		t.Errorf("a second open traject: %v, want ErrConflict", err)
	}

	// Accepted one by one; the plans are made when the last creditor accepts, from
	// May (the month after April), in runs of equal months (see Schedule).
	for _, cr := range []string{"domijn", "eneco"} {
		tr, err = b.svc.DecideOffer(shv, enschede, fatima, cr, true)
		if err != nil || tr.Status != TrajectOffered {
			t.Fatalf("accept %s: %+v, %v", cr, tr.Status, err)
		}
	}
	if calls := b.plans.Calls(); len(calls) != 0 {
		t.Fatalf("plans made before every creditor accepted: %+v", calls)
	}
	b.plans.failAt = 2 // the payment plans service fails half-way
	if _, err := b.svc.DecideOffer(shv, enschede, fatima, "vitens", true); err == nil {
		t.Fatal("accept with failing payment plans: no error")
	}
	tr, err = b.svc.Traject(shv, enschede, fatima, purpose)
	if err != nil || tr.Status != TrajectArranging || tr.StartPeriod != "2026-05" {
		t.Fatalf("after the failure: %+v, %v; want arranging from 2026-05", tr, err)
	}
	// Any creditor's accept resumes where it stopped: nothing is made twice.
	tr, err = b.svc.DecideOffer(shv, enschede, fatima, "domijn", true)
	if err != nil || tr.Status != TrajectAgreed {
		t.Fatalf("resume: %+v, %v; want agreed", tr.Status, err)
	}
	want := []aflossing{
		{enschede, fatima, "domijn", "A", 5000, "2026-05", 18},
		{enschede, fatima, "eneco", "B", 1667, "2026-05", 12},
		{enschede, fatima, "eneco", "B", 1666, "2027-05", 6},
		{enschede, fatima, "vitens", "C", 3333, "2026-05", 12},
		{enschede, fatima, "vitens", "C", 3334, "2027-05", 6},
	}
	if got := b.plans.Calls(); !slices.Equal(got, want) {
		t.Errorf("aflossing plans:\n got %+v\nwant %+v", got, want)
	}
	for k, o := range tr.Offers {
		var sum money.Cents
		for _, in := range Schedule(offeredOf(tr), tr.Months)[k] {
			sum += in.Amount * money.Cents(in.Months)
		}
		if sum != o.Offered || o.Status != OfferAccepted || len(o.PlanIDs) == 0 {
			t.Errorf("offer %+v: installments add up to %d", o, sum)
		}
	}
	ds, err := b.svc.Debts(shv, enschede, fatima, purpose)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if want := DebtInRegeling; d.ID == paid.ID {
			if d.Status != DebtPaid {
				t.Errorf("the paid debt is %s", d.Status)
			}
		} else if d.Status != want {
			t.Errorf("debt %s is %s, want %s", d.Reference, d.Status, want)
		}
	}
	// The resident sees it in plain Dutch.
	o, err := b.svc.ForResident(as(resident(enschede, fatima)), enschede, fatima)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Debts) != 4 || o.Debts[0].Creditor != "Domijn" || o.Total != 600000 ||
		!slices.Contains(o.Arranging, "U hebt een schuldregeling. Vanaf mei 2026 betaalt de gemeente 18 maanden lang elke maand € 100,00 voor u aan uw schuldeisers.") ||
		!strings.HasPrefix(o.NextStep, "Betaal de schuldeisers in de regeling niet zelf.") {
		t.Errorf("overview = %+v", o)
	}
	if _, err := b.svc.ForResident(as(shvEnschede), enschede, fatima); !errors.Is(err, authz.ErrForbidden) {
		t.Errorf("overview for staff: %v, want ErrForbidden", err)
	}
}

func TestTrajectRejected(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)
	shv := as(shvEnschede)
	b.debt(t, fatima, "domijn", "A", 300000, true)
	b.debt(t, fatima, "eneco", "B", 100000, false)
	if _, err := b.svc.StartTraject(shv, enschede, fatima, NewTraject{CapacityCentsPerMonth: 5000, Months: 0}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.DecideOffer(shv, enschede, fatima, "vitens", true); !errors.Is(err, ErrNotFound) {
		t.Errorf("a creditor without an offer: %v, want ErrNotFound", err)
	}
	tr, err := b.svc.DecideOffer(shv, enschede, fatima, "eneco", false)
	if err != nil || tr.Status != TrajectRejected {
		t.Fatalf("reject: %+v, %v", tr.Status, err)
	}
	if _, err := b.svc.DecideOffer(shv, enschede, fatima, "domijn", true); !errors.Is(err, ErrNotFound) {
		t.Errorf("accept after the traject failed: %v, want ErrNotFound (no open traject)", err)
	}
	if len(b.plans.Calls()) != 0 {
		t.Errorf("plans made for a rejected traject")
	}
	// A new traject can start after a rejected one.
	if _, err := b.svc.StartTraject(shv, enschede, fatima, NewTraject{CapacityCentsPerMonth: 6000}); err != nil {
		t.Errorf("second traject: %v", err)
	}
	_, err = b.svc.StartTraject(shv, enschede, fatima, NewTraject{CapacityCentsPerMonth: -1, Months: 61})
	var ve *httpapi.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 2 {
		t.Errorf("bad traject: %v, want capacity and months", err)
	}
	other := b.resident(t, enschede, bsnJan)
	if _, err := b.svc.StartTraject(shv, enschede, other, NewTraject{CapacityCentsPerMonth: 100}); !errors.Is(err, ErrConflict) {
		t.Errorf("traject without debts: %v, want ErrConflict", err)
	}
}

func TestPlanVanAanpak(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)
	shv := as(shvEnschede)
	p, err := b.svc.SavePlan(shv, enschede, fatima, NewPlan{FirstConversation: "2026-03-20", Situation: "Eerste gesprek."})
	if err != nil || p.Status != "draft" || !p.Deadline.Equal(day("2026-05-15")) {
		t.Fatalf("draft = %+v, %v; want deadline 2026-05-15 (20 March + 56 days)", p, err)
	}
	_, err = b.svc.SavePlan(shv, enschede, fatima, NewPlan{FirstConversation: "2026-03-20", Decide: true})
	var ve *httpapi.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 3 {
		t.Errorf("decide without the texts: %v, want situation, goals and actions", err)
	}
	p, err = b.svc.SavePlan(shv, enschede, fatima, NewPlan{FirstConversation: "2026-03-20", Situation: "S", Goals: "G", Actions: "A", Decide: true})
	if err != nil || p.Status != "decided" || p.DecidedBy != "shv-enschede" {
		t.Fatalf("decide = %+v, %v", p, err)
	}
	if _, err := b.svc.SavePlan(shv, enschede, fatima, NewPlan{FirstConversation: "2026-03-20"}); !errors.Is(err, ErrConflict) {
		t.Errorf("change a decided plan: %v, want ErrConflict", err)
	}
	got, err := b.svc.Plan(shv, enschede, fatima, purpose)
	if err != nil || got.Status != "decided" || got.Goals != "G" {
		t.Errorf("read = %+v, %v", got, err)
	}
	if _, err := b.svc.SavePlan(shv, enschede, fatima, NewPlan{FirstConversation: "2026-05-01"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("first conversation in the future: %v, want ErrInvalid", err)
	}
	if _, err := b.svc.Plan(shv, enschede, b.resident(t, enschede, bsnJan), purpose); !errors.Is(err, ErrNotFound) {
		t.Errorf("no plan: %v, want ErrNotFound", err)
	}
}

func TestCreditorPartnerKeys(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := context.Background()
	key, err := RegisterCreditorPartner(ctx, b.d.App, enschede, "eneco", "Eneco Vroegsignalering")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key, CreditorKeyPrefix) || len(key) != len(CreditorKeyPrefix)+64 {
		t.Fatalf("key = %q", key)
	}
	tests := []struct {
		name string
		tn   string
		key  string
		want string
	}{
		{"own key", "enschede", key, "eneco"},
		{"wrong key", "enschede", key[:len(key)-1] + "x", ""},
		{"empty", "enschede", "", ""},
		{"employer prefix", "enschede", "plein_emp_" + key[len(CreditorKeyPrefix):], ""},
		{"another tenant", "zwolle", key, ""},
	}
	for _, tt := range tests {
		got, err := AuthenticateCreditor(ctx, b.d.App, tenantOf(tt.tn), tt.key)
		if got != tt.want || (tt.want == "") != errors.Is(err, ErrUnknownPartner) {
			t.Errorf("%s: AuthenticateCreditor = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
	rotated, err := RegisterCreditorPartner(ctx, b.d.App, enschede, "eneco", "Eneco")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := AuthenticateCreditor(ctx, b.d.App, enschede, key); !errors.Is(err, ErrUnknownPartner) {
		t.Errorf("old key after rotation: %v", err)
	}
	if got, err := AuthenticateCreditor(ctx, b.d.App, enschede, rotated); got != "eneco" || err != nil {
		t.Errorf("rotated key: %q, %v", got, err)
	}
}
