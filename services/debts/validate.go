package debts

import (
	"fmt"
	"strings"
	"time"

	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/input"
	"github.com/plein-nl/plein/platform/money"
)

// Limits of the input.
const (
	maxReference  = 50
	maxName       = 200
	maxAddress    = 200
	maxPhone      = 30
	maxNote       = 1000
	maxPlanText   = 4000
	maxDays       = 3650
	maxAmount     = 10000000000 // € 100 million: far above any debt of a resident
	maxCapacity   = 10000000    // € 100,000 a month
	defaultMonths = 18          // the minnelijk traject since 1-7-2023 (docs/domain.md §4)
	maxMonths     = 60
	maxCreditorID = 64
)

// BSNInput is a BSN as a creditor sends it, masked wherever it is printed or logged.
type BSNInput = bsn.Input

// NewDebt is the input of CreateDebt and the body of POST …/debts. Balance defaults to
// the claim.
type NewDebt struct {
	CreditorID   string `json:"creditor_id"`
	Reference    string `json:"reference"`
	ClaimCents   int64  `json:"claim_cents"`
	BalanceCents *int64 `json:"balance_cents"`
	Preferent    bool   `json:"preferent"`
	Source       string `json:"source"` // resident, consulent (default) or schuldenknooppunt
}

// DebtChanges is the input of UpdateDebt and the body of PATCH …/debts/{debt}: a nil
// field stays as it is.
type DebtChanges struct {
	ClaimCents   *int64  `json:"claim_cents"`
	BalanceCents *int64  `json:"balance_cents"`
	Preferent    *bool   `json:"preferent"`
	Status       *string `json:"status"` // open, paid, disputed or written_off
}

// NewSignal is a creditor's arrears report, the body of POST …/partner/signals.
type NewSignal struct {
	Reference     string   `json:"reference"`
	BSN           BSNInput `json:"bsn"`
	AmountCents   int64    `json:"amount_cents"`
	DaysInArrears *int     `json:"days_in_arrears"`
	Threat        string   `json:"threat"`
	Contact       Contact  `json:"contact"`
	// ReportedAt is when the creditor made the report: RFC 3339, or a date.
	ReportedAt string `json:"reported_at"`
}

// NewRequest is an aanmelding for schuldhulp, the body of POST …/schuldhulp/requests.
type NewRequest struct {
	ResidentID string `json:"resident_id"`
	Source     string `json:"source"` // resident or consulent (default)
	Threat     string `json:"threat"` // default none
	Note       string `json:"note"`
}

// NewPlan is the plan van aanpak as written, the body of POST …/plan.
type NewPlan struct {
	FirstConversation string `json:"first_conversation"` // YYYY-MM-DD
	Situation         string `json:"situation"`
	Goals             string `json:"goals"`
	Actions           string `json:"actions"`
	// Decide makes the plan final, as of now.
	Decide bool `json:"decide"`
}

// NewTraject starts a minnelijk traject, the body of POST …/traject.
type NewTraject struct {
	// CapacityCentsPerMonth is the monthly afloscapaciteit.
	CapacityCentsPerMonth int64 `json:"capacity_cents_per_month"`
	// Months of the repayment period; 0 means 18.
	Months int `json:"months"`
}

// invalidField is the validation error of one field; errors.Is matches ErrInvalid and
// also.
func invalidField(field, en, nl string, also ...error) *httpapi.ValidationError {
	return httpapi.Invalid(field, en, nl, append([]error{ErrInvalid}, also...)...)
}

func unknownCreditor(field string) *httpapi.ValidationError {
	return invalidField(field, "unknown creditor: not in this gemeente's creditor register",
		"Deze schuldeiser kennen we niet. Kijk of de code van de schuldeiser klopt.", ErrUnknownCreditor)
}

// checkPurpose returns the trimmed purpose of a staff read, or a
// *httpapi.ValidationError on "purpose" (matching ErrPurposeRequired when there is none).
func checkPurpose(purpose string) (string, error) {
	return httpapi.CheckPurpose(purpose, "these debts", ErrPurposeRequired, ErrInvalid)
}

// validator collects problems; its methods return the zero value on a problem.
type validator struct{ httpapi.Fields }

func (v *validator) add(field, en, nl string) { v.Add(field, en, nl) }

func (v *validator) err() error { return v.Err(ErrInvalid) }

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// text checks a free text of at most max characters that may span lines (a note, a
// plan's situation, goals and actions); required says whether it may be empty.
func (v *validator) text(field, s string, max int, required bool) string {
	return v.clean(field, s, input.Rules{Max: max, Optional: !required, MultiLine: true})
}

// line is a text of one line: no line breaks, tabs or other control characters.
func (v *validator) line(field, s string, max int, required bool) string {
	return v.clean(field, s, input.Rules{Max: max, Optional: !required})
}

// clean checks s by r (platform/input) and returns it clean, or "" with a problem.
func (v *validator) clean(field, s string, r input.Rules) string {
	s, p := r.Clean(s)
	switch p.Kind {
	case input.OK:
		return s
	case input.Forbidden:
		if r.MultiLine {
			v.add(field, p.EN(), p.NL())
		} else {
			v.add(field, "may not hold control characters or line breaks", "Dit mag geen vreemde tekens of regeleinden bevatten.")
		}
	default:
		v.add(field, p.EN(), p.NL())
	}
	return ""
}

// reference is a creditor's reference: 1 to 50 characters of one line.
func (v *validator) reference(field, s string) string {
	s, p := input.Text(s, maxReference)
	switch p.Kind {
	case input.OK:
		return s
	case input.Missing:
		v.add(field, "the reference is required", "Vul het kenmerk in.")
	default:
		v.add(field, fmt.Sprintf("the reference must have 1 to %d characters, on one line", maxReference),
			fmt.Sprintf("Het kenmerk moet 1 tot %d tekens hebben, op één regel.", maxReference))
	}
	return ""
}

func (v *validator) creditorID(field, s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxCreditorID || strings.ContainsFunc(s, isControl) {
		v.add(field, "the creditor is required (its id in the creditor register)", "Kies een schuldeiser.")
		return ""
	}
	return s
}

// amount checks an amount in cents: more than 0 and at most € 100 million.
func (v *validator) amount(field string, c int64) money.Cents {
	if c <= 0 || c > maxAmount {
		v.add(field, "must be an amount in cents of more than 0 (and at most 100,000,000.00 euro)",
			"Vul een bedrag in dat hoger is dan € 0.")
		return 0
	}
	return money.Cents(c)
}

// balance checks a balance: 0 or more.
func (v *validator) balance(field string, c int64) money.Cents {
	if c < 0 || c > maxAmount {
		v.add(field, "must be an amount in cents of 0 or more (and at most 100,000,000.00 euro)",
			"Het bedrag mag niet negatief zijn.")
		return 0
	}
	return money.Cents(c)
}

func (v *validator) threat(field, s string, required bool) Threat {
	if s == "" && !required {
		return ThreatNone
	}
	switch t := Threat(s); t {
	case ThreatNone, ThreatEviction, ThreatEnergyCutoff, ThreatWaterCutoff, ThreatZvwTermination:
		return t
	}
	v.add(field, "must be none, eviction, energy_cutoff, water_cutoff or zvw_termination",
		"Kies wat er dreigt: niets (none), uitzetting (eviction), afsluiting van energie (energy_cutoff) of water (water_cutoff), of beëindiging van de zorgverzekering (zvw_termination).")
	return ""
}

func (v *validator) bsn(field string, s BSNInput) bsn.BSN {
	b, err := bsn.Parse(string(s))
	if v.Failed(field, err, "Dit BSN klopt niet.") {
		return bsn.BSN{}
	}
	return b
}

// moment parses an RFC 3339 time or a date, not later than a day after now.
func (v *validator) moment(field, s string, now time.Time) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		v.add(field, "is required (RFC 3339 time or YYYY-MM-DD)", "Vul de datum van de melding in.")
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t, err = time.Parse(time.DateOnly, s)
	}
	switch {
	case err != nil:
		v.add(field, "not an RFC 3339 time or a date YYYY-MM-DD", "Dit is geen goede datum. Schrijf de datum zo: 2026-04-02.")
	case t.Year() < 2000:
		v.add(field, "is before the year 2000", "Deze datum ligt te ver terug.")
	case t.After(now.Add(24 * time.Hour)):
		v.add(field, "is in the future", "Deze datum ligt in de toekomst.")
	default:
		return t
	}
	return time.Time{}
}

// day parses a YYYY-MM-DD date from 2000 up to today.
func (v *validator) day(field, s string, today time.Time) time.Time {
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	switch {
	case strings.TrimSpace(s) == "":
		v.add(field, "date is required (YYYY-MM-DD)", "Vul een datum in, zoals 2026-04-02.")
	case err != nil:
		v.add(field, "not a real date in the form YYYY-MM-DD", "Dit is geen goede datum. Schrijf de datum zo: 2026-04-02.")
	case d.Year() < 2000:
		v.add(field, "is before the year 2000", "Deze datum ligt te ver terug.")
	case d.After(today):
		v.add(field, "may not be in the future", "Deze datum ligt in de toekomst.")
	default:
		return d
	}
	return time.Time{}
}

func (v *validator) newDebt(nd NewDebt) Debt {
	d := Debt{
		CreditorID: v.creditorID("creditor_id", nd.CreditorID),
		Reference:  v.reference("reference", nd.Reference),
		Claim:      v.amount("claim_cents", nd.ClaimCents),
		Preferent:  nd.Preferent,
		Status:     DebtOpen,
	}
	d.Balance = d.Claim
	if nd.BalanceCents != nil {
		d.Balance = v.balance("balance_cents", *nd.BalanceCents)
	}
	switch src := Source(nd.Source); src {
	case "":
		d.Source = SourceConsulent
	case SourceResident, SourceConsulent, SourceSchuldenknooppunt:
		d.Source = src
	default:
		v.add("source", "must be resident, consulent or schuldenknooppunt (signal is for creditors' reports only)",
			"Kies wie de schuld heeft gemeld: de inwoner (resident), de consulent (consulent) of het schuldenknooppunt.")
	}
	return d
}

func (v *validator) debtChanges(ch DebtChanges) func(*Debt) {
	var set httpapi.Patch[Debt]
	httpapi.Set(&set, "claim_cents", ch.ClaimCents, v.amount, func(d *Debt, c money.Cents) { d.Claim = c })
	httpapi.Set(&set, "balance_cents", ch.BalanceCents, v.balance, func(d *Debt, b money.Cents) { d.Balance = b })
	httpapi.Set(&set, "preferent", ch.Preferent, httpapi.Keep, func(d *Debt, p bool) { d.Preferent = p })
	if ch.Status != nil {
		switch st := DebtStatus(*ch.Status); st {
		case DebtOpen, DebtPaid, DebtDisputed, DebtWrittenOff:
			set = append(set, func(d *Debt) { d.Status = st })
		default:
			v.add("status", "must be open, paid, disputed or written_off (in_regeling is set by an agreed traject)",
				"Kies een status: open, betaald (paid), betwist (disputed) of kwijtgescholden (written_off).")
		}
	}
	return set.Apply
}

// newSignal validates a creditor's report; bsn is returned apart, never stored.
func (v *validator) newSignal(ns NewSignal, now time.Time) (Signal, bsn.BSN) {
	s := Signal{
		Reference:  v.reference("reference", ns.Reference),
		Amount:     v.amount("amount_cents", ns.AmountCents),
		Threat:     v.threat("threat", ns.Threat, true),
		ReportedAt: v.moment("reported_at", ns.ReportedAt, now),
	}
	b := v.bsn("bsn", ns.BSN)
	switch {
	case ns.DaysInArrears == nil:
		v.add("days_in_arrears", "is required", "Vul in hoeveel dagen de betaling te laat is.")
	case *ns.DaysInArrears < 0 || *ns.DaysInArrears > maxDays:
		v.add("days_in_arrears", fmt.Sprintf("must be a whole number from 0 to %d", maxDays),
			fmt.Sprintf("Vul een heel getal in van 0 tot en met %d.", maxDays))
	default:
		s.DaysInArrears = *ns.DaysInArrears
	}
	c := Contact{
		Name:    v.line("contact.name", ns.Contact.Name, maxName, true),
		Address: v.line("contact.address", ns.Contact.Address, maxAddress, false),
		Phone:   v.line("contact.phone", ns.Contact.Phone, maxPhone, false),
	}
	if c.Phone != "" && strings.ContainsFunc(c.Phone, func(r rune) bool {
		return (r < '0' || r > '9') && !strings.ContainsRune("+-() ", r)
	}) {
		v.add("contact.phone", "a phone number holds digits, spaces and + - ( ) only", "Een telefoonnummer bestaat uit cijfers.")
		c.Phone = ""
	}
	s.Contact = &c
	return s, b
}
