package portal

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/money"
)

// monthView is the content of "Deze maand".
type monthView struct {
	Heading         string // "Uw geld in maart 2026"
	Notice          string // a month outside the range was asked for
	StaleLaw        string // the month is computed with norms whose indexation is overdue
	Received        bool   // a payslip was just handed in
	ReceivedReview  bool   // …as a correction that waits for the consulent
	Shortfall       *shortfallNotice
	Payout, PayDate string
	Lines           []line
	Payslips        []payslipRow
	PayslipCaption  string
	Prev, Next      string // hrefs of the month switch; "" when out of range
	PrevText        string
	NextText        string
}

// line is one row of the explanation: what, how much, and why (from the trace), with
// the articles of law the trace names for it.
type line struct {
	Key, Label, Amount string
	Why, Articles      []string
	Total              bool
}

type payslipRow struct {
	Employer, Period, Paid, Net, Hours string
}

func (p *Portal) month(w http.ResponseWriter, r *http.Request, v *visit) {
	T := v.pg.T
	period := p.thisMonth()
	var notice string
	if s := r.URL.Query().Get("maand"); s != "" {
		m, err := bijstand.ParsePeriod(s)
		if err != nil || !p.monthAllowed(m) {
			notice = T.Month.OutOfRange
		} else {
			period = m
		}
	}
	m, err := p.cfg.Income.Month(r.Context(), v.tenantID(), v.residentID(), period)
	if err != nil {
		p.failErr(w, r, v, err)
		return
	}
	lang := v.lang()
	view := monthView{
		Heading:        T.Month.HeadingPrefix + " " + monthName(period, lang),
		Notice:         notice,
		Received:       r.URL.Query().Get("ontvangen") == "1" && notice == "",
		ReceivedReview: r.URL.Query().Get("ontvangen") == "controle" && notice == "",
		Payout:         eur(m.Result.Payout, lang),
		Lines:          explain(m.Result, lang, T.Month),
		PayslipCaption: T.Month.PayslipCaption + " " + monthName(period, lang),
		PrevText:       T.Month.Prev + ": " + monthName(period.Prev(), lang),
		NextText:       T.Month.Next + ": " + monthName(period.Next(), lang),
		Shortfall:      resultShortfalls(v.pg.T, period, m.Result, lang),
	}
	if !m.PayDate.IsZero() {
		view.PayDate = longDate(m.PayDate, lang)
	}
	if m.Result.Law.Stale {
		view.StaleLaw = fmt.Sprintf(staleLawTexts[lang], longDate(m.Result.Law.ValidFrom, lang))
	}
	for _, ps := range m.Payslips {
		view.Payslips = append(view.Payslips, payslipRow{
			Employer: ps.Employer,
			Period:   shortDate(ps.PeriodStart) + " – " + shortDate(ps.PeriodEnd),
			Paid:     longDate(ps.PayDate, lang),
			Net:      eur(ps.Net, lang),
			Hours:    hours(ps.HoursCenti, lang),
		})
	}
	if pm := period.Prev(); p.monthAllowed(pm) {
		view.Prev = withQuery(v.url(navMonth), lang, "maand", pm.String())
	}
	if nm := period.Next(); p.monthAllowed(nm) {
		view.Next = withQuery(v.url(navMonth), lang, "maand", nm.String())
	}
	pg := v.pg
	pg.Title = T.Month.Title
	pg.Data = view
	p.render(w, r, http.StatusOK, "month", pg)
}

// staleLawTexts are said when a month is computed with norms whose indexation is
// overdue (bijstand.LawUsed.Stale), by language; %s is the date those norms are from.
// Kept out of textsFor, which is long enough.
var staleLawTexts = map[string]string{
	"nl": "De bedragen zijn berekend met de normen van %s. De nieuwe normen hebben wij nog niet. " +
		"Zijn die anders? Dan passen wij uw bijstand later aan.",
	"en": "We worked out these amounts with the norms of %s. We do not have the new norms yet. " +
		"If they are different, we will change your bijstand later.",
}

// explain turns the engine's result into the lines of "Deze maand", each with the
// trace's own sentences (Step.Text) as its reason and the articles of law they apply,
// in the order of the calculation.
func explain(res bijstand.Result, lang string, T monthTexts) []line {
	norm := line{Key: "norm", Label: T.Norm, Amount: eur(res.Norm, lang), Why: []string{T.NormWords}}
	inc := line{Key: "income", Label: T.Income, Amount: eur(res.Income, lang)}
	vrij := line{Key: "vrijlating", Label: T.Vrijlating, Amount: eur(res.Vrijlating, lang)}
	counted := line{Key: "counted", Label: T.Counted, Amount: eur(res.CountedIncome, lang)}
	bij := line{Key: "bijstand", Label: T.Bijstand, Amount: eur(res.Bijstand, lang), Total: true}
	reserve := line{Key: "reserve", Label: T.Reserve, Amount: eur(-res.VakantietoeslagReserve, lang), Why: []string{T.ReserveWords}}
	protected := line{Key: "protected", Label: T.Protected, Amount: eur(res.BeslagvrijeVoet, lang)}
	payout := line{Key: "payout", Label: T.Payout, Amount: eur(res.Payout, lang), Total: true}
	var deductions []line
	garnish := false
	for _, s := range res.Trace {
		var to *line
		switch s.Code {
		case bijstand.StepKostendelers:
			norm.Why = append(norm.Why, T.KostendelersWords)
			to = &norm
		case bijstand.StepIncome:
			to = &inc
		case bijstand.StepVrijlating, bijstand.StepVrijlatingNone:
			to = &vrij
		case bijstand.StepCountedIncome:
			to = &counted
		case bijstand.StepBijstand:
			to = &bij
		case bijstand.StepReserve:
			to = &reserve
		case bijstand.StepBeslagvrijeVoet, bijstand.StepCapacity:
			to = &protected
		case bijstand.StepDeduction:
			label := T.OnBehalf
			if s.Args[0] != 0 { // not on_behalf
				label = T.Deduction
				garnish = true
			}
			if s.Ref != "" {
				label += ": " + s.Ref
			}
			deductions = append(deductions, line{Key: "deduction", Label: label, Amount: eur(-s.Amount, lang)})
			to = &deductions[len(deductions)-1]
		case bijstand.StepPayout:
			to = &payout
		default: // age, the norm's parts, the norm itself
			to = &norm
		}
		to.Why = append(to.Why, s.Text(lang))
		if s.Article != "" && !slices.Contains(to.Articles, s.Article) {
			to.Articles = append(to.Articles, s.Article)
		}
	}
	if len(vrij.Why) == 0 {
		vrij.Why = []string{T.NoWork}
	}
	out := []line{norm, inc, vrij, counted, bij, reserve}
	if garnish {
		out = append(out, protected)
	}
	out = append(out, deductions...)
	return append(out, payout)
}

// eur formats an amount the resident's way: "€ 1.401,50", or "€1,401.50" in English.
func eur(c money.Cents, lang string) string {
	if lang == "en" {
		return c.FormatEN()
	}
	return c.String()
}

func monthName(m bijstand.Period, lang string) string {
	names := monthNamesNL
	if lang == "en" {
		names = monthNamesEN
	}
	return names[m.Month-1] + " " + strconv.Itoa(m.Year)
}

// longDate writes a date as "25 maart 2026" or "25 March 2026".
func longDate(t time.Time, lang string) string {
	names := monthNamesNL
	if lang == "en" {
		names = monthNamesEN
	}
	return fmt.Sprintf("%d %s %d", t.Day(), names[t.Month()-1], t.Year())
}

// shortDate writes a date as 31-03-2026, the way the forms ask for it.
func shortDate(t time.Time) string { return t.Format("02-01-2006") }

// hours writes hours × 100 as "64" or "69,5" ("69.5" in English).
func hours(centi int64, lang string) string {
	sep := ","
	if lang == "en" {
		sep = "."
	}
	whole, frac := centi/100, centi%100
	switch {
	case frac == 0:
		return strconv.FormatInt(whole, 10)
	case frac%10 == 0:
		return fmt.Sprintf("%d%s%d", whole, sep, frac/10)
	}
	return fmt.Sprintf("%d%s%02d", whole, sep, frac)
}
