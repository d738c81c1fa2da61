// Package inputtest is the test kit of input hygiene: the hostile values every
// free-text field of an API must refuse, and a check of the problem an API answers
// with, so that each service tests its fields the same way.
package inputtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	kithttp "github.com/go-kit/kit/transport/http"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/plein-nl/plein/platform/db"
)

// Value is a hostile text as a JSON string literal, ready to put in a request body.
type Value struct {
	Name string
	JSON string
	// Blank is a text that shows as nothing: refused where the field is required,
	// stored as "" where it is optional.
	Blank bool
}

// Hostile are the texts every free-text field refuses. "invalid UTF-8" holds raw bytes
// that encoding/json turns into U+FFFD, which platform/input refuses for that reason.
func Hostile() []Value {
	return []Value{
		{"NUL", `"Jan\u0000de Vries"`, false},
		{"invalid UTF-8", "\"Jan \xff\xfe de Vries\"", false},
		{"U+FFFD", `"Jan \ufffd de Vries"`, false},
		{"U+202E right-to-left override", `"Jan \u202eseirV ed"`, false},
		{"zero-width only", `"\u200b\u200c\u200d\u2060\ufeff"`, true},
		{"C1 control", `"Jan\u0085de Vries"`, false},
		{"escape sequence", `"\u001b[2JJan"`, false},
	}
}

// Leaks are what an answer to bad input must never hold: Go type names from
// encoding/json, database words and the hostile characters themselves.
var Leaks = []string{"Go struct", "Go value", "int64", "json:", "unmarshal", "SQLSTATE", "pgx",
	`\u0000`, `\u202e`, "\u202e", `\u0085`, "\u0085", "\ufffd"}

// Problem is the part of an RFC 9457 answer the checks read.
type Problem struct {
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	DetailNL string `json:"detail_nl"`
	Errors   []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// Fields returns the fields the problem names.
func (p Problem) Fields() []string {
	out := make([]string, len(p.Errors))
	for i, e := range p.Errors {
		out[i] = e.Field
	}
	return out
}

// Check fails t unless the answer (status, body) is a problem with status want that
// names field (when field is not ""), says it in Dutch, and leaks nothing of Leaks.
func Check(t testing.TB, what string, status int, body []byte, want int, field string) {
	t.Helper()
	var p Problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Errorf("%s: body %q is not a problem: %v", what, body, err)
		return
	}
	if status != want || p.Status != want {
		t.Errorf("%s: status = %d (body %d), want %d: %s", what, status, p.Status, want, body)
	}
	if field != "" && !slices.Contains(p.Fields(), field) {
		t.Errorf("%s: fields = %v, want %q among them: %s", what, p.Fields(), field, body)
	}
	if p.DetailNL == "" {
		t.Errorf("%s: no detail_nl, want a Dutch message: %s", what, body)
	}
	for _, l := range Leaks {
		if strings.Contains(string(body), l) {
			t.Errorf("%s: answer holds %q: %s", what, l, body)
		}
	}
}

// CheckDataException fails t unless the error encoder newEncoder makes answers a value
// the database refused (db.ErrDataException, SQLSTATE class 22) as bad input — a 400
// on "body" — and logs the SQLSTATE but not the database's text, which may quote the
// value.
func CheckDataException(t testing.TB, newEncoder func(*slog.Logger) kithttp.ErrorEncoder) {
	t.Helper()
	for _, pe := range []*pgconn.PgError{
		{Code: "22021", Message: `invalid byte sequence for encoding "UTF8": 0x00`},
		{Code: "22008", Message: `date/time field value out of range: "1990-05-31"`},
		{Code: "22003", Message: "value 99999999999 is out of range for type integer"},
	} {
		var logs bytes.Buffer
		enc := newEncoder(slog.New(slog.NewTextHandler(&logs, nil)))
		w := httptest.NewRecorder()
		enc(context.Background(), fmt.Errorf("store: %w", db.MapError(pe)), w)
		Check(t, "SQLSTATE "+pe.Code, w.Code, w.Body.Bytes(), 400, "body")
		if strings.Contains(w.Body.String(), pe.Message) || strings.Contains(logs.String(), pe.Message) {
			t.Errorf("SQLSTATE %s: the database's text reached the answer or the log: %s / %s", pe.Code, w.Body, &logs)
		}
		if !strings.Contains(logs.String(), pe.Code) {
			t.Errorf("SQLSTATE %s: log %q does not name the code", pe.Code, &logs)
		}
	}
}
