package bijstand

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/plein-nl/plein/platform/money"
)

// EngineVersion names the calculation Compute does. It is bumped with every change that
// can change a result (a rule, a rounding, the order of deductions), not with a change
// of texts or speed: a stored month computed by another engine version cannot be
// replayed by this one, and says so. The build's VCS revision is not part of it: a
// rebuild of the same calculation replays the same cents.
const EngineVersion = "1"

// The canonical encoding of a Case: what a settlement stores to replay a month and
// hashes as its receipt. One record per line, fields separated by a tab, in a fixed
// order; the same Case always gives the same bytes, and AppendCanonical after
// ParseCanonical gives the bytes back. Compact on purpose (about 100 bytes for a single
// with a payslip and two deductions): it is written for every resident every month.
//
//	P <period> <kind> <institution 0|1> <parents cannot support 0|1> <min cash payout>
//	A <birth YYYYMMDD> <n months used> <r months used> <medisch urenbeperkt 0|1>
//	C <birth YYYYMMDD>
//	H <birth YYYYMMDD> <cost sharer 0|1>
//	I <applicant> <source> <net cents>
//	D <id> <kind> <amount cents> <priority> <label>

// ErrCanonical is wrapped by every error of ParseCanonical and AppendCanonical.
var ErrCanonical = errors.New("bijstand: canonical case")

// AppendCanonical appends the canonical encoding of c to b. An id or label holding a
// tab or a line break cannot be encoded and is refused (the services that make them
// never let one in).
func AppendCanonical(b []byte, c Case) ([]byte, error) {
	h := c.Household
	b = append(b, "P\t"...)
	b = append(b, c.Period.String()...)
	b = append(b, '\t')
	b = append(b, h.Kind...)
	b = appendFlag(b, h.Institution)
	b = appendFlag(b, h.ParentsCannotSupport)
	b = appendInt(b, int64(c.MinCashPayout))
	for _, a := range h.Applicants {
		b = append(b, "\nA\t"...)
		b = a.BirthDate.AppendFormat(b, "20060102")
		b = appendInt(b, int64(a.NMonthsUsed))
		b = appendInt(b, int64(a.RMonthsUsed))
		b = appendFlag(b, a.MedischUrenbeperkt)
	}
	for _, ch := range h.Children {
		b = append(b, "\nC\t"...)
		b = ch.BirthDate.AppendFormat(b, "20060102")
	}
	for _, hm := range h.Housemates {
		b = append(b, "\nH\t"...)
		b = hm.BirthDate.AppendFormat(b, "20060102")
		b = appendFlag(b, hm.CostSharer)
	}
	for _, in := range c.Income {
		b = append(b, "\nI\t"...)
		b = strconv.AppendInt(b, int64(in.Applicant), 10)
		b = append(b, '\t')
		b = append(b, in.Source...)
		b = appendInt(b, int64(in.Net))
	}
	for i, d := range c.Deductions {
		if strings.ContainsAny(d.ID, "\t\n") || strings.ContainsAny(d.Label, "\t\n") || strings.ContainsAny(string(d.Kind), "\t\n") {
			return nil, fmt.Errorf("%w: deductions[%d]: a tab or line break in its id, kind or label", ErrCanonical, i)
		}
		b = append(b, "\nD\t"...)
		b = append(b, d.ID...)
		b = append(b, '\t')
		b = append(b, d.Kind...)
		b = appendInt(b, int64(d.Amount))
		b = appendInt(b, int64(d.Priority))
		b = append(b, '\t')
		b = append(b, d.Label...)
	}
	return b, nil
}

func appendInt(b []byte, v int64) []byte {
	b = append(b, '\t')
	return strconv.AppendInt(b, v, 10)
}

func appendFlag(b []byte, v bool) []byte {
	if v {
		return append(b, "\t1"...)
	}
	return append(b, "\t0"...)
}

// fields is a record's fields after its letter, read in order; the first problem is
// kept with the field it is about.
type fields struct {
	line int
	f    []string
	err  error
}

func (r *fields) fail(i int, format string, a ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: line %d field %d: %s", ErrCanonical, r.line, i+1, fmt.Sprintf(format, a...))
	}
}

func (r *fields) int(i int) int64 {
	v, err := strconv.ParseInt(r.f[i], 10, 64)
	if err != nil || strconv.FormatInt(v, 10) != r.f[i] {
		r.fail(i, "%q is not a whole number", r.f[i])
	}
	return v
}

func (r *fields) flag(i int) bool {
	if r.f[i] != "0" && r.f[i] != "1" {
		r.fail(i, "%q is not 0 or 1", r.f[i])
	}
	return r.f[i] == "1"
}

func (r *fields) date(i int) time.Time {
	t, err := time.Parse("20060102", r.f[i])
	if err != nil {
		r.fail(i, "%q is not a date YYYYMMDD", r.f[i])
	}
	return t
}

// canonicalOrder is the order of the records.
const canonicalOrder = "PACHID"

// canonicalWidth is the number of fields of each record after its letter.
var canonicalWidth = map[byte]int{'P': 5, 'A': 4, 'C': 1, 'H': 2, 'I': 3, 'D': 5}

// ParseCanonical reads what AppendCanonical wrote. It is strict: a record out of place,
// a field too many or too few, a number or date in another form is an error naming
// the line and field. The case is not validated: Compute does that.
func ParseCanonical(b []byte) (Case, error) {
	var c Case
	lines := strings.Split(string(b), "\n")
	rank := 0
	for n, l := range lines {
		r := fields{line: n + 1}
		if len(l) < 2 || l[1] != '\t' || (n == 0) != (l[0] == 'P') || strings.IndexByte(canonicalOrder, l[0]) < rank {
			return Case{}, fmt.Errorf("%w: line %d: not a record in its place", ErrCanonical, n+1)
		}
		rank = strings.IndexByte(canonicalOrder, l[0])
		r.f = strings.Split(l[2:], "\t")
		if w, ok := canonicalWidth[l[0]]; !ok || len(r.f) != w {
			return Case{}, fmt.Errorf("%w: line %d: record %q with %d fields", ErrCanonical, n+1, string(l[0]), len(r.f))
		}
		h := &c.Household
		switch l[0] {
		case 'P':
			p, err := ParsePeriod(r.f[0])
			if err != nil {
				r.fail(0, "%v", err)
			}
			c.Period, h.Kind = p, HouseholdKind(r.f[1])
			h.Institution, h.ParentsCannotSupport, c.MinCashPayout = r.flag(2), r.flag(3), money.Cents(r.int(4))
		case 'A':
			h.Applicants = append(h.Applicants, Applicant{BirthDate: r.date(0), NMonthsUsed: int(r.int(1)),
				RMonthsUsed: int(r.int(2)), MedischUrenbeperkt: r.flag(3)})
		case 'C':
			h.Children = append(h.Children, Child{BirthDate: r.date(0)})
		case 'H':
			h.Housemates = append(h.Housemates, Housemate{BirthDate: r.date(0), CostSharer: r.flag(1)})
		case 'I':
			c.Income = append(c.Income, Income{Applicant: int(r.int(0)), Source: IncomeSource(r.f[1]), Net: money.Cents(r.int(2))})
		case 'D':
			c.Deductions = append(c.Deductions, Deduction{ID: r.f[0], Kind: DeductionKind(r.f[1]), Amount: money.Cents(r.int(2)),
				Priority: int(r.int(3)), Label: r.f[4]})
		}
		if r.err != nil {
			return Case{}, r.err
		}
	}
	return c, nil
}
