package creditors

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/plein-nl/plein/platform/egress"
	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/platform/iban"
	"github.com/plein-nl/plein/platform/input"
)

// Limits of the input.
const (
	maxName    = 200
	maxPattern = 200
	maxHint    = 300
	maxURL     = 2000
)

// validator collects the problems of an input (httpapi.Fields) with the service's own checks.
type validator struct{ httpapi.Fields }

func (v *validator) add(field, en, nl string) { v.Add(field, en, nl) }

func (v *validator) err() error { return v.Err(ErrInvalid) }

// text checks a free text of one line of at most max characters (input.Text's rules)
// and returns it clean; what and wat name it in English and Dutch.
func (v *validator) text(field, s string, required bool, max int, what, wat string) string {
	s, p := input.Rules{Max: max, Optional: !required}.Clean(s)
	switch p.Kind {
	case input.OK:
		return s
	case input.Missing:
		v.add(field, what+" is required", "Vul "+wat+" in.")
	case input.TooLong:
		v.add(field, fmt.Sprintf("%s may have at most %d characters", what, max),
			fmt.Sprintf("Dit mag niet langer zijn dan %d tekens.", max))
	default:
		v.add(field, what+" "+p.EN(), p.NL())
	}
	return ""
}

func (v *validator) newCreditor(nc NewCreditor) Creditor {
	c := Creditor{
		Name:    v.text("name", nc.Name, true, maxName, "the legal name", "de officiële naam"),
		Brand:   v.text("brand", nc.Brand, false, maxName, "the brand", "de bekende naam"),
		Example: nc.Example,
	}
	if k := Kind(nc.Kind); slices.Contains(Kinds(), k) {
		c.Kind = k
	} else {
		v.add("kind", "must be one of zorgverzekeraar, cak, energie, water, woningcorporatie, overig",
			"Kies het soort schuldeiser: zorgverzekeraar, cak, energie, water, woningcorporatie of overig.")
	}
	if i, err := iban.Parse(nc.IBAN); err != nil {
		v.add("iban", err.Error(), httpapi.DutchOf(err, "Dit IBAN klopt niet."))
	} else {
		c.IBAN = i
	}
	if slices.Contains(ReferenceNames(), nc.ReferenceName) {
		c.Reference.Name = nc.ReferenceName
	} else {
		v.add("reference_name", "must be one of "+strings.Join(ReferenceNames(), ", "),
			"Kies hoe het kenmerk heet: "+strings.Join(ReferenceNames(), ", ")+".")
	}
	// A pattern is no prose, but it is shown to staff and compiled: the same characters
	// are refused as in any text.
	p, pr := input.Rules{Optional: true}.Clean(nc.ReferencePattern)
	switch {
	case pr.Kind == input.Forbidden:
		v.add("reference_pattern", "the pattern "+pr.EN(), pr.NL())
	case p == "":
		v.add("reference_pattern", "a regular expression for the reference is required",
			"Vul een patroon in waarmee Plein het kenmerk controleert.")
	case len(p) > maxPattern:
		v.add("reference_pattern", fmt.Sprintf("the pattern may have at most %d characters", maxPattern),
			fmt.Sprintf("Het patroon mag niet langer zijn dan %d tekens.", maxPattern))
	default:
		re, err := compilePattern(p)
		if err != nil {
			v.add("reference_pattern", "not a valid regular expression (RE2 syntax)",
				"Dit patroon klopt niet. Gebruik de schrijfwijze RE2, zoals [0-9]{9}.")
		} else {
			c.Reference.Pattern, c.Reference.re = p, re
		}
	}
	c.Reference.Hint = v.text("reference_hint", nc.ReferenceHint, true, maxHint,
		"a Dutch hint for the resident", "een uitleg voor de inwoner waar het kenmerk staat")
	c.Reference.HintEN = v.text("reference_hint_en", nc.ReferenceHintEN, false, maxHint, "the English hint", "de Engelse uitleg")
	c.WebhookURL = v.webhookURL(nc.WebhookURL)
	return c
}

// webhookURL checks a creditor's webhook with the rule of all outbound HTTP
// (platform/egress): https, and never an internal address or name — Plein would
// otherwise post to its own network, or the cloud metadata service, for whoever may
// register a creditor. A name is checked again at each delivery, by what it resolves
// to. The delivery client's allow-list (PLEIN_EGRESS_ALLOW) does not reach this
// check: a webhook on loopback cannot be registered, not even in plein dev.
func (v *validator) webhookURL(raw string) string {
	s := strings.TrimSpace(raw)
	if s == "" {
		return ""
	}
	err := egress.CheckURL(s)
	switch {
	case len(s) <= maxURL && errors.Is(err, egress.ErrForbiddenAddress):
		v.add("webhook_url", "must not point at an internal network address (loopback, private, link-local, "+
			"cloud metadata) or an internal name such as localhost",
			"Dit webhookadres mag niet naar een intern netwerkadres wijzen.")
	case len(s) > maxURL || err != nil:
		v.add("webhook_url", "must be an https URL without user info or fragment, at most 2000 characters",
			"Vul een webadres in dat begint met https://.")
	default:
		if u, err := url.Parse(s); err == nil {
			return u.String()
		}
	}
	return ""
}

// dutchNames names the fields in Dutch, for detail_nl.
var dutchNames = map[string]string{
	"name": "naam", "brand": "bekende naam", "kind": "soort", "iban": "IBAN",
	"reference_name": "naam van het kenmerk", "reference_pattern": "patroon van het kenmerk",
	"reference_hint": "uitleg bij het kenmerk", "reference_hint_en": "Engelse uitleg bij het kenmerk",
	"webhook_url": "webhookadres", "body": "gegevens", "tenant": "gemeente",
}
