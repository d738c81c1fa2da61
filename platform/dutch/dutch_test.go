package dutch_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/plein-nl/plein/platform/dutch"
)

func TestError(t *testing.T) {
	t.Parallel()
	errLength := errors.New("too short")
	for _, tc := range []struct {
		err  *dutch.Error
		want string
	}{
		{&dutch.Error{Err: errLength, NL: "Te kort."}, "too short"},
		{&dutch.Error{Err: errLength, Detail: "want 9", NL: "Te kort."}, "too short: want 9"},
	} {
		err := fmt.Errorf("parse: %w", tc.err)
		var d interface{ Dutch() string }
		if !errors.Is(err, errLength) || !errors.As(err, &d) || d.Dutch() != "Te kort." || tc.err.Error() != tc.want {
			t.Errorf("%#v: Error %q, Is %v; want %q, the sentinel and the Dutch text", tc.err, tc.err.Error(), errors.Is(err, errLength), tc.want)
		}
	}
}
