package bijstand

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestCanonicalRoundTrip: every case of the engine's test data encodes, parses back to
// the same case and encodes to the same bytes again.
func TestCanonicalRoundTrip(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/cases/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c, err := caseOfTestFile(src)
		if err != nil {
			continue // a case the decoder refuses (the err_ files): nothing to store
		}
		b, err := AppendCanonical(nil, c)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		back, err := ParseCanonical(b)
		if err != nil {
			t.Fatalf("%s: ParseCanonical(%q): %v", f, b, err)
		}
		if !reflect.DeepEqual(normal(back), normal(c)) {
			t.Errorf("%s: round trip\n got %+v\nwant %+v", f, back, c)
		}
		if again, _ := AppendCanonical(nil, back); string(again) != string(b) {
			t.Errorf("%s: encoded again %q, first %q", f, again, b)
		}
	}
}

// normal makes empty lists nil, as ParseCanonical leaves them.
func normal(c Case) Case {
	if len(c.Household.Children) == 0 {
		c.Household.Children = nil
	}
	if len(c.Household.Housemates) == 0 {
		c.Household.Housemates = nil
	}
	if len(c.Income) == 0 {
		c.Income = nil
	}
	if len(c.Deductions) == 0 {
		c.Deductions = nil
	}
	return c
}

func TestCanonicalExact(t *testing.T) {
	t.Parallel()
	c := Case{Period: Period{Year: 2026, Month: time.March}, MinCashPayout: 5000,
		Household: Household{Kind: KindSingleParent, Applicants: []Applicant{{BirthDate: time.Date(1990, 2, 3, 0, 0, 0, 0, time.UTC), NMonthsUsed: 2}},
			Children: []Child{{BirthDate: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}}},
		Income:     []Income{{Applicant: 0, Source: SourceWork, Net: 45000}},
		Deductions: []Deduction{{ID: "p1", Kind: DeductOnBehalf, Amount: 15850, Priority: 1, Label: "Zilveren Kruis"}}}
	got, err := AppendCanonical(nil, c)
	want := "P\t2026-03\tsingle_parent\t0\t0\t5000\nA\t19900203\t2\t0\t0\nC\t20200101\nI\t0\twork\t45000\nD\tp1\ton_behalf\t15850\t1\tZilveren Kruis"
	if err != nil || string(got) != want {
		t.Errorf("AppendCanonical = %q, %v; want %q", got, err, want)
	}
	c.Deductions[0].Label = "a\tb"
	if _, err := AppendCanonical(nil, c); !errors.Is(err, ErrCanonical) || !strings.Contains(err.Error(), "deductions[0]") {
		t.Errorf("a tab in a label: %v, want ErrCanonical naming deductions[0]", err)
	}
}

func TestParseCanonicalRefuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, names string }{
		{"", "line 1"},
		{"A\t19900101\t0\t0\t0", "line 1"},
		{"P\t2026-03\tsingle\t0\t0", "record \"P\" with 4 fields"},
		{"P\t2026-3\tsingle\t0\t0\t0", "line 1 field 1"},
		{"P\t2026-03\tsingle\t2\t0\t0", "line 1 field 3"},
		{"P\t2026-03\tsingle\t0\t0\t+5", "line 1 field 5"},
		{"P\t2026-03\tsingle\t0\t0\t0\nA\t1990-01-01\t0\t0\t0", "line 2 field 1"},
		{"P\t2026-03\tsingle\t0\t0\t0\nI\t0\twork\t1\nA\t19900101\t0\t0\t0", "line 3: not a record in its place"},
		{"P\t2026-03\tsingle\t0\t0\t0\nX\t1", "line 2: not a record"},
		{"P\t2026-03\tsingle\t0\t0\t0\n", "line 2"},
	} {
		if _, err := ParseCanonical([]byte(tc.in)); !errors.Is(err, ErrCanonical) || !strings.Contains(err.Error(), tc.names) {
			t.Errorf("ParseCanonical(%q) = %v, want ErrCanonical naming %q", tc.in, err, tc.names)
		}
	}
}

// caseOfTestFile decodes the input of one file of testdata/cases.
func caseOfTestFile(src []byte) (Case, error) {
	var f struct {
		Input json.RawMessage `json:"input"`
	}
	if err := json.Unmarshal(src, &f); err != nil {
		return Case{}, err
	}
	return DecodeCase(bytes.NewReader(f.Input))
}
