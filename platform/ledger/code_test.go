package ledger

import (
	"regexp"
	"strings"
	"testing"
)

// TestValidCode holds validCode to the expression it is written out from, the
// database's check on ledger_accounts.code.
func TestValidCode(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}(:[A-Za-z0-9][A-Za-z0-9._-]{0,63})?$`)
	codes := []string{
		"", "bank", "bijstand_expense", "resident:0b7c3f1e-2d4a-4c8b-9e6f-1a2b3c4d5e6f", "creditor:zilveren-kruis",
		"a", "a:b:c", "bank:", ":x", "9a", "_a", "a-b", "creditor:x.y_z-1", "creditor:-x", "creditor:.x",
		strings.Repeat("a", 63), strings.Repeat("a", 64), "a:" + strings.Repeat("X", 64), "a:" + strings.Repeat("X", 65),
		"bänk", "bank\n", "a:x\n", "a b", "a:ü",
	}
	// Every short string over the ends of each character class and their neighbours.
	const alphabet = "az09_:AZ.-`{/@[ \n\xc3"
	for _, c1 := range alphabet {
		codes = append(codes, string(c1), "a"+string(c1), "a:"+string(c1))
		for _, c2 := range alphabet {
			codes = append(codes, string(c1)+string(c2), "a"+string(c1)+string(c2), "a:X"+string(c1)+string(c2))
		}
	}
	for _, c := range codes {
		if got, want := validCode(c), re.MatchString(c); got != want {
			t.Errorf("validCode(%q) = %v, want %v", c, got, want)
		}
	}
}

// TestResidentID holds residentID to the expression it is written out from, the form
// of a resident id.
func TestResidentID(t *testing.T) {
	t.Parallel()
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	const good = "0b7c3f1e-2d4a-4c8b-9e6f-1a2b3c4d5e6f"
	ids := []string{"", good, good + "0", good[:35], strings.ToUpper(good), "x" + good[1:]}
	// Every position of a valid id replaced by each character near the ends of the
	// classes it may hold.
	for i := range len(good) {
		for _, c := range "09af-48bgA/:`\n\xc3" {
			ids = append(ids, good[:i]+string(c)+good[i+1:])
		}
	}
	for _, id := range ids {
		if got, want := residentID(id), re.MatchString(id); got != want {
			t.Errorf("residentID(%q) = %v, want %v", id, got, want)
		}
	}
}
