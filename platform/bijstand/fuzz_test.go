package bijstand_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/law"
)

// FuzzDecodeCase feeds `plein calc month` input to DecodeCase and computes what it
// accepts. A refusal is an InputError naming a field; a computed month keeps the
// engine's identities: bijstand = reserve + deductions applied + payout, each of them
// at least 0, and per deduction applied + shortfall = requested.
func FuzzDecodeCase(f *testing.F) {
	files, _ := filepath.Glob("testdata/cases/*.json")
	if len(files) == 0 {
		f.Fatal("no cases in testdata/cases")
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var fixture struct {
			Input json.RawMessage `json:"input"`
		}
		if err := json.Unmarshal(b, &fixture); err != nil {
			f.Fatalf("%s: %v", file, err)
		}
		f.Add([]byte(fixture.Input))
	}
	for _, bad := range []string{``, `{}`, `[]`, `{"period":"2026-13"}`, `{"period":"2026-01"} {}`,
		`{"period":"2026-01","household":{"kind":"single","applicants":[{"birth_date":"1995-02-30"}]}}`,
		`{"period":"2026-01","household":{"kind":"couple","applicants":[{"birth_date":"1990-01-01"}]},"income":[{"applicant":5,"net_cents":1}]}`,
		`{"period":"2026-01","household":{"kind":"single","applicants":[{"birth_date":"1990-01-01"}]},"deductions":[{"id":"a","kind":"beslag","amount_cents":-1}]}`,
		`{"period":"2026-01","min_cash_payout_cents":9223372036854775807}`, `{"period":null,"extra":1}`} {
		f.Add([]byte(bad))
	}
	calc := bijstand.NewCalculator(law.MustLoad())
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := bijstand.DecodeCase(bytes.NewReader(in))
		if err != nil {
			checkInputError(t, "DecodeCase", err)
			return
		}
		r, _, err := calc.Month(c)
		if err != nil {
			checkInputError(t, "Month", err)
			return
		}
		checkIdentities(t, r)
	})
}

func checkInputError(t *testing.T, step string, err error) {
	t.Helper()
	var ie *bijstand.InputError
	if !errors.As(err, &ie) || ie.Field == "" || ie.Msg == "" {
		t.Fatalf("%s: %v (%T) is not an InputError naming a field", step, err, err)
	}
}

func checkIdentities(t *testing.T, r bijstand.Result) {
	t.Helper()
	if r.Bijstand < 0 || r.VakantietoeslagReserve < 0 || r.Payout < 0 {
		t.Fatalf("negative amount: bijstand %d, reserve %d, payout %d", r.Bijstand, r.VakantietoeslagReserve, r.Payout)
	}
	sum := r.VakantietoeslagReserve + r.Payout
	for i, d := range r.Deductions {
		if d.Applied < 0 || d.Shortfall < 0 || d.Applied+d.Shortfall != d.Requested {
			t.Fatalf("deduction %d: applied %d + shortfall %d, requested %d", i, d.Applied, d.Shortfall, d.Requested)
		}
		sum += d.Applied
	}
	if sum != r.Bijstand {
		t.Fatalf("reserve %d + applied + payout %d = %d, bijstand %d", r.VakantietoeslagReserve, r.Payout, sum, r.Bijstand)
	}
}
