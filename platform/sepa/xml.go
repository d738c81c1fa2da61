package sepa

import (
	"encoding/xml"
	"io"
	"strings"
)

// The structs below mirror the XSDs; encoding/xml writes fields in declaration order, which
// is the sequence the schema demands. One set serves both versions: the elements that
// differ (ReqdExctnDt, BICFI/BIC, PstlAdr) are set per version and the others omitted.

// epcText is text already in the EPC set (Transliterate's output), written as is: none of
// the EPC characters needs escaping in element content, and writing "O'Brien" rather than
// encoding/xml's "O&#39;Brien" keeps '&', '#' and ';' out of the file for the banks'
// character checks that read the raw bytes.
type epcText struct {
	S string `xml:",innerxml"`
}

// epc wraps s, which must hold EPC characters only; anything else is escaped after all, so
// that a mistake can never produce broken XML.
func epc(s string) epcText {
	for _, r := range s {
		if !isEPC(r) {
			var b strings.Builder
			_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder does not fail
			return epcText{S: b.String()}
		}
	}
	return epcText{S: s}
}

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

func name(s string) epcText { return epc(Cut(Transliterate(s), MaxNameLen)) }
func town(s string) epcText { return epc(Cut(Transliterate(s), MaxTownLen)) }

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
