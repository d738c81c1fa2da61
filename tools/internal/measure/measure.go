// Package measure holds what the measuring drivers in tools/ share: a free loopback
// address for a server under test and a summary of timings.
package measure

import (
	"fmt"
	"net"
	"sort"
	"time"
)

// FreeAddr returns a loopback address with a port nobody listens on.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Summary is "median X s (min A s, max B s, n=N)".
func Summary(ds []time.Duration) string {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return fmt.Sprintf("median %.2f s (min %.2f s, max %.2f s, n=%d)", s[len(s)/2].Seconds(), s[0].Seconds(), s[len(s)-1].Seconds(), len(s))
}
