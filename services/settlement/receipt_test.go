package settlement

import (
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
)

// TestInputsVakantietoeslag: in the vakantietoeslag month the inputs carry the reserve
// owed from earlier months after the case, and read back with it.
func TestInputsVakantietoeslag(t *testing.T) {
	t.Parallel()
	c := bijstand.Case{Period: march, Household: bijstand.Household{Kind: bijstand.KindSingle,
		Applicants: []bijstand.Applicant{{BirthDate: time.Date(1990, 5, 1, 0, 0, 0, 0, time.UTC)}}}}
	b, err := encodeInputs(c, true, 80724)
	if want := "P\t2026-03\tsingle\t0\t0\t0\nA\t19900501\t0\t0\t0\nV\t80724"; err != nil || string(b) != want {
		t.Fatalf("encodeInputs = %q, %v; want %q", b, err, want)
	}
	back, vt, owed, err := decodeInputs(b)
	if err != nil || !vt || owed != 80724 || back.Household.Applicants[0].BirthDate != c.Household.Applicants[0].BirthDate {
		t.Errorf("decodeInputs = %+v, %v, %d, %v", back, vt, owed, err)
	}
	if _, _, _, err := decodeInputs([]byte("P\t2026-03\tsingle\t0\t0\t0\nV\t-1")); err == nil {
		t.Error("a negative reserve owed was read")
	}
	if _, vt, _, err := decodeInputs([]byte("P\t2026-03\tsingle\t0\t0\t0")); err != nil || vt {
		t.Errorf("outside the month: vt %v, %v", vt, err)
	}
}
