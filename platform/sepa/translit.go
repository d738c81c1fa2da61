package sepa

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Placeholder is what Transliterate returns for non-empty text of which nothing survives
// (a name in emoji or in a script without a mapping): a SEPA name may not be empty, and a
// payment is never dropped for its name. "-" is in the EPC set and reads as "unknown".
const Placeholder = "-"

// substitutes maps characters that Unicode decomposition does not reduce to the EPC set.
// Letters become their usual Latin spelling (ß → ss, ø → o, ł → l); punctuation becomes the
// nearest EPC character ("&" → "+", quotes → "'", ";" and "!" → ".", "_" and dashes → "-",
// brackets → "(" ")", "\" and "|" → "/", "@" → "(at)", "€" → "EUR"). Everything not listed
// and not decomposable (other symbols, emoji, non-Latin scripts) is dropped.
//
// It is consulted before decomposition as well as after, because NFKD would turn some of
// these ("´", "¨") into a space plus a combining mark.
var substitutes = map[rune]string{
	// Letters without a canonical decomposition.
	'ß': "ss", 'ẞ': "SS", 'æ': "ae", 'Æ': "AE", 'œ': "oe", 'Œ': "OE",
	'ø': "o", 'Ø': "O", 'ł': "l", 'Ł': "L", 'đ': "d", 'Đ': "D", 'ð': "d", 'Ð': "D",
	'þ': "th", 'Þ': "Th", 'ı': "i", 'ħ': "h", 'Ħ': "H", 'ŧ': "t", 'Ŧ': "T",
	'ŋ': "n", 'Ŋ': "N", 'ĸ': "k", 'ƒ': "f", 'ə': "e", 'Ə': "E",
	// Punctuation with an EPC look-alike.
	'&': "+",
	'"': "'", '“': "'", '”': "'", '„': "'", '‟': "'", '«': "'", '»': "'",
	'‘': "'", '’': "'", '‚': "'", '‛': "'", '`': "'", '´': "'", '′': "'", 'ʼ': "'", 'ʻ': "'",
	';': ".", '!': ".", '¡': ".",
	'_': "-", '~': "-", '‐': "-", '‑': "-", '‒': "-", '–': "-", '—': "-", '―': "-", '−': "-",
	'[': "(", '{': "(", '<': "(", ']': ")", '}': ")", '>': ")",
	'\\': "/", '|': "/", '⁄': "/", '∕': "/",
	'@': "(at)", '€': "EUR", '×': "x", '¿': "?",
}

// isEPC reports whether r is in the EPC basic Latin character set of the SEPA rulebooks:
// a-z A-Z 0-9 / - ? : ( ) . , ' + and space.
func isEPC(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune("/-?:().,'+ ", r)
}

// Transliterate returns s in the EPC basic Latin character set, for the names and
// remittance text of a SEPA file. Accented letters lose their accents (é → e, ü → u,
// Ğ → G; ligatures such as ĳ and ﬁ become their letters), the characters in substitutes
// get their replacement, white space of any kind becomes one space, and the rest is
// dropped; the result has no leading, trailing or double spaces. Case is kept: "IJsselstein"
// stays "IJsselstein".
//
// The empty string stays empty; any other input whose characters all drop yields
// Placeholder, so a name is never empty and the payment is never dropped.
func Transliterate(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(s))
	space := true // at the start, a space would be leading: skip it
	emit := func(t string) {
		for _, r := range t {
			if r == ' ' {
				if !space {
					b.WriteByte(' ')
				}
				space = true
				continue
			}
			b.WriteRune(r)
			space = false
		}
	}
	var one [utf8.UTFMax]byte
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf && isEPC(r):
			emit(string(r))
		case unicode.IsSpace(r):
			emit(" ")
		case substitutes[r] != "":
			emit(substitutes[r])
		default:
			// Compatibility decomposition splits é into e + U+0301 and ﬁ into f + i; the
			// combining marks are not EPC characters and drop below.
			n := utf8.EncodeRune(one[:], r)
			for _, d := range norm.NFKD.String(string(one[:n])) {
				if d < utf8.RuneSelf && isEPC(d) {
					emit(string(d))
				} else if t := substitutes[d]; t != "" {
					emit(t)
				}
			}
		}
	}
	out := strings.TrimSuffix(b.String(), " ")
	if out == "" {
		return Placeholder
	}
	return out
}

// Cut returns the first n characters (runes, not bytes) of s, without the spaces the cut
// leaves at the end. Write applies it after Transliterate, where a character is a byte,
// so that a name fits Max70Text and a remittance Max140Text; a cut name still pays.
func Cut(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for k := range s {
		if i == n {
			return strings.TrimRight(s[:k], " ")
		}
		i++
	}
	return s
}
