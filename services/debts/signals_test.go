package debts

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/audit/audittest"
	"github.com/plein-nl/plein/platform/authz"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/tenant"
)

func TestSignalIntakeIsIdempotent(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)

	first, isNew := b.submit(t, enschede, "eneco", report("ENE-2026-001", bsnFatima, 24550, ThreatEnergyCutoff))
	if !isNew || first.ResidentID != fatima || first.Contact != nil || first.Status != SignalNew {
		t.Fatalf("first report = %+v, new %v; want a new signal matched to %s without contact details", first, isNew, fatima)
	}
	// Received Thursday 2 April 2026, energy cut-off: 3 working days past Easter.
	if !first.Deadline.Equal(day("2026-04-09")) {
		t.Errorf("deadline = %s, want 2026-04-09", first.Deadline.Format(time.DateOnly))
	}

	// The same report again is a duplicate: refused, naming the stored signal, and
	// nothing changes (so a creditor's retry is safe).
	again, isNew, err := b.svc.SubmitSignal(as(creditor(enschede, "eneco")), enschede, "eneco", report("ENE-2026-001", bsnFatima, 24550, ThreatEnergyCutoff))
	if !errors.Is(err, ErrDuplicateSignal) || isNew || again.ID != first.ID || again.Amount != 24550 {
		t.Errorf("repeat = %+v, new %v, err %v; want ErrDuplicateSignal naming signal %s, unchanged", again, isNew, err, first.ID)
	}
	if n := b.count(t, enschede, "SELECT count(*) FROM signals"); n != 1 {
		t.Errorf("%d signals after a duplicate, want 1", n)
	}
	// A changed amount under the same reference updates it, and the change is recorded.
	b.clock.Set(at("2026-04-03 09:00"))
	changed, isNew := b.submit(t, enschede, "eneco", report("ENE-2026-001", bsnFatima, 31000, ThreatEnergyCutoff))
	if isNew || changed.ID != first.ID || changed.Amount != 31000 || !changed.Deadline.Equal(first.Deadline) {
		t.Errorf("changed = %+v, new %v; want signal %s at 31000 with the same deadline", changed, isNew, first.ID)
	}
	if n := b.count(t, enschede, "SELECT count(*) FROM signal_amount_changes WHERE old_cents = 24550 AND new_cents = 31000"); n != 1 {
		t.Errorf("%d amount changes recorded, want 1", n)
	}
	// Another creditor with the same reference is another signal.
	other, isNew := b.submit(t, enschede, "vitens", report("ENE-2026-001", bsnFatima, 5000, ThreatNone))
	if !isNew || other.ID == first.ID {
		t.Errorf("other creditor, same reference: %+v new %v; want a second signal", other, isNew)
	}
	if n := b.count(t, enschede, "SELECT count(*) FROM signals"); n != 2 {
		t.Errorf("%d signals, want 2", n)
	}
	// Each matched signal is in the resident's register once, at the latest amount.
	ds, err := b.svc.Debts(as(shvEnschede), enschede, fatima, purpose)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || ds[0].CreditorID != "eneco" || ds[0].Balance != 31000 || ds[0].Source != SourceSignal ||
		ds[1].CreditorID != "vitens" || ds[1].Balance != 5000 {
		t.Errorf("debts = %+v; want eneco at 31000 and vitens at 5000, from signals", ds)
	}

	// Matching a BSN reads no case data, so it is no read of the resident (a known and
	// an unknown BSN do the same work); each new signal, which records the match, is
	// audited with its creditor: one per new reference, none for the repeats.
	reads := audittest.Action(t, b.d.App, enschede, "resident.read")
	submits := audittest.Action(t, b.d.App, enschede, "signal.submit")
	if len(reads) != 0 {
		t.Errorf("resident reads audited for the signals: %+v; want none", reads)
	}
	if len(submits) != 2 || submits[0].Actor != "creditor:vitens" || submits[1].Actor != "creditor:eneco" {
		t.Errorf("signals audited: %+v; want one by creditor:vitens and one by creditor:eneco", submits)
	}
}

func TestSignalThreatEscalationBringsDeadlineForward(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.resident(t, enschede, bsnFatima)
	s, _ := b.submit(t, enschede, "domijn", report("HUUR-7", bsnFatima, 120000, ThreatNone))
	if !s.Deadline.Equal(day("2026-04-30")) {
		t.Fatalf("deadline = %s, want 2026-04-30 (28 days)", s.Deadline.Format(time.DateOnly))
	}
	b.clock.Set(at("2026-04-10 09:00")) // Friday
	s, _ = b.submit(t, enschede, "domijn", report("HUUR-7", bsnFatima, 120000, ThreatEviction))
	if s.Threat != ThreatEviction || !s.Deadline.Equal(day("2026-04-15")) {
		t.Errorf("after eviction threat: %s %s, want eviction and 2026-04-15 (Mon 13, Tue 14, Wed 15)", s.Threat, s.Deadline.Format(time.DateOnly))
	}
}

func TestUnmatchedSignalKeepsContactNotBSN(t *testing.T) {
	t.Parallel()
	b := setup(t)
	s, isNew := b.submit(t, enschede, "eneco", report("ENE-9", bsnUnknown, 8000, ThreatNone))
	if !isNew || s.ResidentID != "" || s.Contact == nil || s.Contact.Name != "F. el Amrani" || s.Contact.Phone != "06-12345678" {
		t.Fatalf("unmatched = %+v; want no resident and the contact details", s)
	}
	// Nowhere in any of the tables of this service are the BSN's digits.
	for _, table := range []string{"signals", "signal_amount_changes", "debts", "schuldhulp_requests", "audit_log"} {
		if n := b.count(t, enschede, "SELECT count(*) FROM "+table+" x WHERE row_to_json(x)::text LIKE '%'||$1||'%'", bsnUnknown); n != 0 {
			t.Errorf("%s holds the BSN in %d rows", table, n)
		}
	}
	if n := b.count(t, enschede, "SELECT count(*) FROM debts"); n != 0 {
		t.Errorf("an unmatched signal made %d debts, want none", n)
	}
	// A schuldhulpverlener finds the person after all: the signal is linked and the
	// contact details are dropped.
	id := b.resident(t, enschede, bsnUnknown)
	if err := b.svc.LinkSignal(as(shvEnschede), enschede, s.ID, id); err != nil {
		t.Fatal(err)
	}
	if n := b.count(t, enschede, "SELECT count(*) FROM signals WHERE resident_id = $1 AND contact_name IS NULL", id); n != 1 {
		t.Errorf("linked signals without contact details: %d, want 1", n)
	}
	if n := b.count(t, enschede, "SELECT count(*) FROM debts WHERE resident_id = $1 AND source = 'signal'", id); n != 1 {
		t.Errorf("debts after linking: %d, want 1", n)
	}
}

func TestSignalValidation(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.resident(t, enschede, bsnFatima)
	ok := report("REF-1", bsnFatima, 1000, ThreatNone)
	tests := []struct {
		name      string
		creditor  string
		edit      func(*NewSignal)
		wantField string
		wantNL    string
	}{
		{"unknown creditor", "essent", func(*NewSignal) {}, "creditor_id", "Deze schuldeiser kennen we niet."},
		{"negative amount", "eneco", func(s *NewSignal) { s.AmountCents = -500 }, "amount_cents", "hoger is dan € 0"},
		{"zero amount", "eneco", func(s *NewSignal) { s.AmountCents = 0 }, "amount_cents", "hoger is dan € 0"},
		{"BSN fails the 11-proef", "eneco", func(s *NewSignal) { s.BSN = "123456789" }, "bsn", ""},
		{"no BSN", "eneco", func(s *NewSignal) { s.BSN = "" }, "bsn", ""},
		{"empty reference", "eneco", func(s *NewSignal) { s.Reference = " " }, "reference", "Vul het kenmerk in."},
		{"reference too long", "eneco", func(s *NewSignal) { s.Reference = strings.Repeat("x", 51) }, "reference", "1 tot 50 tekens"},
		{"reference with a line break", "eneco", func(s *NewSignal) { s.Reference = "A\nB" }, "reference", "op één regel"},
		{"days negative", "eneco", func(s *NewSignal) { s.DaysInArrears = days(-1) }, "days_in_arrears", "0 tot en met 3650"},
		{"days too many", "eneco", func(s *NewSignal) { s.DaysInArrears = days(3651) }, "days_in_arrears", "0 tot en met 3650"},
		{"days missing", "eneco", func(s *NewSignal) { s.DaysInArrears = nil }, "days_in_arrears", "hoeveel dagen"},
		{"unknown threat", "eneco", func(s *NewSignal) { s.Threat = "bailiff" }, "threat", "Kies wat er dreigt"},
		{"no threat", "eneco", func(s *NewSignal) { s.Threat = "" }, "threat", "Kies wat er dreigt"},
		{"no contact name", "eneco", func(s *NewSignal) { s.Contact.Name = "" }, "contact.name", "Vul dit veld in."},
		{"bad phone", "eneco", func(s *NewSignal) { s.Contact.Phone = "call me" }, "contact.phone", "cijfers"},
		{"reported in the future", "eneco", func(s *NewSignal) { s.ReportedAt = "2026-05-01" }, "reported_at", "toekomst"},
		{"reported_at not a date", "eneco", func(s *NewSignal) { s.ReportedAt = "gisteren" }, "reported_at", "geen goede datum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := ok
			tt.edit(&ns)
			_, _, err := b.svc.SubmitSignal(as(creditor(enschede, tt.creditor)), enschede, tt.creditor, ns)
			var ve *httpapi.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want a *ValidationError", err)
			}
			if len(ve.Fields) != 1 || ve.Fields[0].Field != tt.wantField {
				t.Fatalf("problems = %+v, want exactly field %s", ve.Fields, tt.wantField)
			}
			if p := ve.Fields[0]; p.EN == "" || p.NL == "" || !strings.Contains(p.NL, tt.wantNL) {
				t.Errorf("messages = %q / %q, want English and Dutch with %q", p.EN, p.NL, tt.wantNL)
			}
			if strings.Contains(err.Error(), "999993653") || strings.Contains(ve.Dutch(nil), "999993653") {
				t.Errorf("error repeats the BSN: %v", err)
			}
		})
	}
	if n := b.count(t, enschede, "SELECT count(*) FROM signals"); n != 0 {
		t.Errorf("%d signals stored after bad input, want 0", n)
	}
	if n := b.count(t, enschede, "SELECT count(*) FROM debts"); n != 0 {
		t.Errorf("%d debts stored after bad input, want 0", n)
	}
	// Every problem at once.
	_, _, err := b.svc.SubmitSignal(as(creditor(enschede, "eneco")), enschede, "eneco", NewSignal{})
	var ve *httpapi.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 7 {
		t.Errorf("empty report: %v; want 7 problems (reference, amount, threat, reported_at, bsn, days, contact.name)", err)
	}
}

func TestCreditorReportsUnderItsOwnNameOnly(t *testing.T) {
	t.Parallel()
	b := setup(t)
	tests := []struct {
		name string
		p    authz.Principal
		tn   tenant.ID
		want error
	}{
		{"another creditor's name", creditor(enschede, "vitens"), enschede, authz.ErrForbidden},
		{"a creditor of another tenant", creditor(zwolle, "eneco"), enschede, authz.ErrForbidden},
		{"a schuldhulpverlener", shvEnschede, enschede, authz.ErrForbidden},
		{"nobody", authz.Principal{}, enschede, authz.ErrUnauthenticated},
	}
	for _, tt := range tests {
		_, _, err := b.svc.SubmitSignal(as(tt.p), tt.tn, "eneco", report("R", bsnFatima, 100, ThreatNone))
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	if n := b.count(t, enschede, "SELECT count(*) FROM signals"); n != 0 {
		t.Errorf("%d signals stored, want 0", n)
	}
}

func TestQueue(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)
	jan := b.resident(t, enschede, bsnJan)
	shv := as(shvEnschede)

	// Monday 16 March: a rent arrears report without threat (deadline 13 April).
	b.clock.Set(at("2026-03-16 09:00"))
	rent, _ := b.submit(t, enschede, "domijn", report("HUUR-1", bsnFatima, 90000, ThreatNone))
	// Tuesday 24 March: Jan asks for help himself (deadline 21 April).
	b.clock.Set(at("2026-03-24 11:00"))
	req, err := b.svc.Request(shv, enschede, NewRequest{ResidentID: jan, Source: "resident", Note: "belde zelf"})
	if err != nil {
		t.Fatal(err)
	}
	// Thursday 2 April: energy cut-off threatens (deadline Thursday 9 April, after Easter).
	b.clock.Set(at("2026-04-02 16:00"))
	energy, _ := b.submit(t, enschede, "eneco", report("ENE-1", bsnFatima, 24550, ThreatEnergyCutoff))
	// An unknown person's water cut-off, 2 April too, a little later.
	b.clock.Set(at("2026-04-02 16:05"))
	water, _ := b.submit(t, enschede, "vitens", report("VIT-1", bsnUnknown, 6000, ThreatWaterCutoff))
	// A declined and a closed signal do not show.
	declined, _ := b.submit(t, enschede, "menzis", report("ZVW-1", bsnFatima, 40000, ThreatZvwTermination))
	if err := b.svc.DeclineHelp(shv, enschede, declined.ID); err != nil {
		t.Fatal(err)
	}

	type row struct {
		ID       string
		Step     Step
		Deadline string
		DaysLeft int
		Overdue  bool
	}
	queue := func(now time.Time) []row {
		t.Helper()
		items, err := b.svc.Queue(shv, enschede, now)
		if err != nil {
			t.Fatal(err)
		}
		var out []row
		for _, it := range items {
			out = append(out, row{it.ID, it.Step, it.Deadline.Format(time.DateOnly), it.DaysLeft, it.Overdue})
		}
		return out
	}
	// Friday 10 April: the energy and water signals are a day late; the rest in time.
	got := queue(at("2026-04-10 08:00"))
	want := []row{
		{energy.ID, StepFirstContact, "2026-04-09", -1, true},
		{water.ID, StepFirstContact, "2026-04-09", -1, true},
		{rent.ID, StepFirstContact, "2026-04-13", 3, false},
		{req.ID, StepFirstContact, "2026-04-21", 11, false},
	}
	if !slices.Equal(got, want) {
		t.Errorf("queue on 10 April:\n got %+v\nwant %+v", got, want)
	}
	// On 9 April, the last day, nothing is late yet; overdue first means by deadline.
	if got := queue(at("2026-04-09 23:59")); got[0].Overdue || got[0].DaysLeft != 0 {
		t.Errorf("on the deadline day: %+v, want not overdue with 0 days left", got[0])
	}
	// A late evening in Amsterdam is still that day: 10 April 00:30 is the 10th.
	if got := queue(at("2026-04-10 00:30")); !got[0].Overdue {
		t.Errorf("just after midnight: %+v, want overdue", got[0])
	}

	// The water signal's person is reached on 10 April (late), and the rent's on the
	// 10th too (in time); Jan's first conversation is held on the 14th.
	b.clock.Set(at("2026-04-14 15:00"))
	if err := b.svc.RecordContact(shv, enschede, water.ID, at("2026-04-10 10:00"), "shv-enschede"); err != nil {
		t.Fatal(err)
	}
	if err := b.svc.RecordContact(shv, enschede, rent.ID, at("2026-04-10 11:00"), "shv-enschede"); err != nil {
		t.Fatal(err)
	}
	// A second contact keeps the first.
	if err := b.svc.RecordContact(shv, enschede, rent.ID, at("2026-04-14 11:00"), "someone-else"); err != nil {
		t.Fatal(err)
	}
	if err := b.svc.RecordContact(shv, enschede, req.ID, at("2026-04-14 14:00"), "shv-enschede"); err != nil {
		t.Fatal(err)
	}
	// Fatima accepts the help offered after the rent signal: an aanmelding, with the
	// first conversation due 4 weeks from today (14 April + 28 = 12 May).
	aanmelding, err := b.svc.AcceptHelp(shv, enschede, rent.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := b.svc.AcceptHelp(shv, enschede, rent.ID); err != nil || again != aanmelding {
		t.Errorf("accepting twice: %q, %v; want %q", again, err, aanmelding)
	}
	got = queue(at("2026-04-14 15:00"))
	want = []row{
		{energy.ID, StepFirstContact, "2026-04-09", -5, true},
		// Reached, waiting for an answer: no deadline runs, not overdue.
		{water.ID, StepAnswer, "2026-04-09", -5, false},
		{aanmelding, StepFirstContact, "2026-05-12", 28, false},
		// Jan's first conversation on 14 April: the plan van aanpak is due 9 June.
		{req.ID, StepPlan, "2026-06-09", 56, false},
	}
	if !slices.Equal(got, want) {
		t.Errorf("queue on 14 April:\n got %+v\nwant %+v", got, want)
	}
	if n := b.count(t, enschede, "SELECT count(*) FROM signals WHERE id = $1 AND contacted_by = 'shv-enschede' AND first_contact_at = $2",
		rent.ID, at("2026-04-10 11:00")); n != 1 {
		t.Errorf("the rent signal's first contact was not kept")
	}
	// The decided plan van aanpak takes Jan's request off the queue.
	if _, err := b.svc.SavePlan(shv, enschede, jan, NewPlan{FirstConversation: "2026-04-14", Situation: "Huurachterstand.",
		Goals: "Stabiliseren.", Actions: "Budgetbeheer.", Decide: true}); err != nil {
		t.Fatal(err)
	}
	for _, r := range queue(at("2026-04-14 15:00")) {
		if r.ID == req.ID {
			t.Errorf("request %s still in the queue after the plan was decided", req.ID)
		}
	}
	// Declining after accepting is refused; unknown ids are not found.
	if err := b.svc.DeclineHelp(shv, enschede, rent.ID); !errors.Is(err, ErrConflict) {
		t.Errorf("decline after accept: %v, want ErrConflict", err)
	}
	if err := b.svc.RecordContact(shv, enschede, "00000000-0000-4000-8000-000000000000", time.Time{}, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("contact for an unknown item: %v, want ErrNotFound", err)
	}
	_ = fatima
}

func TestShortfallIsIdempotent(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)
	for range 2 {
		if err := b.svc.Shortfall(context.Background(), enschede, fatima, "plan-42", "menzis", "2026-04", 3550); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.svc.Shortfall(context.Background(), enschede, fatima, "plan-42", "menzis", "2026-05", 3550); err != nil {
		t.Fatal(err)
	}
	items, err := b.svc.Queue(as(shvEnschede), enschede, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var notes []string
	for _, it := range items {
		if it.Kind != KindShortfall || it.CreditorID != "menzis" || it.Amount != 3550 || it.ResidentID != fatima {
			t.Errorf("item = %+v; want a shortfall of € 35,50 for menzis", it)
		}
		notes = append(notes, it.Note)
	}
	slices.Sort(notes)
	if want := []string{
		"Vaste last kon niet worden betaald: € 35,50 tekort in april 2026 (betaalplan plan-42).",
		"Vaste last kon niet worden betaald: € 35,50 tekort in mei 2026 (betaalplan plan-42).",
	}; !slices.Equal(notes, want) {
		t.Errorf("notes = %q, want %q", notes, want)
	}
	err = b.svc.Shortfall(context.Background(), enschede, fatima, "plan-42", "menzis", "april", -1)
	var ve *httpapi.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 2 {
		t.Errorf("bad shortfall: %v; want period and shortfall_cents", err)
	}
	if err := b.svc.Shortfall(context.Background(), zwolle, fatima, "plan-42", "menzis", "2026-04", 3550); !errors.Is(err, ErrResidentNotFound) {
		t.Errorf("shortfall for enschede's resident in zwolle: %v, want ErrResidentNotFound", err)
	}
}
