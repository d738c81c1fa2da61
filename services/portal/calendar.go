package portal

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/money"
)

// calendarRow is one entry of the Geldkalender.
type calendarRow struct {
	Date, What, Amount string
	Payout             bool
	at                 time.Time
}

// calendarView is the content of the Geldkalender.
type calendarView struct {
	Heading    string
	Rows       []calendarRow
	TotalPaid  string // "" without payments
	Shortfall  *shortfallNotice
	ToPayments string
}

// calendar shows the coming month: the payout of bijstand on its date, and every
// payment made for the resident. Payments go out on the payout date, in the same
// run, unless the plan names a date of its own in that month.
func (p *Portal) calendar(w http.ResponseWriter, r *http.Request, v *visit) {
	T, lang := v.pg.T.Cal, v.lang()
	period := p.thisMonth().Next()
	m, err := p.cfg.Income.Month(r.Context(), v.tenantID(), v.residentID(), period)
	if err != nil {
		p.failErr(w, r, v, err)
		return
	}
	plans, err := p.cfg.Payments.Plans(r.Context(), v.tenantID(), v.residentID())
	if err != nil {
		p.failErr(w, r, v, err)
		return
	}
	payDate := m.PayDate
	dateText := func(d time.Time) string {
		if d.IsZero() {
			return T.DateUnknown
		}
		return longDate(d, lang)
	}
	view := calendarView{
		Heading:    T.HeadingPrefix + " " + monthName(period, lang),
		Shortfall:  resultShortfalls(v.pg.T, period, m.Result, lang),
		ToPayments: withQuery(v.url(navPayments), lang),
	}
	var total money.Cents
	for _, pl := range plans {
		if !paidIn(pl, period) {
			continue
		}
		at := payDate
		if !pl.NextDate.IsZero() && bijstand.PeriodOf(pl.NextDate.In(p.loc)) == period {
			at = pl.NextDate.In(p.loc)
		}
		view.Rows = append(view.Rows, calendarRow{Date: dateText(at), What: p.paymentWords(v, pl), Amount: eur(pl.Amount, lang), at: at})
		total += pl.Amount
	}
	if len(view.Rows) > 0 {
		view.TotalPaid = eur(total, lang)
	}
	view.Rows = append(view.Rows, calendarRow{Date: dateText(payDate), What: T.Payout, Amount: eur(m.Result.Payout, lang), Payout: true, at: payDate})
	// By date; on the payout date the payments come first, the payout last. An
	// unknown date sorts with the payout.
	slices.SortStableFunc(view.Rows, func(a, b calendarRow) int {
		return cmp.Or(a.at.Compare(b.at), cmp.Compare(boolRank(a.Payout), boolRank(b.Payout)))
	})
	pg := v.pg
	pg.Title = T.Title
	pg.Data = view
	p.render(w, r, http.StatusOK, "calendar", pg)
}

// paidIn reports whether plan pl pays in month m: approved or active, started,
// and not ended before m.
func paidIn(pl PaymentPlan, m bijstand.Period) bool {
	if pl.Status != PlanActive && pl.Status != PlanApproved {
		return false
	}
	if start, err := bijstand.ParsePeriod(pl.Start); err == nil && m.First().Before(start.First()) {
		return false
	}
	if end, err := bijstand.ParsePeriod(pl.End); err == nil && m.First().After(end.First()) {
		return false
	}
	return true
}

// paymentWords says what a payment does: "Wij betalen uw zorgpremie aan Zilveren
// Kruis", or for a deduction that is no payment on her behalf "Wij houden geld in
// voor X (Beslag)".
func (p *Portal) paymentWords(v *visit, pl PaymentPlan) string {
	T, P := v.pg.T.Cal, v.pg.T.Pay
	if pl.Kind != "" && pl.Kind != PlanOnBehalf {
		return T.KeptFor + " " + pl.CreditorName + " (" + strings.ToLower(planWhat(pl, P)) + ")"
	}
	if noun := P.Noun[strings.ToLower(pl.CreditorKind)]; noun != "" {
		return T.PaysFor + " " + noun + " " + T.PaysTo + " " + pl.CreditorName
	}
	return T.PaysFor + " " + T.PaysTo + " " + pl.CreditorName
}
