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
	plain := &dutch.Error{Err: errLength, NL: "Te kort."}
	detailed := &dutch.Error{Err: errLength, Detail: "want 9", NL: "Te kort."}
	if plain.Error() != "too short" || detailed.Error() != "too short: want 9" {
		t.Errorf("Error() = %q and %q, want the sentinel's text, then with the detail", plain.Error(), detailed.Error())
	}
	err := fmt.Errorf("parse: %w", detailed)
	var d interface{ Dutch() string }
	if !errors.Is(err, errLength) || !errors.As(err, &d) || d.Dutch() != "Te kort." {
		t.Errorf("%v: want it to wrap the sentinel and say Te kort. in Dutch", err)
	}
}
