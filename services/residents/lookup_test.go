package residents

import (
	"errors"
	"testing"

	"github.com/plein-nl/plein/platform/bsn"
)

// errConsumer stands for the sentinel of the service that asks (income.ErrNotFound,
// debts.ErrResidentNotFound, …).
var errConsumer = errors.New("consumer: not found")

// TestLookup: the household and the case of a BSN, the partner's BSN as applicant 1;
// an unknown resident or BSN wraps both ErrNotFound and the asker's sentinel, and a
// malformed BSN is no not-found.
func TestLookup(t *testing.T) {
	t.Parallel()
	b := setup(t)
	ctx := as(consulentEnschede)
	r := mustCreate(t, b.svc, ctx, enschede, couple())
	l := Lookup{Service: b.raw, NotFound: errConsumer}

	if h, err := l.Household(t.Context(), enschede, r.ID); err != nil || len(h.Children) != 2 {
		t.Errorf("Household = %+v, %v; want the couple's household with 2 children", h, err)
	}
	for _, c := range []struct {
		bsn       string
		applicant int
	}{{bsnA, 0}, {bsnB, 1}} {
		id, applicant, err := l.FindResidentID(t.Context(), enschede, c.bsn, "signal")
		if err != nil || id != r.ID || applicant != c.applicant {
			t.Errorf("FindResidentID(%s) = %q, %d, %v; want %q, %d", c.bsn[:3], id, applicant, err, r.ID, c.applicant)
		}
	}
	unknown := []error{}
	_, err := l.Household(t.Context(), enschede, "00000000-0000-4000-8000-000000000001")
	unknown = append(unknown, err)
	c, err := bsn.Parse(bsnC)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = l.MatchBSN(t.Context(), enschede, c)
	unknown = append(unknown, err)
	_, _, err = l.FindResidentID(t.Context(), zwolle, bsnA, "signal") // another gemeente's resident
	unknown = append(unknown, err)
	for i, err := range unknown {
		if !errors.Is(err, errConsumer) || !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown %d: err = %v, want it to wrap the asker's sentinel and ErrNotFound", i, err)
		}
	}
	if _, _, err := l.FindResidentID(t.Context(), enschede, "12345", "signal"); err == nil || errors.Is(err, errConsumer) {
		t.Errorf("a malformed BSN: err = %v, want a parse error, not a not-found", err)
	}
}
