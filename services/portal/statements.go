package portal

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
)

// Statements answers "Mijn specificaties": the resident's settled months, as the
// settlement stored them (settlement.StatementReader through StatementsAdapter).
type Statements interface {
	// Months lists the resident's settled months, newest first.
	Months(ctx context.Context, t tenant.ID, residentID string) ([]bijstand.Period, error)
	// Month is one settled month of the resident; ErrNoStatement when no final run
	// settled the resident in it.
	Month(ctx context.Context, t tenant.ID, residentID string, period bijstand.Period) (Statement, error)
}

// ErrNoStatement: the month is not a settled month of the resident.
var ErrNoStatement = errors.New("portal: no settled month for this resident")

// Why a payout was held, as Statement.Hold says it.
const (
	HoldIBAN  = "iban"  // no valid bank account number
	HoldOther = "other" // any other reason; the consulent knows it
)

// Statement is a settled month as the resident's specificatie shows it.
type Statement struct {
	Period bijstand.Period
	// PayDate is the day the run's payments were made; zero when not known.
	PayDate time.Time
	// The stored amounts: what the run booked and paid.
	Bijstand, Reserve, Applied, Payout, Shortfall money.Cents
	// Vakantietoeslag is the vakantiegeld paid this month; Released what this month
	// paid of payouts held in earlier months (a nabetaling).
	Vakantietoeslag, Released money.Cents
	Deductions                []StatementDeduction
	Wages                     []StatementWage
	// Hold is why the payout was held (HoldIBAN, HoldOther); "" when it was paid.
	Hold string
	// Uncomputed: the month could not be computed, so nothing was paid.
	Uncomputed bool
	// Result is the month computed again from its stored inputs, with its trace; only
	// when Verified: it gives every stored cent.
	Result   bijstand.Result
	Verified bool
	// Receipt is the month's receipt; LawFile "" before receipts were stored.
	LawFile, EngineVersion string
	ConfigVersion          int
	InputsSHA256           string
}

// StatementDeduction is a deduction of a settled month and where its money went.
type StatementDeduction struct {
	CreditorName, Reference string
	Applied, Shortfall      money.Cents
}

// StatementWage is a payslip the month counted.
type StatementWage struct {
	Employer   string
	Gross, Net money.Cents
}

// Held is what the month held back of the resident's money.
func (s Statement) Held() money.Cents {
	if s.Hold == "" {
		return 0
	}
	return s.Payout + s.Vakantietoeslag
}

// Paid is what the month transferred to the resident's own account: the payout and
// the vakantiegeld unless held, and any nabetaling.
func (s Statement) Paid() money.Cents {
	return s.Payout + s.Vakantietoeslag - s.Held() + s.Released
}

// Gross and Net are the month's wages summed over its payslips.
func (s Statement) Gross() money.Cents {
	var c money.Cents
	for _, w := range s.Wages {
		c += w.Gross
	}
	return c
}

// Net is the net wage of the month's payslips.
func (s Statement) Net() money.Cents {
	var c money.Cents
	for _, w := range s.Wages {
		c += w.Net
	}
	return c
}

// Paths of "Mijn specificaties": the list, a month (2026-03, 2026-03.pdf) and a year
// (jaar/2026, jaar/2026.pdf).
const (
	navStatements = "specificaties/"
	pathYear      = "specificaties/jaar/"
)

// routeStatements registers the pages of "Mijn specificaties".
func (p *Portal) routeStatements() {
	p.mux.HandleFunc("GET /t/{tenant}/specificaties/{$}", p.withResident(navStatements, needStatements, 0, p.statementList))
	p.mux.HandleFunc("GET /t/{tenant}/specificaties/{maand}", p.withResident(navStatements, needStatements, 0, p.statementMonth))
	p.mux.HandleFunc("GET /t/{tenant}/specificaties/jaar/{jaar}", p.withResident(navStatements, needStatements, 0, p.statementYear))
}

// monthURL and yearURL are the stable paths of a month and a year; pdf adds ".pdf".
func (v *visit) monthURL(m bijstand.Period, pdf bool) string {
	return withQuery(v.url(navStatements+m.String()+pdfSuffix(pdf)), v.lang())
}

func (v *visit) yearURL(year int, pdf bool) string {
	return withQuery(v.url(pathYear+strconv.Itoa(year)+pdfSuffix(pdf)), v.lang())
}

func pdfSuffix(pdf bool) string {
	if pdf {
		return ".pdf"
	}
	return ""
}

// splitPDF reports whether the path value asks for the PDF, and the value without it.
func splitPDF(s string) (string, bool) {
	if base, ok := strings.CutSuffix(s, ".pdf"); ok {
		return base, true
	}
	return s, false
}

// statementFail renders an error of the statements: ErrNoStatement is a 404.
func (p *Portal) statementFail(w http.ResponseWriter, r *http.Request, v *visit, err error) {
	if errors.Is(err, ErrNoStatement) {
		p.fail(w, r, v, http.StatusNotFound, v.pg.T.Spec.NotFound)
		return
	}
	p.failErr(w, r, v, err)
}

// statementMonth answers a month of the resident: its page or its PDF.
func (p *Portal) statementMonth(w http.ResponseWriter, r *http.Request, v *visit) {
	s, pdf := splitPDF(r.PathValue("maand"))
	m, err := bijstand.ParsePeriod(s)
	if err != nil || m.String() != s {
		p.fail(w, r, v, http.StatusNotFound, v.pg.T.Spec.NotFound)
		return
	}
	st, err := p.cfg.Statements.Month(r.Context(), v.tenantID(), v.residentID(), m)
	if err != nil {
		p.statementFail(w, r, v, err)
		return
	}
	view := p.monthSpec(v, st)
	if pdf {
		p.sendPDF(w, r, v, "specificatie-"+m.String()+".pdf", func() ([]byte, error) { return monthPDF(v, view) })
		return
	}
	pg := v.pg
	pg.Title = view.Heading
	pg.Data = view
	p.render(w, r, http.StatusOK, "statement", pg)
}

// sendPDF sends the PDF make writes as an attachment called name.
func (p *Portal) sendPDF(w http.ResponseWriter, r *http.Request, v *visit, name string, make func() ([]byte, error)) {
	b, err := make()
	if err != nil {
		p.failErr(w, r, v, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}
