package sepa_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/iban/ibantest"
	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/platform/sepa"
	"github.com/plein-nl/plein/platform/sepa/sepatest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// smallBatch is the batch of the golden files: a resident, a creditor with a long name
// and remittance, a foreign account with a BIC, a name of emoji and the largest amount.
func smallBatch(t testing.TB) sepa.Batch {
	t.Helper()
	return sepa.Batch{
		MsgID:         "PLEIN-0796-20260120-0001",
		CreatedAt:     time.Date(2026, 1, 20, 9, 30, 15, 123456789, time.FixedZone("CET", 3600)),
		PmtInfID:      "PLEIN-0796-20260120-0001-1",
		ExecutionDate: time.Date(2026, 1, 23, 0, 0, 0, 0, time.UTC),
		Debtor: sepa.Debtor{
			Name:    "Gemeente ’s-Hertogenbosch",
			IBAN:    ibantest.NL(t, "BNGH", 285012345),
			BIC:     "BNGHNL2G",
			Town:    "’s-Hertogenbosch",
			Country: "NL",
		},
		Transfers: []sepa.Transfer{
			{
				EndToEndID: "PLN-2026-01-000001",
				Amount:     140150,
				Creditor:   sepa.Creditor{Name: "Zoë Çelik-de Vries", IBAN: ibantest.Must(t, "NL91ABNA0417164300"), Town: "Utrecht", Country: "NL"},
				Remittance: "Bijstand januari 2026 – Zoë Çelik",
			},
			{
				EndToEndID: "PLN-2026-01-000002",
				Amount:     12345,
				Creditor: sepa.Creditor{
					Name: "Zilveren Kruis Zorgverzekeringen N.V. & Achmea — Afdeling Incasso Premie Basisverzekering",
					IBAN: ibantest.NL(t, "INGB", 7654321), BIC: "ingbnl2a", Town: "Zeist", Country: "nl",
				},
				Remittance: "Polisnummers 123456789; 223456789; 323456789 — inhouding premie januari 2026 voor 3 inwoners, specificatie per inwoner in de bijlage (CSV en JSON) @ Plein",
			},
			{
				EndToEndID: "PLN-2026-01-000003",
				Amount:     1,
				Creditor:   sepa.Creditor{Name: "Łukasz Søren Müller", IBAN: ibantest.Must(t, "DE89370400440532013000"), BIC: "COBADEFFXXX", Country: "DE"},
			},
			{
				EndToEndID: "PLN-2026-01-000004",
				Amount:     sepa.MaxAmount,
				Creditor:   sepa.Creditor{Name: "😀", IBAN: ibantest.Must(t, "BE68539007547034")},
				Remittance: "O’Brien; Smith & Co",
			},
		},
	}
}

// parsed is what the tests read back from a written file, namespace-blind.
type parsed struct {
	GrpHdr struct {
		MsgID    string `xml:"MsgId"`
		NbOfTxs  int
		CtrlSum  string
		InitgPty struct{ Nm string }
	}
	PmtInf struct {
		NbOfTxs     int
		CtrlSum     string
		ReqdExctnDt struct {
			Date string `xml:",chardata"`
			Dt   string
		}
		Dbtr struct{ Nm string }
		Txs  []struct {
			PmtID struct {
				EndToEndID string `xml:"EndToEndId"`
			} `xml:"PmtId"`
			Amt struct {
				InstdAmt struct {
					Ccy   string `xml:",attr"`
					Value string `xml:",chardata"`
				}
			}
			Cdtr   struct{ Nm string }
			RmtInf struct{ Ustrd string }
		} `xml:"CdtTrfTxInf"`
	}
}

func decode(t testing.TB, data []byte) parsed {
	t.Helper()
	var doc struct {
		Initn parsed `xml:"CstmrCdtTrfInitn"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("written file is not XML: %v", err)
	}
	return doc.Initn
}

// cents reads "1401.50" without floats; the file must have exactly two decimals.
func cents(t testing.TB, s string) money.Cents {
	t.Helper()
	euros, frac, ok := strings.Cut(s, ".")
	if !ok || len(frac) != 2 || euros == "" || (len(euros) > 1 && euros[0] == '0') {
		t.Fatalf("amount %q does not have the form 0.00", s)
	}
	e, err1 := strconv.ParseInt(euros, 10, 64)
	c, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil {
		t.Fatalf("amount %q: %v %v", s, err1, err2)
	}
	return money.Cents(e*100 + c)
}

// xmllint validates data against the official XSD of v (sepatest.XMLLint).
func xmllint(t testing.TB, data []byte, v sepa.Version) ([]byte, error) {
	t.Helper()
	return sepatest.XMLLint(t, data, v)
}

func mustValidate(t testing.TB, data []byte, v sepa.Version) {
	t.Helper()
	if out, err := xmllint(t, data, v); err != nil {
		t.Fatalf("xmllint rejects the %s file: %v\n%s", v, err, out)
	}
}

var versions = []sepa.Version{sepa.V09, sepa.V03}

// write writes b in version v, failing the test when Write refuses it.
func write(t testing.TB, b sepa.Batch, v sepa.Version) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := sepa.Write(&buf, b, v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWriteGolden(t *testing.T) {
	t.Parallel()
	for _, v := range versions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			sum, err := sepa.Write(&buf, smallBatch(t), v)
			if err != nil {
				t.Fatal(err)
			}
			if want := (sepa.Summary{NbOfTxs: 4, CtrlSum: 140150 + 12345 + 1 + sepa.MaxAmount}); sum != want {
				t.Errorf("Summary = %+v; want %+v", sum, want)
			}
			mustValidate(t, buf.Bytes(), v)

			golden := filepath.Join("testdata", "small."+string(v)+".golden.xml")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(buf.Bytes(), want) {
				t.Errorf("%s differs from %s (go test -update rewrites it); got:\n%s", v, golden, buf.Bytes())
			}
			// The golden file itself must stay schema-valid, also after a hand edit.
			mustValidate(t, want, v)
		})
	}
}

// TestWriteContent checks the rules that a golden file shows but does not name.
func TestWriteContent(t *testing.T) {
	t.Parallel()
	for _, v := range versions {
		data := write(t, smallBatch(t), v)
		s := string(data)
		doc := decode(t, data)
		for _, want := range []string{
			`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:` + string(v) + `">`,
			"<CreDtTm>2026-01-20T09:30:15+01:00</CreDtTm>",
			"<PmtMtd>TRF</PmtMtd>", "<BtchBookg>true</BtchBookg>",
			"<SvcLvl>\n          <Cd>SEPA</Cd>", "<ChrgBr>SLEV</ChrgBr>",
			`<InstdAmt Ccy="EUR">1401.50</InstdAmt>`, `<InstdAmt Ccy="EUR">0.01</InstdAmt>`,
			`<InstdAmt Ccy="EUR">999999999.99</InstdAmt>`,
		} {
			if !strings.Contains(s, want) {
				t.Errorf("%s: no %q in\n%s", v, want, s)
			}
		}
		wantDate := map[sepa.Version]string{sepa.V09: "<ReqdExctnDt>\n        <Dt>2026-01-23</Dt>", sepa.V03: "<ReqdExctnDt>2026-01-23</ReqdExctnDt>"}[v]
		if !strings.Contains(s, wantDate) {
			t.Errorf("%s: execution date not written as %q", v, wantDate)
		}
		bicElem := map[sepa.Version]string{sepa.V09: "<BICFI>INGBNL2A</BICFI>", sepa.V03: "<BIC>INGBNL2A</BIC>"}[v]
		if !strings.Contains(s, bicElem) {
			t.Errorf("%s: creditor BIC not written as %q", v, bicElem)
		}
		if got := strings.Count(s, "<CdtrAgt>"); got != 2 {
			t.Errorf("%s: %d CdtrAgt; want 2, only where the BIC is known", v, got)
		}
		if got, want := strings.Count(s, "<PstlAdr>"), map[sepa.Version]int{sepa.V09: 3, sepa.V03: 0}[v]; got != want {
			t.Errorf("%s: %d PstlAdr; want %d (debtor, and creditors with town and country)", v, got, want)
		}
		if doc.GrpHdr.InitgPty.Nm != "Gemeente 's-Hertogenbosch" || doc.PmtInf.Dbtr.Nm != "Gemeente 's-Hertogenbosch" {
			t.Errorf("%s: InitgPty/Nm, Dbtr/Nm = %q, %q", v, doc.GrpHdr.InitgPty.Nm, doc.PmtInf.Dbtr.Nm)
		}
		names := []string{"Zoe Celik-de Vries", "Zilveren Kruis Zorgverzekeringen N.V. + Achmea - Afdeling Incasso Prem", "Lukasz Soren Muller", "-"}
		for i, tx := range doc.PmtInf.Txs {
			if tx.Cdtr.Nm != names[i] {
				t.Errorf("%s: transfer %d Cdtr/Nm = %q; want %q", v, i, tx.Cdtr.Nm, names[i])
			}
			if len(tx.RmtInf.Ustrd) > 140 || !onlyEPC(tx.RmtInf.Ustrd) {
				t.Errorf("%s: transfer %d Ustrd %q: over 140 or outside EPC", v, i, tx.RmtInf.Ustrd)
			}
		}
		if got := doc.PmtInf.Txs[1].RmtInf.Ustrd; len(got) != 140 {
			t.Errorf("%s: long remittance cut to %d characters; want 140: %q", v, len(got), got)
		}
		if strings.Count(s, "<RmtInf>") != 3 {
			t.Errorf("%s: want RmtInf only for the 3 transfers with a remittance", v)
		}
	}
}

func TestWriteDebtorWithoutBIC(t *testing.T) {
	t.Parallel()
	for _, v := range versions {
		b := smallBatch(t)
		b.Debtor.BIC = ""
		b.InitiatingParty = "Plein namens Gemeente ’s-Hertogenbosch"
		data := write(t, b, v)
		if want := "<DbtrAgt>\n        <FinInstnId>\n          <Othr>\n            <Id>NOTPROVIDED</Id>"; !strings.Contains(string(data), want) {
			t.Errorf("%s: no %q in\n%s", v, want, data)
		}
		if got := decode(t, data).GrpHdr.InitgPty.Nm; got != "Plein namens Gemeente 's-Hertogenbosch" {
			t.Errorf("%s: InitgPty/Nm = %q", v, got)
		}
		mustValidate(t, data, v)
	}
}

// TestXMLLintCatches shows that the schema check can fail: a file that breaks the XSD
// in a way Write never would is rejected.
func TestXMLLintCatches(t *testing.T) {
	t.Parallel()
	for _, v := range versions {
		file := string(write(t, smallBatch(t), v))
		for name, broken := range map[string]string{
			"EndToEndId of 36": strings.Replace(file, "PLN-2026-01-000001", strings.Repeat("X", 36), 1),
			"decimal comma":    strings.Replace(file, ">1401.50<", ">1401,50<", 1),
			"ChrgBr first":     strings.Replace(file, "<PmtMtd>TRF</PmtMtd>", "<ChrgBr>SLEV</ChrgBr><PmtMtd>TRF</PmtMtd>", 1),
		} {
			if out, err := xmllint(t, []byte(broken), v); err == nil {
				t.Errorf("%s: xmllint accepts a file with %s:\n%s", v, name, out)
			}
		}
	}
}

// TestWriteLarge writes 5,000 transfers with awkward names, towns, remittances and
// amounts, validates the file against the XSD and reconciles it with sums computed here.
func TestWriteLarge(t *testing.T) {
	t.Parallel()
	const n = 5000
	rnd := rand.New(rand.NewPCG(2026, 1))
	pieces := []string{"Çelik", "Jansen-De Vries", "Ğül", "Zoë", "Søren", "Łukasz", "François & Zn.",
		"O’Brien", "Smith; Co", "😀", "王", "\t", "IJzerman", "Straße", "“quoted”", "<tag>", "&amp;",
		"a_b@c", "]]>", "ß", "–", "Ĳssel", "\u00a0", "'s-Gravenhage", "/", "//", "€"}
	bics := []string{"", "", "ABNANL2A", "RABONL2U", "INGBNL2AXXX", "bunqnl2a"}
	awkward := func(words int) string {
		var b strings.Builder
		for range words {
			b.WriteString(pieces[rnd.IntN(len(pieces))])
			if rnd.IntN(3) > 0 {
				b.WriteByte(' ')
			}
		}
		return b.String()
	}

	for _, v := range versions {
		b := smallBatch(t)
		b.Transfers = make([]sepa.Transfer, n)
		var wantSum money.Cents
		for i := range b.Transfers {
			amount := money.Cents(1 + rnd.Int64N(250_000))
			switch i % 1000 {
			case 0:
				amount = 1
			case 1:
				amount = sepa.MaxAmount
			case 2:
				amount = 100
			}
			wantSum += amount
			name := awkward(1 + rnd.IntN(30))
			if strings.TrimSpace(name) == "" {
				name = "😀" + name // a blank name is missing data, an error of its own
			}
			b.Transfers[i] = sepa.Transfer{
				EndToEndID: fmt.Sprintf("PLN/2026-01/%07d", i),
				Amount:     amount,
				Creditor: sepa.Creditor{
					Name: name,
					IBAN: ibantest.NL(t, "ABNA", uint64(rnd.Int64N(1e10))),
					BIC:  bics[rnd.IntN(len(bics))],
					Town: awkward(rnd.IntN(8)), Country: []string{"", "NL", "be"}[rnd.IntN(3)],
				},
				Remittance: awkward(rnd.IntN(60)),
			}
		}

		var buf bytes.Buffer
		sum, err := sepa.Write(&buf, b, v)
		if err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		mustValidate(t, buf.Bytes(), v)
		if bytes.ContainsAny(buf.Bytes(), "&;#") {
			t.Errorf("%s: the file holds '&', ';' or '#', outside the EPC set", v)
		}

		doc := decode(t, buf.Bytes())
		var fileSum money.Cents
		for i, tx := range doc.PmtInf.Txs {
			fileSum += cents(t, tx.Amt.InstdAmt.Value)
			if tx.Amt.InstdAmt.Ccy != "EUR" {
				t.Fatalf("%s: transfer %d in %q", v, i, tx.Amt.InstdAmt.Ccy)
			}
			if len(tx.Cdtr.Nm) == 0 || len(tx.Cdtr.Nm) > 70 || !onlyEPC(tx.Cdtr.Nm) {
				t.Fatalf("%s: transfer %d Cdtr/Nm %q", v, i, tx.Cdtr.Nm)
			}
			if want := sepa.Cut(sepa.Transliterate(b.Transfers[i].Creditor.Name), 70); tx.Cdtr.Nm != want {
				t.Fatalf("%s: transfer %d Cdtr/Nm = %q; want %q", v, i, tx.Cdtr.Nm, want)
			}
			if len(tx.RmtInf.Ustrd) > 140 || !onlyEPC(tx.RmtInf.Ustrd) {
				t.Fatalf("%s: transfer %d Ustrd %q", v, i, tx.RmtInf.Ustrd)
			}
			if tx.PmtID.EndToEndID != b.Transfers[i].EndToEndID {
				t.Fatalf("%s: transfer %d EndToEndId %q; want %q", v, i, tx.PmtID.EndToEndID, b.Transfers[i].EndToEndID)
			}
		}
		want := sepa.Summary{NbOfTxs: n, CtrlSum: wantSum}
		got := []struct {
			what string
			s    sepa.Summary
		}{
			{"Summary", sum},
			{"GrpHdr", sepa.Summary{NbOfTxs: doc.GrpHdr.NbOfTxs, CtrlSum: cents(t, doc.GrpHdr.CtrlSum)}},
			{"PmtInf", sepa.Summary{NbOfTxs: doc.PmtInf.NbOfTxs, CtrlSum: cents(t, doc.PmtInf.CtrlSum)}},
			{"transactions", sepa.Summary{NbOfTxs: len(doc.PmtInf.Txs), CtrlSum: fileSum}},
		}
		for _, g := range got {
			if g.s != want {
				t.Errorf("%s: %s NbOfTxs, CtrlSum = %d, %d; want %d, %d", v, g.what, g.s.NbOfTxs, g.s.CtrlSum, want.NbOfTxs, want.CtrlSum)
			}
		}
	}
}

// fieldErrors flattens the joined errors of Write.
func fieldErrors(err error) []*sepa.FieldError {
	switch e := err.(type) {
	case *sepa.FieldError:
		return []*sepa.FieldError{e}
	case interface{ Unwrap() []error }:
		var all []*sepa.FieldError
		for _, x := range e.Unwrap() {
			all = append(all, fieldErrors(x)...)
		}
		return all
	case interface{ Unwrap() error }:
		return fieldErrors(e.Unwrap())
	}
	return nil
}

func TestWriteInvalid(t *testing.T) {
	t.Parallel()
	type want struct {
		index int
		field string
		err   error
	}
	tests := []struct {
		name    string
		version sepa.Version // V09 when empty
		edit    func(*sepa.Batch)
		want    []want
	}{
		{"bad IBAN", "", func(b *sepa.Batch) {
			b.Transfers[1].Creditor.IBAN = "NL50BANK1234567890" // conversion, not Parse: wrong checksum
		}, []want{{1, "Creditor.IBAN", sepa.ErrIBAN}}},
		{"unnormalised IBAN", "", func(b *sepa.Batch) {
			b.Transfers[0].Creditor.IBAN = "nl91 abna 0417 1643 00"
		}, []want{{0, "Creditor.IBAN", sepa.ErrIBAN}}},
		{"empty IBAN", "", func(b *sepa.Batch) { b.Debtor.IBAN = "" },
			[]want{{-1, "Debtor.IBAN", sepa.ErrIBAN}}},
		{"zero amount", "", func(b *sepa.Batch) { b.Transfers[2].Amount = 0 },
			[]want{{2, "Amount", sepa.ErrAmount}}},
		{"negative amount", "", func(b *sepa.Batch) { b.Transfers[0].Amount = -1 },
			[]want{{0, "Amount", sepa.ErrAmount}}},
		{"amount above the SEPA maximum", "", func(b *sepa.Batch) { b.Transfers[3].Amount = sepa.MaxAmount + 1 },
			[]want{{3, "Amount", sepa.ErrAmount}}},
		{"duplicate EndToEndId", "", func(b *sepa.Batch) { b.Transfers[2].EndToEndID = b.Transfers[0].EndToEndID },
			[]want{{2, "EndToEndID", sepa.ErrDuplicateID}}},
		{"EndToEndId of 36", "", func(b *sepa.Batch) { b.Transfers[1].EndToEndID = strings.Repeat("1", 36) },
			[]want{{1, "EndToEndID", sepa.ErrID}}},
		{"empty EndToEndId", "", func(b *sepa.Batch) { b.Transfers[1].EndToEndID = "" },
			[]want{{1, "EndToEndID", sepa.ErrID}}},
		{"EndToEndId with //", "", func(b *sepa.Batch) { b.Transfers[0].EndToEndID = "PLN//1" },
			[]want{{0, "EndToEndID", sepa.ErrID}}},
		{"EndToEndId starting with /", "", func(b *sepa.Batch) { b.Transfers[0].EndToEndID = "/PLN1" },
			[]want{{0, "EndToEndID", sepa.ErrID}}},
		{"EndToEndId ending with /", "", func(b *sepa.Batch) { b.Transfers[0].EndToEndID = "PLN1/" },
			[]want{{0, "EndToEndID", sepa.ErrID}}},
		{"EndToEndId outside EPC", "", func(b *sepa.Batch) { b.Transfers[0].EndToEndID = "PLN_1" },
			[]want{{0, "EndToEndID", sepa.ErrID}}},
		{"MsgId and PmtInfId", "", func(b *sepa.Batch) { b.MsgID, b.PmtInfID = "", strings.Repeat("é", 10) },
			[]want{{-1, "MsgID", sepa.ErrID}, {-1, "PmtInfID", sepa.ErrID}}},
		{"bad creditor BIC", "", func(b *sepa.Batch) { b.Transfers[2].Creditor.BIC = "COBADE" },
			[]want{{2, "Creditor.BIC", sepa.ErrBIC}}},
		{"BIC with a digit in the bank code in .03", sepa.V03, func(b *sepa.Batch) { b.Transfers[0].Creditor.BIC = "AB1CNL2A" },
			[]want{{0, "Creditor.BIC", sepa.ErrBIC}}},
		{"bad country", "", func(b *sepa.Batch) { b.Transfers[0].Creditor.Country = "NLD" },
			[]want{{0, "Creditor.Country", sepa.ErrCountry}}},
		{"blank creditor name", "", func(b *sepa.Batch) { b.Transfers[3].Creditor.Name = " \t" },
			[]want{{3, "Creditor.Name", sepa.ErrRequired}}},
		{"debtor without address in .09", "", func(b *sepa.Batch) { b.Debtor.Town, b.Debtor.Country = "", "" },
			[]want{{-1, "Debtor.Town", sepa.ErrRequired}, {-1, "Debtor.Country", sepa.ErrRequired}}},
		{"no dates", "", func(b *sepa.Batch) { b.CreatedAt, b.ExecutionDate = time.Time{}, time.Time{} },
			[]want{{-1, "CreatedAt", sepa.ErrRequired}, {-1, "ExecutionDate", sepa.ErrRequired}}},
		{"no transfers", "", func(b *sepa.Batch) { b.Transfers = nil },
			[]want{{-1, "Transfers", sepa.ErrNoTransfers}}},
		{"every problem at once", "", func(b *sepa.Batch) {
			b.Transfers[0].Amount = 0
			b.Transfers[1].Creditor.IBAN = "NL50BANK1234567890"
			b.Transfers[3].EndToEndID = b.Transfers[1].EndToEndID
		}, []want{{0, "Amount", sepa.ErrAmount}, {1, "Creditor.IBAN", sepa.ErrIBAN}, {3, "EndToEndID", sepa.ErrDuplicateID}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			v := tt.version
			if v == "" {
				v = sepa.V09
			}
			b := smallBatch(t)
			tt.edit(&b)
			var buf bytes.Buffer
			sum, err := sepa.Write(&buf, b, v)
			if err == nil {
				t.Fatalf("Write succeeded; want %v", tt.want)
			}
			if buf.Len() != 0 || sum != (sepa.Summary{}) {
				t.Errorf("Write wrote %d bytes and returned %+v on error; want nothing", buf.Len(), sum)
			}
			got := fieldErrors(err)
			if len(got) != len(tt.want) {
				t.Fatalf("errors = %v; want %d: %v", err, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				g := got[i]
				if g.Index != w.index || g.Field != w.field || !errors.Is(g, w.err) {
					t.Errorf("error %d = {%d %s %v}; want {%d %s %v}", i, g.Index, g.Field, g.Err, w.index, w.field, w.err)
				}
				place := fmt.Sprintf("transfer %d: %s: ", w.index, w.field)
				if w.index < 0 {
					place = fmt.Sprintf("batch: %s: ", w.field)
				}
				if !strings.Contains(err.Error(), place) {
					t.Errorf("message %q does not name %q", err, place)
				}
			}
			if strings.Contains(err.Error(), "NL50BANK") {
				t.Errorf("message %q repeats the IBAN, which is personal data", err)
			}
		})
	}
}

func TestWriteDebtorAddressOptionalIn03(t *testing.T) {
	t.Parallel()
	b := smallBatch(t)
	b.Debtor.Town, b.Debtor.Country = "", ""
	mustValidate(t, write(t, b, sepa.V03), sepa.V03)
}

func TestWriteUnknownVersion(t *testing.T) {
	t.Parallel()
	_, err := sepa.Write(&bytes.Buffer{}, smallBatch(t), "pain.001.001.12")
	if !errors.Is(err, sepa.ErrVersion) {
		t.Fatalf("Write with an unknown version: %v; want ErrVersion", err)
	}
}

type failingWriter struct{ after int }

func (w *failingWriter) Write(p []byte) (int, error) {
	if w.after <= 0 {
		return 0, errors.New("disk full")
	}
	w.after--
	return len(p), nil
}

func TestWriteWriterFails(t *testing.T) {
	t.Parallel()
	// A batch large enough to reach the writer in several writes (the writer gathers
	// what it writes in chunks): failing at the first, a middle and the last write.
	b := smallBatch(t)
	for i := range 2000 {
		tr := b.Transfers[0]
		tr.EndToEndID = fmt.Sprintf("PLN-2026-01-%06d", 100+i)
		b.Transfers = append(b.Transfers, tr)
	}
	var c countingWriter
	if _, err := sepa.Write(&c, b, sepa.V09); err != nil {
		t.Fatal(err)
	}
	if c.writes < 3 {
		t.Fatalf("%d transfers reached the writer in %d writes; want several", len(b.Transfers), c.writes)
	}
	for _, after := range []int{0, c.writes / 2, c.writes - 1} {
		sum, err := sepa.Write(&failingWriter{after: after}, b, sepa.V09)
		if err == nil || !strings.Contains(err.Error(), "disk full") || sum != (sepa.Summary{}) {
			t.Errorf("Write to a writer failing after %d of %d writes = %+v, %v; want the write error", after, c.writes, sum, err)
		}
	}
}

type countingWriter struct{ writes int }

func (w *countingWriter) Write(p []byte) (int, error) { w.writes++; return len(p), nil }
