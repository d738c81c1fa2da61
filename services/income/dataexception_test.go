package income

import (
	"testing"

	"github.com/plein-nl/plein/platform/input/inputtest"
)

func TestDataExceptionIsAClientError(t *testing.T) {
	t.Parallel()
	inputtest.CheckDataException(t, errorEncoder)
}
