package bsn_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/bsn"
)

func mustParse(t testing.TB, s string) bsn.BSN {
	t.Helper()
	b, err := bsn.Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return b
}

func TestParse(t *testing.T) {
	t.Parallel()
	// Checksums by hand, 9a+8b+7c+6d+5e+4f+3g+2h−i:
	//   999993653: 81+72+63+54+45+12+18+10−3 = 352 = 32×11
	//   111222333: 9+8+7+12+10+8+9+6−3 = 66 = 6×11
	//   012345672: 0+8+14+18+20+20+18+14−2 = 110 = 10×11
	//   123456789: 9+16+21+24+25+24+21+16−9 = 147 ≡ 4
	//   999993654: 352−1 = 351 ≡ 10
	//   012345678: 112−8 = 104 ≡ 5
	tests := []struct {
		in      string
		want    string // Reveal
		wantErr error
		wantNL  string
	}{
		{in: "999993653", want: "999993653"},
		{in: "111222333", want: "111222333"},
		{in: "012345672", want: "012345672"},
		{in: "12345672", want: "012345672"}, // leading 0 dropped by a spreadsheet
		{in: " 999993653\n", want: "999993653"},
		{in: "9999 93 653", want: "999993653"},
		{in: "9999.93.653", want: "999993653"},
		{in: "123456789", wantErr: bsn.ErrChecksum, wantNL: "Dit BSN klopt niet. Kijk of u het goed hebt overgenomen."},
		{in: "999993654", wantErr: bsn.ErrChecksum, wantNL: "Dit BSN klopt niet. Kijk of u het goed hebt overgenomen."},
		{in: "12345678", wantErr: bsn.ErrChecksum, wantNL: "Dit BSN klopt niet. Kijk of u het goed hebt overgenomen."},
		{in: "000000000", wantErr: bsn.ErrAllZero, wantNL: "Dit BSN klopt niet. Kijk of u het goed hebt overgenomen."},
		{in: "00000000", wantErr: bsn.ErrAllZero, wantNL: "Dit BSN klopt niet. Kijk of u het goed hebt overgenomen."},
		{in: "", wantErr: bsn.ErrLength, wantNL: "Vul uw BSN in. Het BSN heeft 9 cijfers."},
		{in: " . ", wantErr: bsn.ErrLength, wantNL: "Vul uw BSN in. Het BSN heeft 9 cijfers."},
		{in: "1234567", wantErr: bsn.ErrLength, wantNL: "Het BSN moet 9 cijfers hebben."},
		{in: "9999936530", wantErr: bsn.ErrLength, wantNL: "Het BSN moet 9 cijfers hebben."},
		{in: "99999365a", wantErr: bsn.ErrNotDigits, wantNL: "Een BSN bestaat alleen uit cijfers."},
		{in: "-99993653", wantErr: bsn.ErrNotDigits, wantNL: "Een BSN bestaat alleen uit cijfers."},
		{in: "999-99-3653", wantErr: bsn.ErrNotDigits, wantNL: "Een BSN bestaat alleen uit cijfers."},
		{in: "９９９９９３６５３", wantErr: bsn.ErrNotDigits, wantNL: "Een BSN bestaat alleen uit cijfers."}, // full-width digits
	}
	for _, tt := range tests {
		got, err := bsn.Parse(tt.in)
		if !errors.Is(err, tt.wantErr) || got.Reveal() != tt.want {
			t.Errorf("Parse(%q) = %q, %v; want %q, %v", tt.in, got.Reveal(), err, tt.want, tt.wantErr)
			continue
		}
		if err == nil {
			continue
		}
		var perr *bsn.Error
		if !errors.As(err, &perr) || perr.Dutch() != tt.wantNL {
			t.Errorf("Parse(%q) Dutch message = %q, want %q", tt.in, perr.Dutch(), tt.wantNL)
		}
		if digits := strings.Trim(tt.in, " \n"); len(digits) > 4 && strings.Contains(err.Error(), digits) {
			t.Errorf("Parse(%q) error %q repeats the input", tt.in, err)
		}
	}
}

func TestZero(t *testing.T) {
	t.Parallel()
	var zero bsn.BSN
	if !zero.IsZero() || zero.Reveal() != "" || zero.String() != "" {
		t.Errorf("zero BSN: IsZero, Reveal, String = %v, %q, %q; want true, \"\", \"\"", zero.IsZero(), zero.Reveal(), zero.String())
	}
	if b := mustParse(t, "999993653"); b.IsZero() {
		t.Errorf("Parse(999993653).IsZero() = true, want false")
	}
	if a, b := mustParse(t, "012345672"), mustParse(t, "12345672"); a != b {
		t.Errorf("Parse(012345672) != Parse(12345672), want equal")
	}
}

func TestMasking(t *testing.T) {
	t.Parallel()
	b := mustParse(t, "999993653")
	type exported struct{ B bsn.BSN }
	type unexported struct{ b bsn.BSN }
	tests := []struct {
		name, got, want string
	}{
		{"String", b.String(), "*****3653"},
		{"%v", fmt.Sprintf("%v", b), "*****3653"},
		{"%s", fmt.Sprintf("%s", b), "*****3653"},
		{"%d", fmt.Sprintf("%d", b), "*****3653"},
		{"%x", fmt.Sprintf("%x", b), "*****3653"},
		{"%q", fmt.Sprintf("%q", b), `"*****3653"`},
		{"%+v", fmt.Sprintf("%+v", b), "*****3653"},
		{"%#v", fmt.Sprintf("%#v", b), "bsn.BSN{*****3653}"},
		{"%11v", fmt.Sprintf("%11v", b), "  *****3653"},
		{"%v pointer", fmt.Sprintf("%v", &b), "*****3653"},
		{"%+v exported field", fmt.Sprintf("%+v", exported{b}), "{B:*****3653}"},
		{"%v slice", fmt.Sprint([]bsn.BSN{b}), "[*****3653]"},
		{"json.Marshal", mustJSON(t, exported{b}), `{"B":"*****3653"}`},
		{"json map key", mustJSON(t, map[bsn.BSN]int{b: 1}), `{"*****3653":1}`},
		{"slog JSON", logLine(b, true), `{"msg":"m","bsn":"*****3653"}`},
		{"slog JSON struct", logLine(exported{b}, true), `{"msg":"m","bsn":{"B":"*****3653"}}`},
		{"slog text", logLine(b, false), "msg=m bsn=*****3653"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}

	// An unexported field is printed by reflection, past Format: the digits must not
	// show up even then.
	for _, verb := range []string{"%v", "%+v", "%#v", "%d"} {
		if got := fmt.Sprintf(verb, unexported{b}); strings.Contains(got, "999993653") {
			t.Errorf("Sprintf(%q, unexported field) = %q, shows the BSN", verb, got)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	return string(out)
}

// logLine logs v under "bsn" and returns the line without time and level.
func logLine(v any, asJSON bool) string {
	var buf bytes.Buffer
	opts := &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey || a.Key == slog.LevelKey {
			return slog.Attr{}
		}
		return a
	}}
	var h slog.Handler = slog.NewTextHandler(&buf, opts)
	if asJSON {
		h = slog.NewJSONHandler(&buf, opts)
	}
	slog.New(h).Info("m", "bsn", v)
	return strings.TrimSuffix(buf.String(), "\n")
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"999993653", "111222333", "12345672", "123456789", "000000000", "", "9999 93 653", "99999365a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := bsn.Parse(s)
		if err != nil {
			var perr *bsn.Error
			if !b.IsZero() || !errors.As(err, &perr) || perr.Dutch() == "" {
				t.Fatalf("Parse(%q) = %v, %v; want the zero BSN and an *Error with a Dutch message", s, b, err)
			}
			return
		}
		digits := b.Reveal()
		if len(digits) != 9 || !elevenProof(digits) {
			t.Fatalf("Parse(%q) accepted %q, which is not 9 digits passing the 11-proef", s, digits)
		}
		if again, err := bsn.Parse(digits); err != nil || again != b {
			t.Fatalf("Parse(Reveal()) = %v, %v; want %v", again, err, b)
		}
		if got, want := b.String(), "*****"+digits[5:]; got != want {
			t.Fatalf("String() = %q, want %q", got, want)
		}
	})
}

// elevenProof is the rule of docs/domain.md §6 written out independently of Parse.
func elevenProof(d string) bool {
	sum := 0
	for i := range 8 {
		sum += (9 - i) * int(d[i]-'0')
	}
	sum -= int(d[8] - '0')
	return sum%11 == 0 && d != "000000000"
}

func ExampleParse() {
	b, err := bsn.Parse("999993653")
	if err != nil {
		panic(err)
	}
	fmt.Println(b)
	slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}})).Info("case opened", "bsn", b)

	_, err = bsn.Parse("123456789")
	var perr *bsn.Error
	if errors.As(err, &perr) {
		fmt.Println(err)
		fmt.Println(perr.Dutch())
	}
	// Output:
	// *****3653
	// level=INFO msg="case opened" bsn=*****3653
	// BSN fails the 11-proef
	// Dit BSN klopt niet. Kijk of u het goed hebt overgenomen.
}
