package residents

import (
	"fmt"
	"strings"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/bsn"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/iban"
	"github.com/plein-nl/plein/platform/input"
)

// Limits of the input.
const (
	maxName        = 200
	maxDescription = 100
	maxCounter     = 1000
	maxChildren    = 20
	maxHousemates  = 20
	dateLayout     = "2006-01-02"
)

// earliestDate is the first birth date accepted.
var earliestDate = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

// BSNInput is a BSN as typed in, before bsn.Parse, masked wherever it is printed or logged.
type BSNInput = bsn.Input

// NewResident is the input of Create, and the JSON body of POST …/residents. Dates are
// "YYYY-MM-DD"; the service validates every field and reports every problem at once.
type NewResident struct {
	Name                 string         `json:"name"`
	BirthDate            string         `json:"birth_date"`
	BSN                  BSNInput       `json:"bsn"`
	IBAN                 string         `json:"iban"`
	Kind                 string         `json:"household_kind"`
	Institution          bool           `json:"institution"`
	ParentsCannotSupport bool           `json:"parents_cannot_support"`
	NMonthsUsed          int            `json:"n_months_used"`
	RMonthsUsed          int            `json:"r_months_used"`
	MedischUrenbeperkt   bool           `json:"medisch_urenbeperkt"`
	Partner              *NewPartner    `json:"partner"`
	Children             []NewChild     `json:"children"`
	Housemates           []NewHousemate `json:"housemates"`
}

// NewPartner is the partner of a couple, as input. A counter left out is 0 for a new
// partner; in Changes it keeps the partner's counter in force, so that correcting a
// partner's name or BSN does not reset the months of vrijlating used.
type NewPartner struct {
	Name               string   `json:"name"`
	BirthDate          string   `json:"birth_date"`
	BSN                BSNInput `json:"bsn"`
	NMonthsUsed        *int     `json:"n_months_used"`
	RMonthsUsed        *int     `json:"r_months_used"`
	MedischUrenbeperkt bool     `json:"medisch_urenbeperkt"`
}

// NewChild is a child, as input.
type NewChild struct {
	BirthDate string `json:"birth_date"`
}

// NewHousemate is a housemate, as input.
type NewHousemate struct {
	BirthDate   string `json:"birth_date"`
	CostSharer  bool   `json:"cost_sharer"`
	Description string `json:"description"`
}

// Changes is the input of Update, and the JSON body of PATCH …/residents/{id}: a nil
// field stays as it is. Partner replaces the partner whole, except for a counter it
// leaves out, which keeps the value in force; RemovePartner removes it
// (with household_kind no longer couple). Children and Housemates, when present,
// replace the whole list (an empty list removes all).
type Changes struct {
	Name                 *string         `json:"name"`
	BirthDate            *string         `json:"birth_date"`
	BSN                  *BSNInput       `json:"bsn"`
	IBAN                 *string         `json:"iban"`
	Kind                 *string         `json:"household_kind"`
	Institution          *bool           `json:"institution"`
	ParentsCannotSupport *bool           `json:"parents_cannot_support"`
	NMonthsUsed          *int            `json:"n_months_used"`
	RMonthsUsed          *int            `json:"r_months_used"`
	MedischUrenbeperkt   *bool           `json:"medisch_urenbeperkt"`
	Partner              *NewPartner     `json:"partner"`
	RemovePartner        bool            `json:"remove_partner"`
	Children             *[]NewChild     `json:"children"`
	Housemates           *[]NewHousemate `json:"housemates"`
}

// checkPurpose returns the trimmed purpose of a staff read, or a
// *httpapi.ValidationError on "purpose" (matching ErrPurposeRequired when there is none).
func checkPurpose(purpose string) (string, error) {
	return httpapi.CheckPurpose(purpose, "this resident", ErrPurposeRequired, ErrInvalid)
}

// validator collects problems; its parse methods return the zero value on a problem.
type validator struct{ httpapi.Fields }

func (v *validator) add(field, en, nl string) { v.Add(field, en, nl) }

func (v *validator) err() error { return v.Err(ErrInvalid) }

func (v *validator) name(field, s string) string {
	s, p := input.Text(s, maxName)
	switch p.Kind {
	case input.OK:
		return s
	case input.Missing:
		v.add(field, "name is required", "Vul een naam in.")
	case input.TooLong:
		v.add(field, fmt.Sprintf("name may have at most %d characters", maxName),
			fmt.Sprintf("Een naam mag niet langer zijn dan %d tekens.", maxName))
	default:
		v.add(field, "name "+p.EN(), p.NL())
	}
	return ""
}

// date parses a "YYYY-MM-DD" date from 1900-01-01 up to and including today.
func (v *validator) date(field, s string, today time.Time) time.Time {
	if strings.TrimSpace(s) == "" {
		v.add(field, "date is required (YYYY-MM-DD)", "Vul een datum in, zoals 1990-05-31.")
		return time.Time{}
	}
	d, err := time.Parse(dateLayout, s)
	switch {
	case err != nil:
		v.add(field, "not a real date in the form YYYY-MM-DD", "Dit is geen goede datum. Schrijf de datum zo: 1990-05-31.")
	case d.Before(earliestDate):
		v.add(field, "date may not be before 1900-01-01", "Deze datum ligt te ver terug. Kijk of het jaar klopt.")
	case d.After(today):
		v.add(field, "date may not be in the future", "Deze datum ligt in de toekomst. Kijk of de datum klopt.")
	default:
		return d
	}
	return time.Time{}
}

func (v *validator) bsn(field string, s BSNInput) bsn.BSN {
	b, err := bsn.Parse(string(s))
	if v.Failed(field, err, "Dit BSN klopt niet.") {
		return bsn.BSN{}
	}
	return b
}

func (v *validator) iban(field, s string) iban.IBAN {
	i, err := iban.Parse(s)
	if v.Failed(field, err, "Dit IBAN klopt niet.") {
		return ""
	}
	return i
}

func (v *validator) kind(field, s string) bijstand.HouseholdKind {
	switch k := bijstand.HouseholdKind(s); k {
	case bijstand.KindSingle, bijstand.KindSingleParent, bijstand.KindCouple:
		return k
	}
	v.add(field, "must be single, single_parent or couple",
		"Kies het soort huishouden: alleenstaand (single), alleenstaande ouder (single_parent) of stel (couple).")
	return ""
}

func (v *validator) counter(field string, n int) int {
	if n < 0 || n > maxCounter {
		v.add(field, fmt.Sprintf("must be a whole number from 0 to %d", maxCounter),
			fmt.Sprintf("Vul een heel getal in van 0 tot en met %d.", maxCounter))
		return 0
	}
	return n
}

func (v *validator) partner(field string, np NewPartner, today time.Time) *Partner {
	return &Partner{
		Name:      v.name(field+".name", np.Name),
		BirthDate: v.date(field+".birth_date", np.BirthDate, today),
		BSN:       v.bsn(field+".bsn", np.BSN),
		Counters: Counters{
			NMonthsUsed:        v.counter(field+".n_months_used", deref(np.NMonthsUsed)),
			RMonthsUsed:        v.counter(field+".r_months_used", deref(np.RMonthsUsed)),
			MedischUrenbeperkt: np.MedischUrenbeperkt,
		},
	}
}

// deref is *n, or 0 for nil.
func deref(n *int) int {
	if n == nil {
		return 0
	}
	return *n
}

// keepCounters returns p, the partner np gives, with each counter np leaves out taken
// from cur, the partner in force (nil: none, and p's counters stay 0).
func keepCounters(p Partner, np NewPartner, cur *Partner) *Partner {
	if cur != nil && np.NMonthsUsed == nil {
		p.NMonthsUsed = cur.NMonthsUsed
	}
	if cur != nil && np.RMonthsUsed == nil {
		p.RMonthsUsed = cur.RMonthsUsed
	}
	return &p
}

// list validates a list field of at most max items (what: the items, in English and
// in Dutch, for the problem of a longer list) with each, which gets the path of its
// item ("children[1]") for its problems.
func list[In, Out any](v *validator, field string, items []In, max int, what, whatNL string, each func(f string, in In) Out) []Out {
	if len(items) > max {
		v.add(field, fmt.Sprintf("at most %d %s", max, what), fmt.Sprintf("U kunt hoogstens %d %s opgeven.", max, whatNL))
		return nil
	}
	out := make([]Out, len(items))
	for i, in := range items {
		out[i] = each(fmt.Sprintf("%s[%d]", field, i), in)
	}
	return out
}

func (v *validator) children(field string, cs []NewChild, today time.Time) []Child {
	return list(v, field, cs, maxChildren, "children", "kinderen", func(f string, c NewChild) Child {
		return Child{BirthDate: v.date(f+".birth_date", c.BirthDate, today)}
	})
}

func (v *validator) housemates(field string, hs []NewHousemate, today time.Time) []Housemate {
	return list(v, field, hs, maxHousemates, "housemates", "huisgenoten", func(f string, h NewHousemate) Housemate {
		desc, p := input.Rules{Max: maxDescription, Optional: true}.Clean(h.Description)
		switch p.Kind {
		case input.OK:
		case input.TooLong:
			v.add(f+".description", fmt.Sprintf("description may have at most %d characters", maxDescription),
				fmt.Sprintf("De omschrijving mag niet langer zijn dan %d tekens.", maxDescription))
		default:
			v.add(f+".description", "description "+p.EN(), p.NL())
		}
		return Housemate{BirthDate: v.date(f+".birth_date", h.BirthDate, today), CostSharer: h.CostSharer, Description: desc}
	})
}

// newResident validates the input of Create, cross-field rules included.
func (v *validator) newResident(nr NewResident, today time.Time) Resident {
	r := Resident{
		Name:                 v.name("name", nr.Name),
		BirthDate:            v.date("birth_date", nr.BirthDate, today),
		BSN:                  v.bsn("bsn", nr.BSN),
		IBAN:                 v.iban("iban", nr.IBAN),
		Kind:                 v.kind("household_kind", nr.Kind),
		Institution:          nr.Institution,
		ParentsCannotSupport: nr.ParentsCannotSupport,
		Counters: Counters{
			NMonthsUsed:        v.counter("n_months_used", nr.NMonthsUsed),
			RMonthsUsed:        v.counter("r_months_used", nr.RMonthsUsed),
			MedischUrenbeperkt: nr.MedischUrenbeperkt,
		},
		Children:   v.children("children", nr.Children, today),
		Housemates: v.housemates("housemates", nr.Housemates, today),
	}
	if nr.Partner != nil {
		r.Partner = v.partner("partner", *nr.Partner, today)
	}
	if r.Kind != "" {
		v.household(r)
	}
	return r
}

// household checks the rules across fields, on a whole case: a couple has a partner,
// nobody else has one, and the partner's BSN is not the resident's.
func (v *validator) household(r Resident) {
	switch {
	case r.Kind == bijstand.KindCouple && r.Partner == nil:
		v.add("partner", "a couple needs a partner", "Bij een stel hoort een partner. Vul de gegevens van de partner in.")
	case r.Kind != bijstand.KindCouple && r.Partner != nil:
		v.add("partner", "only a couple has a partner; set household_kind to couple or leave the partner out",
			"Alleen een stel heeft een partner. Kies 'stel' of laat de partner weg.")
	case r.Partner != nil && !r.BSN.IsZero() && r.Partner.BSN == r.BSN:
		v.add("partner.bsn", "the partner's BSN is the resident's own", "Het BSN van de partner is hetzelfde als dat van de aanvrager.")
	}
}

// changes validates the input of Update field by field and returns the function that
// applies it to the current case; cross-field rules are checked on the result.
func (v *validator) changes(ch Changes, today time.Time) func(*Resident) {
	var set httpapi.Patch[Resident]
	date := func(field, s string) time.Time { return v.date(field, s, today) }
	httpapi.Set(&set, "name", ch.Name, v.name, func(r *Resident, n string) { r.Name = n })
	httpapi.Set(&set, "birth_date", ch.BirthDate, date, func(r *Resident, d time.Time) { r.BirthDate = d })
	httpapi.Set(&set, "bsn", ch.BSN, v.bsn, func(r *Resident, b bsn.BSN) { r.BSN = b })
	httpapi.Set(&set, "iban", ch.IBAN, v.iban, func(r *Resident, i iban.IBAN) { r.IBAN = i })
	httpapi.Set(&set, "household_kind", ch.Kind, v.kind, func(r *Resident, k bijstand.HouseholdKind) { r.Kind = k })
	httpapi.Set(&set, "institution", ch.Institution, httpapi.Keep, func(r *Resident, b bool) { r.Institution = b })
	httpapi.Set(&set, "parents_cannot_support", ch.ParentsCannotSupport, httpapi.Keep,
		func(r *Resident, b bool) { r.ParentsCannotSupport = b })
	httpapi.Set(&set, "n_months_used", ch.NMonthsUsed, v.counter, func(r *Resident, n int) { r.NMonthsUsed = n })
	httpapi.Set(&set, "r_months_used", ch.RMonthsUsed, v.counter, func(r *Resident, n int) { r.RMonthsUsed = n })
	httpapi.Set(&set, "medisch_urenbeperkt", ch.MedischUrenbeperkt, httpapi.Keep,
		func(r *Resident, b bool) { r.MedischUrenbeperkt = b })
	switch {
	case ch.Partner != nil && ch.RemovePartner:
		v.add("remove_partner", "give either partner or remove_partner, not both",
			"Geef een nieuwe partner op of verwijder de partner, niet allebei.")
	case ch.Partner != nil:
		p, np := v.partner("partner", *ch.Partner, today), *ch.Partner
		set = append(set, func(r *Resident) { r.Partner = keepCounters(*p, np, r.Partner) })
	case ch.RemovePartner:
		set = append(set, func(r *Resident) { r.Partner = nil })
	}
	children := func(field string, cs []NewChild) []Child { return v.children(field, cs, today) }
	housemates := func(field string, hs []NewHousemate) []Housemate { return v.housemates(field, hs, today) }
	httpapi.Set(&set, "children", ch.Children, children, func(r *Resident, cs []Child) { r.Children = cs })
	httpapi.Set(&set, "housemates", ch.Housemates, housemates, func(r *Resident, hs []Housemate) { r.Housemates = hs })
	return set.Apply
}

// dutchNames names the fields of the JSON paths in Dutch, for detail_nl
// (httpapi.ValidationError.Dutch): "children[1].birth_date" reads "Kind 2, geboortedatum".
var dutchNames = map[string]string{
	"name": "naam", "birth_date": "geboortedatum", "bsn": "BSN", "iban": "IBAN",
	"household_kind": "soort huishouden", "n_months_used": "maanden vrijlating (n)",
	"r_months_used": "maanden vrijlating (r)", "partner": "partner", "children": "kind",
	"housemates": "huisgenoot", "description": "omschrijving", "purpose": "doel",
	"remove_partner": "partner verwijderen", "body": "gegevens",
}
