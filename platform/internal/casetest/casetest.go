// Package casetest runs the fixtures that an independent reference (tools/casegen)
// computes for the engines: each file of testdata/cases holds an input, and either the
// output it must give or the field its error must name.
package casetest

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Case is one fixture file; W is the shape of its "want".
type Case[W any] struct {
	Why            string          `json:"why"`
	Input          json.RawMessage `json:"input"`
	InputRaw       *string         `json:"input_raw"` // input that is no JSON object: an error is wanted
	Want           *W              `json:"want"`
	WantErrorField *string         `json:"want_error_field"`
}

// Run runs every fixture of testdata/cases, of which there must be at least min, as a
// parallel subtest: compute reads the fixture's input and computes it; a fixture that
// wants an error must get one naming its field, any other gets its output checked by
// check against the fixture's want.
func Run[W, O any](t *testing.T, min int, compute func(input io.Reader) (O, error), check func(t *testing.T, got O, want *W)) {
	t.Helper()
	files, err := filepath.Glob("testdata/cases/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < min {
		t.Fatalf("found %d case files, want the independent set of at least %d", len(files), min)
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".json"), func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var c Case[W]
			if err := json.Unmarshal(raw, &c); err != nil {
				t.Fatalf("fixture: %v", err)
			}
			input := []byte(c.Input)
			if c.InputRaw != nil {
				input = []byte(*c.InputRaw)
			}
			got, err := compute(bytes.NewReader(input))
			if c.WantErrorField != nil || c.InputRaw != nil {
				if err == nil {
					t.Fatalf("no error, want one naming %q (%s)", deref(c.WantErrorField), c.Why)
				}
				if f := deref(c.WantErrorField); !strings.Contains(err.Error(), f) {
					t.Errorf("error %q does not name %q", err, f)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v (%s)", err, c.Why)
			}
			check(t, got, c.Want)
			if t.Failed() {
				t.Logf("why: %s", c.Why)
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
