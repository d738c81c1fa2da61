package income_test

import (
	"context"
	"errors"
	"testing"

	"github.com/plein-nl/plein/platform/money"
	"github.com/plein-nl/plein/services/income"
)

// BenchmarkEmployerAnswers measures the three answers an employer can get for a
// payslip — an unknown BSN, a known BSN without consent (both refused), and one with
// consent (stored) — without the edge's answer floor (services/plein partnerFloor),
// which must stay well above the slowest of them. The two refusals do the same work.
//
//	go test -run '^$' -bench EmployerAnswers -benchtime 200x ./services/income/
func BenchmarkEmployerAnswers(b *testing.B) {
	tb := setup(b)
	ctx := context.Background()
	tb.resident(b, enschede, couple())
	for _, id := range []string{"acme", "other"} {
		if _, err := income.RegisterEmployer(ctx, tb.d.App, enschede, id, "Werkgever "+id); err != nil {
			b.Fatal(err)
		}
	}
	res, err := tb.res.FindByBSN(as(consulentEnschede), enschede, bsnResident, "benchmark van de partner-API")
	if err != nil {
		b.Fatal(err)
	}
	if err := tb.svc.GrantConsent(ctx, enschede, res.ID, "acme"); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name, employer, bsn string
		want                error
	}{
		{"unknown BSN", "other", "123456782", income.ErrNoConsent},
		{"known BSN, no consent", "other", bsnResident, income.ErrNoConsent},
		{"known BSN, consent", "acme", bsnResident, nil},
	} {
		b.Run(c.name, func(b *testing.B) {
			emp := as(employerPrincipal(enschede, c.employer))
			for i := 0; b.Loop(); i++ {
				p := slip("x", 100000)
				p.Net += money.Cents(i % 1000) // a correction each time: the stored path
				if _, err := tb.svc.SubmitFromEmployer(emp, enschede, c.employer, c.bsn, p); !errors.Is(err, c.want) {
					b.Fatalf("%s: %v, want %v", c.name, err, c.want)
				}
			}
		})
	}
}
