package auth_test

import (
	"testing"

	"github.com/plein-nl/plein/platform/db/dbtest"
)

// The revocation store is tested on a real PostgreSQL (revocation_test.go).
func TestMain(m *testing.M) { dbtest.Main(m) }
