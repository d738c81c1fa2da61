// Package uuid makes and checks the ids of the services' records: random (version 4)
// UUIDs in their lowercase text form, made in the service rather than the database so
// that an id is known before the insert.
package uuid

import (
	"crypto/rand"
	"fmt"
	"strings"
)

// New returns a random (version 4) UUID.
func New() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand, Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Valid reports whether id has the form New makes, so that a service answers "not
// found" to any other id without asking the database.
func Valid(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i := range len(id) {
		c := id[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
				return false
			}
		}
	}
	return id[14] == '4' && strings.IndexByte("89ab", id[19]) >= 0
}
