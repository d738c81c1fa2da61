package egress

import (
	"slices"
	"testing"
)

func TestParseAllow(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"127.0.0.1:8080", []string{"127.0.0.1:8080"}},
		{" a:1 , ,b:2,", []string{"a:1", "b:2"}},
	} {
		if got := ParseAllow(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("ParseAllow(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
