package portal

import (
	"errors"
	"net/http"
	"strings"

	"github.com/plein-nl/plein/platform/auth"
	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/tenant"
	"github.com/plein-nl/plein/services/income"
	"github.com/plein-nl/plein/services/tenancy"
)

// Body limits of the resident's forms. A payslip may carry a PDF of at most 5 MB
// (income.ErrPDFTooBig); the rest of a multipart body is small.
const (
	maxPayslipBody = 6 << 20
	maxFormBody    = 64 << 10
	maxPDF         = 5 << 20
)

// Which page of the menu a page is.
const (
	navMonth    = "mijn/"
	navPayslip  = "loonstrook"
	navWhatIf   = "wat-als"
	navConsent  = "toestemming"
	navPayments = "betalingen/"
	navDebts    = "schulden/"
	navCalendar = "kalender/"
)

// need names the services a page cannot do without; a page whose service is not
// configured answers 503 "not available yet".
type need uint8

const (
	needIncome need = 1 << iota
	needPayments
	needDebts
	needStatements
)

// lacks reports whether a service the page needs is not configured.
func (p *Portal) lacks(n need) bool {
	return n&needIncome != 0 && p.cfg.Income == nil ||
		n&needPayments != 0 && p.cfg.Payments == nil ||
		n&needDebts != 0 && p.cfg.Debts == nil ||
		n&needStatements != 0 && p.cfg.Statements == nil
}

// visit is one request of a logged-in resident: the gemeente, the session, and the
// frame of the page to render.
type visit struct {
	tenant *tenancy.Tenant
	sess   auth.Session
	pg     page
}

func (v *visit) tenantID() tenant.ID    { return v.tenant.Config.ID }
func (v *visit) residentID() string     { return v.sess.Identity.ResidentID }
func (v *visit) lang() string           { return v.pg.Lang }
func (v *visit) url(path string) string { return v.pg.Base + path }

// routeResident registers the pages of a logged-in resident. Every POST passes
// CrossOrigin, needs the session and its CSRF token; a GET never changes state.
func (p *Portal) routeResident() {
	for _, dir := range []string{navMonth, navPayments, navDebts, navCalendar, navStatements} {
		p.mux.HandleFunc("GET /t/{tenant}/"+strings.TrimSuffix(dir, "/"), p.withTenant(func(w http.ResponseWriter, r *http.Request, t *tenancy.Tenant) {
			pg := p.newPage(r, t)
			target := pg.Base + dir
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusMovedPermanently)
		}))
	}
	p.mux.HandleFunc("GET /t/{tenant}/mijn/{$}", p.withResident(navMonth, needIncome, 0, p.month))
	p.mux.HandleFunc("GET /t/{tenant}/loonstrook", p.withResident(navPayslip, needIncome, 0, p.payslipForm))
	p.mux.Handle("POST /t/{tenant}/loonstrook", auth.CrossOrigin(p.withResident(navPayslip, needIncome, maxPayslipBody, p.payslipSubmit)))
	p.mux.HandleFunc("GET /t/{tenant}/wat-als", p.withResident(navWhatIf, needIncome, 0, p.whatIf))
	p.mux.HandleFunc("GET /t/{tenant}/toestemming", p.withResident(navConsent, needIncome, 0, p.consentPage))
	p.mux.Handle("POST /t/{tenant}/toestemming", auth.CrossOrigin(p.withResident(navConsent, needIncome, maxFormBody, p.consentSubmit)))
	p.mux.HandleFunc("GET /t/{tenant}/betalingen/{$}", p.withResident(navPayments, needPayments, 0, p.payments))
	p.mux.HandleFunc("GET /t/{tenant}/betalingen/nieuw", p.withResident(navPayments, needPayments, 0, p.paymentForm))
	p.mux.Handle("POST /t/{tenant}/betalingen/nieuw", auth.CrossOrigin(p.withResident(navPayments, needPayments, maxFormBody, p.paymentSubmit)))
	p.mux.HandleFunc("GET /t/{tenant}/betalingen/{plan}/stoppen", p.withResident(navPayments, needPayments, 0, p.paymentStopConfirm))
	p.mux.Handle("POST /t/{tenant}/betalingen/{plan}/stoppen", auth.CrossOrigin(p.withResident(navPayments, needPayments, maxFormBody, p.paymentStop)))
	p.mux.HandleFunc("GET /t/{tenant}/schulden/{$}", p.withResident(navDebts, needDebts, 0, p.debts))
	p.mux.HandleFunc("GET /t/{tenant}/kalender/{$}", p.withResident(navCalendar, needIncome|needPayments, 0, p.calendar))
	p.routeStatements()
	p.mux.Handle("POST /t/{tenant}/uitloggen", auth.CrossOrigin(p.withTenant(p.logout)))
}

// isResident reports whether s is a resident's session with Plein's id of the
// resident: only such a session sees the resident's pages.
func isResident(s auth.Session) bool {
	return s.Identity.ResidentID != "" && s.Identity.HasRole(auth.RoleResident)
}

// withNav fills the resident's menu; current is the page being shown. A page whose
// service is not configured is left out of the menu.
func (p *Portal) withNav(pg *page, s auth.Session, current string) {
	pg.CSRF = s.CSRFToken()
	n := pg.T.Nav
	for _, l := range []struct {
		path, text string
		needs      need
	}{
		{navMonth, n.Month, 0}, {navStatements, n.Statements, needStatements}, {navPayments, n.Payments, needPayments}, {navCalendar, n.Calendar, needIncome | needPayments},
		{navDebts, n.Debts, needDebts}, {navPayslip, n.Payslip, 0}, {navWhatIf, n.WhatIf, 0}, {navConsent, n.Consent, 0},
	} {
		if p.lacks(l.needs) {
			continue
		}
		pg.Nav = append(pg.Nav, navLink{Href: pg.Base + l.path + pg.LangQuery, Text: l.text, Current: l.path == current})
		if l.path == navStatements {
			pg.Statements = pg.Base + l.path + pg.LangQuery
		}
	}
}

// withResident runs next for a logged-in resident of the gemeente and sends anyone
// else to its login (303); while the session cannot be checked (the revocation store
// is down) it answers 503 and sends no one to the login. For a POST (maxBody > 0) it reads the form within
// maxBody and checks the session's CSRF token (403 without it), and refuses any
// change while the gemeente is suspended or offboarding. A page whose services (needs) are not
// configured answers 503.
func (p *Portal) withResident(current string, needs need, maxBody int64, next func(http.ResponseWriter, *http.Request, *visit)) http.HandlerFunc {
	return p.withTenant(func(w http.ResponseWriter, r *http.Request, t *tenancy.Tenant) {
		w.Header().Set("Cache-Control", "no-store")
		pg := p.newPage(r, t)
		var sess auth.Session
		var err error
		if p.cfg.Sessions == nil {
			err = auth.ErrNoSession
		} else {
			sess, err = p.cfg.Sessions.LoadAndRefresh(w, r, t.Config.ID)
		}
		if errors.Is(err, auth.ErrSessionStore) {
			// The session may well be live: sending the resident to the login (which
			// cannot work either) would drop what they typed. Say it is temporary.
			p.cfg.Log.ErrorContext(r.Context(), "portal: session", "tenant", t.Config.ID, "err", err)
			p.fail(w, r, &visit{tenant: t, pg: pg}, http.StatusServiceUnavailable, pg.T.Fail.LoginUnchecked)
			return
		}
		if err != nil || !isResident(sess) {
			http.Redirect(w, r, pg.Base+"login", http.StatusSeeOther)
			return
		}
		p.withNav(&pg, sess, current)
		v := &visit{tenant: t, sess: sess, pg: pg}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				err = r.ParseMultipartForm(1 << 20)
			} else {
				err = r.ParseForm()
			}
			if err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					p.fail(w, r, v, http.StatusRequestEntityTooLarge, v.pg.T.Payslip.PDFHint)
					return
				}
				p.fail(w, r, v, http.StatusBadRequest, v.pg.T.Fail.Forbidden)
				return
			}
			if err := p.cfg.Sessions.CheckCSRF(r, sess); err != nil {
				p.fail(w, r, v, http.StatusForbidden, v.pg.T.Fail.Forbidden)
				return
			}
			if t.Status == "suspended" || t.Status == "offboarding" {
				p.fail(w, r, v, http.StatusForbidden, v.pg.T.Fail.ReadOnly)
				return
			}
		}
		if p.lacks(needs) {
			p.fail(w, r, v, http.StatusServiceUnavailable, v.pg.T.Fail.Unavailable)
			return
		}
		next(w, r, v)
	})
}

// failView is the content of the error page.
type failView struct{ Message string }

// fail renders the error page in the gemeente's frame.
func (p *Portal) fail(w http.ResponseWriter, r *http.Request, v *visit, status int, msg string) {
	pg := v.pg
	pg.Title = pg.T.Fail.Title
	pg.Data = failView{Message: msg}
	p.render(w, r, status, "fail", pg)
}

// failErr renders err from a service: a resident the income service does not
// know is a 404 with advice, anything else an internal error, logged here once.
func (p *Portal) failErr(w http.ResponseWriter, r *http.Request, v *visit, err error) {
	if errors.Is(err, income.ErrNotFound) {
		p.fail(w, r, v, http.StatusNotFound, v.pg.T.Fail.NotFound)
		return
	}
	p.cfg.Log.ErrorContext(r.Context(), "portal: service", "tenant", v.tenantID(), "err", err)
	p.fail(w, r, v, http.StatusInternalServerError, v.pg.T.Fail.Generic)
}

// logout ends the session (POST with the session's CSRF token) and goes home. The
// session is revoked on the server, so a copy of its cookie stops working too;
// without a valid session there is nothing to end but the cookie.
func (p *Portal) logout(w http.ResponseWriter, r *http.Request, t *tenancy.Tenant) {
	w.Header().Set("Cache-Control", "no-store")
	pg := p.newPage(r, t)
	if p.cfg.Sessions != nil {
		sess, err := p.cfg.Sessions.Load(r, t.Config.ID)
		v := &visit{tenant: t, sess: sess, pg: pg}
		if err != nil {
			p.cfg.Sessions.Clear(w)
			if errors.Is(err, auth.ErrSessionStore) {
				// Whether the session is still live is unknown, so it cannot be ended.
				p.cfg.Log.ErrorContext(r.Context(), "portal: logout", "tenant", t.Config.ID, "err", err)
				p.fail(w, r, v, http.StatusInternalServerError, pg.T.Fail.Generic)
				return
			}
			http.Redirect(w, r, pg.Base+pg.LangQuery, http.StatusSeeOther)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
		if err := p.cfg.Sessions.CheckCSRF(r, sess); err != nil {
			p.fail(w, r, v, http.StatusForbidden, pg.T.Fail.Forbidden)
			return
		}
		if err := p.cfg.Sessions.Logout(r.Context(), w, sess); err != nil {
			// The cookie is gone, but a copy of it would still work: say so.
			p.cfg.Log.ErrorContext(r.Context(), "portal: logout", "tenant", t.Config.ID, "err", err)
			p.fail(w, r, v, http.StatusInternalServerError, pg.T.Fail.Generic)
			return
		}
	}
	http.Redirect(w, r, pg.Base+pg.LangQuery, http.StatusSeeOther)
}

// thisMonth is the month the clock is in, in the Netherlands.
func (p *Portal) thisMonth() bijstand.Period {
	return bijstand.PeriodOf(p.cfg.Now().In(p.loc))
}

// monthAllowed reports whether the resident may look at month m: the last twelve
// months, this month and the next (whose payslips may already be in).
func (p *Portal) monthAllowed(m bijstand.Period) bool {
	now := p.thisMonth().First()
	f := m.First()
	return !f.Before(now.AddDate(-1, 0, 0)) && !f.After(now.AddDate(0, 1, 0))
}
