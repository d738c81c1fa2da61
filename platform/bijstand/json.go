package bijstand

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/plein-nl/plein/platform/law"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/strictjson"
)

// The JSON form of a case: the contract of `plein calc month` (field names are fixed).
type caseJSON struct {
	Period        *string           `json:"period"`
	Household     json.RawMessage   `json:"household"`
	Income        []json.RawMessage `json:"income"`
	Deductions    []json.RawMessage `json:"deductions"`
	MinCashPayout int64             `json:"min_cash_payout_cents"`
}

type householdJSON struct {
	Kind                 string            `json:"kind"`
	Applicants           []json.RawMessage `json:"applicants"`
	Children             []json.RawMessage `json:"children"`
	Housemates           []json.RawMessage `json:"housemates"`
	Institution          bool              `json:"institution"`
	ParentsCannotSupport bool              `json:"parents_cannot_support"`
}

type applicantJSON struct {
	BirthDate          string `json:"birth_date"`
	NMonthsUsed        int    `json:"n_months_used"`
	RMonthsUsed        int    `json:"r_months_used"`
	MedischUrenbeperkt bool   `json:"medisch_urenbeperkt"`
}

type personJSON struct {
	BirthDate string `json:"birth_date"`
}

type housemateJSON struct {
	BirthDate  string `json:"birth_date"`
	CostSharer bool   `json:"cost_sharer"`
}

type incomeJSON struct {
	Applicant int    `json:"applicant"`
	Source    string `json:"source"`
	NetCents  int64  `json:"net_cents"`
}

type deductionJSON struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	AmountCents int64  `json:"amount_cents"`
	Priority    int    `json:"priority"`
}

// DecodeCase reads one case in the JSON form of `plein calc month`. It is strict: an
// unknown field, a wrong type, a bad date or period is an InputError naming the field.
// Omitted lists and flags mean empty, false and 0.
func DecodeCase(r io.Reader) (Case, error) {
	dec, err := strictjson.Read(r, 1<<20)
	if err != nil {
		return Case{}, err
	}
	var in caseJSON
	if err := dec.Decode(&in); err != nil {
		return Case{}, jsonError(err, "")
	}
	if dec.More() {
		return Case{}, invalid("(input)", "more than one JSON value")
	}
	return fromJSON(in)
}

// decodeAt decodes one nested value strictly; errors name the field under path
// ("household.applicants[0].n_months_used").
func decodeAt(raw json.RawMessage, v any, path string) error {
	if err := strictjson.NewDecoder(bytes.NewReader(raw)).Decode(v); err != nil {
		return jsonError(err, path)
	}
	return nil
}

func jsonError(err error, path string) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	join := func(f string) string {
		switch {
		case path == "":
			return f
		case f == "":
			return path
		}
		return path + "." + f
	}
	if name, ok := strictjson.UnknownField(err); ok {
		return invalid(join(name), "unknown field")
	}
	switch {
	case errors.As(err, &te):
		field := join(te.Field)
		if field == "" {
			field = "(input)"
		}
		return invalid(field, "must be a JSON %s, not %s", strictjson.Kind(te.Type), te.Value)
	case errors.As(err, &se):
		return invalid("(input)", "malformed JSON at byte %d: %v", se.Offset, err)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("(input)", "malformed JSON: the input ends too early")
	}
	if path != "" {
		return invalid(path, "%v", err)
	}
	return invalid("(input)", "%v", err)
}

func parseDate(field, s string) (time.Time, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, invalid(field, "%q is not a date YYYY-MM-DD", s)
	}
	return t, nil
}

// person is the JSON of someone in the household: whoever it is, a birth date.
type person interface{ birthDate() string }

func (a applicantJSON) birthDate() string { return a.BirthDate }
func (p personJSON) birthDate() string    { return p.BirthDate }
func (h housemateJSON) birthDate() string { return h.BirthDate }

// decodePeople decodes the people of list, the JSON list at path, parses each one's
// birth date and makes a T of both with to. Errors name the field under path.
func decodePeople[J person, T any](list []json.RawMessage, path string, to func(J, time.Time) T) ([]T, error) {
	var out []T
	for i, raw := range list {
		at := fmt.Sprintf("%s[%d]", path, i)
		var p J
		if err := decodeAt(raw, &p, at); err != nil {
			return nil, err
		}
		bd, err := parseDate(at+".birth_date", p.birthDate())
		if err != nil {
			return nil, err
		}
		out = append(out, to(p, bd))
	}
	return out, nil
}

func fromJSON(in caseJSON) (Case, error) {
	var c Case
	if in.Period == nil {
		return c, invalid("period", "is required (YYYY-MM)")
	}
	p, err := ParsePeriod(*in.Period)
	if err != nil {
		return c, invalid("period", "%v", err)
	}
	c.Period = p
	if len(in.Household) == 0 || string(in.Household) == "null" {
		return c, invalid("household", "is required")
	}
	var h householdJSON
	if err := decodeAt(in.Household, &h, "household"); err != nil {
		return c, err
	}
	c.Household = Household{Kind: HouseholdKind(h.Kind), Institution: h.Institution, ParentsCannotSupport: h.ParentsCannotSupport}
	if c.Household.Applicants, err = decodePeople(h.Applicants, "household.applicants", func(a applicantJSON, bd time.Time) Applicant {
		return Applicant{BirthDate: bd, NMonthsUsed: a.NMonthsUsed, RMonthsUsed: a.RMonthsUsed, MedischUrenbeperkt: a.MedischUrenbeperkt}
	}); err != nil {
		return c, err
	}
	if c.Household.Children, err = decodePeople(h.Children, "household.children", func(_ personJSON, bd time.Time) Child {
		return Child{BirthDate: bd}
	}); err != nil {
		return c, err
	}
	if c.Household.Housemates, err = decodePeople(h.Housemates, "household.housemates", func(hm housemateJSON, bd time.Time) Housemate {
		return Housemate{BirthDate: bd, CostSharer: hm.CostSharer}
	}); err != nil {
		return c, err
	}
	for i, raw := range in.Income {
		var inc incomeJSON
		if err := decodeAt(raw, &inc, fmt.Sprintf("income[%d]", i)); err != nil {
			return c, err
		}
		c.Income = append(c.Income, Income{Applicant: inc.Applicant, Source: IncomeSource(inc.Source), Net: money.Cents(inc.NetCents)})
	}
	for i, raw := range in.Deductions {
		var d deductionJSON
		if err := decodeAt(raw, &d, fmt.Sprintf("deductions[%d]", i)); err != nil {
			return c, err
		}
		c.Deductions = append(c.Deductions, Deduction{ID: d.ID, Kind: DeductionKind(d.Kind), Amount: money.Cents(d.AmountCents), Priority: d.Priority})
	}
	c.MinCashPayout = money.Cents(in.MinCashPayout)
	return c, nil
}

// ResultJSON is the JSON form of a Result: the output contract of `plein calc month`.
type ResultJSON struct {
	Period                      string                `json:"period"`
	NormCents                   int64                 `json:"norm_cents"`
	IncomeCents                 int64                 `json:"income_cents"`
	VrijlatingCents             int64                 `json:"vrijlating_cents"`
	CountedIncomeCents          int64                 `json:"counted_income_cents"`
	BijstandCents               int64                 `json:"bijstand_cents"`
	VakantietoeslagReserveCents int64                 `json:"vakantietoeslag_reserve_cents"`
	BeslagvrijeVoetCents        int64                 `json:"beslagvrije_voet_cents"`
	DeductionCapacityCents      int64                 `json:"deduction_capacity_cents"`
	Deductions                  []DeductionResultJSON `json:"deductions"`
	PayoutCents                 int64                 `json:"payout_cents"`
	Applicants                  []ApplicantResultJSON `json:"applicants"`
	LawValidFrom                string                `json:"law_valid_from,omitempty"`
	// LawStale is true when the month is on or after LawIndexationDue, the date the
	// law data's next indexation was due, and no newer law file is in force: computed
	// with the last norms known, which may change.
	LawStale         bool       `json:"law_stale,omitempty"`
	LawIndexationDue string     `json:"law_indexation_due,omitempty"`
	Trace            []StepJSON `json:"trace"`
}

// DeductionResultJSON is one deduction's outcome.
type DeductionResultJSON struct {
	ID             string `json:"id"`
	Kind           string `json:"kind"`
	RequestedCents int64  `json:"requested_cents"`
	AppliedCents   int64  `json:"applied_cents"`
	ShortfallCents int64  `json:"shortfall_cents"`
}

// ApplicantResultJSON is one applicant's part.
type ApplicantResultJSON struct {
	Age             int    `json:"age"`
	AOWAge          bool   `json:"aow_age"`
	WorkIncomeCents int64  `json:"work_income_cents"`
	VrijlatingKind  string `json:"vrijlating_kind,omitempty"`
	VrijlatingCents int64  `json:"vrijlating_cents"`
	NMonthsUsed     int    `json:"n_months_used_after"`
	RMonthsUsed     int    `json:"r_months_used_after"`
}

// StepJSON is one step of the trace with its text in Dutch and English.
type StepJSON struct {
	Step        string `json:"step"`
	Rule        string `json:"rule"`
	Article     string `json:"article"`
	AmountCents int64  `json:"amount_cents"`
	Ref         string `json:"ref,omitempty"`
	TextNL      string `json:"text_nl"`
	TextEN      string `json:"text_en"`
}

// ToJSON converts a Result to its JSON form.
func (r Result) ToJSON() ResultJSON {
	out := ResultJSON{
		Period: r.Period.String(), NormCents: int64(r.Norm), IncomeCents: int64(r.Income),
		VrijlatingCents: int64(r.Vrijlating), CountedIncomeCents: int64(r.CountedIncome),
		BijstandCents: int64(r.Bijstand), VakantietoeslagReserveCents: int64(r.VakantietoeslagReserve),
		BeslagvrijeVoetCents: int64(r.BeslagvrijeVoet), DeductionCapacityCents: int64(r.DeductionCapacity),
		PayoutCents: int64(r.Payout), Deductions: []DeductionResultJSON{}, Trace: make([]StepJSON, 0, len(r.Trace)),
	}
	for _, d := range r.Deductions {
		out.Deductions = append(out.Deductions, DeductionResultJSON{ID: d.ID, Kind: string(d.Kind), RequestedCents: int64(d.Requested),
			AppliedCents: int64(d.Applied), ShortfallCents: int64(d.Shortfall)})
	}
	for _, a := range r.Applicants {
		out.Applicants = append(out.Applicants, ApplicantResultJSON{Age: a.Age, AOWAge: a.AOWAge, WorkIncomeCents: int64(a.WorkIncome),
			VrijlatingKind: string(a.VrijlatingKind), VrijlatingCents: int64(a.Vrijlating), NMonthsUsed: a.NMonthsUsed, RMonthsUsed: a.RMonthsUsed})
	}
	for _, s := range r.Trace {
		out.Trace = append(out.Trace, StepJSON{Step: string(s.Code), Rule: s.Rule(), Article: s.Article, AmountCents: int64(s.Amount),
			Ref: s.Ref, TextNL: s.Text("nl"), TextEN: s.Text("en")})
	}
	return out
}

// MonthOfJSON reads a case (DecodeCase) and computes its month under the law book:
// the result as `plein calc month` prints it, with the date the law applied is valid
// from.
func MonthOfJSON(r io.Reader) (ResultJSON, error) {
	c, err := DecodeCase(r)
	if err != nil {
		return ResultJSON{}, err
	}
	book, err := law.Load()
	if err != nil {
		return ResultJSON{}, err
	}
	res, p, err := NewCalculator(book).Month(c)
	if err != nil {
		return ResultJSON{}, err
	}
	out := res.ToJSON()
	out.LawValidFrom = p.ValidFrom.Format(time.DateOnly)
	out.LawStale = res.Law.Stale
	out.LawIndexationDue = res.Law.IndexationDue.Format(time.DateOnly)
	return out, nil
}
