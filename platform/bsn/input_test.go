package bsn

import (
	"bytes"
	"fmt"
	"log/slog"
	"testing"
)

func TestInputMasks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"111222333", "*****2333"},
		{" 111222333 ", "*****2333"},
		{"123", "***"},
		{"", ""},
	} {
		in := Input(tc.in)
		for _, got := range []string{in.String(), fmt.Sprintf("%v", in), fmt.Sprintf("%s", in), fmt.Sprintf("%q", in), fmt.Sprintf("%+v", struct{ B Input }{in})} {
			if !bytes.Contains([]byte(got), []byte(tc.want)) || (len(tc.in) > 4 && bytes.Contains([]byte(got), []byte("11122"))) {
				t.Errorf("Input(%q) printed %q, want the mask %q", tc.in, got, tc.want)
			}
		}
		var buf bytes.Buffer
		slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "bsn", in)
		if bytes.Contains(buf.Bytes(), []byte("11122")) {
			t.Errorf("slog shows the digits: %s", buf.String())
		}
	}
}
