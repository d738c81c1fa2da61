// Package dutch is the error of Plein's identifier packages (platform/bsn,
// platform/iban): a sentinel for errors.Is, what was wrong for the log, and the Dutch
// text a resident reads. A transport finds the text through errors.As with
// interface{ Dutch() string }.
package dutch

// Error is a refused input. It never holds the input, which may be personal data (a
// real BSN, an IBAN) and errors get logged.
type Error struct {
	// Err is the sentinel, for errors.Is.
	Err error
	// Detail says what was wrong, in English; "" when the sentinel says it all.
	Detail string
	// NL is the text for the resident, in Dutch (B1).
	NL string
}

// Error returns the English message: the sentinel's, and the detail.
func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Err.Error()
	}
	return e.Err.Error() + ": " + e.Detail
}

// Unwrap returns the sentinel, for errors.Is.
func (e *Error) Unwrap() error { return e.Err }

// Dutch returns the message for the resident, in Dutch.
func (e *Error) Dutch() string { return e.NL }
