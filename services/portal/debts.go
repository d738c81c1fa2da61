package portal

import (
	"cmp"
	"context"
	"fmt"
	"net/http"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
)

// Debts is what the portal needs of schuldhulp: the resident's debts and what is
// being arranged. The portal owns this interface; DebtsAdapter adapts the debts
// service to it.
type Debts interface {
	Overview(ctx context.Context, t tenant.ID, residentID string) (DebtOverview, error)
}

// The statuses of a DebtView.
const (
	DebtOpen       = "open"
	DebtInRegeling = "in_regeling"
	DebtPaid       = "paid"
	DebtDisputed   = "disputed"
	DebtWrittenOff = "written_off"
)

// DebtOverview is the resident's debts as she sees them.
type DebtOverview struct {
	Debts []DebtView
	// Arranging says what is being arranged, in sentences the service has already
	// written in Dutch at B1 level; NextStep what happens next. ArrangingEN and
	// NextStepEN are the same in English; without them the English page shows the
	// Dutch sentences, marked as Dutch.
	Arranging   []string
	NextStep    string
	ArrangingEN []string
	NextStepEN  string
	// Shortfalls are the payments Plein could not make in full.
	Shortfalls []ShortfallView
}

// DebtView is one debt.
type DebtView struct {
	CreditorName   string
	Claim, Balance money.Cents
	Status         string // DebtOpen, DebtInRegeling, DebtPaid, DebtDisputed or DebtWrittenOff
	Preferent      bool
}

// ShortfallView is a payment that could not be made in full: Shortfall of it was
// not paid in Period ("YYYY-MM"). CreditorKind is optional; with it the sentence
// says what the payment was for ("van uw zorgpremie").
type ShortfallView struct {
	CreditorName, CreditorKind string
	Period                     string
	Shortfall                  money.Cents
}

// debtRow is a debt as the table shows it.
type debtRow struct {
	Creditor, Claim, Balance, Status string
	Preferent                        bool
}

// debtsView is the content of "Mijn schulden".
type debtsView struct {
	Shortfall *shortfallNotice
	Debts     []debtRow
	Total     string
	Arranging []string
	NextStep  string
	TextLang  string // lang of Arranging and NextStep when it is not the page's
}

// shortfallNotice explains payments that could not be made in full.
type shortfallNotice struct {
	Title, Intro, Help string
	Lines              []string
}

func (p *Portal) debts(w http.ResponseWriter, r *http.Request, v *visit) {
	T, lang := v.pg.T.Debts, v.lang()
	o, err := p.cfg.Debts.Overview(r.Context(), v.tenantID(), v.residentID())
	if err != nil {
		p.failErr(w, r, v, err)
		return
	}
	view := debtsView{Arranging: o.Arranging, NextStep: o.NextStep}
	if lang == "en" {
		if len(o.ArrangingEN) > 0 || o.NextStepEN != "" {
			view.Arranging, view.NextStep = o.ArrangingEN, o.NextStepEN
		} else if len(o.Arranging) > 0 || o.NextStep != "" {
			view.TextLang = "nl"
		}
	}
	var total money.Cents
	for _, d := range o.Debts {
		view.Debts = append(view.Debts, debtRow{
			Creditor:  d.CreditorName,
			Claim:     eur(d.Claim, lang),
			Balance:   eur(d.Balance, lang),
			Status:    cmp.Or(T.Status[d.Status], d.Status),
			Preferent: d.Preferent,
		})
		total += d.Balance
	}
	view.Total = eur(total, lang)
	var lines []string
	for _, s := range o.Shortfalls {
		when := s.Period
		if m, err := bijstand.ParsePeriod(s.Period); err == nil {
			when = monthName(m, lang)
		}
		lines = append(lines, shortfallLine(v.pg.T, when, s.Shortfall, s.CreditorKind, s.CreditorName, lang))
	}
	view.Shortfall = newShortfallNotice(v.pg.T.Short, lines)
	pg := v.pg
	pg.Title = T.Title
	pg.Data = view
	p.render(w, r, http.StatusOK, "debts", pg)
}

// shortfallLine says in one sentence what could not be paid, to whom, and when.
func shortfallLine(T texts, when string, amount money.Cents, kind, creditor, lang string) string {
	if noun := T.Pay.Noun[kind]; noun != "" {
		return fmt.Sprintf(T.Short.WithNoun, when, eur(amount, lang), noun, creditor)
	}
	return fmt.Sprintf(T.Short.Plain, when, eur(amount, lang), creditor)
}

// newShortfallNotice returns the notice of lines; nil without any.
func newShortfallNotice(T shortfallTexts, lines []string) *shortfallNotice {
	if len(lines) == 0 {
		return nil
	}
	return &shortfallNotice{Title: T.Title, Intro: T.Intro, Help: T.Help, Lines: lines}
}

// resultShortfalls are the deductions of a month the engine could not pay in full
// (docs/domain.md §3: requested − applied), as sentences.
func resultShortfalls(T texts, period bijstand.Period, res bijstand.Result, lang string) *shortfallNotice {
	var lines []string
	for _, d := range res.Deductions {
		if d.Shortfall > 0 {
			name := d.Label
			if name == "" {
				name = d.ID
			}
			lines = append(lines, shortfallLine(T, monthName(period, lang), d.Shortfall, "", name, lang))
		}
	}
	return newShortfallNotice(T.Short, lines)
}
