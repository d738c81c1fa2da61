// Package iban validates and presents International Bank Account Numbers (ISO 13616).
//
// Plein pays bijstand by SEPA credit transfer, so Parse accepts the IBANs of the SEPA
// countries only: an IBAN elsewhere could be valid yet not be paid. An IBAN is personal
// data: logs get the masked form through LogValue (pass the IBAN to slog, not its String),
// and the resident sees Grouped.
package iban

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"unicode"

	"github.com/plein-nl/plein/platform/dutch"
)

// Sentinel errors of Parse. Parse returns them wrapped in an *Error, which adds detail
// (such as the expected length) and the Dutch text for the resident.
var (
	ErrLength     = errors.New("IBAN has the wrong length")
	ErrCharacters = errors.New("IBAN may hold only letters A-Z and digits 0-9")
	ErrCountry    = errors.New("IBAN country is not a SEPA country")
	ErrFormat     = errors.New("IBAN does not have the format of its country")
	ErrChecksum   = errors.New("IBAN check digits do not match (mod-97)")
)

// Error is a Parse failure: errors.Is matches its sentinel, and Dutch gives the text a
// resident reads. It never holds the input.
type Error = dutch.Error

const nlInvalid = "Dit IBAN klopt niet. Controleer het nummer."

// lengths is the IBAN length of each SEPA country (SWIFT IBAN Registry). Territories that
// use another country's IBANs — Åland (FI), Jersey, Guernsey, Isle of Man (GB), the
// French overseas departments (FR) — need no entry.
var lengths = map[string]int{
	"AD": 24, "AL": 28, "AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24,
	"DE": 22, "DK": 18, "EE": 20, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "GI": 23,
	"GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26, "IT": 27, "LI": 21, "LT": 20,
	"LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MT": 31, "NL": 18,
	"NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "SM": 27,
	"VA": 22,
}

// IBAN is a valid IBAN in electronic form: upper case, no spaces. Only Parse makes
// one; a conversion IBAN("…") is unchecked.
type IBAN string

// Parse validates s as an IBAN. It removes white space (also the non-breaking spaces of
// a copied web page) and upper-cases, then checks in order: characters, country, length
// for the country, the Dutch BBAN format (4-letter bank code, 10 digits), and the
// ISO 7064 mod-97 check digits. A failure is an *Error.
func Parse(s string) (IBAN, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			// Only ASCII counts: strings.ToUpper would turn 'ı' into 'I' and let it pass.
			return "", &Error{Err: ErrCharacters, Detail: fmt.Sprintf("found %q", r),
				NL: "Een IBAN bestaat alleen uit letters en cijfers."}
		}
	}
	n := b.String()
	if n == "" {
		return "", &Error{Err: ErrLength, Detail: "empty", NL: "Vul een IBAN in."}
	}
	if len(n) < 2 || !isLetter(n[0]) || !isLetter(n[1]) {
		return "", &Error{Err: ErrCountry, Detail: "must start with a two-letter country code",
			NL: "Een IBAN begint met twee letters voor het land, bijvoorbeeld NL."}
	}
	country := n[:2]
	want, ok := lengths[country]
	if !ok {
		return "", &Error{Err: ErrCountry, Detail: fmt.Sprintf("Plein cannot pay to country %s", country),
			NL: "Plein kan alleen betalen naar een rekening in een SEPA-land. Controleer de eerste twee letters."}
	}
	if len(n) != want {
		nl := fmt.Sprintf("Een IBAN dat begint met %s heeft %d tekens.", country, want)
		if country == "NL" {
			nl = "Een Nederlands IBAN heeft 18 tekens."
		}
		return "", &Error{Err: ErrLength, NL: nl,
			Detail: fmt.Sprintf("an IBAN from %s has %d characters, got %d", country, want, len(n))}
	}
	if !isDigit(n[2]) || !isDigit(n[3]) {
		return "", &Error{Err: ErrFormat, Detail: "characters 3 and 4 must be check digits", NL: nlInvalid}
	}
	if country == "NL" && !isNLBBAN(n[4:]) {
		return "", &Error{Err: ErrFormat, Detail: "a Dutch IBAN has a 4-letter bank code and 10 digits",
			NL: "Een Nederlands IBAN heeft na de eerste 4 tekens 4 letters (de bank) en 10 cijfers."}
	}
	// Check digits run from 02 to 98. 00, 01 and 99 can still satisfy mod-97 (they equal
	// 97, 98 and 2 modulo 97), so they are rejected on their own.
	if cd := n[2:4]; cd == "00" || cd == "01" || cd == "99" {
		return "", &Error{Err: ErrChecksum, Detail: "check digits must be 02 to 98", NL: nlInvalid}
	}
	if mod97(n) != 1 {
		return "", &Error{Err: ErrChecksum, NL: nlInvalid}
	}
	return IBAN(n), nil
}

// mod97 computes the ISO 7064 MOD 97-10 remainder of an IBAN: the first four characters
// moved to the end, letters read as 10 to 35.
func mod97(n string) int {
	r := 0
	for _, c := range []byte(n[4:] + n[:4]) {
		if isDigit(c) {
			r = (r*10 + int(c-'0')) % 97
		} else {
			r = (r*100 + int(c-'A') + 10) % 97
		}
	}
	return r
}

func isNLBBAN(bban string) bool {
	for i := range len(bban) {
		if (i < 4 && !isLetter(bban[i])) || (i >= 4 && !isDigit(bban[i])) {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// String returns the electronic form, as SEPA files and the database hold it.
func (i IBAN) String() string { return string(i) }

// Country returns the ISO 3166 country code, "NL".
func (i IBAN) Country() string {
	if len(i) < 2 {
		return ""
	}
	return string(i[:2])
}

// BankCode returns the bank identifier of a Dutch IBAN, "ABNA" in NL91ABNA0417164300,
// and "" for other countries, whose bank codes sit at different places and lengths.
func (i IBAN) BankCode() string {
	if i.Country() != "NL" || len(i) != 18 {
		return ""
	}
	return string(i[4:8])
}

// Grouped returns the print form for residents, in groups of four:
// "NL91 ABNA 0417 1643 00". It is not called Format because that name belongs to
// fmt.Formatter (go vet checks its signature).
func (i IBAN) Grouped() string { return group(string(i)) }

// Masked returns the grouped form with all but the country, check digits and last four
// characters hidden, "NL91 **** **** **43 00": enough for a resident to recognise the
// account, too little to use it. Logs and staff lists use it.
func (i IBAN) Masked() string {
	if len(i) <= 8 {
		return group(strings.Repeat("*", len(i)))
	}
	return group(string(i[:4]) + strings.Repeat("*", len(i)-8) + string(i[len(i)-4:]))
}

// LogValue implements slog.LogValuer so that an IBAN is never logged in full.
func (i IBAN) LogValue() slog.Value { return slog.StringValue(i.Masked()) }

func group(s string) string {
	var b strings.Builder
	for k := range len(s) {
		if k > 0 && k%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteByte(s[k])
	}
	return b.String()
}
