package httpapi

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/plein-nl/plein/platform/input"
)

// FieldError is one invalid input field: its JSON path ("partner.bsn",
// "children[1].birth_date") and what is wrong, in English and in plain Dutch (B1) for
// the resident or the consulent. It never holds the value.
type FieldError struct {
	Field string
	EN    string
	NL    string
}

// ValidationError lists every invalid field of an input; the encoder answers it 400.
// errors.Is matches each of its Sentinels: a service puts its own ErrInvalid there, and
// a more specific sentinel (ErrPurposeRequired) where a caller needs to tell.
type ValidationError struct {
	Fields    []FieldError
	Sentinels []error
}

// Invalid is the validation error of one field.
func Invalid(field, en, nl string, sentinels ...error) *ValidationError {
	return &ValidationError{Fields: []FieldError{{Field: field, EN: en, NL: nl}}, Sentinels: sentinels}
}

// Validation is the validation error of fields, or nil when there are none: the end of
// a validator that collects every problem before it answers.
func Validation(fields []FieldError, sentinels ...error) error {
	if len(fields) == 0 {
		return nil
	}
	return &ValidationError{Fields: fields, Sentinels: sentinels}
}

// Error lists the fields and their English messages.
func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Field + ": " + f.EN
	}
	return "invalid input: " + strings.Join(parts, "; ")
}

// Unwrap returns the sentinels, for errors.Is.
func (e *ValidationError) Unwrap() []error { return e.Sentinels }

// Dutch returns the problems in Dutch, one sentence each after the field's Dutch name:
// names translates each segment of a path, and an index counts from 1, so that
// "children[1].birth_date" reads "Kind 2, geboortedatum". Without names a field is
// named by its path as it is.
func (e *ValidationError) Dutch(names map[string]string) string {
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = dutchField(f.Field, names) + ": " + f.NL
	}
	return strings.Join(parts, " ")
}

func dutchField(field string, names map[string]string) string {
	if names == nil {
		return field
	}
	var parts []string
	for seg := range strings.SplitSeq(field, ".") {
		name, idx, hasIdx := strings.Cut(seg, "[")
		nl, ok := names[name]
		if !ok {
			nl = name
		}
		if hasIdx {
			var n int
			if _, err := fmt.Sscanf(strings.TrimSuffix(idx, "]"), "%d", &n); err == nil {
				nl = fmt.Sprintf("%s %d", nl, n+1)
			}
		}
		parts = append(parts, nl)
	}
	s := strings.Join(parts, ", ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// DutchOf is the Dutch text of err when it has one (the identifier packages' errors,
// platform/bsn and platform/iban, do), else fallback.
func DutchOf(err error, fallback string) string {
	var d interface{ Dutch() string }
	if errors.As(err, &d) {
		return d.Dutch()
	}
	return fallback
}

// The length of the purpose of a staff read, in characters.
const (
	MinPurpose = 5
	MaxPurpose = 300
)

// CheckPurpose returns the clean purpose of a staff read (platform/input's rules, 5 to
// 300 characters), or a validation error on "purpose" matching sentinels, and missing
// too when there is no purpose at all. what names what is read, in English ("this
// resident").
func CheckPurpose(purpose, what string, missing error, sentinels ...error) (string, error) {
	p, pr := input.Text(purpose, 0)
	switch n := utf8.RuneCountInString(p); {
	case pr.Kind == input.Forbidden || pr.Kind == input.Invisible:
		return "", Invalid("purpose", "purpose "+pr.EN(), pr.NL(), sentinels...)
	case n == 0:
		if missing != nil {
			sentinels = append(sentinels[:len(sentinels):len(sentinels)], missing)
		}
		return "", Invalid("purpose", "a purpose is required: say for which case or task you read "+what,
			"Vul een doel in: voor welke zaak of taak bekijkt u deze gegevens?", sentinels...)
	case n < MinPurpose || n > MaxPurpose:
		return "", Invalid("purpose", fmt.Sprintf("purpose must have %d to %d characters", MinPurpose, MaxPurpose),
			fmt.Sprintf("Het doel moet %d tot %d tekens hebben.", MinPurpose, MaxPurpose), sentinels...)
	}
	return p, nil
}

// Fields collects the problems of an input, so that a validator reports every invalid
// field at once; a service's validator embeds it.
type Fields struct {
	Problems []FieldError
}

// Add records that field is invalid, with what is wrong in English and in Dutch.
func (f *Fields) Add(field, en, nl string) {
	f.Problems = append(f.Problems, FieldError{Field: field, EN: en, NL: nl})
}

// Failed records err on field when it is not nil, with its Dutch text (DutchOf, else
// fallback), and reports whether it did: the check after a platform parser.
func (f *Fields) Failed(field string, err error, fallback string) bool {
	if err == nil {
		return false
	}
	f.Add(field, err.Error(), DutchOf(err, fallback))
	return true
}

// Err is the validation error of the problems collected, matching sentinels, or nil.
func (f *Fields) Err(sentinels ...error) error { return Validation(f.Problems, sentinels...) }
