package tenancy

import "testing"

func TestLineDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		old, new string
		want     string
	}{
		{"both empty", "", "", ""},
		{"identical", "a\nb\n", "a\nb\n", "  a\n  b\n"},
		{"identical but for the final newline", "a\nb", "a\nb\n", "  a\n  b\n"},
		{"empty to text", "", "a\nb\n", "+ a\n+ b\n"},
		{"text to empty", "a\nb\n", "", "- a\n- b\n"},
		{"one line changed", "a\nb\nc\n", "a\nX\nc\n", "  a\n- b\n+ X\n  c\n"},
		{"insert in the middle", "a\nc\n", "a\nb\nc\n", "  a\n+ b\n  c\n"},
		{"delete in the middle", "a\nb\nc\n", "a\nc\n", "  a\n- b\n  c\n"},
		{"two changes apart", "a\nb\nc\nd\ne\n", "a\nB\nc\nd\nE\n", "  a\n- b\n+ B\n  c\n  d\n- e\n+ E\n"},
		{"whole block replaced", "a\nb\n", "X\nY\n", "- a\n- b\n+ X\n+ Y\n"},
		{"repeated line dropped", "x\nx\n", "x\n", "  x\n- x\n"},
		{"empty line kept", "a\n\nb\n", "a\n\nc\n", "  a\n  \n- b\n+ c\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := lineDiff(tt.old, tt.new); got != tt.want {
				t.Errorf("lineDiff(%q, %q):\ngot  %q\nwant %q", tt.old, tt.new, got, tt.want)
			}
		})
	}
}
