package sepa

import (
	"encoding/xml"
	"strings"
)

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

func name(s string) epcText { return epc(Cut(Transliterate(s), MaxNameLen)) }
func town(s string) epcText { return epc(Cut(Transliterate(s), MaxTownLen)) }
