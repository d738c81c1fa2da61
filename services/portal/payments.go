package portal

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/tenant"
)

// Payments is what the portal needs of the payment plans: the resident's direct
// payments to creditors, the creditors she may choose from, and asking for a new
// one or stopping one. The portal owns this interface; PaymentsAdapter adapts the
// payment-plan and creditor services to it.
type Payments interface {
	// Plans returns the resident's own plans of every status, in the order to show.
	Plans(ctx context.Context, t tenant.ID, residentID string) ([]PaymentPlan, error)
	// Creditors returns the creditors a resident may ask to be paid, zorgverzekeraars
	// first.
	Creditors(ctx context.Context, t tenant.ID) ([]CreditorOption, error)
	// Request records the resident's request for a new on_behalf plan, for a
	// consulent to approve. Input the service refuses is a *PaymentFieldErrors,
	// and then nothing is stored.
	Request(ctx context.Context, t tenant.ID, residentID string, r PaymentRequest) (PaymentPlan, error)
	// Stop ends a plan of the resident. It returns ErrNotYours when the plan is not
	// hers (or does not exist) and ErrNotStoppable when she may not stop it; in
	// both cases nothing changes.
	Stop(ctx context.Context, t tenant.ID, residentID, planID string) error
}

// Errors a Payments implementation returns from Stop.
var (
	// ErrNotYours: the plan is not the resident's, or there is no such plan.
	ErrNotYours = errors.New("portal: payment plan is not this resident's")
	// ErrNotStoppable: the plan is the resident's, but only a consulent can end it
	// (beslag, verrekening, aflossing, or a plan that has already ended).
	ErrNotStoppable = errors.New("portal: payment plan cannot be stopped by the resident")
)

// The kinds of a PaymentPlan (docs/domain.md §3).
const (
	PlanOnBehalf    = "on_behalf"
	PlanVerrekening = "verrekening"
	PlanBeslag      = "beslag"
	PlanAflossing   = "aflossing"
)

// The statuses of a PaymentPlan.
const (
	PlanRequested = "requested"
	PlanApproved  = "approved"
	PlanActive    = "active"
	PlanEnded     = "ended"
	PlanRejected  = "rejected"
)

// PaymentPlan is one payment Plein makes from the resident's bijstand, as she sees it.
type PaymentPlan struct {
	ID string
	// CreditorName is the name the resident knows ("Zilveren Kruis");
	// CreditorKind is the creditor's kind in the catalogue ("zorgverzekeraar",
	// "energie", "water", "cak", "woningcorporatie"…), which says what it is for.
	CreditorName, CreditorKind string
	// ReferenceLabel names the reference ("polisnummer"); Reference is hers.
	ReferenceLabel, Reference string
	Kind                      string // PlanOnBehalf, PlanVerrekening, PlanBeslag or PlanAflossing
	Amount                    money.Cents
	Status                    string // PlanRequested, PlanApproved, PlanActive, PlanEnded or PlanRejected
	// Start and End are months "YYYY-MM"; End "" is until stopped.
	Start, End string
	// NextDate is the date of the next payment; zero when there is none.
	NextDate     time.Time
	PaperMandate bool
	// Stoppable: an on_behalf plan the resident may stop herself.
	Stoppable bool
}

// CreditorOption is a creditor the resident may choose in the request form.
type CreditorOption struct {
	ID, Name, Kind string
	// ReferenceLabel names the reference she must give ("polisnummer");
	// ReferenceHint (Dutch, B1) says where she finds it, ReferenceHintEN the same
	// in English (optional: the Dutch hint is shown when it is empty).
	ReferenceLabel, ReferenceHint, ReferenceHintEN string
}

// PaymentRequest is the resident's request for a new direct payment.
type PaymentRequest struct {
	CreditorID, Reference string
	Amount                money.Cents // per month, > 0
	Start                 string      // first month, "YYYY-MM"
}

// PaymentFieldErrors is the input of a PaymentRequest the service refuses, per field.
type PaymentFieldErrors struct {
	Fields []PaymentFieldError
}

// PaymentFieldError is one refused field: Field is "creditor", "reference",
// "amount" or "start"; NL (B1) and EN say what is wrong and how to put it right.
type PaymentFieldError struct {
	Field, NL, EN string
}

func (e *PaymentFieldErrors) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for _, f := range e.Fields {
		parts = append(parts, f.Field+": "+f.EN)
	}
	return "invalid payment request: " + strings.Join(parts, "; ")
}

// Validation messages of the request form.
var (
	msgCreditorEmpty   = msg{"Kies aan wie wij moeten betalen.", "Choose who we should pay."}
	msgCreditorUnknown = msg{"Kies een organisatie uit de lijst.", "Choose an organisation from the list."}
	msgReferenceEmpty  = msg{"Vul uw polisnummer of klantnummer in.", "Enter your policy number or customer number."}
	msgReferenceLong   = msg{"Dit nummer is te lang. Het mag hoogstens 35 tekens hebben.", "This number is too long. It may have 35 characters at most."}
	msgStart           = msg{"Kies een maand uit de lijst.", "Choose a month from the list."}
)

// maxReference bounds what the resident types as a reference; a creditor's
// references are far shorter, and the service checks the creditor's own format.
const maxReference = 35

// startMonths is how many months ahead a new payment may start, from next month.
const startMonths = 3

// planRow is a plan as the tables of "Mijn betalingen" show it.
type planRow struct {
	ID, Creditor, What, Amount, Status, Next, Reference string
	Notes                                               []string
	StopHref                                            string // "" when she cannot stop it
	Stoppable                                           bool
}

// paymentsView is the content of "Mijn betalingen".
type paymentsView struct {
	Done          string
	Current, Past planTable
	NewHref       string
}

// planTable is one table of plans; the current ones have a column to stop them.
type planTable struct {
	T       paymentTexts
	Caption string
	Rows    []planRow
	Current bool
}

func (p *Portal) payments(w http.ResponseWriter, r *http.Request, v *visit) {
	T := v.pg.T.Pay
	plans, err := p.cfg.Payments.Plans(r.Context(), v.tenantID(), v.residentID())
	if err != nil {
		p.failErr(w, r, v, err)
		return
	}
	view := paymentsView{
		NewHref: withQuery(v.url(navPayments+"nieuw"), v.lang()),
		Current: planTable{T: T, Caption: T.CurrentCaption, Current: true},
		Past:    planTable{T: T, Caption: T.PastCaption},
	}
	switch {
	case r.URL.Query().Get("aangevraagd") == "1":
		view.Done = T.Requested
	case r.URL.Query().Get("gestopt") == "1":
		view.Done = T.Stopped
	}
	for _, pl := range plans {
		row := p.planRow(v, pl)
		if pl.Status == PlanEnded || pl.Status == PlanRejected {
			view.Past.Rows = append(view.Past.Rows, row)
		} else {
			view.Current.Rows = append(view.Current.Rows, row)
		}
	}
	pg := v.pg
	pg.Title = T.Title
	pg.Data = view
	p.render(w, r, http.StatusOK, "payments", pg)
}

// planRow says a plan in plain words: what it is for, its status, what comes next.
func (p *Portal) planRow(v *visit, pl PaymentPlan) planRow {
	T, lang := v.pg.T.Pay, v.lang()
	row := planRow{
		ID:       pl.ID,
		Creditor: pl.CreditorName,
		What:     planWhat(pl, T),
		Amount:   eur(pl.Amount, lang),
		Status:   cmp.Or(T.Status[pl.Status], pl.Status),
		Next:     T.NotKnown,
	}
	if pl.Reference != "" {
		row.Reference = strings.TrimSpace(capFirst(pl.ReferenceLabel) + " " + pl.Reference)
	}
	if !pl.NextDate.IsZero() {
		row.Next = longDate(pl.NextDate.In(p.loc), lang)
	}
	switch pl.Status {
	case PlanRequested:
		row.Notes = append(row.Notes, T.Waiting)
	case PlanApproved:
		if m, err := bijstand.ParsePeriod(pl.Start); err == nil {
			row.Notes = append(row.Notes, T.StartsIn+" "+monthName(m, lang)+".")
		}
	case PlanEnded:
		if m, err := bijstand.ParsePeriod(pl.End); err == nil {
			row.Notes = append(row.Notes, T.Ended+" "+monthName(m, lang)+".")
		}
	}
	if pl.PaperMandate {
		row.Notes = append(row.Notes, T.PaperMandate)
	}
	if pl.Status != PlanEnded && pl.Status != PlanRejected {
		if pl.Stoppable {
			row.Stoppable = true
			row.StopHref = withQuery(v.url(navPayments+url.PathEscape(pl.ID)+"/stoppen"), lang)
		} else if pl.Kind != PlanOnBehalf {
			row.Notes = append(row.Notes, T.AskConsulent)
		}
	}
	return row
}

// planWhat says what a plan is for: the creditor's kind for a payment on her
// behalf ("Zorgpremie"), the plan's kind otherwise ("Beslag").
func planWhat(pl PaymentPlan, T paymentTexts) string {
	if pl.Kind != "" && pl.Kind != PlanOnBehalf {
		if s, ok := T.PlanKind[pl.Kind]; ok {
			return s
		}
	}
	return cmp.Or(T.What[strings.ToLower(pl.CreditorKind)], T.WhatOther)
}

// capFirst writes the first letter of s as a capital ("polisnummer" → "Polisnummer").
func capFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// creditorGroup is a fieldset of creditors of one kind in the request form.
type creditorGroup struct {
	Legend  string
	Options []creditorRadio
}

// creditorRadio is one creditor to choose; its hint says where the reference is.
type creditorRadio struct {
	ID, Value, Name, Hint string
	Checked               bool
}

// selectOption is an option of a <select>.
type selectOption struct {
	Value, Text string
	Selected    bool
}

// paymentNewView is the content of "Nieuwe betaling aanvragen".
type paymentNewView struct {
	Errors                      []errorLink
	ErrorTitle                  string
	Creditor, Reference, Amount *field
	Start                       *field
	Groups                      []creditorGroup
	Months                      []selectOption
	Action, CSRF, Back          string
	chosen                      *CreditorOption
}

func (p *Portal) newPaymentView(v *visit, creditors []CreditorOption, chosenID, start string) *paymentNewView {
	T, lang := v.pg.T.Pay, v.lang()
	view := &paymentNewView{
		ErrorTitle: v.pg.T.Form.ErrorTitle,
		Creditor:   &field{Name: "crediteur", Label: T.CreditorLegend, Hint: T.CreditorHint, Value: chosenID},
		Reference:  &field{Name: "kenmerk", Label: T.Reference, Hint: T.ReferenceHint},
		Amount:     &field{Name: "bedrag", Label: T.Amount, Hint: T.AmountHint, InputMode: "decimal", Class: "input--amount"},
		Start:      &field{Name: "vanaf", Label: T.Start, Hint: T.StartHint, Value: start},
		Action:     withQuery(v.url(navPayments+"nieuw"), lang),
		CSRF:       v.sess.CSRFToken(),
		Back:       withQuery(v.url(navPayments), lang),
	}
	if i := slices.IndexFunc(creditors, func(c CreditorOption) bool { return c.ID == chosenID }); i >= 0 {
		c := creditors[i]
		view.chosen = &c
		if c.ReferenceLabel != "" {
			view.Reference.Label = capFirst(c.ReferenceLabel)
		}
		if h := creditorHint(c, lang); h != "" {
			view.Reference.Hint = h
		}
	}
	// Groups in the order the service gives the kinds, zorgverzekeraars first.
	kinds := []string{}
	for _, c := range creditors {
		k := strings.ToLower(c.Kind)
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	slices.SortStableFunc(kinds, func(a, b string) int {
		return cmp.Compare(boolRank(a != "zorgverzekeraar"), boolRank(b != "zorgverzekeraar"))
	})
	n := 0
	for _, k := range kinds {
		g := creditorGroup{Legend: cmp.Or(T.Groups[k], T.GroupOther)}
		for _, c := range creditors {
			if strings.ToLower(c.Kind) != k {
				continue
			}
			// The first radio carries the field's own id: the error summary links to it.
			id := "crediteur"
			if n > 0 {
				id = "crediteur-" + strconv.Itoa(n)
			}
			n++
			g.Options = append(g.Options, creditorRadio{ID: id, Value: c.ID, Name: c.Name, Hint: creditorHint(c, lang), Checked: c.ID == chosenID})
		}
		// Two kinds with the same heading (woningcorporatie, verhuurder) share a group.
		if last := len(view.Groups) - 1; last >= 0 && view.Groups[last].Legend == g.Legend {
			view.Groups[last].Options = append(view.Groups[last].Options, g.Options...)
			continue
		}
		view.Groups = append(view.Groups, g)
	}
	first := p.thisMonth().Next()
	if start == "" {
		view.Start.Value = first.String()
	}
	for m, i := first, 0; i < startMonths; m, i = m.Next(), i+1 {
		view.Months = append(view.Months, selectOption{Value: m.String(), Text: monthName(m, lang), Selected: m.String() == view.Start.Value})
	}
	return view
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// creditorHint is the creditor's hint in the page's language.
func creditorHint(c CreditorOption, lang string) string {
	if lang == "en" && c.ReferenceHintEN != "" {
		return c.ReferenceHintEN
	}
	return c.ReferenceHint
}

func (v *paymentNewView) ordered() []*field {
	return []*field{v.Creditor, v.Reference, v.Amount, v.Start}
}

// byKey maps a field of a PaymentFieldError ("creditor", "creditor_id",
// "amount_cents", "start") to the form's field.
func (v *paymentNewView) byKey(name string) *field {
	n := strings.ToLower(strings.NewReplacer("_", "", "-", "", ".", "").Replace(name))
	switch {
	case strings.Contains(n, "creditor"):
		return v.Creditor
	case strings.Contains(n, "reference"), strings.Contains(n, "ref"):
		return v.Reference
	case strings.Contains(n, "amount"), strings.Contains(n, "cents"):
		return v.Amount
	case strings.Contains(n, "start"), strings.Contains(n, "month"), strings.Contains(n, "period"):
		return v.Start
	}
	return nil
}

func (p *Portal) paymentForm(w http.ResponseWriter, r *http.Request, v *visit) {
	creditors, err := p.cfg.Payments.Creditors(r.Context(), v.tenantID())
	if err != nil {
		p.failErr(w, r, v, err)
		return
	}
	view := p.newPaymentView(v, creditors, r.URL.Query().Get("crediteur"), "")
	p.renderPaymentForm(w, r, v, http.StatusOK, view, nil)
}

func (p *Portal) renderPaymentForm(w http.ResponseWriter, r *http.Request, v *visit, status int, view *paymentNewView, errs *formErrors) {
	pg := v.pg
	pg.Title = pg.T.Pay.NewTitle
	if errs != nil {
		if view.Errors = errs.summary(); len(view.Errors) > 0 {
			pg.Title = pg.T.Form.ErrorPrefix + ": " + pg.Title
		}
	}
	pg.Data = view
	p.render(w, r, status, "paymentnew", pg)
}

// paymentSubmit reads the request form: the portal checks what it can read (a
// creditor from the list, a reference, an amount above zero, a month offered),
// the service the rest (the reference's format, an amount above the norm); each
// error lands next to its field and nothing is stored.
func (p *Portal) paymentSubmit(w http.ResponseWriter, r *http.Request, v *visit) {
	lang := v.lang()
	creditors, err := p.cfg.Payments.Creditors(r.Context(), v.tenantID())
	if err != nil {
		p.failErr(w, r, v, err)
		return
	}
	view := p.newPaymentView(v, creditors, r.PostFormValue("crediteur"), r.PostFormValue("vanaf"))
	view.Reference.Value = r.PostFormValue("kenmerk")
	view.Amount.Value = r.PostFormValue("bedrag")
	errs := &formErrors{lang: lang, fields: view.ordered()}

	var req PaymentRequest
	switch {
	case view.Creditor.Value == "":
		errs.set(view.Creditor, msgCreditorEmpty.in(lang))
	case view.chosen == nil:
		errs.set(view.Creditor, msgCreditorUnknown.in(lang))
	default:
		req.CreditorID = view.chosen.ID
	}
	req.Reference = strings.TrimSpace(view.Reference.Value)
	switch {
	case req.Reference == "" && view.chosen != nil && view.chosen.ReferenceLabel != "":
		errs.set(view.Reference, fmt.Sprintf(msg{"Vul uw %s in.", "Enter your %s."}.in(lang), view.chosen.ReferenceLabel))
	case req.Reference == "":
		errs.set(view.Reference, msgReferenceEmpty.in(lang))
	case utf8.RuneCountInString(req.Reference) > maxReference:
		errs.set(view.Reference, msgReferenceLong.in(lang))
	}
	var m *msg
	if req.Amount, m = parseAmount(view.Amount.Value); m != nil {
		errs.set(view.Amount, m.in(lang))
	}
	if !slices.ContainsFunc(view.Months, func(o selectOption) bool { return o.Value == view.Start.Value }) {
		errs.set(view.Start, msgStart.in(lang))
	}
	req.Start = view.Start.Value
	if len(errs.summary()) > 0 {
		p.renderPaymentForm(w, r, v, http.StatusUnprocessableEntity, view, errs)
		return
	}

	if _, err := p.cfg.Payments.Request(r.Context(), v.tenantID(), v.residentID(), req); err != nil {
		var fe *PaymentFieldErrors
		if !errors.As(err, &fe) {
			p.failErr(w, r, v, err)
			return
		}
		for _, f := range fe.Fields {
			target := view.byKey(f.Field)
			if target == nil {
				target = view.Creditor
			}
			errs.set(target, msg{f.NL, f.EN}.in(lang))
		}
		if len(fe.Fields) == 0 {
			errs.set(view.Creditor, msgOther.in(lang))
		}
		p.renderPaymentForm(w, r, v, http.StatusUnprocessableEntity, view, errs)
		return
	}
	http.Redirect(w, r, withQuery(v.url(navPayments), lang, "aangevraagd", "1"), http.StatusSeeOther)
}

// paymentStopView is the content of "Weet u het zeker?".
type paymentStopView struct {
	Plan               planRow
	Action, CSRF, Back string
}

// paymentStopConfirm asks before a payment is stopped: the form works without
// JavaScript, so the question is a page of its own.
func (p *Portal) paymentStopConfirm(w http.ResponseWriter, r *http.Request, v *visit) {
	plans, err := p.cfg.Payments.Plans(r.Context(), v.tenantID(), v.residentID())
	if err != nil {
		p.failErr(w, r, v, err)
		return
	}
	id := r.PathValue("plan")
	i := slices.IndexFunc(plans, func(pl PaymentPlan) bool { return pl.ID == id })
	if i < 0 {
		p.fail(w, r, v, http.StatusNotFound, v.pg.T.Fail.NoPlan)
		return
	}
	row := p.planRow(v, plans[i])
	if !row.Stoppable {
		p.fail(w, r, v, http.StatusConflict, v.pg.T.Fail.NotStoppable)
		return
	}
	pg := v.pg
	pg.Title = pg.T.Pay.StopTitle
	pg.Data = paymentStopView{
		Plan:   row,
		Action: row.StopHref,
		CSRF:   v.sess.CSRFToken(),
		Back:   withQuery(v.url(navPayments), v.lang()),
	}
	p.render(w, r, http.StatusOK, "paymentstop", pg)
}

// paymentStop stops the plan; the service decides whether it is hers to stop.
func (p *Portal) paymentStop(w http.ResponseWriter, r *http.Request, v *visit) {
	err := p.cfg.Payments.Stop(r.Context(), v.tenantID(), v.residentID(), r.PathValue("plan"))
	switch {
	case errors.Is(err, ErrNotYours):
		p.cfg.Log.WarnContext(r.Context(), "portal: stop of a plan not the resident's", "tenant", v.tenantID())
		p.fail(w, r, v, http.StatusForbidden, v.pg.T.Fail.NotYours)
		return
	case errors.Is(err, ErrNotStoppable):
		p.fail(w, r, v, http.StatusConflict, v.pg.T.Fail.NotStoppable)
		return
	case err != nil:
		p.failErr(w, r, v, err)
		return
	}
	http.Redirect(w, r, withQuery(v.url(navPayments), v.lang(), "gestopt", "1"), http.StatusSeeOther)
}
