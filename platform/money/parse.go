package money

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode"
)

// ErrSyntax is returned by Parse for text that is not an amount.
var ErrSyntax = errors.New("invalid amount")

// ErrTooPrecise is returned by Parse for an amount with more than 2 decimals; rounding
// it silently would hide a mistake in a config file.
var ErrTooPrecise = errors.New("amount has more than 2 decimals")

// Parse reads an amount from config or CLI input. It accepts both the Dutch and the
// English way of writing: "1401.50", "1401,50", "1401", "12,5", "€ 1.401,50",
// "€1,401.50", "€ -1.401,50", "-€1,401.50" and "-1401.50" — everything String and
// FormatEN produce.
//
// The decimal separator is the last '.' or ','; the other one may group thousands, in
// groups of three. A single separator followed by exactly three digits ("1.401") is
// rejected because it reads as 1401 in Dutch and as 1.401 in English.
func Parse(s string) (Cents, error) {
	c, err := parse(s)
	if err != nil {
		return 0, fmt.Errorf("parse amount %q: %w", s, err)
	}
	return c, nil
}

func parse(s string) (Cents, error) {
	in := strings.TrimSpace(s)
	neg := false
	if rest, ok := strings.CutPrefix(in, "-"); ok { // English: "-€1,401.50"
		neg, in = true, rest
	}
	if rest, ok := strings.CutPrefix(in, "€"); ok {
		in = strings.TrimLeftFunc(rest, unicode.IsSpace)
		if rest, ok := strings.CutPrefix(in, "-"); ok && !neg { // Dutch: "€ -1.401,50"
			neg, in = true, rest
		}
	}
	if in == "" {
		return 0, fmt.Errorf("%w: no digits", ErrSyntax)
	}
	for _, r := range in {
		if (r < '0' || r > '9') && r != '.' && r != ',' {
			return 0, fmt.Errorf("%w: unexpected %q", ErrSyntax, r)
		}
	}

	intPart, frac, err := splitDecimal(in)
	if err != nil {
		return 0, err
	}
	if len(frac) > 2 {
		return 0, ErrTooPrecise
	}

	// Accumulate euros and cents as one digit string, checked against 2^63.
	var m uint64
	for _, d := range intPart + frac + "00"[len(frac):] {
		if m > (math.MaxUint64-9)/10 {
			return 0, ErrOutOfRange
		}
		m = m*10 + uint64(d-'0')
	}
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	if m > limit {
		return 0, ErrOutOfRange
	}
	if neg {
		return Cents(-m), nil
	}
	return Cents(m), nil
}

// splitDecimal splits a run of digits, '.' and ',' into the integer digits (thousands
// separators removed) and the decimal digits.
func splitDecimal(in string) (intPart, frac string, err error) {
	dots, commas := strings.Count(in, "."), strings.Count(in, ",")
	var dec, group string // decimal and thousands separator, "" if absent
	switch {
	case dots > 0 && commas > 0:
		if strings.LastIndexByte(in, '.') > strings.LastIndexByte(in, ',') {
			dec, group = ".", ","
		} else {
			dec, group = ",", "."
		}
	case dots+commas == 1:
		dec = "."
		if commas == 1 {
			dec = ","
		}
		if i := strings.Index(in, dec); len(in)-i-1 == 3 {
			return "", "", fmt.Errorf("%w: ambiguous separator %q before 3 digits: write 1401 or 1.401,00", ErrSyntax, dec)
		}
	case dots > 1:
		group = "."
	case commas > 1:
		group = ","
	}

	intPart = in
	if dec != "" {
		var ok bool
		intPart, frac, ok = strings.Cut(in, dec)
		if !ok || strings.Contains(frac, dec) || (group != "" && strings.Contains(frac, group)) {
			return "", "", fmt.Errorf("%w: misplaced separator", ErrSyntax)
		}
		if frac == "" {
			return "", "", fmt.Errorf("%w: no digits after %q", ErrSyntax, dec)
		}
	}
	if group != "" {
		groups := strings.Split(intPart, group)
		for i, g := range groups {
			if (i == 0 && (len(g) < 1 || len(g) > 3)) || (i > 0 && len(g) != 3) {
				return "", "", fmt.Errorf("%w: thousands separator %q must group 3 digits", ErrSyntax, group)
			}
		}
		intPart = strings.Join(groups, "")
	}
	if intPart == "" {
		return "", "", fmt.Errorf("%w: no digits before the decimal separator", ErrSyntax)
	}
	return intPart, frac, nil
}
