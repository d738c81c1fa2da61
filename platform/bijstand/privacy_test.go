package bijstand_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plein-nl/plein/platform/bijstand"
	"github.com/plein-nl/plein/platform/law"
)

// TestInputErrorsHoldNoBirthDate computes a month so far ahead that the law data does
// not yet fix the applicant's AOW age: the error names the field, never the date, for
// its text reaches logs and API answers (security issue 17, finding 10).
func TestInputErrorsHoldNoBirthDate(t *testing.T) {
	t.Parallel()
	calc := bijstand.NewCalculator(law.MustLoad())
	c := bijstand.Case{Period: bijstand.Period{Year: 9999, Month: time.December},
		Household: bijstand.Household{Kind: bijstand.KindSingle, Applicants: []bijstand.Applicant{{BirthDate: date("1990-05-01")}}}}
	_, _, err := calc.Month(c)
	var ie *bijstand.InputError
	if !errors.As(err, &ie) || ie.Field != "household.applicants[0].birth_date" {
		t.Fatalf("Month in 9999-12: err = %v, want an InputError on household.applicants[0].birth_date", err)
	}
	for _, s := range []string{"1990", "05-01", "01-05"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error %q holds %q, part of the birth date", err, s)
		}
	}
}
