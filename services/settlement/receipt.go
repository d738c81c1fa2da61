package settlement

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/money"
)

// Every item of a run stores its receipt: the inputs of its month in the engine's
// canonical encoding (bijstand.AppendCanonical), their SHA-256, the law parameter file
// the engine applied, the version of the gemeente's configuration the settings came
// from and the engine version. With them Replay computes the month again and proves
// the stored cents; without them (an item of a run from before migration 00021) a month
// cannot be replayed, and Replay says so.
//
// The stored inputs are the engine's case and, in the gemeente's vakantietoeslag month,
// one line more: "V<TAB><cents>", the reserve of earlier months still owed, which the
// run pays out with this month's reserve. The hash covers the whole of it.

// Receipt is what a resident's month was computed from and with, as the caseload gives
// it with the month.
type Receipt struct {
	// Case is what the engine computed (also when it refused it).
	Case bijstand.Case
	// LawFile names the law parameters applied (law.Params.File); "" when none.
	LawFile string
	// ConfigVersion is the version of the gemeente's configuration in force.
	ConfigVersion int
	// EngineVersion is bijstand.EngineVersion of the engine that computed it.
	EngineVersion string
	// Wages are the payslips the month counted, in the order of Case.Income: their
	// gross, for the resident's specificatie (the engine counts the net).
	Wages []Wage
}

// Wage is a payslip's part of a month: who paid it, gross and net.
type Wage struct {
	Employer   string
	Gross, Net money.Cents
}

// vtLine starts the line of the inputs with the reserve owed from earlier months.
const vtLine = "\nV\t"

// encodeInputs is the stored inputs of a month: the canonical case and, when vt, the
// line of the reserve owed.
func encodeInputs(c bijstand.Case, vt bool, owed money.Cents) ([]byte, error) {
	b, err := bijstand.AppendCanonical(make([]byte, 0, 160), c)
	if err != nil {
		return nil, err
	}
	if vt {
		b = append(b, vtLine...)
		b = strconv.AppendInt(b, int64(owed), 10)
	}
	return b, nil
}

// decodeInputs reads what encodeInputs wrote.
func decodeInputs(b []byte) (c bijstand.Case, vt bool, owed money.Cents, err error) {
	if i := bytes.LastIndex(b, []byte(vtLine)); i >= 0 {
		v, perr := strconv.ParseInt(string(b[i+len(vtLine):]), 10, 64)
		if perr != nil || v < 0 {
			return c, false, 0, fmt.Errorf("the reserve owed %q is not a number of cents", b[i+len(vtLine):])
		}
		vt, owed, b = true, money.Cents(v), b[:i]
	}
	c, err = bijstand.ParseCanonical(b)
	return c, vt, owed, err
}

// inputsHash is the SHA-256 of the stored inputs.
func inputsHash(inputs []byte) []byte {
	h := sha256.Sum256(inputs)
	return h[:]
}

// encodeWages writes wages a line each, "gross<TAB>employer"; a tab or line break in
// an employer's name becomes a space (the name is only shown).
func encodeWages(ws []Wage) string {
	var b strings.Builder
	for i, w := range ws {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strconv.FormatInt(int64(w.Gross), 10))
		b.WriteByte('\t')
		b.WriteString(strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(w.Employer))
	}
	return b.String()
}

// decodeWages reads what encodeWages wrote, the nets from the case's incomes.
func decodeWages(s string, c bijstand.Case) ([]Wage, error) {
	if s == "" {
		return nil, nil
	}
	lines := strings.Split(s, "\n")
	out := make([]Wage, len(lines))
	for i, l := range lines {
		g, name, ok := strings.Cut(l, "\t")
		v, err := strconv.ParseInt(g, 10, 64)
		if !ok || err != nil {
			return nil, fmt.Errorf("wage %d: %q", i, l)
		}
		out[i] = Wage{Employer: name, Gross: money.Cents(v)}
		if i < len(c.Income) {
			out[i].Net = c.Income[i].Net
		}
	}
	return out, nil
}

// storedReceipt is an item's receipt as stored, columns of settlement_items that are
// NULL for an item from before receipts.
type storedReceipt struct {
	Inputs        *string
	Hash          []byte
	LawFile       *string
	ConfigVersion *int32
	EngineVersion *string
	Wages         *string
}

// receiptColumns makes the stored receipt of month m whose vakantietoeslag owed from
// earlier months is owed (vt: the run pays the reserve out this month).
func receiptColumns(m ResidentMonth) (storedReceipt, error) {
	rc := m.Receipt
	if rc == nil {
		return storedReceipt{}, nil
	}
	in, err := encodeInputs(rc.Case, m.vtMonth, m.vtOwed)
	if err != nil {
		return storedReceipt{}, err
	}
	s, law, eng, wages, v := string(in), rc.LawFile, rc.EngineVersion, encodeWages(rc.Wages), int32(rc.ConfigVersion)
	return storedReceipt{Inputs: &s, Hash: inputsHash(in), LawFile: &law, ConfigVersion: &v, EngineVersion: &eng, Wages: &wages}, nil
}
