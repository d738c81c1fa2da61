package paymentplans

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/httpapi/httpapitest"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/money"
)

// TestLifecycle follows the issue: Fatima asks in her portal to pay her zorgpremie to
// Zilveren Kruis, a consulent approves, the premium changes, the plan runs from April,
// and she stops it herself. Every act is an event and an audit entry, and the
// verzekeraar is told of start, change and stop.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)
	her := residentPrincipal(enschede, fatima)

	p := b.mustRequest(t, enschede, fatima, zorgpremie(), her)
	if p.Status != StatusRequested || p.Reference != "123456789" || p.Mandate == nil || p.Mandate.GivenBy != MandateResident {
		t.Fatalf("requested = %+v", p)
	}
	if _, err := b.svc.Approve(as(her), enschede, p.ID, ActorOf(her)); !errors.Is(err, authz.ErrForbidden) {
		t.Errorf("the resident approves her own plan: err = %v, want ErrForbidden", err)
	}
	if _, err := b.svc.Approve(as(shvEnschede), enschede, p.ID, ActorOf(shvEnschede)); !errors.Is(err, authz.ErrForbidden) {
		t.Errorf("a schuldhulpverlener approves: err = %v, want ErrForbidden", err)
	}
	p = b.mustApprove(t, enschede, p.ID)
	if p.Status != StatusApproved || p.ApprovedBy != "consulent-enschede" || p.ApprovedAt == nil {
		t.Fatalf("approved = %+v", p)
	}
	if _, err := b.svc.Approve(as(consulentEnschede), enschede, p.ID, ActorOf(consulentEnschede)); !errors.Is(err, ErrState) {
		t.Errorf("approving twice: err = %v, want ErrState", err)
	}
	amount, ref := int64(16125), "987654321"
	p, err := b.svc.Change(as(consulentEnschede), enschede, p.ID, p.Version, Changes{AmountCents: &amount, Reference: &ref},
		ActorOf(consulentEnschede))
	if err != nil || p.Amount != 16125 || p.Reference != "987654321" || p.Version != 3 {
		t.Fatalf("change = %+v, %v", p, err)
	}
	if _, err := b.svc.Change(as(consulentEnschede), enschede, p.ID, 2, Changes{AmountCents: &amount}, ActorOf(consulentEnschede)); !errors.Is(err, ErrVersionConflict) {
		t.Errorf("change at an old version: err = %v, want ErrVersionConflict", err)
	}

	// April: the plan is active; she stops it, so April is its last month.
	b.clock.Set(time.Date(2026, 4, 2, 9, 0, 0, 0, time.UTC))
	if got, _ := b.svc.Get(as(her), enschede, p.ID); got.Status != StatusActive {
		t.Errorf("in April: status %s, want active", got.Status)
	}
	p, err = b.svc.Stop(as(her), enschede, p.ID, ActorOf(her))
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != StatusEnded || p.End == nil || *p.End != period("2026-04") || p.Mandate.RevokedAt == nil {
		t.Errorf("stopped = status %s end %v mandate %+v; want ended, 2026-04, revoked", p.Status, p.End, p.Mandate)
	}
	if _, err := b.svc.Stop(as(her), enschede, p.ID, ActorOf(her)); !errors.Is(err, ErrState) {
		t.Errorf("stopping twice: err = %v, want ErrState", err)
	}
	// April is still paid; May is not.
	for per, want := range map[string]int{"2026-03": 0, "2026-04": 1, "2026-05": 0} {
		if ds, _ := b.raw.Active(t.Context(), enschede, fatima, period(per)); len(ds) != want {
			t.Errorf("Active(%s) = %d plans, want %d", per, len(ds), want)
		}
	}

	evs, err := b.svc.Events(as(consulentEnschede), enschede, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	type step struct {
		action   Action
		from, to Status
		actor    string
	}
	var got []step
	for _, e := range evs {
		got = append(got, step{e.Action, e.From, e.To, e.Actor})
	}
	want := []step{
		{ActionRequest, "", StatusRequested, her.Subject},
		{ActionApprove, StatusRequested, StatusApproved, "consulent-enschede"},
		{ActionChange, StatusApproved, StatusApproved, "consulent-enschede"},
		{ActionStop, StatusActive, StatusEnded, her.Subject},
	}
	if !slices.Equal(got, want) {
		t.Errorf("events = %+v\nwant %+v", got, want)
	}
	if !strings.Contains(evs[3].Reason, "mandate revoked") || evs[3].Role != "resident" {
		t.Errorf("stop event = %+v, want the resident revoking her mandate", evs[3])
	}
	if rows := b.auditRows(t, enschede, p.ID); len(rows) != 4 {
		t.Errorf("%d audit rows, want 4", len(rows))
	}

	// Zilveren Kruis was told: start, change, stop — with the polisnummer, never her
	// BSN or name.
	msgs, err := b.svc.Export(as(consulentEnschede), enschede, "zilveren-kruis", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var kinds []MessageKind
	for _, m := range msgs {
		kinds = append(kinds, m.Kind)
		if s := string(m.Payload); strings.Contains(s, bsnFatima) || strings.Contains(s, "Fatima") || strings.Contains(s, fatima) {
			t.Errorf("message holds personal data: %s", s)
		}
	}
	if !slices.Equal(kinds, []MessageKind{MessageStart, MessageChange, MessageStop}) {
		t.Fatalf("messages %v, want start, change, stop", kinds)
	}
	var stop MessagePayload
	if err := json.Unmarshal(msgs[2].Payload, &stop); err != nil {
		t.Fatal(err)
	}
	if stop.Reference != "987654321" || stop.AmountCents != 16125 || stop.StartPeriod != "2026-04" || stop.EndPeriod != "2026-04" || stop.Gemeente != "enschede" {
		t.Errorf("stop message = %+v", stop)
	}
	if later, _ := b.svc.Export(as(consulentEnschede), enschede, "zilveren-kruis", msgs[2].CreatedAt.Add(time.Second)); len(later) != 0 {
		t.Errorf("export since after the last: %d messages, want 0", len(later))
	}
	if _, err := b.svc.Export(as(consulentEnschede), enschede, "nope", time.Time{}); !errors.Is(err, ErrCreditorNotFound) {
		t.Errorf("export of an unknown creditor: err = %v, want ErrCreditorNotFound", err)
	}
}

func TestRejectAndStaffPaperMandate(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)
	np := zorgpremie()
	np.MandateSignedOn = "2026-03-02"
	p := b.mustRequest(t, enschede, fatima, np, consulentEnschede)
	if p.Mandate == nil || p.Mandate.GivenBy != MandatePaper || !p.Mandate.GivenAt.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("mandate = %+v, want a paper mandate of 2026-03-02", p.Mandate)
	}
	if _, err := b.svc.Reject(as(consulentEnschede), enschede, p.ID, " ", ActorOf(consulentEnschede)); !errors.Is(err, ErrInvalid) {
		t.Errorf("reject without reason: err = %v, want ErrInvalid", err)
	}
	p, err := b.svc.Reject(as(consulentEnschede), enschede, p.ID, "De premie wordt al via de collectieve verzekering betaald.", ActorOf(consulentEnschede))
	if err != nil || p.Status != StatusRejected {
		t.Fatalf("reject = %+v, %v", p, err)
	}
	if ds, _ := b.raw.Active(t.Context(), enschede, fatima, period("2026-04")); len(ds) != 0 {
		t.Errorf("a rejected plan is active: %v", ds)
	}
	if msgs, _ := b.raw.Export(t.Context(), enschede, "zilveren-kruis", time.Time{}); len(msgs) != 0 {
		t.Errorf("the creditor was told of a plan that never started: %d messages", len(msgs))
	}
	// A requested plan withdrawn by the resident is never in force either.
	her := residentPrincipal(enschede, fatima)
	q := b.mustRequest(t, enschede, fatima, zorgpremie(), her)
	if q, err = b.svc.Stop(as(her), enschede, q.ID, ActorOf(her)); err != nil || q.Status != StatusEnded {
		t.Fatalf("withdraw = %+v, %v", q, err)
	}
	if ds, _ := b.raw.Active(t.Context(), enschede, fatima, period("2026-03")); len(ds) != 0 {
		t.Errorf("a withdrawn request is active: %v", ds)
	}
}

// TestResidentStopsOnlyHerOwnPlan: Jan cannot stop Fatima's plan, nor ask for one in
// her name; Fatima cannot stop a beslag; nothing changes when refused.
func TestResidentStopsOnlyHerOwnPlan(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)
	jan := b.resident(t, enschede, bsnJan, "Jan de Vries")
	her, him := residentPrincipal(enschede, fatima), residentPrincipal(enschede, jan)
	p := b.mustApprove(t, enschede, b.mustRequest(t, enschede, fatima, zorgpremie(), her).ID)

	if _, err := b.svc.Stop(as(him), enschede, p.ID, ActorOf(him)); !errors.Is(err, authz.ErrForbidden) {
		t.Errorf("Jan stops Fatima's plan: err = %v, want ErrForbidden", err)
	}
	// The domain rule holds without the decorator too.
	if _, err := b.raw.Stop(as(him), enschede, p.ID, ActorOf(him)); !errors.Is(err, authz.ErrForbidden) {
		t.Errorf("Jan stops Fatima's plan (raw): err = %v, want ErrForbidden", err)
	}
	// Jan claiming to be Fatima is not the authenticated principal.
	fake := Actor{Subject: him.Subject, Role: authz.RoleResident, ResidentID: fatima}
	if _, err := b.svc.Stop(as(him), enschede, p.ID, fake); !errors.Is(err, authz.ErrForbidden) {
		t.Errorf("Jan as Fatima: err = %v, want ErrForbidden", err)
	}
	if _, err := b.svc.Request(as(him), enschede, fatima, zorgpremie(), ActorOf(him)); !errors.Is(err, authz.ErrForbidden) {
		t.Errorf("Jan asks for a plan of Fatima: err = %v, want ErrForbidden", err)
	}
	if _, err := b.svc.List(as(him), enschede, fatima); !errors.Is(err, authz.ErrForbidden) {
		t.Errorf("Jan lists Fatima's plans: err = %v, want ErrForbidden", err)
	}
	if _, err := b.svc.Get(as(him), enschede, p.ID); !errors.Is(err, authz.ErrForbidden) {
		t.Errorf("Jan reads Fatima's plan: err = %v, want ErrForbidden", err)
	}
	got, err := b.svc.Get(as(her), enschede, p.ID)
	if err != nil || got.Version != p.Version || got.End != nil || got.Status != StatusApproved {
		t.Errorf("after the refusals: %+v, %v; want it unchanged", got, err)
	}
	if n := b.count(t, enschede, "SELECT count(*) FROM plan_events WHERE plan_id = $1", p.ID); n != 2 {
		t.Errorf("%d events, want 2 (request, approve)", n)
	}

	beslag := NewPlan{Kind: "beslag", CreditorID: "cak", Reference: "1234567890123456", AmountCents: 5000, Priority: 1, StartPeriod: "2026-03"}
	if _, err := b.svc.Request(as(her), enschede, fatima, beslag, ActorOf(her)); !errors.Is(err, ErrInvalid) {
		t.Errorf("resident asks for a beslag: err = %v, want ErrInvalid on kind", err)
	}
	bp := b.mustApprove(t, enschede, b.mustRequest(t, enschede, fatima, beslag, consulentEnschede).ID)
	if _, err := b.svc.Stop(as(her), enschede, bp.ID, ActorOf(her)); !errors.Is(err, authz.ErrForbidden) {
		t.Errorf("resident stops a beslag: err = %v, want ErrForbidden", err)
	}
	if _, err := b.svc.Stop(as(shvEnschede), enschede, bp.ID, ActorOf(shvEnschede)); err != nil {
		t.Errorf("schuldhulpverlener stops a beslag: %v", err)
	}
	if _, err := b.svc.Request(as(adminEnschede), enschede, fatima, beslag, ActorOf(adminEnschede)); !errors.Is(err, authz.ErrForbidden) {
		t.Errorf("tenant-admin requests: err = %v, want ErrForbidden", err)
	}
}

func TestRequestValidation(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)
	her := residentPrincipal(enschede, fatima)
	mod := func(f func(*NewPlan)) NewPlan { np := zorgpremie(); f(&np); return np }
	tests := []struct {
		name   string
		by     authz.Principal
		np     NewPlan
		fields []string
	}{
		{"unknown creditor", her, mod(func(n *NewPlan) { n.CreditorID = "achmea-xyz" }), []string{"creditor_id"}},
		{"bad polisnummer", her, mod(func(n *NewPlan) { n.Reference = "12345" }), []string{"reference"}},
		{"negative amount", her, mod(func(n *NewPlan) { n.AmountCents = -100 }), []string{"amount_cents"}},
		{"zero amount", her, mod(func(n *NewPlan) { n.AmountCents = 0 }), []string{"amount_cents"}},
		{"above the couple norm", her, mod(func(n *NewPlan) { n.AmountCents = 200214 }), []string{"amount_cents"}},
		{"end before start", her, mod(func(n *NewPlan) { n.EndPeriod = "2026-03" }), []string{"end_period"}},
		{"start in the past", her, mod(func(n *NewPlan) { n.StartPeriod = "2026-02" }), []string{"start_period"}},
		{"start not a month", her, mod(func(n *NewPlan) { n.StartPeriod = "2026-13" }), []string{"start_period"}},
		{"unknown kind", consulentEnschede, mod(func(n *NewPlan) { n.Kind = "boete" }), []string{"kind"}},
		{"priority 0", her, mod(func(n *NewPlan) { n.Priority = 0 }), []string{"priority"}},
		{"priority 100", her, mod(func(n *NewPlan) { n.Priority = 100 }), []string{"priority"}},
		{"staff on_behalf without paper mandate", consulentEnschede, zorgpremie(), []string{"mandate_signed_on"}},
		{"paper mandate in the future", consulentEnschede, mod(func(n *NewPlan) { n.MandateSignedOn = "2026-03-11" }), []string{"mandate_signed_on"}},
		{"everything at once", her, NewPlan{Kind: "beslag", CreditorID: "", Reference: "x", AmountCents: -1, Priority: 0, StartPeriod: "x", EndPeriod: "y"},
			[]string{"priority", "kind", "creditor_id", "start_period", "amount_cents", "end_period"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := b.svc.Request(as(tt.by), enschede, fatima, tt.np, ActorOf(tt.by))
			ve := httpapitest.CheckValidation(t, err, tt.fields)
			if strings.Contains(ve.Error()+ve.Dutch(dutchNames), "12345") {
				t.Errorf("the error repeats the input: %s", ve.Error())
			}
		})
	}
	// The reference problem carries the verzekeraar's Dutch hint.
	_, err := b.svc.Request(as(her), enschede, fatima, mod(func(n *NewPlan) { n.Reference = "12345" }), ActorOf(her))
	if ve := (*httpapi.ValidationError)(nil); !errors.As(err, &ve) || !strings.Contains(ve.Dutch(dutchNames), "Uw polisnummer staat op uw zorgpas") {
		t.Errorf("reference problem = %v, want the Dutch hint", err)
	}
	if n := b.count(t, enschede, "SELECT count(*) FROM plans"); n != 0 {
		t.Errorf("%d plans stored by invalid requests, want 0", n)
	}
	if _, err := b.svc.Request(as(consulentEnschede), enschede, "00000000-0000-4000-8000-000000000000",
		mod(func(n *NewPlan) { n.MandateSignedOn = "2026-03-01" }), ActorOf(consulentEnschede)); !errors.Is(err, ErrResidentNotFound) {
		t.Errorf("unknown resident: err = %v, want ErrResidentNotFound", err)
	}
}

func TestActivePeriods(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)
	her := residentPrincipal(enschede, fatima)
	np := zorgpremie()
	np.EndPeriod = "2026-06"
	zk := b.mustApprove(t, enschede, b.mustRequest(t, enschede, fatima, np, her).ID)
	// A second on_behalf plan with a higher priority number, and a beslag with the
	// lowest: the order is by kind first, then priority.
	energy := NewPlan{Kind: "on_behalf", CreditorID: "vattenfall", Reference: "12345678", AmountCents: 9000, Priority: 20,
		StartPeriod: "2026-03", MandateSignedOn: "2026-03-01"}
	en := b.mustApprove(t, enschede, b.mustRequest(t, enschede, fatima, energy, consulentEnschede).ID)
	beslag := NewPlan{Kind: "beslag", CreditorID: "cak", Reference: "1234567890123456", AmountCents: 5000, Priority: 1, StartPeriod: "2026-03"}
	bs := b.mustApprove(t, enschede, b.mustRequest(t, enschede, fatima, beslag, consulentEnschede).ID)
	// Requested only: never active.
	b.mustRequest(t, enschede, fatima, zorgpremie(), her)
	// Approved for May, stopped in March: never in force.
	may := zorgpremie()
	may.StartPeriod, may.CreditorID, may.Reference = "2026-05", "cz", "1234567"
	never := b.mustApprove(t, enschede, b.mustRequest(t, enschede, fatima, may, her).ID)
	if _, err := b.svc.Stop(as(her), enschede, never.ID, ActorOf(her)); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		period string
		want   []string
	}{
		{"2026-02", nil},
		{"2026-03", []string{en.ID, bs.ID}},
		{"2026-04", []string{zk.ID, en.ID, bs.ID}},
		{"2026-06", []string{zk.ID, en.ID, bs.ID}},
		{"2026-07", []string{en.ID, bs.ID}},
	}
	for _, tt := range tests {
		ds, err := b.svc.Active(t.Context(), enschede, fatima, period(tt.period))
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, d := range ds {
			ids = append(ids, d.ID)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("Active(%s) = %v, want %v", tt.period, ids, tt.want)
		}
	}
	ds, _ := b.svc.Active(t.Context(), enschede, fatima, period("2026-04"))
	if want := (bijstand.Deduction{ID: zk.ID, Kind: bijstand.DeductOnBehalf, Amount: 15850, Priority: 10}); ds[0] != want {
		t.Errorf("deduction = %+v, want %+v", ds[0], want)
	}
}

// TestApplyToMonth applies the plans in force to a month with the engine, and the
// shortfall of a month with high income goes to schuldhulp once.
//
// By hand (docs/domain.md §1–3), 2026 single, 35, no income: norm 1401.50 = bijstand; reserve
// round(140150 × 4.8 %) = 6727; cash 133423; zorgpremie 15850 on_behalf → 117573;
// BVV round(95 % × 140150) = 133143, capacity 140150 − 133143 = 7007; beslag 5000 →
// payout 112573.
//
// With 1300.00 of benefit income (no vrijlating): bijstand 10150, reserve
// round(487.2) = 487, cash 9663; zorgpremie takes all 9663 (shortfall 6187); BVV
// 133143 − 130000 = 3143, capacity 10150 − 3143 = 7007 but no cash: beslag 0
// (shortfall 5000); payout 0.
func TestApplyToMonth(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)
	her := residentPrincipal(enschede, fatima)
	zk := b.mustApprove(t, enschede, b.mustRequest(t, enschede, fatima, zorgpremie(), her).ID)
	beslag := NewPlan{Kind: "beslag", CreditorID: "cak", Reference: "1234567890123456", AmountCents: 5000, Priority: 1, StartPeriod: "2026-04"}
	bs := b.mustApprove(t, enschede, b.mustRequest(t, enschede, fatima, beslag, consulentEnschede).ID)

	april := period("2026-04")
	h, err := b.res.Household(t.Context(), enschede, fatima)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := b.svc.Active(t.Context(), enschede, fatima, april)
	if err != nil {
		t.Fatal(err)
	}
	calc := bijstand.NewCalculator(law.MustLoad())
	r, _, err := calc.Month(bijstand.Case{Period: april, Household: h, Deductions: ds})
	if err != nil {
		t.Fatal(err)
	}
	if r.Bijstand != 140150 || r.VakantietoeslagReserve != 6727 || r.DeductionCapacity != 7007 || r.Payout != 112573 {
		t.Errorf("no income: bijstand %d reserve %d capacity %d payout %d; want 140150, 6727, 7007, 112573",
			r.Bijstand, r.VakantietoeslagReserve, r.DeductionCapacity, r.Payout)
	}
	only, _, _ := calc.Month(bijstand.Case{Period: april, Household: h, Deductions: ds[:1]})
	if only.Payout != 117573 {
		t.Errorf("zorgpremie only: payout %d, want 117573", only.Payout)
	}
	if fresh, err := b.svc.RecordShortfalls(t.Context(), enschede, fatima, april, r.Deductions); err != nil || len(fresh) != 0 {
		t.Errorf("no shortfall: %v, %v", fresh, err)
	}

	high, _, err := calc.Month(bijstand.Case{Period: april, Household: h, Deductions: ds,
		Income: []bijstand.Income{{Applicant: 0, Source: bijstand.SourceBenefit, Net: 130000}}})
	if err != nil {
		t.Fatal(err)
	}
	want := []bijstand.DeductionResult{
		{ID: zk.ID, Kind: bijstand.DeductOnBehalf, Requested: 15850, Applied: 9663, Shortfall: 6187},
		{ID: bs.ID, Kind: bijstand.DeductBeslag, Requested: 5000, Applied: 0, Shortfall: 5000},
	}
	if !slices.Equal(high.Deductions, want) || high.Payout != 0 {
		t.Fatalf("high income: %+v payout %d\nwant %+v payout 0", high.Deductions, high.Payout, want)
	}
	fresh, err := b.svc.RecordShortfalls(t.Context(), enschede, fatima, april, high.Deductions)
	if err != nil || len(fresh) != 2 {
		t.Fatalf("record = %+v, %v; want 2 new", fresh, err)
	}
	again, err := b.svc.RecordShortfalls(t.Context(), enschede, fatima, april, high.Deductions)
	if err != nil || len(again) != 0 {
		t.Errorf("record again = %+v, %v; want none new", again, err)
	}
	// The final run's job signals them, once: a second run of the job signals none.
	for range 2 {
		if err := b.shortfallJob(t, shortfallArgs(enschede, fatima, april, high.Deductions)); err != nil {
			t.Fatalf("shortfall job: %v", err)
		}
	}
	calls := b.sink.Calls()
	if len(calls) != 2 || calls[0].Period != april || calls[1].Period != april {
		t.Fatalf("sink calls = %+v, want the 2 shortfalls of %s once", calls, april)
	}
	list, err := b.svc.Shortfalls(as(her), enschede, fatima)
	if err != nil || len(list) != 2 || list[0].SignalledAt == nil {
		t.Fatalf("her shortfalls = %+v, %v", list, err)
	}
	byPlan := map[string]Shortfall{list[0].PlanID: list[0], list[1].PlanID: list[1]}
	if s := byPlan[zk.ID]; s.Shortfall != 6187 || s.Applied != 9663 || s.CreditorID != "zilveren-kruis" || s.Kind != bijstand.DeductOnBehalf {
		t.Errorf("zorgpremie shortfall = %+v", s)
	}
	if s := byPlan[bs.ID]; s.Shortfall != money.Cents(5000) || s.CreditorID != "cak" {
		t.Errorf("beslag shortfall = %+v", s)
	}
}

// TestSignalRetried: a job whose sink fails records nothing and is retried; the retry
// signals the shortfall, and once taken, never again.
func TestSignalRetried(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)
	zk := b.mustApprove(t, enschede, b.mustRequest(t, enschede, fatima, zorgpremie(), residentPrincipal(enschede, fatima)).ID)
	res := []bijstand.DeductionResult{{ID: zk.ID, Kind: bijstand.DeductOnBehalf, Requested: 15850, Applied: 850, Shortfall: 15000},
		{ID: "some-debt", Kind: bijstand.DeductAflossing, Requested: 100, Applied: 0, Shortfall: 100}}
	args := shortfallArgs(enschede, fatima, period("2026-04"), res)
	b.sink.fail = errors.New("debts down")
	if err := b.shortfallJob(t, args); err == nil {
		t.Fatal("with the sink down: no error, want one (River retries)")
	}
	if list, err := b.raw.Shortfalls(t.Context(), enschede, fatima); err != nil || len(list) != 0 {
		t.Fatalf("after the failed job: %+v, %v; want nothing recorded", list, err)
	}
	b.sink.fail = nil
	for range 2 {
		if err := b.shortfallJob(t, args); err != nil {
			t.Fatalf("retry: %v", err)
		}
	}
	if calls := b.sink.Calls(); len(calls) != 1 || calls[0].PlanID != zk.ID || calls[0].CreditorID != "zilveren-kruis" || calls[0].Shortfall != 15000 {
		t.Errorf("sink calls = %+v, want the one shortfall once", calls)
	}
	if list, err := b.raw.Shortfalls(t.Context(), enschede, fatima); err != nil || len(list) != 1 || list[0].SignalledAt == nil {
		t.Errorf("shortfalls = %+v, %v; want the one, signalled", list, err)
	}
	bad := []bijstand.DeductionResult{{ID: zk.ID, Requested: 100, Applied: 50, Shortfall: 60}}
	if _, err := b.raw.RecordShortfalls(t.Context(), enschede, fatima, period("2026-05"), bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("inconsistent result: err = %v, want ErrInvalid", err)
	}
	var cancelled *river.JobCancelError
	if err := b.shortfallJob(t, shortfallArgs(enschede, fatima, period("2026-05"), bad)); !errors.As(err, &cancelled) {
		t.Errorf("inconsistent job: err = %v, want it cancelled", err)
	}
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)
	p := b.mustApprove(t, enschede, b.mustRequest(t, enschede, fatima, zorgpremie(), residentPrincipal(enschede, fatima)).ID)

	// authz: a zwolle consulent in enschede.
	if _, err := b.svc.Get(as(consulentZwolle), enschede, p.ID); !errors.Is(err, authz.ErrForbidden) {
		t.Errorf("zwolle consulent reads enschede: err = %v, want ErrForbidden", err)
	}
	if _, err := b.svc.Stop(as(consulentZwolle), enschede, p.ID, ActorOf(consulentZwolle)); !errors.Is(err, authz.ErrForbidden) {
		t.Errorf("zwolle consulent stops in enschede: err = %v, want ErrForbidden", err)
	}
	// RLS: the same plan asked for in zwolle, without the decorator.
	ctx := as(consulentZwolle)
	if _, err := b.raw.Get(ctx, zwolle, p.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("plan via zwolle: err = %v, want ErrNotFound", err)
	}
	if _, err := b.raw.Stop(ctx, zwolle, p.ID, ActorOf(consulentZwolle)); !errors.Is(err, ErrNotFound) {
		t.Errorf("stop via zwolle: err = %v, want ErrNotFound", err)
	}
	if ps, _ := b.raw.List(ctx, zwolle, fatima); len(ps) != 0 {
		t.Errorf("list via zwolle: %d plans", len(ps))
	}
	if ds, _ := b.raw.Active(ctx, zwolle, fatima, period("2026-04")); len(ds) != 0 {
		t.Errorf("active via zwolle: %d", len(ds))
	}
	if ms, _ := b.raw.Export(ctx, zwolle, "zilveren-kruis", time.Time{}); len(ms) != 0 {
		t.Errorf("export via zwolle: %d messages", len(ms))
	}
	if fresh, _ := b.raw.RecordShortfalls(ctx, zwolle, fatima, period("2026-04"),
		[]bijstand.DeductionResult{{ID: p.ID, Requested: 15850, Applied: 0, Shortfall: 15850}}); len(fresh) != 0 {
		t.Errorf("shortfall recorded via zwolle: %v", fresh)
	}
	// The job wall: a zwolle job naming enschede's resident and plan touches zwolle only.
	if err := b.shortfallJob(t, shortfallArgs(zwolle, fatima, period("2026-04"),
		[]bijstand.DeductionResult{{ID: p.ID, Requested: 15850, Applied: 0, Shortfall: 15850}})); err != nil {
		t.Errorf("zwolle job: %v", err)
	}
	if list, err := b.raw.Shortfalls(t.Context(), enschede, fatima); err != nil || len(list) != 0 {
		t.Errorf("enschede's shortfalls after a zwolle job: %+v, %v", list, err)
	}
	if calls := b.sink.Calls(); len(calls) != 0 {
		t.Errorf("signals of a zwolle job for enschede's plan: %+v", calls)
	}
	if got, err := b.raw.Get(as(consulentEnschede), enschede, p.ID); err != nil || got.Version != p.Version {
		t.Errorf("enschede's plan after zwolle's tries: %+v, %v", got, err)
	}
}
