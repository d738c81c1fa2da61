package iban_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/iban"
)

func TestParseValid(t *testing.T) {
	t.Parallel()
	// Public examples (bank documentation, the SWIFT registry); each satisfies
	// mod-97 = 1 when checked by hand: move the first four characters to the end,
	// A=10 … Z=35, remainder modulo 97.
	tests := []struct {
		in, want, country, bank, grouped, masked string
	}{
		{"NL91ABNA0417164300", "NL91ABNA0417164300", "NL", "ABNA", "NL91 ABNA 0417 1643 00", "NL91 **** **** **43 00"},
		{"nl91 abna 0417 1643 00", "NL91ABNA0417164300", "NL", "ABNA", "NL91 ABNA 0417 1643 00", "NL91 **** **** **43 00"},
		{" NL91\u00a0ABNA\u00a00417\u00a01643\u00a000\t", "NL91ABNA0417164300", "NL", "ABNA", "NL91 ABNA 0417 1643 00", "NL91 **** **** **43 00"},
		// 98 − (NL00ABNA0000000057 mod 97) = 98; the top of the check digit range.
		{"NL98ABNA0000000057", "NL98ABNA0000000057", "NL", "ABNA", "NL98 ABNA 0000 0000 57", "NL98 **** **** **00 57"},
		{"NL02ABNA0000000039", "NL02ABNA0000000039", "NL", "ABNA", "NL02 ABNA 0000 0000 39", "NL02 **** **** **00 39"},
		{"DE89370400440532013000", "DE89370400440532013000", "DE", "", "DE89 3704 0044 0532 0130 00", "DE89 **** **** **** **30 00"},
		{"BE68539007547034", "BE68539007547034", "BE", "", "BE68 5390 0754 7034", "BE68 **** **** 7034"},
		{"GB82WEST12345698765432", "GB82WEST12345698765432", "GB", "", "GB82 WEST 1234 5698 7654 32", "GB82 **** **** **** **54 32"},
		{"AT611904300234573201", "AT611904300234573201", "AT", "", "AT61 1904 3002 3457 3201", "AT61 **** **** **** 3201"},
		{"CH9300762011623852957", "CH9300762011623852957", "CH", "", "CH93 0076 2011 6238 5295 7", "CH93 **** **** **** *295 7"},
		{"FR1420041010050500013M02606", "FR1420041010050500013M02606", "FR", "", "FR14 2004 1010 0505 0001 3M02 606", "FR14 **** **** **** **** ***2 606"},
		{"ES9121000418450200051332", "ES9121000418450200051332", "ES", "", "ES91 2100 0418 4502 0005 1332", "ES91 **** **** **** **** 1332"},
		{"NO9386011117947", "NO9386011117947", "NO", "", "NO93 8601 1117 947", "NO93 **** ***7 947"},
		{"MT84MALT011000012345MTLCAST001S", "MT84MALT011000012345MTLCAST001S", "MT", "", "MT84 MALT 0110 0001 2345 MTLC AST0 01S", "MT84 **** **** **** **** **** ***0 01S"},
	}
	for _, tt := range tests {
		got, err := iban.Parse(tt.in)
		if err != nil || string(got) != tt.want {
			t.Errorf("Parse(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			continue
		}
		if got.String() != tt.want || got.Country() != tt.country || got.BankCode() != tt.bank ||
			got.Grouped() != tt.grouped || got.Masked() != tt.masked {
			t.Errorf("Parse(%q): String, Country, BankCode, Grouped, Masked = %q, %q, %q, %q, %q; want %q, %q, %q, %q, %q",
				tt.in, got.String(), got.Country(), got.BankCode(), got.Grouped(), got.Masked(),
				tt.want, tt.country, tt.bank, tt.grouped, tt.masked)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	t.Parallel()
	const nlInvalid = "Dit IBAN klopt niet. Controleer het nummer."
	tests := []struct {
		name, in   string
		wantErr    error
		wantDetail string // a part of Error()
		wantNL     string
	}{
		// NL50BANK1234567890 mod 97 = 10, not 1.
		{"DOMAIN checksum example", "NL50BANK1234567890", iban.ErrChecksum, "IBAN check digits do not match (mod-97)", nlInvalid},
		{"last digit changed", "NL91ABNA0417164301", iban.ErrChecksum, "mod-97", nlInvalid},
		{"digits swapped", "NL91ABNA0417164030", iban.ErrChecksum, "mod-97", nlInvalid},
		// 01 ≡ 98 and 99 ≡ 2 (mod 97): these pass mod-97 but are outside 02–98.
		{"check digits 01", "NL01ABNA0000000057", iban.ErrChecksum, "02 to 98", nlInvalid},
		{"check digits 99", "NL99ABNA0000000039", iban.ErrChecksum, "02 to 98", nlInvalid},
		{"check digits 00", "NL00ABNA0000000057", iban.ErrChecksum, "02 to 98", nlInvalid},
		{"NL too short", "NL91ABNA041716430", iban.ErrLength, "an IBAN from NL has 18 characters, got 17", "Een Nederlands IBAN heeft 18 tekens."},
		{"NL too long", "NL91ABNA04171643000", iban.ErrLength, "an IBAN from NL has 18 characters, got 19", "Een Nederlands IBAN heeft 18 tekens."},
		{"DE too short", "DE8937040044053201300", iban.ErrLength, "an IBAN from DE has 22 characters, got 21", "Een IBAN dat begint met DE heeft 22 tekens."},
		{"country only", "NL", iban.ErrLength, "got 2", "Een Nederlands IBAN heeft 18 tekens."},
		{"empty", "", iban.ErrLength, "empty", "Vul een IBAN in."},
		{"spaces only", "  \t", iban.ErrLength, "empty", "Vul een IBAN in."},
		{"not SEPA", "US64SVBKUS6S3300958879", iban.ErrCountry, "country US", "Plein kan alleen betalen naar een rekening in een SEPA-land. Controleer de eerste twee letters."},
		{"digits for country", "1291ABNA0417164300", iban.ErrCountry, "two-letter country code", "Een IBAN begint met twee letters voor het land, bijvoorbeeld NL."},
		{"one letter", "N", iban.ErrCountry, "two-letter country code", "Een IBAN begint met twee letters voor het land, bijvoorbeeld NL."},
		{"hyphens", "NL91-ABNA-0417-1643-00", iban.ErrCharacters, `found '-'`, "Een IBAN bestaat alleen uit letters en cijfers."},
		{"dotless i", "NL91ABNA0417164300ı", iban.ErrCharacters, `found 'ı'`, "Een IBAN bestaat alleen uit letters en cijfers."},
		{"letters as check digits", "NLABABNA0417164300", iban.ErrFormat, "check digits", nlInvalid},
		{"NL bank code with digits", "NL9112340417164300", iban.ErrFormat, "4-letter bank code", "Een Nederlands IBAN heeft na de eerste 4 tekens 4 letters (de bank) en 10 cijfers."},
		{"NL account with letter", "NL91ABNA041716430A", iban.ErrFormat, "10 digits", "Een Nederlands IBAN heeft na de eerste 4 tekens 4 letters (de bank) en 10 cijfers."},
	}
	for _, tt := range tests {
		got, err := iban.Parse(tt.in)
		if !errors.Is(err, tt.wantErr) || got != "" {
			t.Errorf("%s: Parse(%q) = %q, %v; want \"\", %v", tt.name, tt.in, got, err, tt.wantErr)
			continue
		}
		if !strings.Contains(err.Error(), tt.wantDetail) {
			t.Errorf("%s: Parse(%q) error %q, want it to contain %q", tt.name, tt.in, err, tt.wantDetail)
		}
		var perr *iban.Error
		if !errors.As(err, &perr) || perr.Dutch() != tt.wantNL {
			t.Errorf("%s: Parse(%q) Dutch message = %q, want %q", tt.name, tt.in, perr.Dutch(), tt.wantNL)
		}
		if len(tt.in) > 8 && strings.Contains(err.Error(), tt.in) {
			t.Errorf("%s: Parse(%q) error %q repeats the input", tt.name, tt.in, err)
		}
	}
}

func TestLogValueMasks(t *testing.T) {
	t.Parallel()
	i, err := iban.Parse("NL91ABNA0417164300")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("payout", "iban", i)
	if got, want := buf.String(), `"iban":"NL91 **** **** **43 00"`; !strings.Contains(got, want) || strings.Contains(got, "0417") {
		t.Errorf("log line = %s, want it to contain %s and not the full IBAN", got, want)
	}
}

func TestZeroIBAN(t *testing.T) {
	t.Parallel()
	var zero iban.IBAN
	if zero.Country() != "" || zero.BankCode() != "" || zero.Grouped() != "" || zero.Masked() != "" {
		t.Errorf("zero IBAN: Country, BankCode, Grouped, Masked = %q, %q, %q, %q; want all empty",
			zero.Country(), zero.BankCode(), zero.Grouped(), zero.Masked())
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"NL91ABNA0417164300", "nl91 abna 0417 1643 00", "NL50BANK1234567890", "DE89370400440532013000",
		"BE68539007547034", "GB82WEST12345698765432", "MT84MALT011000012345MTLCAST001S", "", "NL", "NL01ABNA0000000057",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		i, err := iban.Parse(s)
		if err != nil {
			var perr *iban.Error
			if i != "" || !errors.As(err, &perr) || perr.Dutch() == "" {
				t.Fatalf("Parse(%q) = %q, %v; want \"\" and an *Error with a Dutch message", s, i, err)
			}
			return
		}
		if !isNormal(string(i)) || mod97(string(i)) != 1 {
			t.Fatalf("Parse(%q) = %q: not normalised or not mod-97 = 1", s, i)
		}
		for _, form := range []string{i.String(), i.Grouped(), strings.ToLower(i.Grouped())} {
			if again, err := iban.Parse(form); err != nil || again != i {
				t.Fatalf("Parse(%q) = %q, %v; want %q", form, again, err, i)
			}
		}
		if m := i.Masked(); len(m) != len(i.Grouped()) || m[:4] != string(i[:4]) || strings.Count(m, "*") != len(i)-8 {
			t.Fatalf("Masked() = %q for %q: want the grouped length with all but 8 characters hidden", m, i)
		}
	})
}

func isNormal(s string) bool {
	for _, c := range []byte(s) {
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return len(s) >= 15 && len(s) <= 34
}

// mod97 is the ISO 7064 check written out independently of the package, on a big
// number one digit at a time.
func mod97(s string) int {
	var digits strings.Builder
	for _, c := range s[4:] + s[:4] {
		if c >= 'A' && c <= 'Z' {
			fmt.Fprint(&digits, int(c-'A')+10)
		} else {
			digits.WriteRune(c)
		}
	}
	r := 0
	for _, d := range digits.String() {
		r = (r*10 + int(d-'0')) % 97
	}
	return r
}

func ExampleParse() {
	i, err := iban.Parse("nl91 abna 0417 1643 00")
	if err != nil {
		panic(err)
	}
	fmt.Println(i, i.Grouped(), i.Masked(), i.BankCode())

	_, err = iban.Parse("NL50BANK1234567890")
	var perr *iban.Error
	if errors.As(err, &perr) {
		fmt.Println(err)
		fmt.Println(perr.Dutch())
	}
	slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}})).Info("payout", "iban", i)
	// Output:
	// NL91ABNA0417164300 NL91 ABNA 0417 1643 00 NL91 **** **** **43 00 ABNA
	// IBAN check digits do not match (mod-97)
	// Dit IBAN klopt niet. Controleer het nummer.
	// level=INFO msg=payout iban="NL91 **** **** **43 00"
}
