package clocktest_test

import (
	"sync"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/clocktest"
)

func TestClock(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	c := clocktest.New(start)
	if got := c.Now(); !got.Equal(start) {
		t.Fatalf("Now = %s, want %s", got, start)
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { c.Advance(time.Minute) })
	}
	wg.Wait()
	if got, want := c.Now(), start.Add(10*time.Minute); !got.Equal(want) {
		t.Errorf("after 10 concurrent minutes: %s, want %s", got, want)
	}
	c.Set(start)
	if got := c.Now(); !got.Equal(start) {
		t.Errorf("after Set: %s, want %s", got, start)
	}
}

func TestDate(t *testing.T) {
	t.Parallel()
	if got, want := clocktest.Date("2026-12-07"), time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("Date(2026-12-07) = %s, want %s", got, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("Date(7-12-2026) did not panic")
		}
	}()
	clocktest.Date("7-12-2026")
}
