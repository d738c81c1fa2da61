package caseload

import (
	"errors"
	"fmt"
	"testing"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/law"
)

// TestResidentsOwn: the engine's refusals of a resident's own data are the resident's;
// the law data's and the gemeente's settings' are not.
func TestResidentsOwn(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  error
		want bool
	}{
		{&bijstand.InputError{Field: "household.applicants[1].birth_date", Msg: "a partner must be 18 or older"}, true},
		{&bijstand.InputError{Field: "income", Msg: "negative"}, true},
		{&bijstand.InputError{Field: "deductions[0].requested_cents", Msg: "too large"}, true},
		{&bijstand.InputError{Field: "period", Msg: "no law parameters in force"}, false},
		{&bijstand.InputError{Field: "min_cash_payout_cents", Msg: "must be between 0 and 10000000"}, false},
		{fmt.Errorf("%w: youth_single (valid from 2026-01-01)", law.ErrNotPublished), false},
		{errors.New("something else"), false},
	}
	for _, c := range cases {
		if got := residentsOwn(c.err); got != c.want {
			t.Errorf("residentsOwn(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}
