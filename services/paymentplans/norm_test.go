package paymentplans

import (
	"errors"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/httpapi"
	"github.com/plein-nl/plein/services/residents"
)

// amountProblem returns the problem on amount_cents of err, failing unless err is a
// *httpapi.ValidationError with exactly that one.
func amountProblem(t *testing.T, err error) httpapi.FieldError {
	t.Helper()
	var ve *httpapi.ValidationError
	if !errors.As(err, &ve) || len(ve.Fields) != 1 || ve.Fields[0].Field != "amount_cents" {
		t.Fatalf("err = %v, want one problem on amount_cents", err)
	}
	return ve.Fields[0]
}

// TestAmountCappedAtOwnNorm: "an amount above the norm" is above the norm of the
// resident's own household in the plan's start month (2026: single 1401.50, couple
// 2002.13), as the engine computes it, not above the couple norm for everyone.
func TestAmountCappedAtOwnNorm(t *testing.T) {
	t.Parallel()
	b, fatima := setupFatima(t)
	her := residentPrincipal(enschede, fatima)
	couple, err := b.res.Create(as(consulentEnschede), enschede, residents.NewResident{Name: "Jan de Vries", BirthDate: "1985-02-01",
		BSN: residents.BSNInput(bsnJan), IBAN: "NL91ABNA0417164300", Kind: "couple",
		Partner: &residents.NewPartner{Name: "Ayşe de Vries", BirthDate: "1987-11-30", BSN: "123456782"}})
	if err != nil {
		t.Fatalf("create couple: %v", err)
	}
	withAmount := func(a int64) NewPlan { np := zorgpremie(); np.AmountCents = a; return np }
	beslag := func(a int64) NewPlan {
		return NewPlan{Kind: "beslag", CreditorID: "cak", Reference: "1234567890123456", AmountCents: a, Priority: 1, StartPeriod: "2026-04"}
	}

	// A single resident, in the portal: € 1.500 is above her norm; the message names
	// the norm the Dutch way for her, the English way for staff.
	_, err = b.svc.Request(as(her), enschede, fatima, withAmount(150000), ActorOf(her))
	p := amountProblem(t, err)
	if !strings.Contains(p.NL, "Dit bedrag is hoger dan uw norm van € 1.401,50.") || !strings.Contains(p.EN, "€1,401.50") {
		t.Errorf("problem = %+v, want her norm € 1.401,50 (EN €1,401.50)", p)
	}
	// The same by a consulent: the Dutch speaks of the resident, not "uw".
	_, err = b.svc.Request(as(consulentEnschede), enschede, fatima, beslag(140151), ActorOf(consulentEnschede))
	if p := amountProblem(t, err); !strings.Contains(p.NL, "de bijstandsnorm van de inwoner: € 1.401,50") {
		t.Errorf("staff problem = %+v, want the resident's norm € 1.401,50", p)
	}
	// The norm itself is allowed.
	pl := b.mustRequest(t, enschede, fatima, withAmount(140150), her)
	if pl.Amount != 140150 {
		t.Errorf("amount = %d, want 140150", pl.Amount)
	}
	// A couple may have up to the couple norm, and not a cent more.
	if got := b.mustRequest(t, enschede, couple.ID, beslag(200213), consulentEnschede); got.Amount != 200213 {
		t.Errorf("couple amount = %d, want 200213", got.Amount)
	}
	_, err = b.svc.Request(as(consulentEnschede), enschede, couple.ID, beslag(200214), ActorOf(consulentEnschede))
	if p := amountProblem(t, err); !strings.Contains(p.NL, "€ 2.002,13") {
		t.Errorf("couple problem = %+v, want the couple norm € 2.002,13", p)
	}
	// A change is capped the same way, at the norm of the plan's start month.
	_, err = b.svc.Change(as(consulentEnschede), enschede, pl.ID, pl.Version, Changes{AmountCents: ptr(int64(140151))}, ActorOf(consulentEnschede))
	amountProblem(t, err)
	changed, err := b.svc.Change(as(consulentEnschede), enschede, pl.ID, pl.Version, Changes{AmountCents: ptr(int64(140000))}, ActorOf(consulentEnschede))
	if err != nil || changed.Amount != 140000 {
		t.Errorf("change to 140000: %+v, %v", changed, err)
	}
	// An unknown resident is not found, once the input is valid.
	const unknown = "00000000-0000-4000-8000-000000000000"
	if _, err := b.svc.Request(as(consulentEnschede), enschede, unknown, beslag(5000), ActorOf(consulentEnschede)); !errors.Is(err, ErrResidentNotFound) {
		t.Errorf("unknown resident: err = %v, want ErrResidentNotFound", err)
	}
	if _, err := b.svc.Request(as(consulentEnschede), enschede, unknown, beslag(-1), ActorOf(consulentEnschede)); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown resident, invalid input: err = %v, want ErrInvalid first", err)
	}
}

// TestAmountCoupleCapWithoutNorms: a service wired without Norms keeps the couple
// norm as the cap for everyone.
func TestAmountCoupleCapWithoutNorms(t *testing.T) {
	t.Parallel()
	b := setup(t, func(_ *testBundle, o *options) { o.coupleCap = true })
	fatima := b.resident(t, enschede, bsnFatima, "Fatima el Amrani")
	her := residentPrincipal(enschede, fatima)
	np := zorgpremie()
	np.AmountCents = 200213
	if pl := b.mustRequest(t, enschede, fatima, np, her); pl.Amount != 200213 {
		t.Errorf("amount = %d, want 200213", pl.Amount)
	}
	np.AmountCents = 200214
	_, err := b.svc.Request(as(her), enschede, fatima, np, ActorOf(her))
	if p := amountProblem(t, err); !strings.Contains(p.NL, "€ 2.002,13, de bijstandsnorm voor gehuwden") {
		t.Errorf("problem = %+v, want the couple norm", p)
	}
}

func ptr[T any](v T) *T { return &v }
