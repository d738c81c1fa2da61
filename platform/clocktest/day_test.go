package clocktest_test

import (
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/clocktest"
)

func TestDay(t *testing.T) {
	t.Parallel()
	if got, want := clocktest.Day("2026-03-01"), time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Day = %v, want %v", got, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("Day(\"1-3-2026\") did not panic")
		}
	}()
	clocktest.Day("1-3-2026")
}
