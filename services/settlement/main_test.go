package settlement

import (
	"testing"

	"github.com/plein-nl/plein/platform/db/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }
