package sepa

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/plein-nl/plein/platform/iban"
)

// The BIC patterns of the two XSDs: .09 allows digits in the bank code (ISO 9362:2014),
// .03 does not and excludes some location codes.
var bicPattern = map[Version]*regexp.Regexp{
	V09: regexp.MustCompile(`^[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$`),
	V03: regexp.MustCompile(`^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$`),
}

// validate checks b against the rules of docs/domain.md §6 and the XSD of v, and returns what the
// file will declare.
func validate(b Batch, v Version) (Summary, error) {
	if v != V09 && v != V03 {
		return Summary{}, fmt.Errorf("%w: %q", ErrVersion, v)
	}
	var errs []error
	fail := func(i int, field string, err error) {
		errs = append(errs, &FieldError{Index: i, Field: field, Err: err})
	}

	if !validID(b.MsgID) {
		fail(-1, "MsgID", ErrID)
	}
	if !validID(b.PmtInfID) {
		fail(-1, "PmtInfID", ErrID)
	}
	if b.CreatedAt.IsZero() {
		fail(-1, "CreatedAt", ErrRequired)
	}
	if b.ExecutionDate.IsZero() {
		fail(-1, "ExecutionDate", ErrRequired)
	}
	if blank(b.Debtor.Name) {
		fail(-1, "Debtor.Name", ErrRequired)
	}
	if !validIBAN(b.Debtor.IBAN) {
		fail(-1, "Debtor.IBAN", ErrIBAN)
	}
	if b.Debtor.BIC != "" && !bicPattern[v].MatchString(normBIC(b.Debtor.BIC)) {
		fail(-1, "Debtor.BIC", ErrBIC)
	}
	if v == V09 {
		// The debtor's structured address is written always in .09; the gemeente's own
		// settings must hold it.
		if blank(b.Debtor.Town) {
			fail(-1, "Debtor.Town", fmt.Errorf("%w for %s", ErrRequired, v))
		}
		if blank(b.Debtor.Country) {
			fail(-1, "Debtor.Country", fmt.Errorf("%w for %s", ErrRequired, v))
		} else if !validCountry(b.Debtor.Country) {
			fail(-1, "Debtor.Country", ErrCountry)
		}
	}
	if len(b.Transfers) == 0 {
		fail(-1, "Transfers", ErrNoTransfers)
	}

	var sum Summary
	seen := make(map[string]int, len(b.Transfers))
	for i, t := range b.Transfers {
		if !validID(t.EndToEndID) {
			fail(i, "EndToEndID", ErrID)
		} else if first, dup := seen[t.EndToEndID]; dup {
			fail(i, "EndToEndID", fmt.Errorf("%w: also transfer %d", ErrDuplicateID, first))
		} else {
			seen[t.EndToEndID] = i
		}
		if t.Amount <= 0 || t.Amount > MaxAmount {
			fail(i, "Amount", ErrAmount)
		} else {
			// Each amount is below 10^11 cents, so the sum reaches maxCtrlSum long before
			// it could overflow.
			sum.NbOfTxs++
			sum.CtrlSum += t.Amount
		}
		if blank(t.Creditor.Name) {
			fail(i, "Creditor.Name", ErrRequired)
		}
		if !validIBAN(t.Creditor.IBAN) {
			fail(i, "Creditor.IBAN", ErrIBAN)
		}
		if t.Creditor.BIC != "" && !bicPattern[v].MatchString(normBIC(t.Creditor.BIC)) {
			fail(i, "Creditor.BIC", ErrBIC)
		}
		if !blank(t.Creditor.Country) && !validCountry(t.Creditor.Country) {
			fail(i, "Creditor.Country", ErrCountry)
		}
	}
	if sum.CtrlSum > maxCtrlSum {
		fail(-1, "Transfers", ErrCtrlSum)
	}
	if len(errs) > 0 {
		return Summary{}, errors.Join(errs...)
	}
	return sum, nil
}

// validID applies the EPC rules for identifiers: 1 to 35 characters of the EPC set, no
// leading or trailing '/', no '//'. Leading and trailing spaces are refused too, since
// banks trim them and the id would no longer match on the way back.
func validID(id string) bool {
	if id == "" || len(id) > MaxIDLen {
		return false
	}
	for i := range len(id) {
		if id[i] >= 0x80 || !isEPC(rune(id[i])) {
			return false
		}
	}
	return id[0] != '/' && id[len(id)-1] != '/' && !strings.Contains(id, "//") &&
		id[0] != ' ' && id[len(id)-1] != ' '
}

// validIBAN re-parses i: an iban.IBAN made by conversion instead of iban.Parse is
// unchecked, and a wrong account pays the wrong person.
func validIBAN(i iban.IBAN) bool {
	p, err := iban.Parse(string(i))
	return err == nil && p == i
}

func validCountry(c string) bool {
	c = normCountry(c)
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

func normBIC(s string) string     { return strings.ToUpper(strings.TrimSpace(s)) }
func normCountry(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }
func blank(s string) bool         { return strings.TrimSpace(s) == "" }
