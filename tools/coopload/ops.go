package main

import (
	"encoding/json"
	"fmt"
	"html"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/tools/internal/devapi"
)

const purpose = "purpose=belastingtest+coopload"

// classify turns an answer into an outcome: no answer or a 5xx is a fault, another
// status than want is wrong, and an answer that carries another gemeente's data has
// crossed.
func (l *load) classify(g *gemeente, what string, a devapi.Answer, err error, want int) (outcome, string) {
	status, body := a.Status, a.Body
	switch {
	case err != nil:
		return fault, what + ": " + err.Error()
	case status >= 500:
		return fault, fmt.Sprintf("%s: status %d", what, status)
	case status != want:
		return wrong, fmt.Sprintf("%s: status %d, want %d: %.200s", what, status, want, body)
	}
	if f := l.foreign(g, body); f != "" {
		return crossed, what + ": the answer carries " + f
	}
	return ok, ""
}

// portalRead is the demo resident opening the portal's home page or Deze maand: the
// page must be of the gemeente asked (its name and its theme).
func (l *load) portalRead(g *gemeente, rng *rand.Rand) (outcome, string) {
	path := "/t/" + g.id + "/"
	if rng.IntN(2) == 0 {
		path += "mijn/"
	}
	a, err := devapi.Do(g.resident, http.MethodGet, g.base+path, "", nil)
	o, d := l.classify(g, "GET "+path, a, err, http.StatusOK)
	if body := string(a.Body); o == ok && (!strings.Contains(body, html.EscapeString(g.name)) || !strings.Contains(body, "/t/"+g.id+"/theme.css")) {
		return wrong, "GET " + path + ": the page has not the name or the theme of " + g.name
	}
	return o, d
}

// payslip hands in a payslip with an employer name unique in the run: half by the demo
// resident in the portal (the form, answered 303 to Deze maand), half by a consulent
// through the API for a resident of this run (201). It records the write.
func (l *load) payslip(g *gemeente, rng *rand.Rand) (outcome, string) {
	employer := fmt.Sprintf("Coopload %d", l.seq.Add(1))
	net := 40000 + rng.Int64N(40000)
	start, end := l.period.AddDate(0, -1, 0), l.period.AddDate(0, 0, -1)
	var o outcome
	var d, resident string
	if rng.IntN(2) == 0 {
		resident = g.demo
		form := url.Values{"werkgever": {employer}, "periode_begin": {start.Format("2-1-2006")},
			"periode_eind": {end.Format("2-1-2006")}, "bruto": {euros(net + 15000)}, "netto": {euros(net)},
			"uren": {"64"}, "betaaldatum": {l.period.Format("2-1-2006")}, auth.CSRFField: {g.csrf}}
		a, err := devapi.Do(g.resident, http.MethodPost, g.base+"/t/"+g.id+"/loonstrook",
			"application/x-www-form-urlencoded", []byte(form.Encode()))
		o, d = l.classify(g, "POST /t/"+g.id+"/loonstrook", a, err, http.StatusSeeOther)
		if loc := a.Header.Get("Location"); o == ok && !strings.Contains(loc, "ontvangen=1") {
			o, d = wrong, "POST /t/"+g.id+"/loonstrook: redirected to "+loc+", not to Deze maand with the payslip received"
		}
	} else {
		resident = g.ids[rng.IntN(len(g.ids))]
		b, _ := json.Marshal(map[string]any{"applicant": 0, "employer": employer,
			"period_start": start.Format("2006-01-02"), "period_end": end.Format("2006-01-02"), "gross_cents": net + 15000,
			"net_cents": net, "hours_centi": 6400, "pay_date": l.period.Format("2006-01-02")})
		a, err := devapi.Do(g.staff, http.MethodPost, g.api()+"/residents/"+resident+"/payslips", "application/json", b)
		o, d = l.classify(g, "POST …/payslips", a, err, http.StatusCreated)
	}
	l.mu.Lock()
	l.writes = append(l.writes, write{g: g, resident: resident, employer: employer, outcome: o})
	l.mu.Unlock()
	return o, d
}

// euros writes cents as the portal's form takes them: "612,34".
func euros(c int64) string { return fmt.Sprintf("%d,%02d", c/100, c%100) }

// staffRead is a consulent reading a resident's month (recomputed by the engine) or
// the resident's payment plans through the API.
func (l *load) staffRead(g *gemeente, rng *rand.Rand) (outcome, string) {
	id := g.demo
	if n := rng.IntN(len(g.ids) + 1); n < len(g.ids) {
		id = g.ids[n]
	}
	u := g.api() + "/residents/" + id + "/plans?" + purpose
	if rng.IntN(2) == 0 {
		u = g.api() + "/residents/" + id + "/months/" + l.period.Format("2006-01") + "?" + purpose
	}
	a, err := devapi.Do(g.staff, http.MethodGet, u, "", nil)
	return l.classify(g, "GET "+strings.TrimPrefix(u, g.base), a, err, http.StatusOK)
}

// tryCross uses a session of g against h's URLs: the resident's on h's Deze maand, or
// the consulent's on h's demo resident. Any 2xx is a cross-gemeente answer.
func (l *load) tryCross(g, h *gemeente, rng *rand.Rand) (outcome, string) {
	c, u := g.resident, h.base+"/t/"+h.id+"/mijn/"
	if rng.IntN(2) == 0 {
		c, u = g.staff, h.api()+"/residents/"+h.demo+"/months/"+l.period.Format("2006-01")+"?"+purpose
	}
	a, err := devapi.Do(c, http.MethodGet, u, "", nil)
	what := fmt.Sprintf("a session of %s on GET %s", g.id, strings.TrimPrefix(u, g.base))
	switch {
	case err != nil:
		return fault, what + ": " + err.Error()
	case a.Status >= 500:
		return fault, fmt.Sprintf("%s: status %d", what, a.Status)
	case a.Status < 300:
		return crossed, fmt.Sprintf("%s: status %d: %.200s", what, a.Status, a.Body)
	}
	return ok, ""
}
