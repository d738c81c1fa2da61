package synth

import "testing"

func TestIdentifiers(t *testing.T) {
	t.Parallel()
	// The examples of docs/domain.md §6.
	for _, c := range []struct {
		n    uint32
		want bool
	}{{999993653, true}, {111222333, true}, {123456789, false}, {0, false}} {
		if got := elfproef(c.n); got != c.want {
			t.Errorf("elfproef(%09d) = %v, want %v", c.n, got, c.want)
		}
	}
	if got := NLIBAN("ABNA", "0417164300"); got != "NL91ABNA0417164300" {
		t.Errorf("NLIBAN = %s, want NL91ABNA0417164300", got)
	}
	s := &seedBSNs{used: map[uint32]bool{999993653: true, 999993665: true}}
	// After 999993653 the valid numbers are 999993665 (taken) and 999993677.
	if got := s.next("999993653"); got != "999993677" {
		t.Errorf("next after 999993653 with 999993665 taken = %s, want 999993677", got)
	}
}
