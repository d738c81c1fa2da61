package input_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/input"
)

func TestClean(t *testing.T) {
	t.Parallel()
	one := input.Rules{Max: 20}
	opt := input.Rules{Max: 20, Optional: true}
	multi := input.Rules{Max: 20, MultiLine: true}
	tests := []struct {
		name  string
		rules input.Rules
		in    string
		want  string
		kind  input.Kind
	}{
		// What passes unchanged, or only trimmed.
		{"Dutch name", input.Rules{Max: 100}, "Aïcha van 't Hof-Öztürk", "Aïcha van 't Hof-Öztürk", input.OK},
		{"typographic apostrophe", one, "Van ’t Riet", "Van ’t Riet", input.OK},
		{"Turkish and Arabic", one, "Ayşe محمد", "Ayşe محمد", input.OK},
		{"trimmed", one, "  Jan \u00a0", "Jan", input.OK},
		{"BOM and zero-width at the ends trimmed", one, "\ufeffJan\u200b", "Jan", input.OK},
		{"zero-width joiner inside stays", one, "👩\u200d👩\u200d👧", "👩\u200d👩\u200d👧", input.OK},
		{"emoji presentation selector stays", one, "Ik ❤\ufe0f Enschede", "Ik ❤\ufe0f Enschede", input.OK},

		// NFC.
		{"NFC: e + combining acute", one, "Rene\u0301", "René", input.OK},
		{"NFC: O + combining diaeresis", one, "O\u0308ztu\u0308rk", "Öztürk", input.OK},
		{"length counted after NFC", input.Rules{Max: 4}, "Rene\u0301", "René", input.OK},
		{"too long", input.Rules{Max: 4}, "Renée", "", input.TooLong},
		{"no limit", input.Rules{}, strings.Repeat("a", 10000), strings.Repeat("a", 10000), input.OK},

		// Invalid encodings.
		{"invalid UTF-8", one, "Jan\xff", "", input.Forbidden},
		{"overlong encoding", one, "\xc0\xaf", "", input.Forbidden},
		{"surrogate half", one, "\xed\xa0\x80", "", input.Forbidden},
		{"U+FFFD, the mark of a lossy decoder", one, "Jan\ufffd", "", input.Forbidden},
		{"noncharacter", one, "Jan\uffff", "", input.Forbidden},

		// C0 controls and DEL.
		{"NUL", one, "Jan\x00de Vries", "", input.Forbidden},
		{"bell", one, "Jan\a", "", input.Forbidden},
		{"escape", one, "\x1b[31mJan", "", input.Forbidden},
		{"DEL", one, "Jan\x7f", "", input.Forbidden},
		{"line feed on one line", one, "Jan\nde Vries", "", input.Forbidden},
		{"tab on one line", one, "Jan\tde Vries", "", input.Forbidden},
		{"carriage return on one line", one, "Jan\rde Vries", "", input.Forbidden},
		{"line feed and tab at the ends trimmed", one, "\tJan\r\n", "Jan", input.OK},
		{"only ASCII white space is missing", one, "  \t\n", "", input.Missing},
		{"C1 next line at the end is refused, not trimmed", one, "Jan\u0085", "", input.Forbidden},
		{"line feed and tab, multi-line", multi, "a\n\tb", "a\n\tb", input.OK},
		{"CRLF becomes LF", multi, "a\r\nb\rc", "a\nb\nc", input.OK},
		{"NUL, multi-line", multi, "a\n\x00", "", input.Forbidden},
		{"vertical tab, multi-line", multi, "a\vb", "", input.Forbidden},

		// C1 controls.
		{"C1 U+0080", one, "Jan\u0080", "", input.Forbidden},
		{"C1 U+0085 next line", one, "Jan\u0085Vries", "", input.Forbidden},
		{"C1 U+009B CSI", one, "\u009b31mJan", "", input.Forbidden},
		{"C1 U+009F", one, "Jan\u009f", "", input.Forbidden},
		{"U+00A0 is no C1", one, "a\u00a0b", "a\u00a0b", input.OK},

		// Bidi.
		{"U+202E right-to-left override", one, "Jan\u202egnp.exe", "", input.Forbidden},
		{"U+202A left-to-right embedding", one, "\u202aJan", "", input.Forbidden},
		{"U+202B", one, "\u202bJan", "", input.Forbidden},
		{"U+202C pop", one, "Jan\u202c", "", input.Forbidden},
		{"U+202D", one, "\u202dJan", "", input.Forbidden},
		{"U+2066 isolate", one, "\u2066Jan", "", input.Forbidden},
		{"U+2067", one, "\u2067Jan", "", input.Forbidden},
		{"U+2068", one, "\u2068Jan", "", input.Forbidden},
		{"U+2069 pop isolate", one, "Jan\u2069", "", input.Forbidden},
		{"U+200E left-to-right mark", one, "Jan\u200e", "", input.Forbidden},
		{"U+200F right-to-left mark", one, "Jan\u200f", "", input.Forbidden},
		{"U+061C Arabic letter mark", one, "Jan\u061c", "", input.Forbidden},
		{"U+2028 line separator", one, "Jan\u2028Vries", "", input.Forbidden},
		{"U+2029 paragraph separator", multi, "Jan\u2029Vries", "", input.Forbidden},
		{"U+206A deprecated format", one, "Jan\u206a", "", input.Forbidden},
		{"U+FFF9 interlinear annotation", one, "Jan\ufff9", "", input.Forbidden},

		// Empty and invisible.
		{"empty", one, "", "", input.Missing},
		{"spaces", one, " \u00a0 ", "", input.Missing},
		{"line feeds, multi-line", multi, "\n\n", "", input.Missing},
		{"U+200B zero-width space only", one, "\u200b", "", input.Invisible},
		{"U+200C and U+200D only", one, "\u200c\u200d", "", input.Invisible},
		{"U+2060 word joiner only", one, "\u2060\u2060", "", input.Invisible},
		{"U+FEFF only", one, "\ufeff", "", input.Invisible},
		{"soft hyphen only (Cf)", one, "\u00ad", "", input.Invisible},
		{"U+180E Mongolian vowel separator (Cf)", one, "\u180e", "", input.Invisible},
		{"Hangul filler only", one, "\u3164", "", input.Invisible},
		{"half-width Hangul filler only", one, "\uffa0", "", input.Invisible},
		{"variation selector only", one, "\ufe0f", "", input.Invisible},
		{"combining grapheme joiner only", one, "\u034f", "", input.Invisible},
		{"blank Braille only", one, "\u2800", "", input.Invisible},
		{"tag characters only (Cf)", one, "\U000e0041\U000e0042", "", input.Invisible},
		{"zero-width with spaces", one, " \u200b \u200b ", "", input.Invisible},
		{"optional empty", opt, "", "", input.OK},
		{"optional spaces", opt, "   ", "", input.OK},
		{"optional zero-width only", opt, "\u200b\u200b", "", input.OK},
		{"optional still refuses NUL", opt, "\x00", "", input.Forbidden},
		{"optional still too long", opt, strings.Repeat("x", 21), "", input.TooLong},
	}
	for _, tt := range tests {
		got, p := tt.rules.Clean(tt.in)
		if got != tt.want || p.Kind != tt.kind {
			t.Errorf("%s: Clean(%+q) = %+q, kind %d; want %+q, kind %d", tt.name, tt.in, got, p.Kind, tt.want, tt.kind)
		}
		if (p.Kind == input.OK) != p.OK() {
			t.Errorf("%s: OK() = %v for kind %d", tt.name, p.OK(), p.Kind)
		}
		if p.OK() && (p.EN() != "" || p.NL() != "") {
			t.Errorf("%s: no problem, but messages %q, %q", tt.name, p.EN(), p.NL())
		}
		if !p.OK() && (p.EN() == "" || p.NL() == "") {
			t.Errorf("%s: kind %d has messages %q, %q; want both languages", tt.name, p.Kind, p.EN(), p.NL())
		}
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	// Text is a required single line: the same as Rules{Max: max}.
	for _, in := range []string{"", "Jan", "a\nb", "\u200b", "Rene\u0301", strings.Repeat("x", 11)} {
		got, p := input.Text(in, 10)
		want, wantP := input.Rules{Max: 10}.Clean(in)
		if got != want || p != wantP {
			t.Errorf("Text(%+q, 10) = %+q, %+v; want %+q, %+v", in, got, p, want, wantP)
		}
	}
}

func TestMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		p      input.Problem
		en, nl string
	}{
		{input.Problem{Kind: input.Forbidden}, "holds characters that are not allowed (control, bidi or invalid characters)",
			"Deze tekst bevat tekens die niet zijn toegestaan."},
		{input.Problem{Kind: input.Missing}, "is required", "Vul dit veld in."},
		{input.Problem{Kind: input.Invisible}, "holds only invisible characters: enter real text", "Vul hier echte tekst in."},
		{input.Problem{Kind: input.TooLong, Max: 200}, "may have at most 200 characters", "Dit mag niet langer zijn dan 200 tekens."},
		{input.Problem{Kind: 99}, "is not valid text", "Deze tekst klopt niet."},
	}
	for _, tt := range tests {
		if tt.p.EN() != tt.en || tt.p.NL() != tt.nl {
			t.Errorf("kind %d: EN, NL = %q, %q; want %q, %q", tt.p.Kind, tt.p.EN(), tt.p.NL(), tt.en, tt.nl)
		}
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"Aïcha van 't Hof-Öztürk", "Rene\u0301", "\u202e", "\x00", "\xff", "\u200b", "a\r\nb"} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, multi bool) {
		got, p := input.Rules{Max: 50, MultiLine: multi}.Clean(s)
		if !p.OK() {
			if got != "" {
				t.Fatalf("Clean(%+q) = %+q with problem %d; want \"\"", s, got, p.Kind)
			}
			return
		}
		// What passes is clean by every rule, and cleaning it again changes nothing.
		again, p2 := input.Rules{Max: 50, MultiLine: multi}.Clean(got)
		if again != got || !p2.OK() {
			t.Fatalf("Clean(Clean(%+q)) = %+q, %d; want %+q, OK", s, again, p2.Kind, got)
		}
		if strings.ContainsAny(got, "\x00\r\u202e\u2066\ufffd") || strings.ContainsFunc(got, func(r rune) bool { return r >= 0x80 && r <= 0x9f }) {
			t.Fatalf("Clean(%+q) = %+q holds a forbidden character", s, got)
		}
	})
}

func ExampleText() {
	for _, in := range []string{"  Aïcha van 't Hof-Öztürk ", "Rene\u0301", "Jan\u202eseirV", "\u200b\u200b", "Jan\x00"} {
		s, p := input.Text(in, 200)
		if !p.OK() {
			fmt.Printf("%+q: %s\n", in, p.NL())
			continue
		}
		fmt.Printf("%+q → %q\n", in, s)
	}
	// Output:
	// "  A\u00efcha van 't Hof-\u00d6zt\u00fcrk " → "Aïcha van 't Hof-Öztürk"
	// "Rene\u0301" → "René"
	// "Jan\u202eseirV": Deze tekst bevat tekens die niet zijn toegestaan.
	// "\u200b\u200b": Vul hier echte tekst in.
	// "Jan\x00": Deze tekst bevat tekens die niet zijn toegestaan.
}
