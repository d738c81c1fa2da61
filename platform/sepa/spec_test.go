package sepa_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/sepa"
)

func specLines() []sepa.SpecLine {
	return []sepa.SpecLine{
		{Resident: "Zoë Çelik-de Vries", Reference: "POL-123456789", Amount: 4250},
		{Resident: `Jansen, "Piet"`, Reference: "123 456 789", Amount: 12000},
		{Resident: "=HYPERLINK(\"x\")", Reference: "-5", Amount: 1},
		{Resident: "O’Brien\nsecond line", Reference: "", Amount: 99},
	}
}

func TestSpecTotalAndCheck(t *testing.T) {
	t.Parallel()
	lines := specLines()
	if got, want := sepa.SpecTotal(lines), money.Cents(4250+12000+1+99); got != want {
		t.Errorf("SpecTotal = %d; want %d", got, want)
	}
	if got := sepa.SpecTotal(nil); got != 0 {
		t.Errorf("SpecTotal(nil) = %d; want 0", got)
	}
	if err := sepa.CheckSpec(lines, 16350); err != nil {
		t.Errorf("CheckSpec with the right total: %v", err)
	}
	if err := sepa.CheckSpec(lines, 16349); !errors.Is(err, sepa.ErrSpecMismatch) {
		t.Errorf("CheckSpec one cent off: %v; want ErrSpecMismatch", err)
	}
	if err := sepa.CheckSpec(nil, 1); !errors.Is(err, sepa.ErrSpecMismatch) {
		t.Errorf("CheckSpec without lines: %v; want ErrSpecMismatch", err)
	}
	// A zero and a negative line that cancel out still do not pass.
	bad := append(specLines(), sepa.SpecLine{Resident: "A", Amount: 0})
	if err := sepa.CheckSpec(bad, 16350); !errors.Is(err, sepa.ErrSpecAmount) || !strings.Contains(err.Error(), "line 4") {
		t.Errorf("CheckSpec with a zero line: %v; want ErrSpecAmount naming line 4", err)
	}
}

func TestWriteSpecCSV(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := sepa.WriteSpecCSV(&buf, specLines()); err != nil {
		t.Fatal(err)
	}
	want := "resident,reference,amount\r\n" +
		"Zoë Çelik-de Vries,POL-123456789,42.50\r\n" +
		"\"Jansen, \"\"Piet\"\"\",123 456 789,120.00\r\n" +
		"\"'=HYPERLINK(\"\"x\"\")\",'-5,0.01\r\n" +
		"\"O’Brien\r\nsecond line\",,0.99\r\n"
	if got := buf.String(); got != want {
		t.Errorf("WriteSpecCSV =\n%q\nwant\n%q", got, want)
	}
	// What a CSV reader gets back is the lines, defused formulas aside.
	recs, err := csv.NewReader(strings.NewReader(buf.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 5 || recs[2][0] != `Jansen, "Piet"` || recs[4][0] != "O’Brien\nsecond line" {
		t.Errorf("read back %q", recs)
	}

	err = sepa.WriteSpecCSV(&bytes.Buffer{}, []sepa.SpecLine{{Resident: "A", Amount: -1}})
	if !errors.Is(err, sepa.ErrSpecAmount) {
		t.Errorf("WriteSpecCSV with a negative line: %v; want ErrSpecAmount", err)
	}
}

func TestWriteSpecJSON(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := sepa.WriteSpecJSON(&buf, specLines()[:2]); err != nil {
		t.Fatal(err)
	}
	want := `{
  "count": 2,
  "total_cents": 16250,
  "lines": [
    {
      "resident": "Zoë Çelik-de Vries",
      "reference": "POL-123456789",
      "amount_cents": 4250
    },
    {
      "resident": "Jansen, \"Piet\"",
      "reference": "123 456 789",
      "amount_cents": 12000
    }
  ]
}
`
	if got := buf.String(); got != want {
		t.Errorf("WriteSpecJSON =\n%s\nwant\n%s", got, want)
	}

	buf.Reset()
	if err := sepa.WriteSpecJSON(&buf, specLines()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Count      int         `json:"count"`
		TotalCents money.Cents `json:"total_cents"`
		Lines      []struct {
			Resident    string      `json:"resident"`
			AmountCents money.Cents `json:"amount_cents"`
		} `json:"lines"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var sum money.Cents
	for _, l := range doc.Lines {
		sum += l.AmountCents
	}
	if doc.Count != 4 || len(doc.Lines) != 4 || doc.TotalCents != 16350 || sum != doc.TotalCents {
		t.Errorf("read back count %d, %d lines, total %d, sum %d; want 4, 4, 16350, 16350", doc.Count, len(doc.Lines), doc.TotalCents, sum)
	}
	if doc.Lines[2].Resident != `=HYPERLINK("x")` {
		t.Errorf("JSON keeps text as is; got %q", doc.Lines[2].Resident)
	}

	if err := sepa.WriteSpecJSON(&bytes.Buffer{}, []sepa.SpecLine{{Amount: 0}}); !errors.Is(err, sepa.ErrSpecAmount) {
		t.Errorf("WriteSpecJSON with a zero line: %v; want ErrSpecAmount", err)
	}
}
