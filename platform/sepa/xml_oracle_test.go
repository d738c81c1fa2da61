package sepa

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/money"
)

// The writer as it was before stream.go, kept as the oracle that the streaming writer
// is compared with (TestStreamMatchesEncodingXML): structs that mirror the XSDs, which
// encoding/xml writes in declaration order, the sequence the schema demands. One set
// serves both versions: the elements that differ (ReqdExctnDt, BICFI/BIC, PstlAdr) are
// set per version and the others omitted.

type document struct {
	XMLName xml.Name `xml:"Document"`
	Xmlns   string   `xml:"xmlns,attr"`
	Initn   initiation
}

type initiation struct {
	XMLName xml.Name `xml:"CstmrCdtTrfInitn"`
	GrpHdr  groupHeader
	PmtInf  paymentInstruction
}

type groupHeader struct {
	MsgID    string `xml:"MsgId"`
	CreDtTm  string
	NbOfTxs  int
	CtrlSum  string
	InitgPty party
}

type paymentInstruction struct {
	PmtInfID    string `xml:"PmtInfId"`
	PmtMtd      string
	BtchBookg   bool
	NbOfTxs     int
	CtrlSum     string
	PmtTpInf    paymentType
	ReqdExctnDt any // *dateChoice in .09, the plain date string in .03
	Dbtr        party
	DbtrAcct    account
	DbtrAgt     agent
	ChrgBr      string
	CdtTrfTxInf []transaction
}

type paymentType struct {
	SvcLvl struct {
		Cd string
	}
}

type dateChoice struct {
	Dt string
}

type party struct {
	Nm      epcText
	PstlAdr *address `xml:",omitempty"`
}

type address struct {
	TwnNm epcText
	Ctry  string
}

type account struct {
	ID struct {
		IBAN string
	} `xml:"Id"`
}

type agent struct {
	FinInstnID financialInstitution `xml:"FinInstnId"`
}

type financialInstitution struct {
	BICFI string `xml:",omitempty"` // .09
	BIC   string `xml:",omitempty"` // .03
	Othr  *other `xml:",omitempty"`
}

type other struct {
	ID string `xml:"Id"`
}

type transaction struct {
	PmtID struct {
		EndToEndID string `xml:"EndToEndId"`
	} `xml:"PmtId"`
	Amt struct {
		InstdAmt amount
	}
	CdtrAgt  *agent `xml:",omitempty"`
	Cdtr     party
	CdtrAcct account
	RmtInf   *remittance `xml:",omitempty"`
}

type amount struct {
	Ccy   string `xml:",attr"`
	Value string `xml:",chardata"`
}

type remittance struct {
	Ustrd epcText
}

// build turns a validated batch into the document of version v.
func build(b Batch, v Version, sum Summary) *document {
	ctrl := formatAmount(sum.CtrlSum)
	initgPty := b.InitiatingParty
	if blank(initgPty) {
		initgPty = b.Debtor.Name
	}
	d := &document{Xmlns: v.Namespace()}
	d.Initn.GrpHdr = groupHeader{
		MsgID: b.MsgID,
		// Seconds and the UTC offset: an xs:dateTime without fraction, unambiguous.
		CreDtTm:  b.CreatedAt.Format("2006-01-02T15:04:05Z07:00"),
		NbOfTxs:  sum.NbOfTxs,
		CtrlSum:  ctrl,
		InitgPty: party{Nm: name(initgPty)},
	}
	p := &d.Initn.PmtInf
	p.PmtInfID = b.PmtInfID
	p.PmtMtd = "TRF"
	p.BtchBookg = true
	p.NbOfTxs = sum.NbOfTxs
	p.CtrlSum = ctrl
	p.PmtTpInf.SvcLvl.Cd = "SEPA"
	date := b.ExecutionDate.Format("2006-01-02")
	if v == V09 {
		p.ReqdExctnDt = &dateChoice{Dt: date}
	} else {
		p.ReqdExctnDt = date
	}
	p.Dbtr = party{Nm: name(b.Debtor.Name)}
	if v == V09 {
		p.Dbtr.PstlAdr = &address{TwnNm: town(b.Debtor.Town), Ctry: normCountry(b.Debtor.Country)}
	}
	p.DbtrAcct.ID.IBAN = string(b.Debtor.IBAN)
	if a := agentFor(b.Debtor.BIC, v); a != nil {
		p.DbtrAgt = *a
	} else {
		p.DbtrAgt.FinInstnID.Othr = &other{ID: "NOTPROVIDED"}
	}
	p.ChrgBr = "SLEV"

	p.CdtTrfTxInf = make([]transaction, len(b.Transfers))
	for i, t := range b.Transfers {
		x := &p.CdtTrfTxInf[i]
		x.PmtID.EndToEndID = t.EndToEndID
		x.Amt.InstdAmt = amount{Ccy: "EUR", Value: formatAmount(t.Amount)}
		x.CdtrAgt = agentFor(t.Creditor.BIC, v)
		x.Cdtr.Nm = name(t.Creditor.Name)
		if v == V09 && !blank(t.Creditor.Town) && !blank(t.Creditor.Country) {
			x.Cdtr.PstlAdr = &address{TwnNm: town(t.Creditor.Town), Ctry: normCountry(t.Creditor.Country)}
		}
		x.CdtrAcct.ID.IBAN = string(t.Creditor.IBAN)
		if !blank(t.Remittance) {
			x.RmtInf = &remittance{Ustrd: epc(Cut(Transliterate(t.Remittance), MaxRemittanceLen))}
		}
	}
	return d
}

// agentFor returns the FinInstnId with the BIC in the element of version v, or nil when
// the BIC is unknown.
func agentFor(bic string, v Version) *agent {
	if blank(bic) {
		return nil
	}
	a := &agent{}
	if v == V09 {
		a.FinInstnID.BICFI = normBIC(bic)
	} else {
		a.FinInstnID.BIC = normBIC(bic)
	}
	return a
}

// encode writes the XML declaration and the indented document.
func encode(w io.Writer, d *document) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(d); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// TestStreamMatchesEncodingXML writes random batches of awkward text with both writers:
// the bytes must be the same, for both versions.
func TestStreamMatchesEncodingXML(t *testing.T) {
	t.Parallel()
	rnd := rand.New(rand.NewPCG(2026, 12))
	pieces := []string{"Çelik", "O'Brien", "Zoë", "王", "\t", "\n", "<b>", "&amp;", "\"q\"", "]]>", "€", "/",
		"'s-Gravenhage", "Smith; Co", "\u00a0", "\xff", "IJssel", ""}
	text := func(words int) string {
		var b strings.Builder
		for range rnd.IntN(words + 1) {
			b.WriteString(pieces[rnd.IntN(len(pieces))])
			b.WriteByte(' ')
		}
		return b.String()
	}
	bics := []string{"", " ", "ABNANL2A", "ingbnl2axxx"}
	for i := range 200 {
		v := []Version{V03, V09}[i%2]
		b := Batch{
			MsgID: fmt.Sprintf("MSG-%d'&<x>", i), PmtInfID: fmt.Sprintf("P\"%d", i),
			CreatedAt:     time.Date(2026, 1, 20, 9, 30, i%60, 0, time.FixedZone("", 3600*(i%3))),
			ExecutionDate: time.Date(2026, 1, 23, 0, 0, 0, 0, time.UTC),
			Debtor: Debtor{Name: text(4), Town: text(2), Country: " nl", IBAN: "NL38BNGH0285012345",
				BIC: bics[rnd.IntN(len(bics))]},
			InitiatingParty: []string{"", " ", text(3)}[rnd.IntN(3)],
		}
		for j := range 1 + rnd.IntN(20) {
			b.Transfers = append(b.Transfers, Transfer{
				EndToEndID: fmt.Sprintf("E2E-%d-%d", i, j),
				Amount:     money.Cents(1 + rnd.Int64N(99_999_999_999)),
				Creditor: Creditor{Name: text(6), Town: text(2), Country: []string{"", "nl", "DE "}[rnd.IntN(3)],
					IBAN: "NL91ABNA0417164300", BIC: bics[rnd.IntN(len(bics))]},
				Remittance: text(30),
			})
		}
		sum := Summary{NbOfTxs: len(b.Transfers)}
		for _, tr := range b.Transfers {
			sum.CtrlSum += tr.Amount
		}
		var want, got bytes.Buffer
		if err := encode(&want, build(b, v, sum)); err != nil {
			t.Fatal(err)
		}
		if err := stream(&got, b, v, sum); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("batch %d (%s): the streaming writer differs from encoding/xml;\ngot:\n%s\nwant:\n%s", i, v, got.Bytes(), want.Bytes())
		}
	}
}

// TestFormatAmount checks the amounts against fmt's formatting.
func TestFormatAmount(t *testing.T) {
	t.Parallel()
	for _, c := range []money.Cents{1, 9, 10, 99, 100, 101, 140150, 99_999_999_999, 1_000_000_000_00} {
		if got, want := formatAmount(c), fmt.Sprintf("%d.%02d", c/100, c%100); got != want {
			t.Errorf("formatAmount(%d) = %q, want %q", c, got, want)
		}
	}
}

// BenchmarkWriters compares the streaming writer with encoding/xml on a settlement's
// file of 5,000 transfers.
func BenchmarkWriters(b *testing.B) {
	batch := Batch{MsgID: "PLEIN-1", PmtInfID: "PLEIN-1-P", CreatedAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC),
		ExecutionDate: time.Date(2026, 12, 24, 0, 0, 0, 0, time.UTC),
		Debtor:        Debtor{Name: "Gemeente Zwolle", Town: "Zwolle", Country: "NL", IBAN: "NL38BNGH0285012345", BIC: "BNGHNL2G"}}
	for i := range 5000 {
		batch.Transfers = append(batch.Transfers, Transfer{EndToEndID: fmt.Sprintf("PLN-%d", i), Amount: money.Cents(100000 + i),
			Creditor:   Creditor{Name: "Zoë Çelik-de Vries", IBAN: "NL91ABNA0417164300"},
			Remittance: "Bijstand november 2026 - Zoe Celik"})
	}
	sum := Summary{NbOfTxs: len(batch.Transfers), CtrlSum: 1}
	for _, w := range []struct {
		name  string
		write func(io.Writer) error
	}{
		{"stream", func(w io.Writer) error { return stream(w, batch, V09, sum) }},
		{"encoding-xml", func(w io.Writer) error { return encode(w, build(batch, V09, sum)) }},
	} {
		b.Run(w.name, func(b *testing.B) {
			var buf bytes.Buffer
			for b.Loop() {
				buf.Reset()
				if err := w.write(&buf); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
