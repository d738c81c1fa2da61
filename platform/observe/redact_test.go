package observe

import "testing"

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"no digits", "geen nummers hier", "geen nummers hier"},
		{"bsn", "bsn 999993653 gevonden", "bsn [bsn] gevonden"},
		{"bsn 111222333", "111222333", "[bsn]"},
		{"bsn glued to letters", "bsn=999993653;x", "bsn=[bsn];x"},
		{"bsn with leading zero", "012345672", "[bsn]"},
		{"fails 11-proef", "123456789", "123456789"},
		{"all zeros", "000000000", "000000000"},
		{"ten digits", "9999936530", "9999936530"},
		{"eight digits", "99999365", "99999365"},
		{"inside longer run", "19999936531", "19999936531"},
		{"two bsns", "999993653,111222333", "[bsn],[bsn]"},
		{"iban", "naar NL91ABNA0417164300.", "naar [iban]."},
		{"iban lower case", "nl91abna0417164300", "[iban]"},
		{"iban grouped", "rekening NL91 ABNA 0417 1643 00 klopt", "rekening [iban] klopt"},
		{"iban grouped then word", "NL91 ABNA 0417 1643 00 ABCD", "[iban] ABCD"},
		{"iban german", "DE89370400440532013000", "[iban]"},
		{"iban bad checksum", "NL92ABNA0417164300", "NL92ABNA0417164300"},
		{"iban inside word", "XNL91ABNA0417164300", "XNL91ABNA0417164300"},
		{"json number", `{"bsn":999993653}`, `{"bsn":[bsn]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := redact(tt.in); got != tt.want {
				t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// predicateCase is an input of a func(string) bool and the answer it should get.
type predicateCase struct {
	in   string
	want bool
}

// testPredicate runs f on each case in a parallel subtest named after the input;
// name is how failures call f.
func testPredicate(t *testing.T, name string, f func(string) bool, tests []predicateCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := f(tt.in); got != tt.want {
				t.Errorf("%s(%q) = %v, want %v", name, tt.in, got, tt.want)
			}
		})
	}
}

func TestElfProef(t *testing.T) {
	t.Parallel()
	testPredicate(t, "elfProef", elfProef, []predicateCase{
		{"999993653", true},
		{"111222333", true},
		{"123456782", true},
		{"123456789", false},
		{"000000000", false},
		{"99999365", false},
	})
}

func TestValidRequestID(t *testing.T) {
	t.Parallel()
	testPredicate(t, "validRequestID", validRequestID, []predicateCase{
		{"abc-123_X.y", true},
		{NewRequestID(), true},
		{"", false},
		{"a b", false},
		{"a\nb", false},
		{"ü", false},
		{string(make([]byte, 65)), false},
		{"0123456789012345678901234567890123456789012345678901234567890123", true},
		{"01234567890123456789012345678901234567890123456789012345678901234", false},
	})
}
