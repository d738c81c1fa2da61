package paymentplans

import (
	"errors"
	"testing"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/services/residents"
)

// TestEnsureAflossing: an accepted offer becomes one approved aflossing plan, made by
// the schuldregeling's system actor at PriorityAflossing; asking again for the same
// offer (a traject resumed after a failure) finds that plan instead of making another.
func TestEnsureAflossing(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	fatima := b.resident(t, enschede, bsnFatima, "Fatima el Amrani")
	a := Aflossings{Plans: b.raw}

	id, err := a.EnsureAflossing(ctx, enschede, fatima, "zilveren-kruis", "123 456 789", 2500, "2026-04", 6)
	if err != nil {
		t.Fatal(err)
	}
	p, err := b.raw.Get(ctx, enschede, id)
	if err != nil {
		t.Fatal(err)
	}
	if p.Kind != bijstand.DeductAflossing || p.Amount != 2500 || p.Priority != PriorityAflossing || p.Reference != "123456789" ||
		p.Start != period("2026-04") || p.End == nil || *p.End != period("2026-09") || p.Status != StatusApproved ||
		p.RequestedBy != Schuldregeling.Subject || p.ApprovedBy != Schuldregeling.Subject {
		t.Errorf("plan = %+v, want an approved aflossing of 25.00 at priority %d from 2026-04 to 2026-09, by %s",
			p, PriorityAflossing, Schuldregeling.Subject)
	}

	// The same offer again, with its reference written another way: the same plan.
	again, err := a.EnsureAflossing(ctx, enschede, fatima, "zilveren-kruis", "123-456-789", 2500, "2026-04", 6)
	if err != nil || again != id {
		t.Errorf("second call = %q, %v; want the first plan %q", again, err, id)
	}
	// Another amount, or another start month, is another plan.
	for _, c := range []struct {
		amount money.Cents
		start  string
	}{{3000, "2026-04"}, {2500, "2026-05"}} {
		other, err := a.EnsureAflossing(ctx, enschede, fatima, "zilveren-kruis", "123 456 789", c.amount, c.start, 6)
		if err != nil || other == id {
			t.Errorf("offer of %d from %s = %q, %v; want a new plan", c.amount, c.start, other, err)
		}
	}
	if list, _ := b.raw.List(ctx, enschede, fatima); len(list) != 3 {
		t.Errorf("plans after four calls for three offers: %d, want 3", len(list))
	}
	if _, err := a.EnsureAflossing(ctx, enschede, fatima, "zilveren-kruis", "123 456 789", 2500, "april", 6); err == nil {
		t.Error("a start that is no month: no error")
	}
	if _, err := a.EnsureAflossing(ctx, zwolle, fatima, "zilveren-kruis", "123 456 789", 2500, "2026-04", 6); !errors.Is(err, ErrResidentNotFound) {
		t.Errorf("a resident of another gemeente: err = %v, want ErrResidentNotFound", err)
	}
}

// TestStoppableByResident: a resident may stop her own on_behalf plans that have not
// ended or been rejected, and nothing else; Stop holds to the same rule.
func TestStoppableByResident(t *testing.T) {
	t.Parallel()
	const her, other = "r-1", "r-2"
	plan := func(kind bijstand.DeductionKind, st Status, owner string) Plan {
		return Plan{ResidentID: owner, Kind: kind, Status: st}
	}
	for _, c := range []struct {
		name string
		plan Plan
		by   string
		want bool
	}{
		{"requested on_behalf", plan(bijstand.DeductOnBehalf, StatusRequested, her), her, true},
		{"approved on_behalf", plan(bijstand.DeductOnBehalf, StatusApproved, her), her, true},
		{"active on_behalf", plan(bijstand.DeductOnBehalf, StatusActive, her), her, true},
		{"ended on_behalf", plan(bijstand.DeductOnBehalf, StatusEnded, her), her, false},
		{"rejected on_behalf", plan(bijstand.DeductOnBehalf, StatusRejected, her), her, false},
		{"active beslag", plan(bijstand.DeductBeslag, StatusActive, her), her, false},
		{"active aflossing", plan(bijstand.DeductAflossing, StatusActive, her), her, false},
		{"another resident's", plan(bijstand.DeductOnBehalf, StatusActive, other), her, false},
		{"no resident", plan(bijstand.DeductOnBehalf, StatusActive, ""), "", false},
	} {
		if got := c.plan.StoppableByResident(c.by); got != c.want {
			t.Errorf("%s: StoppableByResident = %v, want %v", c.name, got, c.want)
		}
	}

	// Stop follows the rule: the aflossing of her schuldregeling is not hers to stop,
	// her own zorgpremie is.
	b, fatima := setupFatima(t)
	herP := residentPrincipal(enschede, fatima)
	afl, err := Aflossings{Plans: b.raw}.EnsureAflossing(t.Context(), enschede, fatima, "zilveren-kruis", "123 456 789", 2500, "2026-04", 6)
	if err != nil {
		t.Fatal(err)
	}
	own := b.mustRequest(t, enschede, fatima, zorgpremie(), herP)
	for _, c := range []struct {
		id   string
		want bool
	}{{afl, false}, {own.ID, true}} {
		p, err := b.raw.Get(t.Context(), enschede, c.id)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.StoppableByResident(fatima); got != c.want {
			t.Errorf("plan %s (%s): StoppableByResident = %v, want %v", c.id, p.Kind, got, c.want)
		}
		_, err = b.svc.Stop(as(herP), enschede, c.id, ActorOf(herP))
		if (err == nil) != c.want {
			t.Errorf("she stops plan %s (%s): err = %v, want allowed = %v", c.id, p.Kind, err, c.want)
		}
	}
}

// TestNamedDeductions: the plans in force come out as deductions labelled with their
// creditor's name.
func TestNamedDeductions(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := t.Context()
	fatima := b.resident(t, enschede, bsnFatima, "Fatima el Amrani")
	p := b.mustApprove(t, enschede, b.mustRequest(t, enschede, fatima, zorgpremie(), residentPrincipal(enschede, fatima)).ID)
	c, err := b.cred.Get(ctx, enschede, p.CreditorID)
	if err != nil {
		t.Fatal(err)
	}
	n := NamedDeductions{Plans: b.raw, Creditors: b.cred}
	ds, err := n.Active(ctx, enschede, fatima, period("2026-04"))
	if err != nil || len(ds) != 1 || ds[0].ID != p.ID || ds[0].Label != c.DisplayName() || c.DisplayName() == "" {
		t.Errorf("Active = %+v, %v; want plan %s labelled %q", ds, err, p.ID, c.DisplayName())
	}
	if ds, err := n.Active(ctx, enschede, fatima, period("2026-03")); err != nil || len(ds) != 0 {
		t.Errorf("Active before the start = %+v, %v; want none", ds, err)
	}
}

// TestHouseholdNorms: the norm is that of the resident's own household, computed by
// the engine (a single adult in 2026: € 1.401,50); a resident the gemeente does not
// know is ErrResidentNotFound, through residents.Lookup.
func TestHouseholdNorms(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)
	n := HouseholdNorms{Households: residents.Lookup{Service: b.res, NotFound: ErrResidentNotFound},
		Calc: bijstand.NewCalculator(law.MustLoad())}
	if got, err := n.Norm(t.Context(), enschede, fatima, period("2026-04")); err != nil || got != 140150 {
		t.Errorf("norm of a single resident = %d, %v; want 140150", got, err)
	}
	_, err := n.Norm(t.Context(), enschede, "00000000-0000-4000-8000-000000000001", period("2026-04"))
	if !errors.Is(err, ErrResidentNotFound) || !errors.Is(err, residents.ErrNotFound) {
		t.Errorf("norm of an unknown resident: err = %v, want ErrResidentNotFound wrapping residents.ErrNotFound", err)
	}
}
