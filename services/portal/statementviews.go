package portal

import (
	"net/http"
	"strconv"

	"github.com/plein-nl/plein/platform/money"
)

// specView is a settled month as its page and its PDF show it.
type specView struct {
	Heading, Gemeente, Resident string
	Paid, PayDate               string
	NothingPaid                 bool // nothing reached the resident's account this month
	Gross, Net                  string
	Wages                       []wageRow
	// Lines is the calculation, line by line with its articles, when the month
	// replays to its stored cents; otherwise Stored are the stored amounts and
	// NotVerified says honestly why there is no explanation.
	Lines, Stored []line
	NotVerified   string
	Uncomputed    bool
	Deductions    []deductionRow
	// Extra are the amounts paid beside the payout: vakantiegeld, a nabetaling.
	Extra            []line
	Held, HoldText   string
	Receipt          []receiptRow
	PDF, List, Year  string
	YearText, PDFTxt string
}

type wageRow struct{ Employer, Gross, Net string }

type deductionRow struct{ To, Reference, Amount, NotPaid string }

type receiptRow struct{ Label, Value string }

// monthSpec is the view of st for v's resident.
func (p *Portal) monthSpec(v *visit, st Statement) specView {
	T, M, lang := v.pg.T.Spec, v.pg.T.Month, v.lang()
	view := specView{
		Heading:  T.Heading + " " + monthName(st.Period, lang),
		Gemeente: v.tenant.Config.Name, Resident: v.sess.Identity.Name,
		Paid:  eur(st.Paid(), lang),
		Gross: eur(st.Gross(), lang), Net: eur(st.Net(), lang),
		PDF: v.monthURL(st.Period, true), List: withQuery(v.url(navStatements), lang),
		Year: v.yearURL(st.Period.Year, false), YearText: T.YearTitle + " " + strconv.Itoa(st.Period.Year),
		Uncomputed: st.Uncomputed,
	}
	if view.Resident == "" {
		view.Resident = v.sess.Identity.Subject
	}
	view.NothingPaid = st.Paid() == 0
	if !st.PayDate.IsZero() && !view.NothingPaid {
		view.PayDate = longDate(st.PayDate, lang)
	}
	for _, w := range st.Wages {
		view.Wages = append(view.Wages, wageRow{Employer: w.Employer, Gross: eur(w.Gross, lang), Net: eur(w.Net, lang)})
	}
	switch {
	case st.Uncomputed:
	case st.Verified:
		view.Lines = explain(st.Result, lang, M)
	default:
		view.NotVerified = T.NotVerifiedDiff
		if st.LawFile == "" {
			view.NotVerified = T.NotVerifiedOld
		}
		view.Stored = []line{
			{Key: "bijstand", Label: M.Bijstand, Amount: eur(st.Bijstand, lang), Total: true},
			{Key: "reserve", Label: M.Reserve, Amount: eur(-st.Reserve, lang)},
			{Key: "applied", Label: T.DeductionsTitle, Amount: eur(-st.Applied, lang)},
			{Key: "payout", Label: M.Payout, Amount: eur(st.Payout, lang), Total: true},
		}
	}
	for _, d := range st.Deductions {
		row := deductionRow{To: d.CreditorName, Reference: d.Reference, Amount: eur(d.Applied, lang)}
		if d.Shortfall > 0 {
			row.NotPaid = T.NotPaid + " " + eur(d.Shortfall, lang)
		}
		view.Deductions = append(view.Deductions, row)
	}
	if st.Vakantietoeslag > 0 {
		view.Extra = append(view.Extra, line{Key: "vakantietoeslag", Label: T.Vakantietoeslag, Amount: eur(st.Vakantietoeslag, lang),
			Why: []string{T.VakantietoeslagWords}})
	}
	if st.Released > 0 {
		view.Extra = append(view.Extra, line{Key: "released", Label: T.Released, Amount: eur(st.Released, lang), Why: []string{T.ReleasedWords}})
	}
	if h := st.Held(); h > 0 {
		view.Held, view.HoldText = eur(h, lang), T.HoldOther
		if st.Hold == HoldIBAN {
			view.HoldText = T.HoldIBAN
		}
	}
	if st.LawFile != "" {
		view.Receipt = []receiptRow{{T.LawFile, st.LawFile}, {T.Engine, st.EngineVersion},
			{T.Config, strconv.Itoa(st.ConfigVersion)}, {T.Hash, st.InputsSHA256}}
	}
	return view
}

// listView is the content of "Mijn specificaties".
type listView struct {
	Months []listRow
	Years  []yearLink
}

type listRow struct{ Month, Href, Paid, Date string }

type yearLink struct{ Text, Href string }

func (p *Portal) statementList(w http.ResponseWriter, r *http.Request, v *visit) {
	months, err := p.cfg.Statements.Months(r.Context(), v.tenantID(), v.residentID())
	if err != nil {
		p.failErr(w, r, v, err)
		return
	}
	lang := v.lang()
	var view listView
	for _, m := range months {
		st, err := p.cfg.Statements.Month(r.Context(), v.tenantID(), v.residentID(), m)
		if err != nil {
			p.failErr(w, r, v, err)
			return
		}
		row := listRow{Month: monthName(m, lang), Href: v.monthURL(m, false), Paid: eur(st.Paid(), lang)}
		switch {
		case st.Paid() == 0 && st.Held() > 0:
			row.Date = v.pg.T.Spec.HoldTitle
		case st.Paid() > 0 && !st.PayDate.IsZero():
			row.Date = longDate(st.PayDate, lang)
		}
		view.Months = append(view.Months, row)
		if n := len(view.Years); n == 0 || view.Years[n-1].Text != v.pg.T.Spec.YearTitle+" "+strconv.Itoa(m.Year) {
			view.Years = append(view.Years, yearLink{Text: v.pg.T.Spec.YearTitle + " " + strconv.Itoa(m.Year), Href: v.yearURL(m.Year, false)})
		}
	}
	pg := v.pg
	pg.Title = v.pg.T.Spec.Title
	pg.Data = view
	p.render(w, r, http.StatusOK, "statements", pg)
}

// Year is a resident's settled months of one calendar year, added up.
type Year struct {
	Year   int
	Months []Statement // oldest first
}

// yearKind is a total of the year by kind.
type yearKind struct {
	Bijstand, Reserve, Vakantietoeslag, Paid, Released, Gross, Net money.Cents
	// Creditors are the deductions paid per creditor, in order of first payment.
	Creditors []creditorTotal
}

type creditorTotal struct {
	Name   string
	Amount money.Cents
}

// totals adds up the year's months by kind.
func (y Year) totals() yearKind {
	var k yearKind
	for _, st := range y.Months {
		k.Bijstand += st.Bijstand
		k.Reserve += st.Reserve
		k.Vakantietoeslag += st.Vakantietoeslag
		k.Paid += st.Paid()
		k.Released += st.Released
		k.Gross += st.Gross()
		k.Net += st.Net()
		for _, d := range st.Deductions {
			i := 0
			for i < len(k.Creditors) && k.Creditors[i].Name != d.CreditorName {
				i++
			}
			if i == len(k.Creditors) {
				k.Creditors = append(k.Creditors, creditorTotal{Name: d.CreditorName})
			}
			k.Creditors[i].Amount += d.Applied
		}
	}
	return k
}

// yearView is the content of a year overview, as its page and its PDF show it.
type yearView struct {
	Heading, Gemeente, Resident string
	Rows                        []yearRow
	Total                       yearRow
	Kinds                       []line
	PDF, List                   string
}

// yearRow is a month of the year overview (or its total).
type yearRow struct {
	Month, Href, Bijstand, Reserve, Applied, Paid, Gross, Net string
	Total                                                     bool
}

func (p *Portal) statementYear(w http.ResponseWriter, r *http.Request, v *visit) {
	s, pdf := splitPDF(r.PathValue("jaar"))
	year, err := strconv.Atoi(s)
	if err != nil || strconv.Itoa(year) != s || year < 2000 || year > 9999 {
		p.fail(w, r, v, http.StatusNotFound, v.pg.T.Spec.NotFound)
		return
	}
	months, err := p.cfg.Statements.Months(r.Context(), v.tenantID(), v.residentID())
	if err != nil {
		p.failErr(w, r, v, err)
		return
	}
	y := Year{Year: year}
	for i := len(months) - 1; i >= 0; i-- { // oldest first
		if months[i].Year != year {
			continue
		}
		st, err := p.cfg.Statements.Month(r.Context(), v.tenantID(), v.residentID(), months[i])
		if err != nil {
			p.statementFail(w, r, v, err)
			return
		}
		y.Months = append(y.Months, st)
	}
	if len(y.Months) == 0 {
		p.fail(w, r, v, http.StatusNotFound, v.pg.T.Spec.NotFound)
		return
	}
	view := yearOverview(v, y)
	if pdf {
		p.sendPDF(w, r, v, "jaaroverzicht-"+s+".pdf", func() ([]byte, error) { return yearPDF(v, view) })
		return
	}
	pg := v.pg
	pg.Title = view.Heading
	pg.Data = view
	p.render(w, r, http.StatusOK, "statementyear", pg)
}

// yearOverview is the view of y for v's resident.
func yearOverview(v *visit, y Year) yearView {
	T, M, lang := v.pg.T.Spec, v.pg.T.Month, v.lang()
	view := yearView{Heading: T.YearTitle + " " + strconv.Itoa(y.Year), Gemeente: v.tenant.Config.Name,
		Resident: v.sess.Identity.Name, PDF: v.yearURL(y.Year, true), List: withQuery(v.url(navStatements), lang)}
	if view.Resident == "" {
		view.Resident = v.sess.Identity.Subject
	}
	for _, st := range y.Months {
		view.Rows = append(view.Rows, yearRow{Month: monthName(st.Period, lang), Href: v.monthURL(st.Period, false),
			Bijstand: eur(st.Bijstand, lang), Reserve: eur(st.Reserve, lang), Applied: eur(st.Applied, lang),
			Paid: eur(st.Paid(), lang), Gross: eur(st.Gross(), lang), Net: eur(st.Net(), lang)})
	}
	k := y.totals()
	var applied money.Cents
	for _, c := range k.Creditors {
		applied += c.Amount
	}
	view.Total = yearRow{Month: T.Total, Bijstand: eur(k.Bijstand, lang), Reserve: eur(k.Reserve, lang),
		Applied: eur(applied, lang), Paid: eur(k.Paid, lang), Gross: eur(k.Gross, lang), Net: eur(k.Net, lang), Total: true}
	view.Rows = append(view.Rows, view.Total)
	add := func(key, label string, c money.Cents) {
		view.Kinds = append(view.Kinds, line{Key: key, Label: label, Amount: eur(c, lang)})
	}
	add("bijstand", M.Bijstand, k.Bijstand)
	add("reserve", M.Reserve, k.Reserve)
	add("vakantietoeslag", T.Vakantietoeslag, k.Vakantietoeslag)
	for _, c := range k.Creditors {
		add("creditor", T.PaidTo+" "+c.Name, c.Amount)
	}
	add("paid", M.Payout, k.Paid)
	add("released", T.OfWhich, k.Released)
	add("gross", T.Gross, k.Gross)
	add("net", T.Net, k.Net)
	return view
}
