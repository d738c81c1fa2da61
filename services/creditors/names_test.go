package creditors

import (
	"errors"
	"testing"

	"github.com/plein-nl/plein/platform/tenant"
)

// TestNames: a creditor's name as the register shows it, from the catalogue or the
// tenant's own; an unknown one wraps both ErrNotFound and the asker's sentinel.
func TestNames(t *testing.T) {
	t.Parallel()
	b := setup(t)
	errAsker := errors.New("asker: unknown creditor")
	own, err := b.raw.Create(as(consulentEnschede), enschede, woonbron())
	if err != nil {
		t.Fatal(err)
	}
	n := Names{Service: b.raw, NotFound: errAsker}
	for _, id := range []string{"zilveren-kruis", own.ID} {
		c, err := b.raw.Get(t.Context(), enschede, id)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := n.CreditorName(t.Context(), enschede, id); err != nil || got != c.DisplayName() || got == "" {
			t.Errorf("CreditorName(%s) = %q, %v; want %q", id, got, err, c.DisplayName())
		}
	}
	for _, c := range []struct{ tenant, id string }{{"enschede", "nope"}, {"zwolle", own.ID}} {
		_, err := n.CreditorName(t.Context(), tenant.ID(c.tenant), c.id)
		if !errors.Is(err, errAsker) || !errors.Is(err, ErrNotFound) {
			t.Errorf("CreditorName(%s in %s): err = %v, want the asker's sentinel and ErrNotFound", c.id, c.tenant, err)
		}
	}
}
