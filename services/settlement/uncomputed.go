package settlement

import (
	"strings"
	"unicode/utf8"
)

// A resident whose month the engine cannot compute for the resident's own data is held
// out of the run with the reason, and the run goes on for everyone else: one resident's
// data never stops a gemeente's payments (the law data and the gemeente's settings are
// no resident's: they fail the run). The run stores such a resident as an item that
// pays and books nothing (ResidentMonth.Uncomputed; a CHECK on settlement_items holds
// its amounts at zero), Assemble, Entries and the counters jobs leave it out, and
// Reconcile lists it instead of adding it up. Paying the month once the data is fixed
// is not the run's: a final month is locked.

// maxUncomputedReason is the most characters a reason has (settlement_items.uncomputed).
const maxUncomputedReason = 500

// UncomputedResident is a resident of a run whose month could not be computed, and why.
type UncomputedResident struct {
	ResidentID string `json:"resident_id"`
	Reason     string `json:"reason"`
}

// UncomputedReason is what a run stores and reports for a resident whose month the
// engine refused with err: a Dutch sentence for the consulent who fixes the data around
// the engine's own text for staff, on one line and at most maxUncomputedReason
// characters. The engine's text names fields and ages, never a BSN or a name.
func UncomputedReason(err error) string {
	msg := "onbekende fout"
	if err != nil {
		msg = strings.Join(strings.Fields(err.Error()), " ")
	}
	const head, tail = "De maand kon niet worden berekend: ", "; controleer de gegevens van deze inwoner"
	if room := maxUncomputedReason - utf8.RuneCountInString(head+tail); utf8.RuneCountInString(msg) > room {
		msg = string([]rune(msg)[:room-1]) + "…"
	}
	return head + msg + tail
}
