package portal

import (
	"net/http"
	"strings"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/services/income"
)

// whatIfView is the content of "Wat als ik ga werken?": the form, and after a
// submit the comparison of now with the planned job, by the same engine.
type whatIfView struct {
	Errors              []errorLink
	ErrorTitle          string
	Hours, Wage, Net    *field
	Action              string
	Shown               bool // a result is shown
	Rows                []compareRow
	Verdict, Difference string
	How                 []string // the trace of the planned month
}

type compareRow struct {
	Label, Now, IfWork string
	Total              bool
}

func (v *whatIfView) byKey(key string) *field {
	switch key {
	case "hours":
		return v.Hours
	case "wage", "gross":
		return v.Wage
	case "net":
		return v.Net
	}
	return nil
}

// whatIf answers on GET: the question changes nothing, so the answer can be
// bookmarked and works without JavaScript.
func (p *Portal) whatIf(w http.ResponseWriter, r *http.Request, v *visit) {
	T := v.pg.T.WhatIf
	lang := v.lang()
	q := r.URL.Query()
	view := &whatIfView{
		ErrorTitle: v.pg.T.Form.ErrorTitle,
		Hours:      &field{Name: "uren", Label: T.Hours, Hint: T.HoursHint, InputMode: "decimal", Class: "input--short", Value: q.Get("uren")},
		Wage:       &field{Name: "uurloon", Label: T.Wage, Hint: T.WageHint, InputMode: "decimal", Class: "input--amount", Value: q.Get("uurloon")},
		Net:        &field{Name: "netto", Label: T.Net, Hint: T.NetHint, InputMode: "decimal", Class: "input--amount", Optional: v.pg.T.Form.Optional, Value: q.Get("netto")},
		Action:     v.url(navWhatIf),
	}
	pg := v.pg
	pg.Title = T.Title
	status := http.StatusOK
	if q.Has("uren") || q.Has("uurloon") {
		if p.cfg.Limit != nil && !p.cfg.Limit(w, r, v.tenantID(), v.sess.Identity.Subject) {
			return
		}
		errs := &formErrors{lang: lang, fields: []*field{view.Hours, view.Wage, view.Net}}
		plan := readWhatIf(view, errs, lang)
		if len(errs.summary()) == 0 {
			period := p.thisMonth()
			now, err := p.cfg.Income.Month(r.Context(), v.tenantID(), v.residentID(), period)
			if err != nil {
				p.failErr(w, r, v, err)
				return
			}
			planned, err := p.cfg.Income.WhatIf(r.Context(), v.tenantID(), v.residentID(), period, plan)
			if err != nil {
				if !p.serviceErrors(err, lang, errs, view.byKey, view.Hours) {
					p.failErr(w, r, v, err)
					return
				}
			} else {
				view.fill(now.Result, planned.Result, lang, T)
			}
		}
		if view.Errors = errs.summary(); len(view.Errors) > 0 {
			pg.Title = pg.T.Form.ErrorPrefix + ": " + pg.Title
			status = http.StatusUnprocessableEntity
		}
	}
	pg.Data = view
	p.render(w, r, status, "whatif", pg)
}

// readWhatIf reads the what-if form's fields into a WhatIf, putting each problem on
// its own field in errs.
func readWhatIf(view *whatIfView, errs *formErrors, lang string) income.WhatIf {
	var plan income.WhatIf
	var m *msg
	if plan.HoursPerWeekCenti, m = parseHours(view.Hours.Value); m != nil {
		errs.set(view.Hours, m.in(lang))
	} else if plan.HoursPerWeekCenti <= 0 || plan.HoursPerWeekCenti > 6000 {
		errs.set(view.Hours, msgWeekHours.in(lang))
	}
	if plan.HourlyWage, m = parseAmount(view.Wage.Value); m != nil {
		errs.set(view.Wage, m.in(lang))
	} else if plan.HourlyWage > 20000 {
		errs.set(view.Wage, msgWageRange.in(lang))
	}
	if strings.TrimSpace(view.Net.Value) != "" {
		if plan.Net, m = parseAmount(view.Net.Value); m != nil {
			errs.set(view.Net, m.in(lang))
		}
	}
	return plan
}

// fill compares now with the planned month, line by line, and says in one sentence
// what the job changes: wage and payout together.
func (v *whatIfView) fill(now, planned bijstand.Result, lang string, T whatIfTexts) {
	onBehalf := func(res bijstand.Result) money.Cents {
		var sum money.Cents
		for _, d := range res.Deductions {
			sum += d.Applied
		}
		return sum
	}
	row := func(label string, a, b money.Cents, total bool) compareRow {
		return compareRow{Label: label, Now: eur(a, lang), IfWork: eur(b, lang), Total: total}
	}
	totalNow, totalPlanned := now.Income+now.Payout, planned.Income+planned.Payout
	v.Shown = true
	v.Rows = []compareRow{
		row(T.Wage2, now.Income, planned.Income, false),
		row(T.Keep, now.Vrijlating, planned.Vrijlating, false),
		row(T.Bijstand, now.Bijstand, planned.Bijstand, false),
		row(T.Reserve, -now.VakantietoeslagReserve, -planned.VakantietoeslagReserve, false),
		row(T.OnBehalf, -onBehalf(now), -onBehalf(planned), false),
		row(T.Payout, now.Payout, planned.Payout, true),
		row(T.Total, totalNow, totalPlanned, true),
	}
	switch diff := totalPlanned - totalNow; {
	case diff > 0:
		v.Verdict, v.Difference = T.More, eur(diff, lang)
	case diff < 0:
		v.Verdict, v.Difference = T.Less, eur(-diff, lang)
	default:
		v.Verdict = T.Same
	}
	for _, s := range planned.Trace {
		if s.Code == bijstand.StepBeslagvrijeVoet || s.Code == bijstand.StepCapacity {
			continue
		}
		v.How = append(v.How, s.Text(lang))
	}
}
