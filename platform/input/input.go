// Package input is the one place where free text from a client — a name, an address,
// a note, a reason, a purpose — is made fit to store and to show: valid UTF-8 in NFC,
// trimmed, within its length, and without the characters that make text look like
// something it is not (control characters, bidi overrides, invisible-only values).
//
// Every service checks its free-text fields with Text or Rules.Clean and turns the
// Problem into its own field error, so that the same value is refused everywhere with
// the same words.
package input

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Kind is what is wrong with a text.
type Kind int

// The kinds of problem, in the order they are checked.
const (
	// OK means nothing is wrong.
	OK Kind = iota
	// Forbidden is a text that is not valid UTF-8 or holds a character that is
	// never allowed (see Rules.Clean).
	Forbidden
	// Missing is a required text that is empty or holds only spaces.
	Missing
	// Invisible is a required text that holds only invisible characters (zero-width
	// spaces, joiners, format characters, fillers): it would show as nothing.
	Invisible
	// TooLong is a text with more characters (runes, after NFC) than allowed.
	TooLong
)

// Problem is what is wrong with a text; the zero Problem means nothing is wrong.
// It never holds the text.
type Problem struct {
	Kind Kind
	// Max is the limit a TooLong text exceeds.
	Max int
}

// OK reports whether nothing is wrong.
func (p Problem) OK() bool { return p.Kind == OK }

// texts says what each Kind of problem is, in English without naming the field and in
// Dutch (B1) as a sentence for the resident or consulent; %d is the limit of TooLong.
var texts = [...]struct{ en, nl string }{
	OK:        {"", ""},
	Forbidden: {"holds characters that are not allowed (control, bidi or invalid characters)", "Deze tekst bevat tekens die niet zijn toegestaan."},
	Missing:   {"is required", "Vul dit veld in."},
	Invisible: {"holds only invisible characters: enter real text", "Vul hier echte tekst in."},
	TooLong:   {"may have at most %d characters", "Dit mag niet langer zijn dan %d tekens."},
}

// text returns the English or Dutch text of p's kind.
func (p Problem) text(nl bool) string {
	if p.Kind < 0 || int(p.Kind) >= len(texts) {
		if nl {
			return "Deze tekst klopt niet."
		}
		return "is not valid text"
	}
	t := texts[p.Kind].en
	if nl {
		t = texts[p.Kind].nl
	}
	if p.Kind == TooLong {
		return fmt.Sprintf(t, p.Max)
	}
	return t
}

// EN says what is wrong in English, without naming the field.
func (p Problem) EN() string { return p.text(false) }

// NL says what is wrong in Dutch (B1), as a sentence for the resident or consulent.
func (p Problem) NL() string { return p.text(true) }

// Rules say what one field accepts.
type Rules struct {
	// Max is the most characters (runes after NFC); 0 means no limit.
	Max int
	// Optional lets the text be empty; an empty (or invisible-only) text is then "".
	Optional bool
	// MultiLine allows line feeds and tabs; a carriage return (a browser's CRLF)
	// becomes a line feed.
	MultiLine bool
}

// Text checks a required text of one line of at most max characters: Rules{Max: max}.
func Text(s string, max int) (string, Problem) { return Rules{Max: max}.Clean(s) }

// Clean checks s against r and returns it in NFC, trimmed of spaces and invisible
// characters at both ends; on a problem it returns "". ASCII white space at the ends
// (a pasted line feed) is trimmed before the checks.
//
// It refuses (Forbidden) invalid UTF-8 and U+FFFD (the mark a decoder leaves where the
// bytes were not UTF-8, so broken input is refused however it arrives); every C0
// control and DEL, except line feed and tab when MultiLine; every C1 control
// (U+0080–U+009F); the bidi embeddings, overrides and isolates (U+202A–U+202E,
// U+2066–U+2069) and marks (U+200E, U+200F, U+061C), which reorder what a reader
// sees; the line and paragraph separators U+2028 and U+2029; the deprecated format
// characters U+206A–U+206F; the interlinear annotation characters U+FFF9–U+FFFB; and
// noncharacters. Zero-width characters inside a text stay: joiners are part of some
// scripts and emoji.
func (r Rules) Clean(s string) (string, Problem) {
	if !utf8.ValidString(s) {
		return "", Problem{Kind: Forbidden}
	}
	// White space at the ends goes before anything is judged, as strings.TrimSpace
	// did: a pasted "Jan\n" is Jan, and "  \t" is empty, not forbidden.
	s = strings.TrimFunc(s, asciiSpace)
	if r.MultiLine && strings.ContainsRune(s, '\r') {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	if strings.ContainsFunc(s, func(c rune) bool { return forbidden(c, r.MultiLine) }) {
		return "", Problem{Kind: Forbidden}
	}
	s = norm.NFC.String(s)
	if strings.IndexFunc(s, func(c rune) bool { return !invisible(c) }) < 0 {
		switch {
		case r.Optional:
			return "", Problem{}
		case strings.TrimFunc(s, unicode.IsSpace) == "":
			return "", Problem{Kind: Missing}
		}
		return "", Problem{Kind: Invisible}
	}
	s = strings.TrimFunc(s, trimmed)
	if r.Max > 0 && utf8.RuneCountInString(s) > r.Max {
		return "", Problem{Kind: TooLong, Max: r.Max}
	}
	return s, Problem{}
}

// asciiSpace reports whether c is ASCII white space: trimmed at the ends of any text,
// even where a tab or line feed inside is refused.
func asciiSpace(c rune) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// forbidden reports whether c is never allowed in free text.
func forbidden(c rune, multiLine bool) bool {
	switch {
	case c == '\n' || c == '\t':
		return !multiLine
	case c < 0x20 || c == 0x7f, // C0 and DEL
		c >= 0x80 && c <= 0x9f,     // C1
		c >= 0x202a && c <= 0x202e, // bidi embeddings and overrides
		c >= 0x2066 && c <= 0x2069, // bidi isolates
		c == 0x200e || c == 0x200f, // left-to-right and right-to-left marks
		c == 0x061c,                // Arabic letter mark
		c == 0x2028 || c == 0x2029, // line and paragraph separators
		c >= 0x206a && c <= 0x206f, // deprecated format characters
		c >= 0xfff9 && c <= 0xfffb, // interlinear annotation
		c == utf8.RuneError,        // U+FFFD: the bytes were not UTF-8
		unicode.Is(unicode.Noncharacter_Code_Point, c):
		return true
	}
	return false
}

// trimmed reports whether c goes when it stands at either end of a text: white space
// and characters that show as nothing.
func trimmed(c rune) bool {
	return unicode.IsSpace(c) || unicode.Is(unicode.Cf, c) || unicode.Is(unicode.Other_Default_Ignorable_Code_Point, c)
}

// invisible reports whether c shows as nothing on its own: white space, format
// characters (category Cf: U+200B–U+200D, U+2060, U+FEFF, the soft hyphen, …),
// default-ignorable fillers (U+115F, U+1160, U+3164, U+FFA0), variation selectors,
// the combining grapheme joiner and the blank Braille pattern.
func invisible(c rune) bool {
	return trimmed(c) || unicode.Is(unicode.Variation_Selector, c) || c == 0x034f || c == 0x2800
}
