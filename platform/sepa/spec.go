package sepa

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/plein-nl/plein/platform/money"
)

// SpecLine is one line of the specification that goes with a creditor's aggregated
// transfer: whose deduction it is, the creditor's own reference for it (a polisnummer,
// a dossiernummer) and the amount.
type SpecLine struct {
	Resident  string
	Reference string
	Amount    money.Cents
}

// Errors of the specification functions.
var (
	ErrSpecAmount   = errors.New("specification line amount must be more than € 0,00")
	ErrSpecMismatch = errors.New("specification does not add up to the transfer amount")
)

// SpecTotal returns the sum of the lines' amounts: what the aggregated transfer must be.
func SpecTotal(lines []SpecLine) money.Cents {
	var total money.Cents
	for _, l := range lines {
		total += l.Amount
	}
	return total
}

// CheckSpec reports whether lines may accompany a transfer of amount: every line positive
// and the lines adding up exactly. Call it before writing the transfer and its
// specification, so that a creditor never gets a specification that disagrees with the
// money.
func CheckSpec(lines []SpecLine, amount money.Cents) error {
	if err := checkLines(lines); err != nil {
		return err
	}
	if got := SpecTotal(lines); got != amount {
		return fmt.Errorf("%w: lines total %s, transfer %s", ErrSpecMismatch, got, amount)
	}
	return nil
}

func checkLines(lines []SpecLine) error {
	for i, l := range lines {
		if l.Amount <= 0 {
			return fmt.Errorf("line %d: %w", i, ErrSpecAmount)
		}
	}
	return nil
}

// WriteSpecCSV writes the specification as RFC 4180 CSV (encoding/csv): UTF-8, comma
// separated, a header "resident,reference,amount", CRLF line ends, amounts in euros with a
// decimal point ("1401.50", as in the pain.001 file). A comma rather than the semicolon
// of Dutch spreadsheets, because the readers are the creditors' systems, and the quoting
// of encoding/csv keeps any name intact. Names keep their accents: the specification is
// not a SEPA message. A text field that starts with = + - @ or a tab gets a leading "'",
// so that a spreadsheet does not run it as a formula (CSV injection).
func WriteSpecCSV(w io.Writer, lines []SpecLine) error {
	if err := checkLines(lines); err != nil {
		return fmt.Errorf("sepa: specification: %w", err)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write([]string{"resident", "reference", "amount"}); err != nil {
		return fmt.Errorf("sepa: specification: %w", err)
	}
	for _, l := range lines {
		rec := []string{defuse(l.Resident), defuse(l.Reference), formatAmount(l.Amount)}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("sepa: specification: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("sepa: specification: %w", err)
	}
	return nil
}

// defuse prefixes text that a spreadsheet would read as a formula.
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// specJSON is the JSON form of a specification. Amounts are integer cents, as everywhere
// in Plein's JSON, so no float touches them.
type specJSON struct {
	Count      int            `json:"count"`
	TotalCents money.Cents    `json:"total_cents"`
	Lines      []specLineJSON `json:"lines"`
}

type specLineJSON struct {
	Resident    string      `json:"resident"`
	Reference   string      `json:"reference"`
	AmountCents money.Cents `json:"amount_cents"`
}

// WriteSpecJSON writes the specification as one JSON object,
//
//	{"count":2,"total_cents":12345,"lines":[{"resident":"…","reference":"…","amount_cents":…}]}
//
// with the count and total for the receiver to check against the transfer.
func WriteSpecJSON(w io.Writer, lines []SpecLine) error {
	if err := checkLines(lines); err != nil {
		return fmt.Errorf("sepa: specification: %w", err)
	}
	doc := specJSON{Count: len(lines), TotalCents: SpecTotal(lines), Lines: make([]specLineJSON, len(lines))}
	for i, l := range lines {
		doc.Lines[i] = specLineJSON{Resident: l.Resident, Reference: l.Reference, AmountCents: l.Amount}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // "François & Zn." stays readable; this is no HTML
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("sepa: specification: %w", err)
	}
	return nil
}
