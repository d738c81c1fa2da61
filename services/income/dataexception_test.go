package income

import (
	"log/slog"
	"testing"

	kithttp "github.com/go-kit/kit/transport/http"

	"github.com/plein-nl/plein/platform/input/inputtest"
)

func TestDataExceptionIsAClientError(t *testing.T) {
	t.Parallel()
	inputtest.CheckDataException(t, func(log *slog.Logger) kithttp.ErrorEncoder { return newAPI(log).EncodeError })
}
