package portal

import (
	"errors"
	"net/http"
	"slices"

	"github.com/plein-nl/plein/services/income"
)

// consentView is the content of "Toestemming werkgever".
type consentView struct {
	Done, Error string // what just happened, or what went wrong
	Employers   []consentRow
	Action      string
	CSRF        string
}

type consentRow struct {
	ID, Name, State string
	Given           bool
}

// Form values of the consent form.
const (
	consentGrant  = "geven"
	consentRevoke = "intrekken"
)

func (p *Portal) consentPage(w http.ResponseWriter, r *http.Request, v *visit) {
	var done string
	switch r.URL.Query().Get("gedaan") {
	case consentGrant:
		done = v.pg.T.Consent.Granted
	case consentRevoke:
		done = v.pg.T.Consent.Revoked
	}
	p.renderConsent(w, r, v, http.StatusOK, done, "")
}

func (p *Portal) renderConsent(w http.ResponseWriter, r *http.Request, v *visit, status int, done, problem string) {
	T := v.pg.T.Consent
	ctx := r.Context()
	employers, err := p.cfg.Income.Employers(ctx, v.tenantID())
	if err != nil {
		p.failErr(w, r, v, err)
		return
	}
	consents, err := p.cfg.Income.Consents(ctx, v.tenantID(), v.residentID())
	if err != nil {
		p.failErr(w, r, v, err)
		return
	}
	view := consentView{Done: done, Error: problem, Action: withQuery(v.url(navConsent), v.lang()), CSRF: v.sess.CSRFToken()}
	for _, e := range employers {
		row := consentRow{ID: e.ID, Name: e.Name, State: T.NotGiven}
		// Consents come newest first: the first for an employer is its state.
		if i := slices.IndexFunc(consents, func(c income.Consent) bool { return c.EmployerID == e.ID }); i >= 0 && consents[i].RevokedAt == nil {
			row.Given = true
			row.State = T.Given + " " + longDate(consents[i].GrantedAt.In(p.loc), v.lang())
		}
		view.Employers = append(view.Employers, row)
	}
	pg := v.pg
	pg.Title = T.Title
	pg.Data = view
	p.render(w, r, status, "consent", pg)
}

// consentSubmit grants or revokes the consent of one employer of the gemeente.
func (p *Portal) consentSubmit(w http.ResponseWriter, r *http.Request, v *visit) {
	ctx := r.Context()
	id, action := r.PostFormValue("werkgever"), r.PostFormValue("actie")
	employers, err := p.cfg.Income.Employers(ctx, v.tenantID())
	if err != nil {
		p.failErr(w, r, v, err)
		return
	}
	known := slices.ContainsFunc(employers, func(e income.Employer) bool { return e.ID == id })
	if !known || (action != consentGrant && action != consentRevoke) {
		p.renderConsent(w, r, v, http.StatusBadRequest, "", v.pg.T.Fail.BadChoice)
		return
	}
	if action == consentGrant {
		err = p.cfg.Income.GrantConsent(ctx, v.tenantID(), v.residentID(), id)
	} else {
		err = p.cfg.Income.RevokeConsent(ctx, v.tenantID(), v.residentID(), id)
	}
	if errors.Is(err, income.ErrUnknownJob) || errors.Is(err, income.ErrInvalid) {
		p.renderConsent(w, r, v, http.StatusBadRequest, "", v.pg.T.Fail.BadChoice)
		return
	}
	if err != nil {
		p.failErr(w, r, v, err)
		return
	}
	http.Redirect(w, r, withQuery(v.url(navConsent), v.lang(), "gedaan", action), http.StatusSeeOther)
}
