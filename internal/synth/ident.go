package synth

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"

	"github.com/plein-nl/plein/platform/bsn"
)

// NLIBAN is the Dutch IBAN of a bank code and a 10-digit account number, with its
// ISO 7064 mod-97 check digits.
func NLIBAN(bank, account string) string {
	r := 0
	for _, c := range []byte(bank + account + "NL00") {
		if c >= '0' && c <= '9' {
			r = (r*10 + int(c-'0')) % 97
		} else {
			r = (r*100 + int(c-'A') + 10) % 97
		}
	}
	return fmt.Sprintf("NL%02d%s%s", 98-r, bank, account)
}

// elfproef is the BSN 11-proef: 9a+8b+7c+6d+5e+4f+3g+2h−i ≡ 0 (mod 11), not 0.
func elfproef(n uint32) bool {
	if n == 0 || n > 999999999 {
		return false
	}
	sum := -int(n % 10)
	n /= 10
	for w := 2; w <= 9; w++ {
		sum += w * int(n%10)
		n /= 10
	}
	return sum%11 == 0
}

// bsnSource hands out valid BSNs, none twice.
type bsnSource interface {
	draw(rng *rand.Rand) (string, error)
}

// seedBSNs are the BSNs handed out by Seed: none twice. Numbers are drawn from
// 900000000–999999999; when one turns out to be taken in the tenant, the next free
// valid number follows it (next), from the goroutines that make the residents.
type seedBSNs struct {
	mu   sync.Mutex
	used map[uint32]bool
}

// draw draws a valid BSN not handed out before.
func (s *seedBSNs) draw(rng *rand.Rand) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		n := 900000000 + rng.Uint32N(100000000)
		if elfproef(n) && !s.used[n] {
			s.used[n] = true
			return fmt.Sprintf("%09d", n), nil
		}
	}
}

// next returns the first valid BSN after b not handed out before.
func (s *seedBSNs) next(b string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, _ := strconv.ParseUint(b, 10, 32)
	n := uint32(v)
	for {
		if n++; n > 999999999 {
			n = 900000000
		}
		if elfproef(n) && !s.used[n] {
			s.used[n] = true
			return fmt.Sprintf("%09d", n)
		}
	}
}

// bsnPrefixes is the number of 8-digit prefixes 10000000–99999999; the ninth digit
// follows from the 11-proef (a prefix whose check digit would be 10 has no BSN).
const bsnPrefixes = 90_000_000

// stripedBSNs are the BSNs of one chunk of Bench: the chunk draws its 8-digit
// prefixes from its own stripe (prefix ≡ stripe mod stripes), so chunks drawn at the
// same time never draw the same number. used holds the chunk's; taken tells the
// numbers the tenant has already.
type stripedBSNs struct {
	stripe, stripes uint32
	used            map[uint32]struct{}
	taken           func(bsn.BSN) bool
}

func (s *stripedBSNs) draw(rng *rand.Rand) (string, error) {
	slots := (bsnPrefixes-1-s.stripe)/s.stripes + 1
	for range 1000 {
		prefix := 10_000_000 + s.stripe + s.stripes*rng.Uint32N(slots)
		sum, p := uint32(0), prefix
		for w := uint32(2); w <= 9; w++ {
			sum += w * (p % 10)
			p /= 10
		}
		check := sum % 11
		if check == 10 {
			continue
		}
		num := prefix*10 + check
		if _, dup := s.used[num]; dup {
			continue
		}
		s.used[num] = struct{}{}
		digits := fmt.Sprintf("%09d", num)
		b, err := bsn.Parse(digits)
		if err != nil {
			return "", fmt.Errorf("drew an invalid BSN: %w", err) // a bug in the 11-proef above
		}
		if s.taken != nil && s.taken(b) {
			continue
		}
		return digits, nil
	}
	return "", errors.New("no free BSN found in 1000 draws")
}
