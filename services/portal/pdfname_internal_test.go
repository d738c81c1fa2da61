package portal

import "testing"

func TestPDFName(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{"loonstrook maart.pdf", "loonstrook maart.pdf"},
		{"Loonstrook-Öztürk.pdf", "Loonstrook-Öztürk.pdf"},
		{"a\x00.pdf", "loonstrook.pdf"},
		{"a\xff.pdf", "loonstrook.pdf"},
		{"\u202efdp.exe", "loonstrook.pdf"},
		{"", "loonstrook.pdf"},
	} {
		if got := pdfName(tt.in); got != tt.want {
			t.Errorf("pdfName(%+q) = %+q, want %+q", tt.in, got, tt.want)
		}
	}
}
