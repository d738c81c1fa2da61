package uuid

import "testing"

func TestNewIsValid(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		id := New()
		if !Valid(id) {
			t.Fatalf("Valid(%q) = false, want true", id)
		}
		if seen[id] {
			t.Fatalf("New() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestValid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"0f8fad5b-d9cb-469f-a165-70867728950e", true},
		{"0f8fad5b-d9cb-469f-b165-70867728950e", true},
		{"0F8FAD5B-D9CB-469F-A165-70867728950E", false}, // upper case
		{"0f8fad5b-d9cb-169f-a165-70867728950e", false}, // version 1
		{"0f8fad5b-d9cb-469f-c165-70867728950e", false}, // variant
		{"0f8fad5bd9cb469fa16570867728950e", false},     // no dashes
		{"0f8fad5b-d9cb-469f-a165-70867728950", false},  // short
		{"0f8fad5b-d9cb-469f-a165-70867728950g", false}, // not hex
		{"", false},
	} {
		if got := Valid(tc.id); got != tc.want {
			t.Errorf("Valid(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}
