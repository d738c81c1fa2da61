package creditors

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/plein-nl/plein/platform/input/inputtest"
)

// TestHTTPInputHygiene sends every hostile text to every free-text field of a new
// creditor: each is a 400 naming the field, in Dutch too, and nothing is stored.
func TestHTTPInputHygiene(t *testing.T) {
	t.Parallel()
	b := setup(t)
	srv := newTestServer(t, b.svc)
	const base = "/api/v1/tenants/enschede/creditors"
	const good = `{"name":"Domijn","brand":"Domijn Wonen","kind":"woningcorporatie","iban":"NL91ABNA0417164300","example":true,
		"reference_name":"contractnummer","reference_pattern":"[0-9]{8}","reference_hint":"Uw contractnummer staat op uw huurcontract.",
		"reference_hint_en":"Your contract number is on your rental contract."}`
	inputtest.CheckFields(t, good, []inputtest.Field{
		{Name: "name", Old: `"Domijn"`},
		{Name: "brand", Old: `"Domijn Wonen"`, Optional: true},
		{Name: "reference_hint", Old: `"Uw contractnummer staat op uw huurcontract."`},
		{Name: "reference_hint_en", Old: `"Your contract number is on your rental contract."`, Optional: true},
		{Name: "reference_pattern", Old: `"[0-9]{8}"`},
	}, func(body string) (int, []byte) {
		resp, got := do(t, srv, "enschede", http.MethodPost, base, body)
		return resp.StatusCode, got
	})
	resp, got := do(t, srv, "enschede", http.MethodPost, base, strings.Replace(good, `"example":true`, `"example":"ja"`, 1))
	inputtest.Check(t, "wrong JSON type", resp.StatusCode, got, http.StatusBadRequest, "example")
	resp, got = do(t, srv, "enschede", http.MethodPost, base, good+"garbage")
	inputtest.Check(t, "trailing garbage", resp.StatusCode, got, http.StatusBadRequest, "body")

	if n := b.d.Count(t, enschede, "SELECT count(*) FROM creditors"); n != 0 {
		t.Errorf("creditors stored = %d, want 0", n)
	}
}

// TestReferenceHygiene checks that a reference is refused for its characters whatever
// a tenant's own pattern allows: it goes into payment orders and onto screens.
func TestReferenceHygiene(t *testing.T) {
	t.Parallel()
	loose := Creditor{ID: "eigen", Name: "Eigen", Reference: ReferenceFormat{Name: "kenmerk", Pattern: ".+", Hint: "Het kenmerk staat op de brief."}}
	if err := ValidateReference(loose, "AB-12 34"); err != nil {
		t.Fatalf("a plain reference: %v, want nil", err)
	}
	for _, ref := range []string{"AB\x0012", "AB\xff", "AB\ufffd", "AB\u202e21", "\u200b\u2060", "AB\u0085"} {
		err := ValidateReference(loose, ref)
		var re *ReferenceError
		if !errors.As(err, &re) || !errors.Is(err, ErrInvalidReference) || re.Dutch() == "" {
			t.Errorf("reference %+q: err = %v, want a *ReferenceError with Dutch text", ref, err)
		}
	}
}

func TestDataExceptionIsAClientError(t *testing.T) {
	t.Parallel()
	inputtest.CheckDataException(t, errorEncoder)
}
