package bsn

import (
	"fmt"
	"log/slog"
	"strings"
)

// Input is a BSN as typed in or sent, before Parse. It prints and logs masked, so that
// an input struct that ends up in a log or an error does not show the digits.
type Input string

// String returns a mask that keeps at most the last 4 characters.
func (b Input) String() string {
	s := strings.TrimSpace(string(b))
	if len(s) <= 4 {
		return strings.Repeat("*", len(s))
	}
	return "*****" + s[len(s)-4:]
}

// Format masks every verb.
func (b Input) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(b.String())) }

// LogValue masks in slog.
func (b Input) LogValue() slog.Value { return slog.StringValue(b.String()) }
