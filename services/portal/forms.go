package portal

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/input"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/services/income"
)

// field is one input of a form as the templates render it: label, hint, the value
// typed, and the error next to it (aria-describedby, aria-invalid).
type field struct {
	Name, Label, Hint, Value, Error string
	// InputMode and Autocomplete are the input's attributes, when set.
	InputMode, Autocomplete string
	// Optional is the mark beside the label of a field that may stay empty, in the
	// page's language ("(niet verplicht)"); a field without it is required.
	Optional string
	// Class sizes the input (e.g. "input--short").
	Class string
}

// errorLink is an entry of the error summary at the top of a form.
type errorLink struct{ Href, Text string }

// msg is a message in both languages; the page picks one.
type msg struct{ NL, EN string }

func (m msg) in(lang string) string {
	if lang == "en" {
		return m.EN
	}
	return m.NL
}

// Validation messages of the portal's own parsing; the service adds its own.
var (
	msgEmployer     = msg{"Vul de naam van uw werkgever in.", "Enter the name of your employer."}
	msgDateEmpty    = msg{"Vul een datum in.", "Enter a date."}
	msgDateBad      = msg{"Schrijf de datum zo: 31-03-2026.", "Write the date like this: 31-03-2026."}
	msgPeriodOrder  = msg{"De laatste dag komt na de eerste dag. Kijk de datums na.", "The last day comes after the first day. Check the dates."}
	msgAmountEmpty  = msg{"Vul een bedrag in.", "Enter an amount."}
	msgAmountBad    = msg{"Schrijf het bedrag zo: 1.019,89.", "Write the amount like this: 1,019.89."}
	msgAmountZero   = msg{"Het bedrag moet meer dan € 0,00 zijn.", "The amount must be more than €0.00."}
	msgNetAboveGros = msg{"Het nettoloon kan niet hoger zijn dan het brutoloon.", "The net wage cannot be higher than the gross wage."}
	msgHoursEmpty   = msg{"Vul het aantal uren in.", "Enter the number of hours."}
	msgHoursBad     = msg{"Schrijf de uren zo: 64 of 69,5.", "Write the hours like this: 64 or 69.5."}
	msgWeekHours    = msg{"Vul het aantal uren per week in. Dat is hoogstens 60.", "Enter the hours per week. That is 60 at most."}
	msgWageRange    = msg{"Vul uw brutoloon per uur in. Dat is hoogstens € 200,00.", "Enter your gross hourly wage. That is €200.00 at most."}
	msgPDFBig       = msg{"Het bestand is te groot. Het mag hoogstens 5 MB zijn.", "The file is too large. It may be 5 MB at most."}
	msgPDFNot       = msg{"Dit bestand is geen pdf. Kies een pdf-bestand.", "This file is not a PDF. Choose a PDF file."}
	msgOther        = msg{"Er ging iets mis met dit formulier. Kijk alles na.", "Something is wrong with this form. Check everything."}
	msgTextBad      = msg{"Deze tekst bevat tekens die niet zijn toegestaan.", "This text contains characters that are not allowed."}
)

// formErrors collects the errors of one form, per field, in the order of the form.
type formErrors struct {
	lang   string
	fields []*field
}

// set puts m on f unless f already has an error (the first one is the clearest).
func (e *formErrors) set(f *field, m string) {
	if f.Error == "" {
		f.Error = m
	}
}

// summary returns the links of the error summary, in the order of the form.
func (e *formErrors) summary() []errorLink {
	var out []errorLink
	for _, f := range e.fields {
		if f.Error != "" {
			out = append(out, errorLink{Href: "#" + f.Name, Text: f.Error})
		}
	}
	return out
}

// parseDate reads a date as a resident types it: 31-03-2026, 31-3-2026, 31/3/2026
// or 2026-03-31 (what a date picker sends). The date is UTC midnight.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2-1-2006", "2/1/2006", "2.1.2006", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// parseAmount reads an amount typed Dutch-style ("1.019,89", "1019,89") or
// English-style, with money.Parse; it must be more than zero.
func parseAmount(s string) (money.Cents, *msg) {
	if strings.TrimSpace(s) == "" {
		return 0, &msgAmountEmpty
	}
	c, err := money.Parse(s)
	if err != nil {
		return 0, &msgAmountBad
	}
	if c <= 0 {
		return 0, &msgAmountZero
	}
	return c, nil
}

// parseHours reads hours ("64", "69,5") as hours × 100; money.Parse reads the
// same notation and its cents are exactly hundredths.
func parseHours(s string) (int64, *msg) {
	if strings.TrimSpace(s) == "" {
		return 0, &msgHoursEmpty
	}
	c, err := money.Parse(strings.TrimPrefix(strings.TrimSpace(s), "€"))
	if err != nil || c < 0 {
		return 0, &msgHoursBad
	}
	return int64(c), nil
}

// pdfName is the name of an uploaded PDF as stored: the browser's name when it is
// clean text (platform/input), else a plain one, for the name is the client's to choose.
func pdfName(name string) string {
	if n, p := (input.Rules{Max: 255}).Clean(name); p.OK() {
		return n
	}
	return "loonstrook.pdf"
}

// serviceField maps a field name of an httpapi.ValidationError ("period_start",
// "PeriodStart", "pay_date") to the key the portal's forms use for it.
func serviceField(name string) string {
	n := strings.ToLower(strings.NewReplacer("_", "", "-", "", ".", "").Replace(name))
	switch {
	case strings.Contains(n, "employer"):
		return "employer"
	case strings.Contains(n, "periodstart"), n == "start":
		return "period_start"
	case strings.Contains(n, "periodend"), n == "end":
		return "period_end"
	case strings.Contains(n, "gross"):
		return "gross"
	case strings.Contains(n, "paydate"):
		return "pay_date"
	case strings.Contains(n, "hourlywage"), strings.Contains(n, "wage"):
		return "wage"
	case strings.Contains(n, "hours"):
		return "hours"
	case strings.Contains(n, "net"):
		return "net"
	case strings.Contains(n, "pdf"):
		return "pdf"
	case strings.Contains(n, "period"):
		return "period_end"
	}
	return ""
}

// payslipView is the content of "Loonstrook doorgeven".
type payslipView struct {
	Errors                                              []errorLink
	ErrorTitle                                          string
	Employer, PeriodStart, PeriodEnd, Gross, Net, Hours *field
	PayDate, PDF                                        *field
	Action, CSRF                                        string
}

func (p *Portal) newPayslipView(v *visit) *payslipView {
	T := v.pg.T.Payslip
	return &payslipView{
		ErrorTitle:  v.pg.T.Form.ErrorTitle,
		Employer:    &field{Name: "werkgever", Label: T.Employer, Autocomplete: "organization"},
		PeriodStart: &field{Name: "periode_begin", Label: T.PeriodStart, Hint: T.DateHint, Class: "input--date"},
		PeriodEnd:   &field{Name: "periode_eind", Label: T.PeriodEnd, Hint: T.DateHint, Class: "input--date"},
		Gross:       &field{Name: "bruto", Label: T.Gross, Hint: T.GrossHint, InputMode: "decimal", Class: "input--amount"},
		Net:         &field{Name: "netto", Label: T.Net, Hint: T.NetHint, InputMode: "decimal", Class: "input--amount"},
		Hours:       &field{Name: "uren", Label: T.Hours, Hint: T.HoursHint, InputMode: "decimal", Class: "input--short"},
		PayDate:     &field{Name: "betaaldatum", Label: T.PayDate, Hint: T.PayDateHint, Class: "input--date"},
		PDF:         &field{Name: "pdf", Label: T.PDF, Hint: T.PDFHint, Optional: v.pg.T.Form.Optional},
		Action:      withQuery(v.url(navPayslip), v.lang()),
		CSRF:        v.sess.CSRFToken(),
	}
}

func (v *payslipView) ordered() []*field {
	return []*field{v.Employer, v.PeriodStart, v.PeriodEnd, v.Gross, v.Net, v.Hours, v.PayDate, v.PDF}
}

func (v *payslipView) byKey(key string) *field {
	switch key {
	case "employer":
		return v.Employer
	case "period_start":
		return v.PeriodStart
	case "period_end":
		return v.PeriodEnd
	case "gross":
		return v.Gross
	case "net":
		return v.Net
	case "hours":
		return v.Hours
	case "pay_date":
		return v.PayDate
	case "pdf":
		return v.PDF
	}
	return nil
}

func (p *Portal) payslipForm(w http.ResponseWriter, r *http.Request, v *visit) {
	p.renderPayslip(w, r, v, http.StatusOK, p.newPayslipView(v), nil)
}

func (p *Portal) renderPayslip(w http.ResponseWriter, r *http.Request, v *visit, status int, view *payslipView, errs *formErrors) {
	pg := v.pg
	pg.Title = pg.T.Payslip.Title
	if errs != nil {
		view.Errors = errs.summary()
		if len(view.Errors) > 0 {
			pg.Title = pg.T.Form.ErrorPrefix + ": " + pg.Title
		}
	}
	pg.Data = view
	p.render(w, r, status, "payslip", pg)
}

// payslipSubmit reads the payslip form: the portal checks what it can read, the
// income service the rest; either way each error lands next to its field.
func (p *Portal) payslipSubmit(w http.ResponseWriter, r *http.Request, v *visit) {
	lang := v.lang()
	view := p.newPayslipView(v)
	errs := &formErrors{lang: lang, fields: view.ordered()}
	for _, f := range view.ordered() {
		if f != view.PDF {
			f.Value = r.PostFormValue(f.Name)
		}
	}
	np := readPayslip(view, errs, lang)
	if file, header, err := r.FormFile(view.PDF.Name); err == nil {
		defer file.Close()
		if header.Size > 0 || header.Filename != "" {
			data, err := io.ReadAll(io.LimitReader(file, maxPDF+1))
			switch {
			case err != nil:
				errs.set(view.PDF, msgOther.in(lang))
			case len(data) > maxPDF:
				errs.set(view.PDF, msgPDFBig.in(lang))
			case len(data) > 0 && !bytes.HasPrefix(data, []byte("%PDF-")):
				errs.set(view.PDF, msgPDFNot.in(lang))
			case len(data) > 0:
				np.PDF, np.PDFName = data, pdfName(header.Filename)
			}
		}
	}
	if len(errs.summary()) > 0 {
		p.renderPayslip(w, r, v, http.StatusUnprocessableEntity, view, errs)
		return
	}

	np.Actor = v.sess.Identity.Subject
	slip, err := p.cfg.Income.SubmitPayslip(r.Context(), v.tenantID(), v.residentID(), np, income.SourceResident)
	if err != nil {
		if !p.serviceErrors(err, lang, errs, view.byKey, view.Employer) {
			p.failErr(w, r, v, err)
			return
		}
		p.renderPayslip(w, r, v, http.StatusUnprocessableEntity, view, errs)
		return
	}
	received := "1"
	if slip.Review == income.ReviewPending {
		received = "controle" // a correction of the consulent's payslip waits for the consulent
	}
	http.Redirect(w, r, withQuery(v.url(navMonth), lang, "maand", periodOf(np.PayDate), "ontvangen", received), http.StatusSeeOther)
}

// readPayslip reads the payslip form's text fields (all but the PDF) into a
// NewPayslip, putting each problem on its own field in errs.
func readPayslip(view *payslipView, errs *formErrors, lang string) income.NewPayslip {
	var np income.NewPayslip
	// Cleaned here as the API cleans it (platform/input), so that what is stored and
	// shown back is the NFC text without invisible ends; the service checks it again.
	switch employer, pr := input.Text(view.Employer.Value, 0); pr.Kind {
	case input.OK:
		np.Employer = employer
	case input.Missing, input.Invisible:
		errs.set(view.Employer, msgEmployer.in(lang))
	default:
		errs.set(view.Employer, msgTextBad.in(lang))
	}
	date := func(f *field) time.Time {
		if strings.TrimSpace(f.Value) == "" {
			errs.set(f, msgDateEmpty.in(lang))
			return time.Time{}
		}
		d, ok := parseDate(f.Value)
		if !ok {
			errs.set(f, msgDateBad.in(lang))
		}
		return d
	}
	np.PeriodStart = date(view.PeriodStart)
	np.PeriodEnd = date(view.PeriodEnd)
	np.PayDate = date(view.PayDate)
	if !np.PeriodStart.IsZero() && !np.PeriodEnd.IsZero() && np.PeriodEnd.Before(np.PeriodStart) {
		errs.set(view.PeriodEnd, msgPeriodOrder.in(lang))
	}
	var m *msg
	if np.Gross, m = parseAmount(view.Gross.Value); m != nil {
		errs.set(view.Gross, m.in(lang))
	}
	if np.Net, m = parseAmount(view.Net.Value); m != nil {
		errs.set(view.Net, m.in(lang))
	}
	if np.Gross > 0 && np.Net > np.Gross {
		errs.set(view.Net, msgNetAboveGros.in(lang))
	}
	if np.HoursCenti, m = parseHours(view.Hours.Value); m != nil {
		errs.set(view.Hours, m.in(lang))
	}
	return np
}

// serviceErrors puts the income service's validation errors on the form's fields
// (a field the form does not know goes on fallback) and reports whether err was
// one the resident can correct.
func (p *Portal) serviceErrors(err error, lang string, errs *formErrors, byKey func(string) *field, fallback *field) bool {
	var ve *httpapi.ValidationError
	switch {
	case errors.As(err, &ve):
		for _, fe := range ve.Fields {
			f := byKey(serviceField(fe.Field))
			if f == nil {
				f = fallback
			}
			errs.set(f, msg{fe.NL, fe.EN}.in(lang))
		}
		if len(ve.Fields) == 0 {
			errs.set(fallback, msgOther.in(lang))
		}
		return true
	case errors.Is(err, income.ErrPDFTooBig):
		if f := byKey("pdf"); f != nil {
			errs.set(f, msgPDFBig.in(lang))
			return true
		}
	case errors.Is(err, income.ErrNotAPDF):
		if f := byKey("pdf"); f != nil {
			errs.set(f, msgPDFNot.in(lang))
			return true
		}
	}
	return false
}

func periodOf(t time.Time) string { return t.Format("2006-01") }
