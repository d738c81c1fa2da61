package sepa_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/plein-nl/plein/platform/sepa"
)

// epc is the EPC basic Latin character set, written out independently of the package.
const epc = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/-?:().,'+ "

func onlyEPC(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune(epc, r) {
			return false
		}
	}
	return true
}

func TestTransliterate(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"Jansen-De Vries", "Jansen-De Vries"},
		{"IJsselstein van der Ĳssel", "IJsselstein van der IJssel"}, // IJ stays; the ligature Ĳ becomes IJ
		{"Çelik", "Celik"},
		{"Ğül", "Gul"},
		{"Yılmaz İnce", "Yilmaz Ince"}, // dotless ı has no decomposition
		{"Zoë", "Zoe"},
		{"Søren Ærø", "Soren AEro"},
		{"Łukasz Wałęsa", "Lukasz Walesa"},
		{"Straße", "Strasse"},
		{"Œuvre Þór Đorđević", "OEuvre Thor Dordevic"},
		{"François & Zn.", "Francois + Zn."},
		{"O’Brien", "O'Brien"},
		{"D`Ancona ´t Hoen", "D'Ancona 't Hoen"},
		{`De "Zon" „Vereniging”`, "De 'Zon' 'Vereniging'"},
		{"Smith; Co", "Smith. Co"},
		{"Let op!", "Let op."},
		{"jan_de_vries@example.nl", "jan-de-vries(at)example.nl"},
		{"Polis [123] {4} <5>", "Polis (123) (4) (5)"},
		{"a\\b|c", "a/b/c"},
		{"Termijn 1–3 — rest", "Termijn 1-3 - rest"},
		{"€ 12,50 × 2", "EUR 12,50 x 2"},
		{"½ ²", "1/2 2"},                               // compatibility decomposition
		{"ﬁets Ｖｒｉｅｓ", "fiets Vries"},                  // ligature and full-width letters
		{"  Jan\t\u00a0de\n\nVries  ", "Jan de Vries"}, // every space collapses
		{"Jan 😀 de Vries 🎉", "Jan de Vries"},
		{"Factuur #12 * 3 = 36%", "Factuur 12 3 36"},
		{"😀🎉", sepa.Placeholder},
		{"王小明", sepa.Placeholder},
		{"#$%^*=", sepa.Placeholder},
		{"   ", sepa.Placeholder},
		{"e\u0301a\u0308", "ea"}, // decomposed input
		{"a\xffb", "ab"},         // invalid UTF-8 drops
		{"? : ( ) . , ' + / -", "? : ( ) . , ' + / -"},
	}
	for _, tt := range tests {
		got := sepa.Transliterate(tt.in)
		if got != tt.want {
			t.Errorf("Transliterate(%q) = %q; want %q", tt.in, got, tt.want)
		}
		if !onlyEPC(got) {
			t.Errorf("Transliterate(%q) = %q holds a character outside the EPC set", tt.in, got)
		}
	}
}

func TestCut(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"", 5, ""},
		{"Jansen", 6, "Jansen"},
		{"Jansen", 7, "Jansen"},
		{"Jansen", 3, "Jan"},
		{"Jan de Vries", 4, "Jan"}, // the space left at the cut goes
		{"Jan de Vries", 0, ""},
		{"Jan de Vries", -1, ""},
		{"Zoë Çelik", 3, "Zoë"}, // characters, not bytes
		{strings.Repeat("a", 200), 140, strings.Repeat("a", 140)},
	}
	for _, tt := range tests {
		if got := sepa.Cut(tt.in, tt.n); got != tt.want {
			t.Errorf("Cut(%q, %d) = %q; want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

// FuzzNames checks the promise of the package: whatever a name or remittance holds,
// Transliterate yields EPC characters only and Write does not fail on it.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"", " ", "Çelik", "Jansen-De Vries", "Ğül", "Zoë", "Søren", "Łukasz",
		"François & Zn.", "O’Brien", "Smith; Co", "😀", "王小明", "a\xffb", "<&>\"'",
		"]]>", "\x00\x01", strings.Repeat("ß", 100), "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := sepa.Transliterate(s)
		if !onlyEPC(got) {
			t.Fatalf("Transliterate(%q) = %q holds a character outside the EPC set", s, got)
		}
		if (s == "") != (got == "") {
			t.Fatalf("Transliterate(%q) = %q: empty exactly when the input is", s, got)
		}
		if strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || strings.Contains(got, "  ") {
			t.Fatalf("Transliterate(%q) = %q: leading, trailing or double space", s, got)
		}
		if c := sepa.Cut(got, 70); utf8.RuneCountInString(c) > 70 || !strings.HasPrefix(got, c) {
			t.Fatalf("Cut(%q, 70) = %q", got, c)
		}

		name := s
		if strings.TrimSpace(name) == "" {
			name = "x" + name // a blank name is missing data, not a name to transliterate
		}
		for _, v := range []sepa.Version{sepa.V09, sepa.V03} {
			b := smallBatch(t)
			b.InitiatingParty = s
			b.Debtor.Name = name
			b.Debtor.Town = name
			for i := range b.Transfers {
				b.Transfers[i].Creditor.Name = name
				b.Transfers[i].Creditor.Town = s
				b.Transfers[i].Remittance = s
			}
			var out strings.Builder
			if _, err := sepa.Write(&out, b, v); err != nil {
				t.Fatalf("Write(%s) with name %q: %v", v, s, err)
			}
			doc := decode(t, []byte(out.String()))
			for _, tx := range doc.PmtInf.Txs {
				if want := sepa.Cut(sepa.Transliterate(name), 70); tx.Cdtr.Nm != want {
					t.Fatalf("Cdtr/Nm = %q; want %q", tx.Cdtr.Nm, want)
				}
			}
		}
	})
}
