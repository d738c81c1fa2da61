package portal_test

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/portal"
)

// fakeCreditor is a creditor of the fake with the check the real catalogue makes
// of its references.
type fakeCreditor struct {
	portal.CreditorOption
	pattern *regexp.Regexp
	wrong   portal.PaymentFieldError
}

// fakePayments is an in-memory portal.Payments: it checks requests the way the
// real service does (the creditor's reference format, an amount within the norm,
// a month to come) and lets a resident stop only her own on_behalf plans.
type fakePayments struct {
	mu        sync.Mutex
	creditors map[tenant.ID][]fakeCreditor
	plans     map[string][]portal.PaymentPlan // by tenant/resident
	requests  []portal.PaymentRequest
	stops     int
	next      int
}

// The plans of the zwolle resident, and one of the enschede resident.
const (
	planZorg    = "plan-zk-1"
	planWater   = "plan-vitens-2"
	planBeslag  = "plan-beslag-3"
	planEnded   = "plan-essent-4"
	planOfOther = "plan-domijn-9"
	// normCents is the 2026 norm of a single resident: the fake refuses more.
	normCents = 140150
)

func newFakePayments() *fakePayments {
	zk := fakeCreditor{CreditorOption: portal.CreditorOption{ID: "zilveren-kruis", Name: "Zilveren Kruis", Kind: "zorgverzekeraar",
		ReferenceLabel: "polisnummer", ReferenceHint: "Uw polisnummer staat op uw zorgpas. Het heeft 9 cijfers.",
		ReferenceHintEN: "Your policy number is on your health insurance card. It has 9 digits."},
		pattern: regexp.MustCompile(`^[0-9]{9}$`),
		wrong:   portal.PaymentFieldError{Field: "reference", NL: "Een polisnummer van Zilveren Kruis heeft 9 cijfers.", EN: "A Zilveren Kruis policy number has 9 digits."}}
	cz := fakeCreditor{CreditorOption: portal.CreditorOption{ID: "cz", Name: "CZ", Kind: "zorgverzekeraar",
		ReferenceLabel: "relatienummer", ReferenceHint: "Uw relatienummer staat op uw zorgpas. Het heeft 7 tot 10 cijfers."},
		pattern: regexp.MustCompile(`^[0-9]{7,10}$`),
		wrong:   portal.PaymentFieldError{Field: "reference", NL: "Een relatienummer van CZ heeft 7 tot 10 cijfers.", EN: "A CZ relation number has 7 to 10 digits."}}
	essent := fakeCreditor{CreditorOption: portal.CreditorOption{ID: "essent", Name: "Essent", Kind: "energie",
		ReferenceLabel: "klantnummer", ReferenceHint: "Uw klantnummer staat op uw jaarnota."},
		pattern: regexp.MustCompile(`^[0-9]{6,12}$`),
		wrong:   portal.PaymentFieldError{Field: "reference", NL: "Een klantnummer van Essent heeft 6 tot 12 cijfers.", EN: "An Essent customer number has 6 to 12 digits."}}
	vitens := fakeCreditor{CreditorOption: portal.CreditorOption{ID: "vitens", Name: "Vitens", Kind: "water",
		ReferenceLabel: "klantnummer", ReferenceHint: "Uw klantnummer staat op uw rekening."},
		pattern: regexp.MustCompile(`^[0-9]{6,12}$`),
		wrong:   portal.PaymentFieldError{Field: "reference", NL: "Een klantnummer van Vitens heeft 6 tot 12 cijfers.", EN: "A Vitens customer number has 6 to 12 digits."}}
	domijn := fakeCreditor{CreditorOption: portal.CreditorOption{ID: "domijn", Name: "Domijn", Kind: "woningcorporatie",
		ReferenceLabel: "huurcontractnummer", ReferenceHint: "Het nummer staat op uw huurcontract."},
		pattern: regexp.MustCompile(`^[0-9]{5,10}$`)}
	return &fakePayments{
		// Energy before the zorgverzekeraars: the portal puts them first itself.
		creditors: map[tenant.ID][]fakeCreditor{"zwolle": {essent, zk, cz, vitens}, "enschede": {zk, domijn}},
		plans: map[string][]portal.PaymentPlan{
			"zwolle/" + zwolleResident: {
				{ID: planZorg, CreditorName: "Zilveren Kruis", CreditorKind: "zorgverzekeraar", ReferenceLabel: "polisnummer", Reference: "123456789",
					Kind: portal.PlanOnBehalf, Amount: 15000, Status: portal.PlanActive, Start: "2026-01",
					NextDate: time.Date(2026, 3, 25, 0, 0, 0, 0, time.UTC), Stoppable: true},
				{ID: planWater, CreditorName: "Vitens", CreditorKind: "water", ReferenceLabel: "klantnummer", Reference: "4455667",
					Kind: portal.PlanOnBehalf, Amount: 2350, Status: portal.PlanApproved, Start: "2026-04",
					NextDate: time.Date(2026, 4, 25, 0, 0, 0, 0, time.UTC), PaperMandate: true, Stoppable: true},
				{ID: planBeslag, CreditorName: "Deurwaarder Van Dijk", CreditorKind: "deurwaarder", ReferenceLabel: "dossier", Reference: "VD-2026-114",
					Kind: portal.PlanBeslag, Amount: 7007, Status: portal.PlanActive, Start: "2026-02",
					NextDate: time.Date(2026, 3, 25, 0, 0, 0, 0, time.UTC)},
				{ID: planEnded, CreditorName: "Essent", CreditorKind: "energie", ReferenceLabel: "klantnummer", Reference: "99887766",
					Kind: portal.PlanOnBehalf, Amount: 9500, Status: portal.PlanEnded, Start: "2025-06", End: "2026-01"},
			},
			"enschede/" + enschedeResident: {
				{ID: planOfOther, CreditorName: "Domijn", CreditorKind: "woningcorporatie", ReferenceLabel: "huurcontractnummer", Reference: "55443",
					Kind: portal.PlanOnBehalf, Amount: 61000, Status: portal.PlanActive, Start: "2026-01", Stoppable: true},
			},
		},
	}
}

func (f *fakePayments) Plans(_ context.Context, t tenant.ID, residentID string) ([]portal.PaymentPlan, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.plans[key(t, residentID)]), nil
}

func (f *fakePayments) Creditors(_ context.Context, t tenant.ID) ([]portal.CreditorOption, error) {
	var out []portal.CreditorOption
	for _, c := range f.creditors[t] {
		out = append(out, c.CreditorOption)
	}
	return out, nil
}

func (f *fakePayments) Request(_ context.Context, t tenant.ID, residentID string, r portal.PaymentRequest) (portal.PaymentPlan, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var errs portal.PaymentFieldErrors
	i := slices.IndexFunc(f.creditors[t], func(c fakeCreditor) bool { return c.ID == r.CreditorID })
	if i < 0 {
		errs.Fields = append(errs.Fields, portal.PaymentFieldError{Field: "creditor", NL: "Deze organisatie kennen wij niet.", EN: "We do not know this organisation."})
	} else if c := f.creditors[t][i]; !c.pattern.MatchString(strings.NewReplacer(" ", "", ".", "").Replace(r.Reference)) {
		errs.Fields = append(errs.Fields, c.wrong)
	}
	switch {
	case r.Amount <= 0:
		errs.Fields = append(errs.Fields, portal.PaymentFieldError{Field: "amount_cents", NL: "Het bedrag moet meer dan € 0,00 zijn.", EN: "The amount must be more than €0.00."})
	case r.Amount > normCents:
		errs.Fields = append(errs.Fields, portal.PaymentFieldError{Field: "amount_cents",
			NL: "Dit bedrag is hoger dan uw bijstand. Kijk het bedrag na.", EN: "This amount is more than your bijstand. Check the amount."})
	}
	if r.Start < "2026-04" {
		errs.Fields = append(errs.Fields, portal.PaymentFieldError{Field: "start", NL: "Kies een maand die nog moet komen.", EN: "Choose a month still to come."})
	}
	if len(errs.Fields) > 0 {
		return portal.PaymentPlan{}, &errs
	}
	c := f.creditors[t][i]
	f.next++
	pl := portal.PaymentPlan{ID: "plan-new-" + strconv.Itoa(f.next), CreditorName: c.Name, CreditorKind: c.Kind,
		ReferenceLabel: c.ReferenceLabel, Reference: r.Reference, Kind: portal.PlanOnBehalf, Amount: r.Amount,
		Status: portal.PlanRequested, Start: r.Start, Stoppable: true}
	f.requests = append(f.requests, r)
	f.plans[key(t, residentID)] = append([]portal.PaymentPlan{pl}, f.plans[key(t, residentID)]...)
	return pl, nil
}

func (f *fakePayments) Stop(_ context.Context, t tenant.ID, residentID, planID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	plans := f.plans[key(t, residentID)]
	i := slices.IndexFunc(plans, func(p portal.PaymentPlan) bool { return p.ID == planID })
	if i < 0 {
		return portal.ErrNotYours
	}
	if !plans[i].Stoppable || plans[i].Status == portal.PlanEnded || plans[i].Status == portal.PlanRejected {
		return portal.ErrNotStoppable
	}
	plans[i].Status, plans[i].End, plans[i].Stoppable, plans[i].NextDate = portal.PlanEnded, "2026-03", false, time.Time{}
	f.stops++
	return nil
}

// plan returns the plan of the resident with id.
func (f *fakePayments) plan(t tenant.ID, residentID, id string) portal.PaymentPlan {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.plans[key(t, residentID)] {
		if p.ID == id {
			return p
		}
	}
	return portal.PaymentPlan{}
}

// fakeDebts is an in-memory portal.Debts.
type fakeDebts struct {
	overviews map[string]portal.DebtOverview
}

func newFakeDebts() *fakeDebts {
	return &fakeDebts{overviews: map[string]portal.DebtOverview{
		"zwolle/" + zwolleResident: {
			Debts: []portal.DebtView{
				{CreditorName: "Zilveren Kruis", Claim: 48000, Balance: 32000, Status: portal.DebtInRegeling},
				{CreditorName: "Belastingdienst", Claim: 125000, Balance: 125000, Status: portal.DebtOpen, Preferent: true},
				{CreditorName: "Vitens", Claim: 8000, Balance: 0, Status: portal.DebtPaid},
			},
			Arranging: []string{"Wij betalen elke maand € 70,07 aan uw schuldeisers.", "Wij vragen de Belastingdienst om uitstel."},
			NextStep:  "Uw consulent belt u voor 24 maart 2026. Dan bespreekt u samen het plan.",
			Shortfalls: []portal.ShortfallView{
				{CreditorName: "Zilveren Kruis", CreditorKind: "zorgverzekeraar", Period: "2026-03", Shortfall: money.Cents(2000)},
			},
		},
		"enschede/" + enschedeResident: {Debts: []portal.DebtView{{CreditorName: "Twentse Incasso", Claim: 30000, Balance: 30000, Status: portal.DebtOpen}}},
	}}
}

func (f *fakeDebts) Overview(_ context.Context, t tenant.ID, residentID string) (portal.DebtOverview, error) {
	return f.overviews[key(t, residentID)], nil
}
