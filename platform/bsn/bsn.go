// Package bsn handles the burgerservicenummer: parsing with the 11-proef, masking
// wherever it is shown, and encryption at rest with a keyed blind index for lookup.
//
// The BSN is personal data of the highest class (docs/domain.md §6). Every way Go has to print,
// log or encode a BSN — fmt verbs, slog, encoding/json, encoding.TextMarshaler — yields
// the masked form "*****3653". The digits leave this package only through Reveal, which
// is for the Sealer and for outbound messages that legally need the BSN. There is no
// database/sql Valuer on purpose: a BSN reaches the database only sealed.
package bsn

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"

	"github.com/plein-nl/plein/platform/dutch"
)

// Sentinel errors of Parse. Parse returns them wrapped in an *Error, which adds the
// Dutch text for the resident.
var (
	ErrLength    = errors.New("BSN must have 9 digits (or 8 with an implied leading 0)")
	ErrNotDigits = errors.New("BSN may hold only digits")
	ErrChecksum  = errors.New("BSN fails the 11-proef")
	ErrAllZero   = errors.New("BSN may not be all zeros")
)

// Error is a Parse failure: errors.Is matches its sentinel, and Dutch gives the text a
// resident reads. It never holds the input.
type Error = dutch.Error

const (
	nlLength   = "Het BSN moet 9 cijfers hebben."
	nlEmpty    = "Vul uw BSN in. Het BSN heeft 9 cijfers."
	nlDigits   = "Een BSN bestaat alleen uit cijfers."
	nlChecksum = "Dit BSN klopt niet. Kijk of u het goed hebt overgenomen."
)

// scramble is XORed into the stored number. fmt prints an unexported struct field by
// reflection, bypassing Format, so a struct{ b bsn.BSN } printed with %+v would show
// the digits; scrambled, it shows a meaningless number. Bit 31 is set and every BSN is
// below 2^30, so a stored value is never 0 and the zero BSN stays distinguishable.
const scramble uint32 = 0xA5C396E1

// BSN is a valid burgerservicenummer. The zero value means "no BSN". BSNs compare with
// == and can be map keys.
type BSN struct {
	x uint32 // number ^ scramble; 0 for the zero BSN
}

// Parse validates s as a BSN: 9 digits, or 8 digits that get the leading 0 back (it is
// often dropped by spreadsheets), passing the 11-proef
// 9a+8b+7c+6d+5e+4f+3g+2h−i ≡ 0 (mod 11), and not 000000000. Surrounding white space
// and spaces or dots between digits ("1234 56 782", as written on letters) are ignored.
// A failure is an *Error.
func Parse(s string) (BSN, error) {
	var d [9]byte
	n := 0
	for _, c := range []byte(strings.TrimSpace(s)) {
		switch {
		case c >= '0' && c <= '9':
			if n < len(d) {
				d[n] = c - '0'
			}
			n++
		case c == ' ' || c == '.':
		default:
			return BSN{}, &Error{Err: ErrNotDigits, NL: nlDigits}
		}
	}
	switch n {
	case 0:
		return BSN{}, &Error{Err: ErrLength, NL: nlEmpty}
	case 8:
		copy(d[1:], d[:8])
		d[0] = 0
	case 9:
	default:
		return BSN{}, &Error{Err: ErrLength, NL: nlLength}
	}

	var num uint32
	sum := 0
	for i, v := range d {
		num = num*10 + uint32(v)
		if i < 8 {
			sum += (9 - i) * int(v)
		} else {
			sum -= int(v)
		}
	}
	if num == 0 {
		return BSN{}, &Error{Err: ErrAllZero, NL: nlChecksum}
	}
	if sum%11 != 0 {
		return BSN{}, &Error{Err: ErrChecksum, NL: nlChecksum}
	}
	return BSN{x: num ^ scramble}, nil
}

// IsZero reports whether b is the zero BSN, which no Parse returns.
func (b BSN) IsZero() bool { return b.x == 0 }

// Reveal returns the 9 digits, or "" for the zero BSN. Call it only to seal the BSN or
// to build an outbound message that legally requires it (Suwinet, the Belastingdienst,
// the Schuldenknooppunt); never for display or logs.
func (b BSN) Reveal() string {
	if b.IsZero() {
		return ""
	}
	return fmt.Sprintf("%09d", b.x^scramble)
}

// String returns the masked form, "*****3653": only the last 4 digits, which residents
// and staff use to recognise a number. The zero BSN is "".
func (b BSN) String() string {
	if b.IsZero() {
		return ""
	}
	return "*****" + b.Reveal()[5:]
}

// Format implements fmt.Formatter so that every verb masks: %d, %x or %+v must not
// print the digits either. %q quotes and %#v reads like Go; flags and width apply to
// the masked text.
func (b BSN) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = io.WriteString(f, b.GoString())
	case verb == 'q':
		_, _ = fmt.Fprintf(f, fmt.FormatString(f, 'q'), b.String())
	default:
		_, _ = fmt.Fprintf(f, fmt.FormatString(f, 's'), b.String())
	}
}

// GoString returns the masked form for %#v: bsn.BSN{*****3653}.
func (b BSN) GoString() string { return "bsn.BSN{" + b.String() + "}" }

// LogValue implements slog.LogValuer with the masked form.
func (b BSN) LogValue() slog.Value { return slog.StringValue(b.String()) }

// MarshalJSON encodes the masked form, so a BSN inside a response or a JSON log line
// stays masked. There is deliberately no UnmarshalJSON: input is parsed with Parse.
func (b BSN) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(b.String())), nil }

// MarshalText encodes the masked form, for encoders that use encoding.TextMarshaler
// (YAML, XML, slog's text handler for map keys).
func (b BSN) MarshalText() ([]byte, error) { return []byte(b.String()), nil }
