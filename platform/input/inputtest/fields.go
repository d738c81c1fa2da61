package inputtest

import (
	"net/http"
	"strings"
	"testing"
)

// Field is a free-text field of a request body: the name a problem gives it, the JSON
// text it has in a good body, and whether it may be left out (then a blank text is
// stored as "" and is not sent).
type Field struct {
	Name     string
	Old      string
	Optional bool
}

// Send sends a request body and returns the answer's status and body.
type Send func(body string) (status int, got []byte)

// CheckFields sends good with each field's text replaced by each Hostile text, and
// checks with Check that each answer is a 400 naming the field.
func CheckFields(t testing.TB, good string, fields []Field, send Send) {
	t.Helper()
	for _, f := range fields {
		for _, h := range Hostile() {
			if h.Blank && f.Optional {
				continue // stored as ""
			}
			status, got := send(strings.Replace(good, f.Old, h.JSON, 1))
			Check(t, f.Name+", "+h.Name, status, got, http.StatusBadRequest, f.Name)
		}
	}
}
