package paymentplans

import (
	"fmt"
	"strings"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/input"
	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/money"
)

// Limits of the input.
const (
	minPriority = 1
	maxPriority = 99
	maxReason   = 500
	dateLayout  = "2006-01-02"
	// maxMandateAge is how long ago a paper mandate may have been signed.
	maxMandateAge = 366 * 24 * time.Hour
)

// validator collects the problems of an input (httpapi.Fields) with the service's own checks.
type validator struct{ httpapi.Fields }

func (v *validator) add(field, en, nl string) { v.Add(field, en, nl) }

func (v *validator) err() error { return v.Err(ErrInvalid) }

func (v *validator) kind(s string) bijstand.DeductionKind {
	switch k := bijstand.DeductionKind(s); k {
	case bijstand.DeductOnBehalf, bijstand.DeductVerrekening, bijstand.DeductBeslag, bijstand.DeductAflossing:
		return k
	}
	v.add("kind", "must be on_behalf, verrekening, beslag or aflossing",
		"Kies het soort betaling: betalen namens u (on_behalf), verrekening, beslag of aflossing.")
	return ""
}

// How far after the current month a plan's months may lie. A later start is a typing
// error (9999-12), and a month whose norm the law data cannot know: two years is as far
// as a consulent plans a payment ahead. A plan runs on without an end_period; one given
// lies within ten years, the longest a terugvordering is collected before it is
// written off.
const (
	maxStartAhead = 24
	maxEndAhead   = 120
)

// period parses a month "YYYY-MM" not before earliest and at most monthsAhead months
// after it.
func (v *validator) period(field, s string, earliest bijstand.Period, monthsAhead int) (bijstand.Period, bool) {
	p, err := bijstand.ParsePeriod(strings.TrimSpace(s))
	latest := bijstand.PeriodOf(earliest.First().AddDate(0, monthsAhead, 0))
	switch {
	case err != nil:
		v.add(field, "must be a month in the form YYYY-MM", "Dit is geen goede maand. Schrijf de maand zo: 2026-04.")
	case cmpPeriod(p, earliest) < 0:
		v.add(field, "must not be before "+earliest.String()+", the current month",
			"Deze maand is al voorbij. Kies deze maand of een maand later.")
	case cmpPeriod(p, latest) > 0:
		v.add(field, fmt.Sprintf("must not be after %s, %d months after the current month", latest, monthsAhead),
			fmt.Sprintf("Deze maand ligt te ver in de toekomst. Kies een maand tot en met %s.", latest))
	default:
		return p, true
	}
	return bijstand.Period{}, false
}

func (v *validator) priority(n int) int {
	if n < minPriority || n > maxPriority {
		v.add("priority", fmt.Sprintf("must be a whole number from %d to %d (1 is paid first)", minPriority, maxPriority),
			fmt.Sprintf("Vul een volgorde in van %d tot en met %d. Bij 1 wordt als eerste betaald.", minPriority, maxPriority))
		return 0
	}
	return n
}

// capAt is the couple norm in force on the first day of period: the largest norm
// of any household, the cap of a plan's amount when no Norms are wired.
func capAt(book *law.Book, period bijstand.Period) (money.Cents, error) {
	p, err := book.At(period.First())
	if err != nil {
		return 0, err
	}
	n, err := p.Need(p.Norms.Couple, "norms.couple")
	if err != nil {
		return 0, err
	}
	return n.Cents, nil
}

// reason checks a reason: required when required, at most maxReason characters, on
// more than one line if need be.
func (v *validator) reason(s string, required bool) string {
	s, p := input.Rules{Max: maxReason, Optional: !required, MultiLine: true}.Clean(s)
	switch p.Kind {
	case input.OK:
		return s
	case input.Missing:
		v.add("reason", "a reason is required: the resident reads it", "Vul een reden in. De inwoner leest deze reden.")
	case input.TooLong:
		v.add("reason", fmt.Sprintf("at most %d characters", maxReason), fmt.Sprintf("De reden mag niet langer zijn dan %d tekens.", maxReason))
	default:
		v.add("reason", p.EN(), p.NL())
	}
	return ""
}

// checkPurpose returns the trimmed purpose of a staff read, or a
// *httpapi.ValidationError on "purpose".
func checkPurpose(purpose string) (string, error) {
	return httpapi.CheckPurpose(purpose, "these payment plans", nil, ErrInvalid)
}

// signedOn parses the date a paper mandate was signed: not in the future, not more
// than a year ago.
func (v *validator) signedOn(s string, today time.Time) time.Time {
	d, err := time.Parse(dateLayout, strings.TrimSpace(s))
	switch {
	case strings.TrimSpace(s) == "":
		v.add("mandate_signed_on", "the day the resident signed the paper mandate is required for an on_behalf plan",
			"Vul de datum in waarop de inwoner het machtigingsformulier heeft getekend.")
	case err != nil:
		v.add("mandate_signed_on", "not a real date in the form YYYY-MM-DD", "Dit is geen goede datum. Schrijf de datum zo: 2026-03-01.")
	case d.After(today):
		v.add("mandate_signed_on", "may not be in the future", "Deze datum ligt in de toekomst.")
	case today.Sub(d) > maxMandateAge:
		v.add("mandate_signed_on", "a mandate signed more than a year ago must be signed again",
			"Dit formulier is meer dan een jaar oud. Laat de inwoner een nieuw formulier tekenen.")
	default:
		return d
	}
	return time.Time{}
}

// dutchNames names the fields in Dutch, for detail_nl.
var dutchNames = map[string]string{
	"kind": "soort betaling", "creditor_id": "schuldeiser", "reference": "kenmerk", "amount_cents": "bedrag",
	"priority": "volgorde", "start_period": "eerste maand", "end_period": "laatste maand",
	"mandate_signed_on": "datum machtiging", "reason": "reden", "body": "gegevens", "tenant": "gemeente",
	"since": "vanaf", "format": "formaat", "If-Match": "versie", "purpose": "doel",
}
