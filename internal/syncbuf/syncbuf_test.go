package syncbuf_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/plein-nl/plein/internal/syncbuf"
)

// TestConcurrentWrites: writers and a reader at once keep every write whole (run
// with -race, which is what the test is for).
func TestConcurrentWrites(t *testing.T) {
	t.Parallel()
	var b syncbuf.Buffer
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for range 100 {
				fmt.Fprintf(&b, "w%d;", i)
			}
		})
	}
	wg.Go(func() {
		for range 100 {
			_ = b.String()
		}
	})
	wg.Wait()
	if got, want := b.Len(), 4*100*3; got != want {
		t.Errorf("Len = %d, want %d", got, want)
	}
	if got := len(b.String()); got != b.Len() {
		t.Errorf("len(String()) = %d, Len = %d", got, b.Len())
	}
}
