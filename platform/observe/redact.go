package observe

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
)

// Masks written in place of a personal number found in a log line.
const (
	maskBSN  = "[bsn]"
	maskIBAN = "[iban]"
)

// redact masks, in s, every standalone run of nine digits that passes the 11-proef
// (a BSN) and every IBAN-like token that passes the mod-97 check, written compact
// ("NL91ABNA0417164300") or in groups of four ("NL91 ABNA 0417 1643 00").
//
// Checksums keep false positives rare: an arbitrary nine-digit number is masked with
// a chance of about one in eleven, which is the price of never leaking a real one.
func redact(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return r >= '0' && r <= '9' }) < 0 {
		return s // both a BSN and an IBAN hold digits
	}
	var b strings.Builder
	copied := 0 // s[:copied] is in b or masked
	for i := 0; i < len(s); {
		c := s[i]
		if isLetter(c) && (i == 0 || !isAlnum(s[i-1])) {
			if n := ibanAt(s, i); n > 0 {
				b.WriteString(s[copied:i])
				b.WriteString(maskIBAN)
				i += n
				copied = i
				continue
			}
		}
		if isDigit(c) {
			j := i
			for j < len(s) && isDigit(s[j]) {
				j++
			}
			if j-i == 9 && elfProef(s[i:j]) {
				b.WriteString(s[copied:i])
				b.WriteString(maskBSN)
				copied = j
			}
			i = j
			continue
		}
		i++
	}
	if copied == 0 {
		return s
	}
	b.WriteString(s[copied:])
	return b.String()
}

// elfProef reports whether the nine digits in d pass the 11-proef of a BSN:
// 9a+8b+7c+6d+5e+4f+3g+2h−i ≡ 0 (mod 11), and are not all zeros.
func elfProef(d string) bool {
	if len(d) != 9 || d == "000000000" {
		return false
	}
	sum := 0
	for i := range 8 {
		sum += (9 - i) * int(d[i]-'0')
	}
	sum -= int(d[8] - '0')
	return sum%11 == 0
}

// ibanAt returns the length of the IBAN that starts at s[i], or 0 if none does.
func ibanAt(s string, i int) int {
	j := i
	for j < len(s) && isAlnum(s[j]) {
		j++
	}
	if validIBAN(s[i:j]) {
		return j - i
	}
	// The paper format: groups of four separated by single spaces, the last group
	// shorter. Take the longest valid prefix so trailing words are left alone.
	if j-i != 4 {
		return 0
	}
	buf := make([]byte, 0, 34)
	buf = append(buf, s[i:j]...)
	best := 0
	for j < len(s) && s[j] == ' ' {
		k := j + 1
		for k < len(s) && isAlnum(s[k]) {
			k++
		}
		g := k - (j + 1)
		if g == 0 || g > 4 || len(buf)+g > 34 {
			break
		}
		buf = append(buf, s[j+1:k]...)
		if validIBAN(string(buf)) {
			best = k - i
		}
		if g < 4 {
			break
		}
		j = k
	}
	return best
}

// validIBAN reports whether t looks like an IBAN — two letters, two check digits,
// 11 to 30 alphanumerics — and passes the ISO 7064 mod-97 check. Case is ignored:
// a lower-cased IBAN in a log is still an IBAN.
func validIBAN(t string) bool {
	if len(t) < 15 || len(t) > 34 || !isLetter(t[0]) || !isLetter(t[1]) || !isDigit(t[2]) || !isDigit(t[3]) {
		return false
	}
	r := 0
	for k := range len(t) {
		c := t[(k+4)%len(t)] // the first four characters move to the end
		switch {
		case isDigit(c):
			r = (r*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			r = (r*100 + int(c-'A') + 10) % 97
		case c >= 'a' && c <= 'z':
			r = (r*100 + int(c-'a') + 10) % 97
		default:
			return false
		}
	}
	return r == 1
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }
func isAlnum(c byte) bool  { return isDigit(c) || isLetter(c) }

// redactAttr returns a with its key and value redacted, LogValuers resolved and
// groups redacted member by member.
func redactAttr(a slog.Attr) slog.Attr {
	return slog.Attr{Key: redact(a.Key), Value: redactValue(a.Value)}
}

func redactAttrs(as []slog.Attr) []slog.Attr {
	out := make([]slog.Attr, len(as))
	for i, a := range as {
		out[i] = redactAttr(a)
	}
	return out
}

func redactValue(v slog.Value) slog.Value {
	v = v.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.StringValue(redact(v.String()))
	case slog.KindGroup:
		return slog.GroupValue(redactAttrs(v.Group())...)
	case slog.KindAny:
		return redactAny(v.Any())
	default:
		// Numbers are left alone on purpose: a BSN is a string in Plein, and masking
		// every nine-digit integer that happens to pass the 11-proef would hide one in
		// eleven money amounts in cents.
		return v
	}
}

// redactAny checks an arbitrary value the way handlers render it: an error by its
// message, anything else as JSON (slog.JSONHandler) and with %+v (slog.TextHandler).
// A value with something to hide becomes its redacted rendering as a string.
func redactAny(x any) slog.Value {
	if err, ok := x.(error); ok {
		return slog.StringValue(redact(err.Error()))
	}
	if b, err := json.Marshal(x); err == nil {
		if s := string(b); redact(s) != s {
			return slog.StringValue(redact(s))
		}
	}
	if s := fmt.Sprintf("%+v", x); redact(s) != s {
		return slog.StringValue(redact(s))
	}
	return slog.AnyValue(x)
}
