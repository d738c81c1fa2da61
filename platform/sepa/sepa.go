// Package sepa writes the SEPA credit transfer files (ISO 20022 pain.001) with which a
// gemeente pays: one transfer per resident payout and one aggregated transfer per creditor
// per run, whose specification (resident, reference, amount) goes along as CSV or JSON.
//
// The rules are those of docs/domain.md §6: pain.001.001.09, or pain.001.001.03 as a tenant option
// (BNG Bank still accepts it); service level SEPA, charge bearer SLEV, EUR with 2 decimals,
// identifiers of at most 35 characters, one unstructured remittance line of at most 140,
// NbOfTxs and CtrlSum exact, and only the EPC basic Latin character set. Free text is
// transliterated and cut to fit, never refused: a resident's name never stops a payment.
// Identifiers, amounts and accounts are checked instead, because changing them would
// break reconciliation or pay the wrong party.
//
// The tests validate every file against the official XSDs in sepatest/xsd with
// xmllint (Debian package libxml2-utils).
package sepa

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/plein-nl/plein/platform/iban"
	"github.com/plein-nl/plein/platform/money"
)

// Version is the pain.001 message version of a file; which one a gemeente sends is a
// tenant setting.
type Version string

// The supported versions.
const (
	// V09 is pain.001.001.09, the current version: structured addresses and the
	// execution date as <ReqdExctnDt><Dt>.
	V09 Version = "pain.001.001.09"
	// V03 is pain.001.001.03, still accepted by BNG Bank.
	V03 Version = "pain.001.001.03"
)

// Namespace returns the XML namespace of v, "urn:iso:std:iso:20022:tech:xsd:" + v.
func (v Version) Namespace() string { return "urn:iso:std:iso:20022:tech:xsd:" + string(v) }

// Limits of the message, from the XSDs and the EPC rulebook.
const (
	MaxIDLen         = 35 // MsgId, PmtInfId, EndToEndId: Max35Text
	MaxNameLen       = 70 // Nm: Max140Text in the XSD, 70 in the EPC rulebook
	MaxTownLen       = 35 // TwnNm: Max35Text
	MaxRemittanceLen = 140
	// MaxAmount is the largest amount of one SEPA credit transfer, € 999.999.999,99.
	MaxAmount money.Cents = 99_999_999_999
	// maxCtrlSum keeps CtrlSum within DecimalNumber's 18 total digits (16 before the point).
	maxCtrlSum money.Cents = 1_000_000_000_000_000_000 - 1
)

// Debtor is the gemeente that pays: its name, its account (at BNG Bank, for most) and,
// for pain.001.001.09, the town and country of its structured address.
type Debtor struct {
	Name string
	IBAN iban.IBAN
	// BIC of the debtor's bank; empty writes FinInstnId/Othr/Id NOTPROVIDED.
	BIC string
	// Town and Country (ISO 3166 alpha-2) are required for pain.001.001.09 and not
	// written in pain.001.001.03, whose EPC guidelines allow only unstructured lines.
	Town, Country string
}

// Creditor is who receives a transfer: a resident or a creditor such as a zorgverzekeraar.
type Creditor struct {
	// Name is required; it is transliterated and cut, never refused.
	Name string
	IBAN iban.IBAN
	// BIC is optional (docs/domain.md §6: optional for NL IBANs); when given it is written as
	// CdtrAgt.
	BIC string
	// Town and Country make the structured address of pain.001.001.09, written only when
	// both are known (the EPC requires both in a structured address).
	Town, Country string
}

// Transfer is one credit transfer.
type Transfer struct {
	// EndToEndID travels to the creditor and back in the bank's reports; it is how a
	// return is matched, so it is checked, never altered.
	EndToEndID string
	Amount     money.Cents
	Creditor   Creditor
	// Remittance is the one unstructured line the creditor sees, cut to 140 characters;
	// empty writes no RmtInf.
	Remittance string
}

// Batch is one file: one payment instruction of one gemeente account, to be executed on
// one date.
type Batch struct {
	MsgID     string
	CreatedAt time.Time
	PmtInfID  string
	// ExecutionDate comes from the tenant's pay calendar. Its calendar date in its own
	// location is written, so pass a date in Europe/Amsterdam or midnight UTC.
	ExecutionDate time.Time
	Debtor        Debtor
	Transfers     []Transfer
	// InitiatingParty is the name in GrpHdr/InitgPty; empty means Debtor.Name.
	InitiatingParty string
}

// Summary is what a written file declares, for the caller to reconcile with its ledger.
type Summary struct {
	NbOfTxs int
	CtrlSum money.Cents
}

// Sentinel errors of Write, each wrapped in a *FieldError.
var (
	ErrVersion     = errors.New("unsupported pain.001 version")
	ErrRequired    = errors.New("required")
	ErrNoTransfers = errors.New("a batch needs at least one transfer")
	ErrAmount      = errors.New("amount must be more than € 0,00 and at most € 999.999.999,99")
	ErrCtrlSum     = errors.New("total of the batch too large for CtrlSum")
	ErrIBAN        = errors.New("invalid IBAN")
	ErrBIC         = errors.New("invalid BIC")
	ErrCountry     = errors.New("country must be an ISO 3166 alpha-2 code")
	ErrID          = errors.New("identifier must be 1 to 35 EPC characters, not start or end with '/' or a space, nor contain '//'")
	ErrDuplicateID = errors.New("duplicate EndToEndID")
)

// FieldError says which field of which transfer is wrong. It never repeats the value,
// which may be personal data (an IBAN, a name).
type FieldError struct {
	// Index is the position in Batch.Transfers, or -1 for a field of the batch.
	Index int
	// Field is the Go field path, such as "Creditor.IBAN" or "Debtor.Town".
	Field string
	Err   error
}

func (e *FieldError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("batch: %s: %v", e.Field, e.Err)
	}
	return fmt.Sprintf("transfer %d: %s: %v", e.Index, e.Field, e.Err)
}

// Unwrap returns the sentinel, for errors.Is.
func (e *FieldError) Unwrap() error { return e.Err }

// Write validates b and writes it to w as a pain.001 document of version v. It returns
// the number of transactions and the control sum the file declares.
//
// Every problem is reported at once, joined (errors.Join) as *FieldErrors, and nothing is
// written then. Names, towns and remittance text are never a problem: they are
// transliterated to the EPC set and cut to their limits. A write error of w may leave a
// partial file.
func Write(w io.Writer, b Batch, v Version) (Summary, error) {
	sum, err := validate(b, v)
	if err != nil {
		return Summary{}, fmt.Errorf("sepa: %w", err)
	}
	if err := stream(w, b, v, sum); err != nil {
		return Summary{}, fmt.Errorf("sepa: write %s: %w", v, err)
	}
	return sum, nil
}

// formatAmount writes cents as euros with exactly two decimals, "1401.50"; amounts are
// validated positive, so there is no sign.
func formatAmount(c money.Cents) string {
	b := make([]byte, 0, 16)
	b = strconv.AppendInt(b, int64(c/100), 10)
	cents := int64(c % 100)
	return string(append(b, '.', byte('0'+cents/10), byte('0'+cents%10)))
}
